#!/usr/bin/python3
"""Bad PEtab input gets one line on stderr -- FILE:ROW: column: id: message -- exit 1, and
nothing written. Each case edits one file of a valid problem (the model and tables of PEtab
test case 0001, plus a log10 observable, a noise parameter and a preequilibration); neither
--simulations nor -o OUT.h5 leaves a file."""
import os
import shutil
import sys

from ilnet_testlib import Checks, Scratch, run

ilnet, suite = sys.argv[1:3]
scratch = Scratch(sys.argv[3])
check = Checks()
case = os.path.join(suite, "0001")

FILES = {
    "problem.yaml": "format_version: 1\nparameter_file: parameters.tsv\nproblems:\n"
                    "- condition_files: [conditions.tsv]\n  measurement_files: [measurements.tsv]\n"
                    "  observable_files: [observables.tsv]\n  sbml_files: [model.xml]\n",
    "parameters.tsv": "parameterId\tparameterScale\tlowerBound\tupperBound\tnominalValue\testimate\n"
                      "a0\tlin\t0\t10\t1.0\t1\nb0\tlin\t0\t10\t0.0\t1\nk1\tlog10\t0.01\t10\t0.8\t1\n"
                      "k2\tlin\t0\t10\t0.6\t1\nsd_b\tlin\t0\t10\t0.3\t1\n",
    "observables.tsv": "observableId\tobservableFormula\tnoiseFormula\tobservableTransformation\n"
                       "obs_a\tA\t0.5\tlin\nobs_b\tB + 0.01\tnoiseParameter1_obs_b\tlog10\n",
    "conditions.tsv": "conditionId\tk2\nc0\t0.6\npre\t0.2\n",
    "measurements.tsv": "observableId\tpreequilibrationConditionId\tsimulationConditionId\ttime\t"
                        "measurement\tnoiseParameters\n"
                        "obs_a\t\tc0\t0\t0.7\t\nobs_a\tpre\tc0\t10\t0.1\t\nobs_b\t\tc0\t10\t0.5\tsd_b\n",
}


def setup(d):
    os.makedirs(d, exist_ok=True)
    for name, text in FILES.items():
        with open(os.path.join(d, name), "w") as fh:
            fh.write(text)
    shutil.copy(os.path.join(case, "_model.xml"), os.path.join(d, "model.xml"))


base = scratch.path("valid")
setup(base)
r = run([ilnet, "petab", "evaluate", os.path.join(base, "problem.yaml")])
check.exits(r, 0, "the valid problem")
check("llh: " in r.stdout, f"valid problem output {r.stdout!r}")

# (file, old text, new text, the words the message must hold)
CASES = [
    ("problem.yaml", "format_version: 1", "format_version: 3", ["problem.yaml:1", "format_version", "'3'"]),
    ("problem.yaml", "parameter_file: parameters.tsv\n", "", ["problem.yaml", "parameter_file", "missing"]),
    ("problem.yaml", "[conditions.tsv]", "[conditions.tsv, conditions.tsv]", ["problem.yaml:4", "condition_files", "one file"]),
    ("problem.yaml", "  measurement_files: [measurements.tsv]\n", "", ["problem.yaml", "measurement_files", "missing"]),
    ("problem.yaml", "[model.xml]", "[nomodel.xml]", ["nomodel.xml", "cannot open"]),
    ("parameters.tsv", "\testimate\n", "\testimated\n", ["parameters.tsv:1", "estimate", "required column"]),
    ("parameters.tsv", "a0\tlin", "a0\tln", ["parameters.tsv:2", "parameterScale", "a0", "'ln'"]),
    ("parameters.tsv", "0.6\t1", "abc\t1", ["parameters.tsv:5", "nominalValue", "k2", "'abc'"]),
    ("parameters.tsv", "0.0\t1", "0.0\t2", ["parameters.tsv:3", "estimate", "b0", "'2'"]),
    ("parameters.tsv", "k2\tlin", "k1\tlin", ["parameters.tsv:5", "parameterId", "k1", "twice"]),
    ("parameters.tsv", "k1\tlog10\t0.01", "k1\tlog10\t0", ["parameters.tsv:4", "lowerBound", "k1", "positive"]),
    ("parameters.tsv", "estimate\n", "estimate\tobjectivePriorType\tobjectivePriorParameters\n", None),  # placeholder (replaced below)
    ("observables.tsv", "\tnoiseFormula", "\tnoise", ["observables.tsv:1", "noiseFormula", "required column"]),
    ("observables.tsv", "obs_a\tA\t", "obs_a\tA + Z\t", ["observables.tsv:2", "observableFormula", "obs_a", "'Z'"]),
    ("observables.tsv", "obs_a\tA\t", "obs_a\tA +* 2\t", ["observables.tsv:2", "observableFormula", "obs_a"]),
    ("observables.tsv", "0.5\tlin", "0.5\tsqrt", ["observables.tsv:2", "observableTransformation", "obs_a", "'sqrt'"]),
    ("observables.tsv", "\tobservableTransformation\n", "\tobservableTransformation\tnoiseDistribution\n", None),
    ("observables.tsv", "obs_b\tB", "obs_a\tB", ["observables.tsv:3", "observableId", "obs_a", "twice"]),
    ("observables.tsv", "obs_a\tA\t", "obs_a\t\t", ["observables.tsv:2", "observableFormula", "obs_a", "empty"]),
    ("conditions.tsv", "conditionId\tk2", "conditionId\tnope", ["conditions.tsv:1", "nope", "not a parameter"]),
    ("conditions.tsv", "c0\t0.6", "c0\txyz", ["conditions.tsv:2", "k2", "c0", "'xyz'"]),
    ("conditions.tsv", "pre\t0.2", "c0\t0.2", ["conditions.tsv:3", "conditionId", "c0", "twice"]),
    ("conditions.tsv", "conditionId\tk2", "condition\tk2", ["conditions.tsv:1", "conditionId", "required column"]),
    ("measurements.tsv", "obs_a\t\tc0\t0\t", "obs_x\t\tc0\t0\t", ["measurements.tsv:2", "observableId", "obs_x", "no such observable"]),
    ("measurements.tsv", "obs_a\t\tc0\t0\t", "obs_a\t\tc9\t0\t", ["measurements.tsv:2", "simulationConditionId", "c9", "no such condition"]),
    ("measurements.tsv", "obs_a\tpre\t", "obs_a\tpre9\t", ["measurements.tsv:3", "preequilibrationConditionId", "pre9"]),
    ("measurements.tsv", "c0\t0\t0.7", "c0\tsoon\t0.7", ["measurements.tsv:2", "time", "obs_a", "'soon'"]),
    ("measurements.tsv", "c0\t0\t0.7", "c0\t-1\t0.7", ["measurements.tsv:2", "time", "obs_a", "'-1'"]),
    ("measurements.tsv", "c0\t0\t0.7", "c0\t0\tabc", ["measurements.tsv:2", "measurement", "obs_a", "'abc'"]),
    ("measurements.tsv", "10\t0.5\tsd_b", "10\t0\tsd_b", ["measurements.tsv:4", "measurement", "obs_b", "positive"]),
    ("measurements.tsv", "10\t0.5\tsd_b", "10\t0.5\tsd_b;sd_b", ["measurements.tsv:4", "noiseParameters", "obs_b", "2 value(s)"]),
    ("measurements.tsv", "10\t0.5\tsd_b", "10\t0.5\tsd_x", ["measurements.tsv:4", "noiseParameters", "obs_b", "'sd_x'"]),
    ("measurements.tsv", "10\t0.5\tsd_b", "10\t0.5\t", ["measurements.tsv:4", "noiseParameters", "obs_b", "0 value(s)"]),
    ("measurements.tsv", "\ttime\t", "\tt\t", ["measurements.tsv:1", "time", "required column"]),
    ("measurements.tsv", "c0\t0\t0.7\t\n", "c0\t0\t0.7\t\textra\tcell\n", ["measurements.tsv:2", "cells", "header"]),
]
# priors and noise distributions need a whole column added
CASES[11] = ("parameters.tsv", "estimate\na0\tlin\t0\t10\t1.0\t1\n",
             "estimate\tobjectivePriorType\tobjectivePriorParameters\na0\tlin\t0\t10\t1.0\t1\tgauss\t0;1\n",
             ["parameters.tsv:2", "objectivePriorType", "a0", "'gauss'"])
CASES[16] = ("observables.tsv", "Transformation\nobs_a\tA\t0.5\tlin\n",
             "Transformation\tnoiseDistribution\nobs_a\tA\t0.5\tlin\tcauchy\n",
             ["observables.tsv:2", "noiseDistribution", "obs_a", "'cauchy'"])
CASES.append(("parameters.tsv", "estimate\na0\tlin\t0\t10\t1.0\t1\n",
              "estimate\tobjectivePriorType\tobjectivePriorParameters\na0\tlin\t0\t10\t1.0\t1\tnormal\t0\n",
              ["parameters.tsv:2", "objectivePriorParameters", "a0", "two numbers"]))

n = 0
for i, (fname, old, new, words) in enumerate(CASES):
    d = scratch.path(f"case{i:02d}")
    shutil.rmtree(d, ignore_errors=True)
    setup(d)
    path = os.path.join(d, fname)
    text = open(path).read()
    check(old in text, f"case {i}: '{old}' not in {fname} (test bug)")
    with open(path, "w") as fh:
        fh.write(text.replace(old, new, 1))
    sims, h5 = os.path.join(d, "sims.tsv"), os.path.join(d, "out.h5")
    r = run([ilnet, "petab", "evaluate", os.path.join(d, "problem.yaml"), "--simulations", sims,
             "-o", h5])
    check.exits(r, 1, f"case {i} ({fname}: {new.strip()[:40]!r})")
    line = r.stderr.strip()
    check(r.stderr.count("\n") == 1, f"case {i}: not one line: {r.stderr!r}")
    for w in words:
        check(w in line, f"case {i}: message lacks {w!r}: {line}")
    check(not os.path.exists(sims) and not [x for x in os.listdir(d) if x.startswith("out.h5")],
          f"case {i}: simulations or HDF5 written")
    n += 1
# --parameters naming an unknown id
pv = scratch.path("values.tsv")
with open(pv, "w") as fh:
    fh.write("parameterId\tvalue\nk9\t1\n")
r = run([ilnet, "petab", "evaluate", os.path.join(base, "problem.yaml"), "--parameters", pv])
check.exits(r, 1, "--parameters with an unknown id")
check("values.tsv:2" in r.stderr and "k9" in r.stderr, f"--parameters message {r.stderr!r}")
n += 1
# -o into a directory that does not exist; --threads out of range
r = run([ilnet, "petab", "evaluate", os.path.join(base, "problem.yaml"), "-o",
         scratch.path("no/such/dir/out.h5")])
check.exits(r, 1, "-o into a missing directory")
check(r.stderr.count("\n") == 1 and "no/such/dir/out.h5" in r.stderr, f"-o message {r.stderr!r}")
r = run([ilnet, "petab", "evaluate", os.path.join(base, "problem.yaml"), "--threads", "0"])
check.exits(r, 1, "--threads 0")
check("--threads" in r.stderr, f"--threads message {r.stderr!r}")
n += 2
print(f"{n} bad-input cases")
check(n >= 30, "fewer than 30 cases")
check.finish("PEtab bad input")
