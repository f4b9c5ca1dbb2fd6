#!/usr/bin/python3
"""100-point parameter scans side by side (issue 18): BioNetGen's `parameter_scan` action
(perl BNG2.pl, which runs run_network once per point) against ilnet running the same BNGL
file (`ilnet run MODEL.bngl`: the same action, one reused solver) and against an ilnet
study sweep of the same points (`ilnet run STUDY.yaml`, HDF5 output, one thread).

For each reference model (../shared/reference/bng/, or --models) the scanned quantity is
the first parameter of the model's parameters block with a positive numeric value, over
[value/10, value*10] on a log scale, n_scan_pts = --points (100), each point simulated
over the model's own grid (settings.txt) at atol = rtol = 1e-8. The three runs alternate
--pairs times (default 2); printed: median whole-process times and the medians of the
paired ratios BNG2.pl / ilnet-BNGL and BNG2.pl / ilnet-study.

usage: /usr/bin/python3 benchmarks/scan_side_by_side.py [--pairs 2] [--points 100]
           [--models a,b] [--ilnet build/ilnet] [--scratch DIR]
"""
import argparse
import os
import re
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from side_by_side import REF, SHARED, settings, timed  # noqa: E402  (one definition of each)

BNG = os.path.join(SHARED, "peers", "bionetgen", "BNG2.pl")


def model_text(model):
    """The model part of the reference .bngl (its actions dropped) and the scanned
    parameter with its value."""
    text = open(os.path.join(REF, model, model + ".bngl")).read()
    end = text.find("end model")
    body = text[: end + len("end model")] if end >= 0 else re.sub(
        r"^\s*(generate_network|simulate\w*|writeSBML|writeXML|saveConcentrations|"
        r"resetConcentrations|setConcentration|setParameter|parameter_scan|writeMfile|"
        r"writeNetwork|visualize)\(.*$", "", text, flags=re.M)
    params = re.search(r"begin parameters(.*?)end parameters", body, re.S).group(1)
    for line in params.splitlines():
        f = line.split("#")[0].split()
        if len(f) >= 2:
            name, val = (f[1], f[2]) if f[0].isdigit() and len(f) >= 3 else (f[0], f[1])
            try:
                v = float(val)
            except ValueError:
                continue
            if v > 0:
                return body, name, v
    sys.exit(f"{model}: no parameter with a positive numeric value")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=int, default=2)
    ap.add_argument("--points", type=int, default=100)
    ap.add_argument("--models", default="")
    ap.add_argument("--ilnet", default=os.path.join(HERE, "..", "build", "ilnet"))
    ap.add_argument("--scratch", default="")
    a = ap.parse_args()
    ilnet = os.path.abspath(a.ilnet)
    models = a.models.split(",") if a.models else [m for m in sorted(os.listdir(REF)) if m != "fceri_fyn"]
    scratch = a.scratch or tempfile.mkdtemp(prefix="ilnet_scan_")
    print(f"# {a.points}-point parameter scans, whole process, atol = rtol = 1e-8, {a.pairs} "
          f"alternating rounds ({time.strftime('%Y-%m-%d %H:%M')})")
    print(f"{'model':22s} {'parameter':>18s} {'BNG2.pl_s':>10s} {'ilnet_bngl_s':>12s} "
          f"{'ilnet_study_s':>13s} {'BNG/bngl':>9s} {'BNG/study':>9s}")
    for m in models:
        body, par, v = model_text(m)
        t0, t1, n = settings(m)
        d = os.path.join(scratch, m)
        os.makedirs(d, exist_ok=True)
        scan = (f'parameter_scan({{method=>"ode", parameter=>"{par}", par_min=>{v / 10!r}, par_max=>{v * 10!r}, '
                f'n_scan_pts=>{a.points}, log_scale=>1, t_start=>{t0!r}, t_end=>{t1!r}, '
                f'n_steps=>{n}, atol=>1e-8, rtol=>1e-8}})\n')
        with open(os.path.join(d, "scan.bngl"), "w") as f:
            f.write(body + "\n\ngenerate_network({overwrite=>1})\n" + scan)
        with open(os.path.join(d, "scan.yaml"), "w") as f:
            f.write(f"model: scan.bngl\nsimulation: {{t_start: {t0!r}, t_end: {t1!r}, n_steps: {n}, "
                    f"atol: 1e-8, rtol: 1e-8}}\noutput: {{file: study.h5}}\nexperiments:\n"
                    f"  - name: scan\n    type: sweep\n    parameters:\n"
                    f"      - {{name: {par}, logspace: {{min: {v / 10!r}, max: {v * 10!r}, "
                    f"n: {a.points}}}}}\n")
        tb, tl, ts = [], [], []
        for _ in range(a.pairs):
            tb.append(timed(["perl", BNG, "scan.bngl"], d))
            tl.append(timed([ilnet, "run", "scan.bngl", "-q"], d))
            ts.append(timed([ilnet, "run", "scan.yaml", "--threads", "1", "--overwrite", "-q"], d))
        rb = statistics.median(x / y for x, y in zip(tb, tl))
        rs = statistics.median(x / y for x, y in zip(tb, ts))
        print(f"{m:22s} {par:>18s} {statistics.median(tb):10.2f} {statistics.median(tl):12.3f} "
              f"{statistics.median(ts):13.3f} {rb:8.1f}x {rs:8.1f}x", flush=True)


if __name__ == "__main__":
    main()
