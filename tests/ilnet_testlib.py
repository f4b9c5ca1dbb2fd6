"""Helpers shared by the black-box Python tests (tests/test_*.py).

- Checks: records failed checks (printing each), compares numbers and arrays, checks a
  run's exit code and stderr, and exits with the count of failures;
- run(): runs a command (the ilnet binary) with captured output, a timeout and the elapsed
  time;
- Scratch: a scratch directory to write configs and models into;
- s(), names(), attr(): strings, name datasets and attributes of HDF5 files read with h5py.

A test imports it from its own directory (python puts the script's directory first on
sys.path): `from ilnet_testlib import Checks, Scratch, run`."""
import os
import shutil
import subprocess
import sys
import time

import numpy as np

TIMEOUT = 600  # seconds a command may take by default


# ------------------------------------------------------------------ checks

def excerpt(text, n=500):
    """text stripped, shortened to its first and last n/2 characters when longer than n."""
    text = (text or "").strip()
    if len(text) <= n:
        return text
    return text[: n // 2] + " ... " + text[-(n // 2):]


class Checks:
    """check(cond, what) records a failure when cond is false and prints "FAIL: what" (with
    verbose, every check prints "ok   what" or "FAIL what"); it returns bool(cond).
    finish() prints the number of failures and exits 1 when there is any."""

    def __init__(self, verbose=False):
        self.verbose = verbose
        self.failures = []

    def __call__(self, cond, what):
        ok = bool(cond)
        if self.verbose:
            print(("ok   " if ok else "FAIL ") + what, flush=True)
        elif not ok:
            print("FAIL:", what, flush=True)
        if not ok:
            self.failures.append(what)
        return ok

    def close(self, got, want, rel, abs_, what):
        """Element-wise |got - want| <= rel |want| + abs_ (same shapes; NaN fails); names
        the worst value when some are off."""
        got, want = np.asarray(got, float), np.asarray(want, float)
        if not self(got.shape == want.shape, f"{what}: shape {got.shape}, want {want.shape}"):
            return False
        err = np.abs(got - want)
        tol = rel * np.abs(want) + abs_
        bad = ~(err <= tol)
        if bad.any():
            i = np.unravel_index(np.argmax(np.where(bad, err / tol, 0)), err.shape)
            self(False, f"{what}: {int(bad.sum())} values off, worst at {tuple(int(j) for j in i)}: "
                        f"got {got[i]!r} want {want[i]!r}")
            return False
        return True

    def close_rel(self, got, want, what, rtol=1e-6):
        """A scalar within rtol of want, relative to max(|want|, 1e-12)."""
        ok = abs(got - want) <= rtol * max(abs(want), 1e-12)
        return self(ok, "%s: got %.12g, want %.12g" % (what, got, want))

    def exits(self, r, code, what, *in_stderr):
        """r (a run() result) exited with code, and its stderr contains every one of
        in_stderr."""
        ok = r.returncode == code and all(x in r.stderr for x in in_stderr)
        want = f"exit {code}" + "".join(f", {x!r} in stderr" for x in in_stderr)
        return self(ok, f"{what}: exit {r.returncode}, want {want} ({excerpt(r.stderr)})")

    def finish(self, what):
        n = len(self.failures)
        print(f"{what}: {n} failure(s)" if n else f"{what}: all checks passed", flush=True)
        sys.exit(1 if n else 0)


# ------------------------------------------------------------------ running commands

class Result:
    """returncode ("timeout" when the command ran out of time), stdout, stderr, seconds."""

    def __init__(self, returncode, stdout, stderr, seconds):
        self.returncode, self.stdout, self.stderr, self.seconds = returncode, stdout, stderr, seconds


def run(cmd, timeout=TIMEOUT, env=None, cwd=None):
    """Runs cmd (a list) with stdout and stderr captured as text."""
    t0 = time.monotonic()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=cwd)
        return Result(p.returncode, p.stdout, p.stderr, time.monotonic() - t0)
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        err = e.stderr.decode(errors="replace") if isinstance(e.stderr, bytes) else (e.stderr or "")
        return Result("timeout", out, err, time.monotonic() - t0)


# ------------------------------------------------------------------ scratch directories

class Scratch:
    """A scratch directory (created; emptied first with fresh=True)."""

    def __init__(self, path, fresh=False):
        self.dir = path
        if fresh:
            shutil.rmtree(path, ignore_errors=True)
        os.makedirs(path, exist_ok=True)

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def write(self, name, text):
        """Writes text to the file name in the directory; returns its path."""
        p = self.path(name)
        with open(p, "w") as f:
            f.write(text)
        return p

    def remove(self, *names):
        """Removes the files (names in the directory, or paths) that exist."""
        for n in names:
            p = self.path(n)
            if os.path.exists(p):
                os.remove(p)

    def temporary_files(self):
        """Files a writer left behind (".tmp" in their name)."""
        return [f for f in os.listdir(self.dir) if ".tmp" in f]


# ------------------------------------------------------------------ HDF5

def s(x):
    """A str from bytes or str (or anything)."""
    return x.decode() if isinstance(x, bytes) else str(x)


def names(ds):
    """The strings of a dataset of names, without NUL padding."""
    return [s(n).rstrip("\0") for n in ds[()]]


def attr(obj, key):
    """An attribute of an h5py object (None when absent): strings as str, one-element
    arrays (numbers written with H5LT) as their element."""
    v = obj.attrs.get(key)
    if isinstance(v, np.ndarray) and v.shape == (1,):
        v = v[0]
    return s(v) if isinstance(v, (bytes, str, np.bytes_, np.str_)) else v


def ab_net(params, reactions, groups):
    """A BioNetGen .net file of species A() (initial amount A0) and B() (0): params,
    reactions ("REACTANT PRODUCT RATE") and groups ("NAME SPECIES") as lines."""
    def rows(items):
        return "".join(f"    {i + 1} {x}\n" for i, x in enumerate(items))
    return (f"begin parameters\n{rows(params)}end parameters\n"
            "begin species\n    1 A() A0\n    2 B() 0\nend species\n"
            f"begin reactions\n{rows(reactions)}end reactions\n"
            f"begin groups\n{rows(groups)}end groups\n")


def write_petab_problem(d, net, params, conditions, measurements, observables=None,
                        parameter_columns="", measurement_columns="preequilibrationConditionId\t"
                        "simulationConditionId\ttime\tmeasurement"):
    """A PEtab problem in directory d on .net model text net, observable obs_a = Aobs with
    noise 0.1 (or the observables table given): params are parameter-table rows (with their
    newline; parameter_columns, e.g. "\tparameterType", follow the required columns),
    conditions the whole conditions table, measurements rows "obs_a\tPREEQ\tSIM\tTIME\tVALUE\n"
    (or rows of measurement_columns after observableId). Returns the YAML path."""
    import os
    os.makedirs(d, exist_ok=True)
    files = {
        "model.net": net,
        "observables.tsv": observables or "observableId\tobservableFormula\tnoiseFormula\nobs_a\tAobs\t0.1\n",
        "conditions.tsv": conditions,
        "parameters.tsv": "parameterId\tparameterScale\tlowerBound\tupperBound\tnominalValue\t"
                          "estimate" + parameter_columns + "\n" + "".join(params),
        "measurements.tsv": "observableId\t" + measurement_columns + "\n" + "".join(measurements),
        "problem.yaml": "format_version: 1\nparameter_file: parameters.tsv\nproblems:\n"
                        "- condition_files: [conditions.tsv]\n  measurement_files: [measurements.tsv]\n"
                        "  observable_files: [observables.tsv]\n  model_files: [model.net]\n",
    }
    for name, text in files.items():
        with open(os.path.join(d, name), "w") as fh:
            fh.write(text)
    return os.path.join(d, "problem.yaml")
