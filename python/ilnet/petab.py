"""PEtab problems (docs/petab.md): the objective, its gradient and the residuals at a
parameter vector, as optimisers and samplers see them (each parameter on its scale)."""
import ctypes
import os
import threading

import numpy as np

from . import _lib
from ._errors import IlnetError, check, encode, last_error

_L = _lib.lib
_SCALES = {0: "lin", 1: "log", 2: "log10"}


class Evaluation(dict):
    """llh, chi2, log_prior; with gradient=True gradient and prior_gradient; with
    residuals=True residuals (and jacobian with the gradient), simulations, sigmas;
    status/message when a simulation failed (llh -inf). Keys are attributes too."""

    __getattr__ = dict.__getitem__


class Problem:
    """A PEtab problem (ilnet.petab.load). parameter_ids, scales, lower, upper and nominal
    (on the parameters' scales) describe theta; measurements the data rows. adjoint=True:
    gradients (without residuals) by the adjoint method, one backward run per condition
    whatever the number of parameters."""

    def __init__(self, path, threads=1, atol=1e-12, rtol=1e-10, adjoint=False):
        self.path = os.fspath(path)
        self._lock = threading.Lock()  # one calling thread at a time per handle
        o = _lib.PetabOptions(_lib.PETAB_OPTIONS_VERSION, int(threads), float(atol), float(rtol))
        h = ctypes.c_void_p()
        check(_L.ilnet_petab_problem_load(ctypes.byref(h), encode(self.path, "problem"),
                                          ctypes.byref(o)))
        self._h = h
        check(_L.ilnet_petab_problem_set_adjoint(h, int(bool(adjoint))))
        n = _L.ilnet_petab_problem_parameter_count(h)
        self.parameter_ids = [_L.ilnet_petab_problem_parameter_id(h, i).decode()
                              for i in range(n)]
        self.scales = [_SCALES[_L.ilnet_petab_problem_parameter_scale(h, i)] for i in range(n)]
        lo, up, nom = (np.empty(n) for _ in range(3))
        for i in range(n):
            a, b, c = ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
            check(_L.ilnet_petab_problem_parameter_bounds(ctypes.byref(a), ctypes.byref(b),
                                                          ctypes.byref(c), h, i))
            lo[i], up[i], nom[i] = a.value, b.value, c.value
        self.lower, self.upper, self.nominal = lo, up, nom
        self.n_measurements = _L.ilnet_petab_problem_measurement_count(h)

    def __del__(self):
        h, self._h = getattr(self, "_h", None), None
        if h:
            _L.ilnet_petab_problem_free(h)

    def theta(self, parameters=None):
        """theta from {id: value on its scale} over the nominal values (or an array)."""
        if parameters is None:
            return self.nominal.copy()
        if isinstance(parameters, dict):
            t = self.nominal.copy()
            for k, v in parameters.items():
                if k not in self.parameter_ids:
                    raise IlnetError(f"{self.path}: '{k}' is not an estimated parameter",
                                     _lib.EINPUT)
                t[self.parameter_ids.index(k)] = v
            return t
        t = np.ascontiguousarray(parameters, dtype=float)
        if t.shape != (len(self.parameter_ids),):
            raise IlnetError(f"{self.path}: theta needs {len(self.parameter_ids)} values, "
                             f"found shape {t.shape}", _lib.EINPUT)
        return t

    def evaluate(self, parameters=None, gradient=False, residuals=False):
        t = self.theta(parameters)
        want = (_lib.WANT_GRADIENT if gradient else 0) | (_lib.WANT_RESIDUALS if residuals else 0)
        e = _lib.PetabEvaluation()
        # None: the nominal values exactly as the tables give them (not via their scales)
        ptr = None if parameters is None else t.ctypes.data_as(_lib.c_double_p)
        with self._lock:  # the arrays are the handle's until the next evaluation
            rc = _L.ilnet_petab_problem_evaluate(ctypes.byref(e), self._h, ptr, want)
            if rc < 0 and rc != _lib.ESOLVER:
                raise last_error(rc)
            return self._evaluation(e, len(t), gradient, residuals)

    def _evaluation(self, e, n, gradient, residuals):
        m = self.n_measurements
        r = Evaluation(llh=e.llh, chi2=e.chi2, log_prior=e.log_prior, status=e.status,
                       message=(e.message or b"").decode("utf-8", "replace"))

        def arr(p, shape):
            return np.ctypeslib.as_array(p, shape=shape).copy() if p else None
        if gradient:
            r["gradient"] = arr(e.gradient, (n,))
            r["prior_gradient"] = arr(e.prior_gradient, (n,))
        if residuals:
            r["residuals"] = arr(e.residuals, (m,))
            r["simulations"] = arr(e.simulations, (m,))
            r["sigmas"] = arr(e.sigmas, (m,))
            if gradient:
                r["jacobian"] = arr(e.jacobian, (m, n))
        return r


def load(path, threads=1, atol=1e-12, rtol=1e-10, adjoint=False):
    """Reads and checks a PEtab problem (YAML); bad tables raise IlnetError naming
    FILE:ROW: column: id. adjoint=True: gradients by the adjoint method."""
    return Problem(path, threads=threads, atol=atol, rtol=rtol, adjoint=adjoint)


def evaluate(problem, parameters=None, gradient=True, residuals=False):
    """llh, chi2 and (by default) the gradient of a problem (a Problem or a YAML path) at
    parameters ({id: value on its scale}, an array over problem.parameter_ids, or None for
    the nominal values)."""
    if not isinstance(problem, Problem):
        problem = load(problem)
    return problem.evaluate(parameters, gradient=gradient, residuals=residuals)
