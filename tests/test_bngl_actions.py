"""ilnet run on a BNGL file with actions, checked against closed forms, and ilnet netgen:
the written .net simulates exactly like the .bngl it came from.

usage: test_bngl_actions.py ILNET DATADIR REFDIR WORKDIR"""
import math
import os
import sys

import numpy as np

from ilnet_testlib import Checks, Scratch, run

ilnet, data, refdir = sys.argv[1:4]
work = Scratch(sys.argv[4], fresh=True).dir
check = Checks()
close = check.close_rel


def read_table(path):
    with open(path) as f:
        header = f.readline().lstrip("#").split()
    return header, np.atleast_2d(np.loadtxt(path, comments="#"))


model = os.path.join(data, "actions_decay.bngl")
p = run([ilnet, "run", "--gdat", "--outdir", work, model])
print(p.stdout, p.stderr)
check.exits(p, 0, "ilnet run")

k, v, A0 = 0.5, 2.0, 10.0
# first: 0..2 from the seed state
_, g = read_table(os.path.join(work, "actions_decay_first.gdat"))
for t, a, b in g:
    close(a, A0 * math.exp(-k * t), "first A(%g)" % t)
    close(b, v * t, "first B(%g)" % t)
# second continues at t = 2 from the end of first
_, g = read_table(os.path.join(work, "actions_decay_second.gdat"))
check(abs(g[0, 0] - 2) < 1e-12 and abs(g[-1, 0] - 4) < 1e-12, "second spans 2..4")
for t, a, b in g:
    close(a, A0 * math.exp(-k * t), "second A(%g)" % t)
    close(b, v * t, "second B(%g)" % t)
# third: A set to 2*A0, k = 0.25, B carried over (v*4)
_, g = read_table(os.path.join(work, "actions_decay_third.gdat"))
for t, a, b in g:
    close(a, 2 * A0 * math.exp(-0.25 * t), "third A(%g)" % t)
    close(b, v * 4 + v * t, "third B(%g)" % t)
# fourth: back to the saved (seed) state, k still 0.25
_, g = read_table(os.path.join(work, "actions_decay_fourth.gdat"))
for t, a, b in g:
    close(a, A0 * math.exp(-0.25 * t), "fourth A(%g)" % t)
    close(b, v * t, "fourth B(%g)" % t)
# parameter scans: final observables at t_end, concentrations reset for each point
h, s = read_table(os.path.join(work, "actions_decay_kscan.scan"))
check(h[0] == "k" and h[1:] == ["Aobs", "Bobs"], "scan header %s" % h)
check(len(s) == 4, "kscan has 4 rows")
for kk, a, b in s:
    close(a, A0 * math.exp(-kk * 3), "kscan A at k=%g" % kk)
    close(b, v * 3, "kscan B at k=%g" % kk)
close(s[1, 0], 0.4, "kscan second value")
_, s = read_table(os.path.join(work, "actions_decay_vscan.scan"))
for vv, a, b in s:
    close(b, vv * 2, "vscan B at v=%g" % vv)
    close(a, A0 * math.exp(-0.25 * 2), "vscan A (k stays 0.25)")
check(os.path.exists(os.path.join(work, "actions_decay_first.h5")), "HDF5 per simulate")
check(os.path.exists(os.path.join(work, "actions_decay.net")), "generate_network writes .net")

# an action written over several lines (as published models do) reads every line: here
# simulate's t_end and n_steps are on its third and fourth lines
with open(model) as f:
    body = f.read().split("generate_network(")[0]
multi = os.path.join(work, "multiline.bngl")
with open(multi, "w") as f:
    f.write(body + "generate_network({overwrite=>1,\n    max_iter=>10,\n    max_agg=>5})\n"
            "simulate({method=>\"ode\",\n    t_start=>0,\n    t_end=>3,\n    n_steps=>6,\n"
            "    suffix=>\"long\"})\n")
p = run([ilnet, "run", "--gdat", "--outdir", work, multi])
check.exits(p, 0, "ilnet run with actions over several lines")
if p.returncode == 0:
    _, g = read_table(os.path.join(work, "multiline_long.gdat"))
    check(len(g) == 7 and abs(g[-1, 0] - 3) < 1e-12, "multi-line simulate: %d rows to t=%g" % (len(g), g[-1, 0]))
    for t, a, b in g:
        close(a, A0 * math.exp(-k * t), "multi-line A(%g)" % t)

# simulate({steady_state=>1}): A <-> B (kf 0.5, kr 0.25) from A = 10 settles long before
# t = 1000 (continuing from a first run to t = 1, too short to settle, which warns); the
# rows stop at the first output time where the rates' weighted RMS norm
# (atol = rtol = 1e-8) is <= 1, and the end state is that row.
ss = os.path.join(work, "steady.bngl")
with open(ss, "w") as f:
    f.write("begin model\nbegin parameters\n kf 0.5\n kr 0.25\nend parameters\n"
            "begin molecule types\n A()\n B()\nend molecule types\n"
            "begin seed species\n A() 10\n B() 0\nend seed species\n"
            "begin observables\n Molecules Aobs A()\n Molecules Bobs B()\nend observables\n"
            "begin reaction rules\n A() <-> B() kf, kr\nend reaction rules\nend model\n"
            "generate_network({overwrite=>1})\n"
            "simulate({method=>\"ode\",t_end=>1,n_steps=>2,steady_state=>1,suffix=>\"short\"})\n"
            "simulate({method=>\"ode\",t_start=>0,t_end=>1000,n_steps=>100,steady_state=>1})\n")
p = run([ilnet, "run", "--gdat", "--outdir", work, ss])
check.exits(p, 0, "steady_state=>1")


def rate_norm(a, b):
    f = -0.5 * a + 0.25 * b
    return math.sqrt(((f / (1e-8 + 1e-8 * abs(a))) ** 2 + (f / (1e-8 + 1e-8 * abs(b))) ** 2) / 2)


if p.returncode == 0:
    _, g = read_table(os.path.join(work, "steady.gdat"))
    tss = g[-1, 0]
    check(10 <= tss < 1000 and len(g) < 101, f"steady_state=>1 stopped at t={tss} after {len(g)} rows")
    check("steady state reached at t = %g" % tss in p.stdout, f"no note of the steady state: {p.stdout}")
    check(rate_norm(g[-1, 1], g[-1, 2]) <= 1.001, "the last row is not settled")
    check(rate_norm(g[-2, 1], g[-2, 2]) > 1, "an earlier row had settled already")
    close(g[-1, 1], 10 / 3, "steady A")
    check("no steady state by t = 1" in p.stderr, f"no warning for the short run: {p.stderr}")

# netgen: .bngl -> .net -> simulate gives the same numbers as simulating the .bngl
bngl = os.path.join(refdir, "fceri_ji", "fceri_ji.bngl")
net = os.path.join(work, "fceri_ji.net")
p = run([ilnet, "netgen", bngl, "-o", net])
print(p.stdout.strip())
check(p.returncode == 0 and "354 species, 3680 reactions" in p.stdout, "netgen fceri_ji: %s %s" % (p.stdout, p.stderr))
outs = []
for src, name in ((bngl, "a.csv"), (net, "b.csv")):
    csv = os.path.join(work, name)
    p = run([ilnet, "simulate", src, "--t-end", "100", "--n-steps", "10", "--csv", csv, "-q"])
    check.exits(p, 0, "simulate %s" % src)
    outs.append(np.loadtxt(csv, delimiter=",", skiprows=1))
check(outs[0].shape == outs[1].shape and np.array_equal(outs[0], outs[1]),
      "simulating the .bngl and its written .net differ")

# print_functions=>1: the functions' values beside the observables (.gdat columns after
# the observables, /functions in HDF5), against X(t) = X0/(1 + kd X0 t), kdeg = kd X
fsrc = open(os.path.join(data, "functions_observable.bngl")).read()
pf = os.path.join(work, "print_functions.bngl")
with open(pf, "w") as f:
    f.write(fsrc + '\nsimulate({method=>"ode",t_end=>2,n_steps=>4,print_functions=>1,atol=>1e-12,rtol=>1e-10})\n')
p = run([ilnet, "run", "-q", "--gdat", "--outdir", work, pf])
check.exits(p, 0, "ilnet run print_functions")
hdr, tab = read_table(os.path.join(work, "print_functions.gdat"))
check(hdr == ["time", "Xtot", "kdeg"], f"print_functions: .gdat columns {hdr}")
if hdr == ["time", "Xtot", "kdeg"]:
    t = tab[:, 0]
    x = 3 / (1 + 0.7 * 3 * t)
    check.close(tab[:, 2], 0.7 * x, 1e-6, 1e-12, "print_functions: kdeg = kd X(t) in .gdat")
import h5py
with h5py.File(os.path.join(work, "print_functions.h5"), "r") as f:
    names = [n.decode() if isinstance(n, bytes) else n for n in f["function"][()]]
    check(names == ["kdeg"], f"print_functions: /function {names}")
    check.close(f["functions"][:, 0], 0.7 * 3 / (1 + 2.1 * f["time"][()]), 1e-6, 1e-12,
                "print_functions: /functions")
p = run([ilnet, "run", "-q", "--gdat", "--outdir", work, os.path.join(data, "actions_decay.bngl")])
hdr, _ = read_table(os.path.join(work, "actions_decay_first.gdat"))
check("kdeg" not in hdr, "without print_functions no function columns")

# --outdir that does not exist yet is created (nested), like a study's output directory
nested = os.path.join(work, "new", "deeper")
p = run([ilnet, "run", "-q", "--outdir", nested, model])
check.exits(p, 0, "ilnet run --outdir NEW/DEEPER")
check(os.path.isfile(os.path.join(nested, "actions_decay.net")), "--outdir: the new directory holds no outputs")

check.finish("BNGL actions and netgen")
