#!/usr/bin/python3
"""Readout calls in output expressions and dose-response readouts (docs/study.md,
"Readouts"): species by name and by BNGL pattern (Species and Molecules counting),
reaction fluxes (by reaction id and by BNGL rule name), SBML amounts and concentrations,
against closed forms of tiny models written here, the IL-2 model's own observables, and
clear errors for what cannot be read.

usage: test_readouts.py ILNET SRCDIR SCRATCH BIOMODELS_DIR"""
import math
import os
import sys

import h5py
import numpy as np

from ilnet_testlib import Checks, Scratch, names, run

ilnet, srcdir, scratch_dir, biomodels = (os.path.abspath(a) for a in sys.argv[1:5])
scratch = Scratch(scratch_dir, fresh=True)
write = scratch.write
check = Checks()
close = check.close


def study(name, text, expect=0, *in_stderr):
    cfg = write(name + ".yaml", text)
    out = scratch.path(name + ".h5")
    r = run([ilnet, "run", cfg, "-o", out, "--progress", "none"])
    check.exits(r, expect, name, *in_stderr)
    return out if r.returncode == 0 else None


def columns(path, group="tc"):
    """{column name: values over time} of point 0, and the time grid"""
    with h5py.File(path, "r") as f:
        g = f[group]
        cols = names(g["observable"])
        o = g["observables"][0]
        return {c: o[:, i] for i, c in enumerate(cols)}, g["time"][:]


# ---- phosphorylation cycle: A(s~u) <-> A(s~p), rule 'phos' forward, unnamed back
write("cycle.bngl", """begin parameters
  k1 0.3
  k2 0.1
end parameters
begin molecule types
  A(s~u~p)
end molecule types
begin seed species
  A(s~u) 100
end seed species
begin observables
  Molecules Ap A(s~p)
end observables
begin reaction rules
  phos: A(s~u) -> A(s~p) k1
  A(s~p) -> A(s~u) k2
end reaction rules
""")
out = study("cycle", """model: cycle.bngl
simulation: {t_end: 10, n_steps: 20, atol: 1e-10, rtol: 1e-10}
output:
  observables: [Ap]
  expressions:
    forward: flux(phos)
    back: flux(_R2)
    net: "flux(phos) - flux(R2)"
    Au: species(A(s~u))
    Au_by_name: "species('A(s~u)')"
experiments:
  - {name: tc, type: timecourse}
""")
if out:
    c, t = columns(out)
    # closed form: Ap = 100 k1/(k1+k2) (1 - exp(-(k1+k2) t))
    ap = 100 * 0.3 / 0.4 * (1 - np.exp(-0.4 * t))
    close(c["Ap"], ap, 1e-7, 1e-7, "cycle: Ap closed form")
    close(c["forward"], 0.3 * (100 - ap), 1e-7, 1e-7, "flux(rule name) = k1 Au")
    close(c["back"], 0.1 * ap, 1e-7, 1e-7, "flux(_R2) (an unnamed rule's label) = k2 Ap")
    close(c["net"], 0.3 * (100 - ap) - 0.1 * ap, 1e-7, 1e-7,
          "flux(R2) by reaction id, in an expression")
    close(c["Au"], 100 - ap, 1e-7, 1e-7, "species(pattern) = the species' amount")
    close(c["Au_by_name"], 100 - ap, 1e-7, 1e-7, "a quoted species name")

# ilnet info lists the reactions with the names flux() takes
r = run([ilnet, "info", scratch.path("cycle.bngl"), "--only", "reactions"])
check(r.returncode == 0 and "R1 (phos): A(s~u) -> A(s~p)  k1" in r.stdout
      and "R2 (_R2): A(s~p) -> A(s~u)  k2" in r.stdout, f"info --only reactions: {r.stdout!r}")
r = run([ilnet, "info", scratch.path("cycle.bngl")])
check(r.returncode == 0 and "reactions: 2\n" not in r.stdout,
      "info lists reactions only when asked")

# flux(R<n>) is reaction n, not unnamed rule n; a rule named like a reaction id is refused
write("three.bngl", """begin parameters
  k1 0.3
  k2 0.1
  k3 0.05
end parameters
begin molecule types
  A(s~u~p)
end molecule types
begin seed species
  A(s~u) 100
end seed species
begin observables
  Molecules Ap A(s~p)
  Molecules Au A(s~u)
end observables
begin reaction rules
  A(s~p) -> 0 k3
  A(s~u) -> A(s~p) k1
  A(s~p) -> A(s~u) k2
end reaction rules
""")
r = run([ilnet, "info", scratch.path("three.bngl"), "--only", "reactions"])
check("R2 (_R1): A(s~p) -> 0  k3" in r.stdout and "R1 (_R2)" in r.stdout,
      f"three rules: reactions numbered apart from rules: {r.stdout!r}")
out = study("three", """model: three.bngl
simulation: {t_end: 4, n_steps: 4}
output:
  observables: [Ap, Au]
  expressions: {r2: flux(R2), rule3: flux(_R3), rule1: flux(_R1), rule2: flux(_R2)}
experiments:
  - {name: tc, type: timecourse}
""")
if out:
    c, t = columns(out)
    close(c["r2"], 0.05 * c["Ap"], 1e-12, 1e-12, "flux(R2) is reaction R2 alone (k3 Ap), "
          "not also unnamed rule 2's")
    close(c["rule2"], 0.3 * c["Au"], 1e-12, 1e-12, "flux(_R2): unnamed rule 2 (k1 Au)")
    close(c["rule1"], 0.05 * c["Ap"], 1e-12, 1e-12, "flux(_R1): unnamed rule 1")
    close(c["rule3"], 0.1 * c["Ap"], 1e-12, 1e-12, "flux(_R3): unnamed rule 3 (k2 Ap)")
write("named.bngl", open(scratch.path("three.bngl")).read().replace(
    "  A(s~u) -> A(s~p) k1", "  R3: A(s~u) -> A(s~p) k1"))
study("ambiguous", """model: named.bngl
simulation: {t_end: 1, n_steps: 1}
output: {expressions: {x: flux(R3)}}
experiments:
  - {name: tc, type: timecourse}
""", 1, "'R3' is both a reaction's id and a rule's name")

# ---- dimerisation A(b) + A(b) -> A(b!1).A(b!1): Species vs Molecules counting
write("dimer.bngl", """begin parameters
  kd 0.01
end parameters
begin molecule types
  A(b)
end molecule types
begin seed species
  A(b) 100
end seed species
begin observables
  Molecules Afree A(b)
end observables
begin reaction rules
  A(b) + A(b) -> A(b!1).A(b!1) kd
end reaction rules
""")
out = study("dimer", """model: dimer.bngl
simulation: {t_end: 5, n_steps: 10, atol: 1e-10, rtol: 1e-10}
output:
  observables: [Afree]
  expressions:
    dimers: species(A(b!+))
    bound_A: molecules(A(b!+))
    all_A: molecules(A())
    complexes: species(A())
experiments:
  - {name: tc, type: timecourse}
""")
if out:
    c, t = columns(out)
    # BioNetGen: the symmetric rule's rate is kd/2 per pair, dA/dt = -2 (kd/2) A^2 = -kd A^2
    a = 100 / (1 + 100 * 0.01 * t)
    close(c["Afree"], a, 1e-7, 1e-7, "dimer: free A closed form")
    close(c["dimers"], (100 - a) / 2, 1e-7, 1e-7, "species(pattern) counts a dimer once")
    close(c["bound_A"], 100 - a, 1e-7, 1e-7, "molecules(pattern) counts both of its A")
    close(c["all_A"], np.full_like(t, 100.0), 1e-9, 1e-9, "molecules(A()) is conserved")
    close(c["complexes"], a + (100 - a) / 2, 1e-7, 1e-7, "species(A()): every complex once")

# ---- SBML with a compartment of size 2: S in concentration units, S -> 0 at k [S] V
write("decay.xml", """<?xml version="1.0" encoding="UTF-8"?>
<sbml xmlns="http://www.sbml.org/sbml/level3/version2/core" level="3" version="2">
  <model id="decay">
    <listOfCompartments>
      <compartment id="cell" size="2" spatialDimensions="3" constant="true"/>
    </listOfCompartments>
    <listOfSpecies>
      <species id="S" compartment="cell" initialConcentration="5" hasOnlySubstanceUnits="false"
               boundaryCondition="false" constant="false"/>
    </listOfSpecies>
    <listOfParameters>
      <parameter id="k" value="0.2" constant="true"/>
    </listOfParameters>
    <listOfReactions>
      <reaction id="deg" reversible="false">
        <listOfReactants>
          <speciesReference species="S" stoichiometry="1" constant="true"/>
        </listOfReactants>
        <kineticLaw>
          <math xmlns="http://www.w3.org/1998/Math/MathML">
            <apply><times/><ci>k</ci><ci>S</ci><ci>cell</ci></apply>
          </math>
        </kineticLaw>
      </reaction>
    </listOfReactions>
  </model>
</sbml>
""")
out = study("decay", """model: decay.xml
simulation: {t_end: 10, n_steps: 10, atol: 1e-12, rtol: 1e-10}
output:
  expressions:
    amount_S: S
    amount_call: amount(S)
    conc: concentration(S)
    v: flux(deg)
experiments:
  - {name: tc, type: timecourse}
""")
if out:
    c, t = columns(out)
    amount = 10 * np.exp(-0.2 * t)     # 5 per volume x 2 volumes
    close(c["amount_S"], amount, 1e-7, 1e-9, "SBML: a species id reads its amount")
    close(c["amount_call"], amount, 1e-7, 1e-9, "amount(S)")
    close(c["conc"], amount / 2, 1e-7, 1e-9, "concentration(S) = amount / compartment size")
    close(c["v"], 0.2 * amount, 1e-7, 1e-9, "flux(deg) = k [S] V")

# ---- a dose response on BIOMD0000000093 (Yamada 2003) with call readouts
b93 = os.path.join(biomodels, "BIOMD0000000093.xml")
out = study("b93", f"""model: {b93}
simulation: {{t_end: 60, n_steps: 12}}
experiments:
  - name: dose
    type: dose_response
    dose: {{species: IFN}}
    doses: [0, 1, 10]
    readout:
      - {{species: STAT1n_star_STAT1n_star, times: [60]}}
      - {{flux: v2, name: IFN_binding, times: [30]}}
      - {{concentration: STAT1n_star_STAT1n_star, times: [60]}}
""")
if out:
    with h5py.File(out, "r") as f:
        g = f["dose"]
        ro = names(g["readout"])
        check(ro == ["species(STAT1n_star_STAT1n_star)@60", "IFN_binding@30",
                     "concentration(STAT1n_star_STAT1n_star)@60"], f"b93 readout names {ro}")
        resp = g["response"][0]
        check(resp[0, 0] == 0 and resp[0, 1] == 0, f"b93: no IFN, no response {resp[0]}")
        check(resp[2, 0] > resp[1, 0] > 0, f"b93: the response grows with IFN {resp[:, 0]}")
        check(resp[2, 1] > 0, f"b93: IFN binding flux positive {resp[:, 1]}")
        # the compartment sizes are 1: a concentration equals the amount
        close(resp[:, 2], resp[:, 0], 1e-12, 0, "b93: concentration = amount (size 1)")

# ---- the IL-2 model: patterns equal its observables
il2 = os.path.join(srcdir, "models", "il2_il7.bngl")
out = study("il2", f"""model: {il2}
simulation: {{t_end: 30, n_steps: 6}}
parameters: {{L2_nM: 1}}
output:
  observables: [pSTAT5_total, STAT5_all, pSTAT5_dimer_nuc]
  expressions:
    p: molecules(S5(y~p))
    frac: molecules(S5(y~p)) / STAT5_all
    dimer: species(S5(y~p,dm!1,ph,gn,loc~n).S5(y~p,dm!1,ph,gn,loc~n))
experiments:
  - {{name: tc, type: timecourse}}
""")
if out:
    c, t = columns(out)
    check(c["pSTAT5_total"][-1] > 1, "il2: pSTAT5 rises")
    close(c["p"], c["pSTAT5_total"], 1e-12, 0, "il2: molecules(S5(y~p)) = pSTAT5_total")
    close(c["frac"], c["pSTAT5_total"] / c["STAT5_all"], 1e-12, 0, "il2: pattern / observable")
    close(c["dimer"], c["pSTAT5_dimer_nuc"], 1e-12, 0, "il2: species(...) = pSTAT5_dimer_nuc")

# ---- errors: one line naming the entry and the call
bad = """model: cycle.bngl
simulation: {t_end: 1, n_steps: 1}
output:
  expressions:
    x: %s
experiments:
  - {name: tc, type: timecourse}
"""
for expr, why in [("flux(phoz)", "no reaction or rule 'phoz'"),
                  ("concentration(A)", "no SBML species 'A'"),
                  ("molecules(B(x))", "undefined molecule type 'B'"),
                  ("species(A(s~q))", "no state 'q'"),
                  ("'flux(phos'", "no closing ')'"),
                  ("species()", "expected a name")]:
    study("bad", bad % expr, 1, "bad.yaml:5:", "output.expressions.x", why)
study("bad_net", f"""model: {os.path.join(srcdir, 'models', 'il2_receptor.net')}
simulation: {{t_end: 1, n_steps: 1}}
output:
  expressions: {{x: "molecules(B(s~P))"}}
experiments:
  - {{name: tc, type: timecourse}}
""", 1, "patterns need a BNGL model")
study("two_sources", """model: cycle.bngl
simulation: {t_end: 1, n_steps: 1}
experiments:
  - name: d
    type: dose_response
    dose: {parameter: k1}
    doses: [1, 2]
    readout: {observable: Ap, flux: phos, times: [1]}
""", 1, "needs one of observable")

check.finish("readouts")
