"""examples/python run as a user runs them (the fit with two starts) and print what they
promise."""
import os
import subprocess
import sys


def run(src, scratch, name, *args):
    r = subprocess.run([sys.executable, os.path.join(src, "examples", "python", name), *args],
                       capture_output=True, text=True, cwd=scratch, timeout=600)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_dose_response(src, scratch):
    out = run(src, scratch, "dose_response.py", os.path.join(scratch, "dr.png"))
    assert "human_treg: EC50" in out and "human_thelper: EC50" in out
    assert os.path.getsize(os.path.join(scratch, "dr.png")) > 10000


def test_sweep(src, scratch):
    out = run(src, scratch, "sweep.py")
    assert "<xarray.DataArray 'pSTAT5_total' (R_A: 5, R_B: 4)>" in out


def test_fit(src, shared, scratch):
    boehm = os.path.join(shared, "petab", "benchmark", "Boehm_JProteomeRes2014",
                         "Boehm_JProteomeRes2014.yaml")
    out = run(src, scratch, "fit.py", boehm, "2")
    best = float(out.split("best llh:")[1].split()[0])
    assert best > -200 and out.count("start ") == 2
