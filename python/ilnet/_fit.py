"""Parameter estimation (docs/fitting.md) through libilnet: multi-start fits of a PEtab
problem on worker threads, Fisher and profile-likelihood intervals, the fit file."""
import ctypes
import os

import numpy as np

from . import _lib
from ._errors import IlnetError, call_interruptible, encode

_L = _lib.lib


class FitResult:
    """parameter_ids and scales; llh [start], log_prior, status, iterations, evaluations,
    seconds, theta0 and theta [start, parameter] (on the scales); best (the start index),
    best_llh, best_theta ({id: value on its scale}); fisher_ci and profile_ci ({id: (lower,
    upper)}; profiles only for the parameters profiled); output (the fit file, or None)."""

    def __repr__(self):
        return (f"<ilnet.FitResult: best llh {self.best_llh:.6g} (start {self.best} of "
                f"{len(self.llh)}), {len(self.parameter_ids)} parameters>")

    def open(self):
        """The fit file as an xarray.Dataset (docs/fitting.md, "HDF5 layout")."""
        if not self.output:
            raise IlnetError("fit: no output file was written (give output=...)", _lib.EINPUT)
        import xarray as xr
        return xr.open_dataset(self.output, engine="h5netcdf")


def _result(h, output):
    r = FitResult()
    n = _L.ilnet_fit_result_parameter_count(h)
    ns = _L.ilnet_fit_result_start_count(h)
    r.parameter_ids = [_L.ilnet_fit_result_parameter_id(h, j).decode() for j in range(n)]
    r.scales = [_L.ilnet_fit_result_parameter_scale(h, j).decode() for j in range(n)]
    r.inner = [bool(_L.ilnet_fit_result_parameter_inner(h, j)) for j in range(n)]
    r.llh, r.log_prior, r.seconds = np.empty(ns), np.empty(ns), np.empty(ns)
    r.iterations, r.evaluations = np.empty(ns, int), np.empty(ns, int)
    r.theta0, r.theta, r.status = np.full((ns, n), np.nan), np.full((ns, n), np.nan), []
    llh, lp, sec = ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
    it, ev = ctypes.c_long(), ctypes.c_long()
    st = ctypes.c_char_p()
    t0, t1 = _lib.c_double_p(), _lib.c_double_p()
    for i in range(ns):
        _L.ilnet_fit_result_start(ctypes.byref(llh), ctypes.byref(lp), ctypes.byref(st),
                                  ctypes.byref(it), ctypes.byref(ev), ctypes.byref(sec),
                                  ctypes.byref(t0), ctypes.byref(t1), h, i)
        r.llh[i], r.log_prior[i], r.seconds[i] = llh.value, lp.value, sec.value
        r.iterations[i], r.evaluations[i] = it.value, ev.value
        r.status.append(st.value.decode())
        if n and t0:
            r.theta0[i] = np.ctypeslib.as_array(t0, shape=(n,))
        if n and t1:
            r.theta[i] = np.ctypeslib.as_array(t1, shape=(n,))
    r.best = int(_L.ilnet_fit_result_best(h))
    r.best_llh = float(r.llh[r.best]) if ns else float("nan")
    r.best_theta = dict(zip(r.parameter_ids, r.theta[r.best])) if ns else {}

    def pairs(lo, hi, skip_nan):
        if not lo:
            return {}
        lo, hi = np.ctypeslib.as_array(lo, shape=(n,)), np.ctypeslib.as_array(hi, shape=(n,))
        return {p: (float(a), float(b)) for p, a, b in zip(r.parameter_ids, lo, hi)
                if not (skip_nan and np.isnan(a))}
    r.fisher_ci = pairs(_L.ilnet_fit_result_fisher_lower(h), _L.ilnet_fit_result_fisher_upper(h),
                        False) if n else {}
    r.profile_ci = pairs(_L.ilnet_fit_result_profile_lower(h),
                         _L.ilnet_fit_result_profile_upper(h), True) if n else {}
    r.output = output
    return r


def fit(problem, starts=100, seed=1, threads=0, optimizer="auto", max_iter=500, atol=1e-12,
        rtol=1e-10, hierarchical=None, include_nominal=False, output=None, resume=False,
        profile=None, profile_points=40, on_start=None, messages=None, gradient="auto"):
    """Fits a PEtab problem (its YAML path): `starts` local optimisations from a Latin
    hypercube (seed) within the bounds on `threads` worker threads (0: every core),
    optimizer "auto"/"lbfgs"/"ls-trust"; then Fisher intervals and, with profile ("all" or
    a list of ids), profile likelihoods. output: the fit file (every start written as it
    finishes; resume=True continues one), with OUT.parameters.tsv and OUT.presets.yaml
    beside it. hierarchical: None (closed-form scaling/offset/sigma when the table has
    them), True or False. gradient: "auto" (the adjoint method for lbfgs with at least 10
    parameters moving the state), "forward" (sensitivities) or "adjoint". on_start(info) gets a dict per finished start (return True to
    stop). Ctrl-C stops the fit at the next evaluation, keeping finished starts in the file,
    and raises KeyboardInterrupt. Returns a FitResult; every start failing raises
    IlnetError (code -4) with e.result."""
    o = _lib.FitRunOptions()
    o.version = _lib.FIT_RUN_OPTIONS_VERSION
    o.starts, o.seed, o.threads = int(starts), int(seed), int(threads)
    o.optimizer = encode(optimizer, "optimizer")
    o.gradient = encode(gradient, "gradient")
    o.max_iter, o.atol, o.rtol = int(max_iter), float(atol), float(rtol)
    o.hierarchical = 0 if hierarchical is None else (1 if hierarchical else -1)
    o.include_nominal, o.resume = int(bool(include_nominal)), int(bool(resume))
    output = os.fspath(output) if output else None
    o.output = encode(output, "output") if output else None
    if profile is not None and not isinstance(profile, str):
        profile = ",".join(profile)
    o.profile = encode(profile, "profile") if profile else None
    o.profile_points = int(profile_points)
    o.command_line = encode(f"ilnet.fit({os.fspath(problem)!r}, starts={starts}, seed={seed})")
    cancel = ctypes.c_int(0)
    o.cancel = ctypes.pointer(cancel)

    def started(info, payload):
        i = info.contents
        d = {"index": i.index, "done": i.done, "total": i.total, "llh": i.llh,
             "best_llh": i.best_llh, "status": i.status.decode(), "reason": i.reason.decode(),
             "iterations": i.iterations, "seconds": i.seconds}
        try:
            return 1 if on_start(d) else 0
        except Exception:
            return 1

    def said(level, text, payload):
        if messages:
            messages(level, text.decode("utf-8", "replace"))

    o.on_start = _lib.FIT_STARTED_CB(started) if on_start else _lib.FIT_STARTED_CB()
    o.message = _lib.MESSAGE_CB(said)
    h = ctypes.c_void_p()
    path = encode(os.fspath(problem), "problem")
    rc, err, interrupted = call_interruptible(
        lambda: _L.ilnet_fit_problem(ctypes.byref(h), path, ctypes.byref(o)),
        lambda: setattr(cancel, "value", 1))
    try:
        res = _result(h, output) if h else None
    finally:
        if h:
            _L.ilnet_fit_result_free(h)
    if interrupted:
        raise interrupted
    if rc < 0:
        err.result = res
        raise err
    return res
