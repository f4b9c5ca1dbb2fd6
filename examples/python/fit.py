#!/usr/bin/python3
"""A fit written as a user would: the Boehm 2014 JAK2/STAT5 PEtab problem, its objective
and gradient from ilnet, scipy's L-BFGS-B from three random starts within the bounds.
usage: fit.py PROBLEM.yaml [STARTS]"""
import sys

import numpy as np
from scipy.optimize import minimize

import ilnet

problem = ilnet.petab.load(sys.argv[1])
starts = int(sys.argv[2]) if len(sys.argv) > 2 else 3
rng = np.random.default_rng(1)


def objective(theta):
    e = problem.evaluate(theta, gradient=True)
    if e.status:  # a failed simulation: infeasible
        return np.inf, np.zeros_like(theta)
    return -e.llh, -e.gradient


best = None
for s in range(starts):
    theta0 = rng.uniform(problem.lower, problem.upper)
    r = minimize(objective, theta0, jac=True, method="L-BFGS-B",
                 bounds=list(zip(problem.lower, problem.upper)),
                 options={"maxiter": 200})
    print(f"start {s}: llh {-r.fun:.4f} after {r.nit} iterations ({r.message})")
    if best is None or r.fun < best.fun:
        best = r
print(f"best llh: {-best.fun:.4f}")
for pid, v in zip(problem.parameter_ids, best.x):
    print(f"  {pid} = {v:.4g}")
