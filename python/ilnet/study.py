"""Studies: run a study config (docs/study.md) through libilnet and open study files as
xarray Datasets shaped like the study (grid axes, series x dose)."""
import ctypes
import os
import sys
import threading

from . import _lib
from ._errors import IlnetError, call_interruptible, check, encode

_L = _lib.lib


class Study:
    """An opened study file: study[name] is experiment `name` as an xarray.Dataset (its
    grid views, dose responses and fits included: docs/study.md), study.experiments the
    names, study.attrs the root attributes (config, model, solver, status). A `type: fit`
    experiment is its fit file (the study file links to it): study[name] opens that file,
    whose path is study.fits[name]."""

    def __init__(self, path):
        import h5py
        self.path = os.fspath(path)
        self.experiments, self.fits = [], {}
        here = os.path.dirname(os.path.abspath(self.path))
        with h5py.File(self.path, "r") as f:
            for k in f.keys():
                link = f.get(k, getlink=True)
                if isinstance(link, h5py.ExternalLink):
                    self.fits[k] = os.path.join(here, link.filename)
                    self.experiments.append(k)
                elif isinstance(f[k], h5py.Group):
                    self.experiments.append(k)
            self.attrs = {k: _plain(v) for k, v in f.attrs.items()}
        self._open = {}

    def __getitem__(self, name):
        if name not in self.experiments:
            import difflib
            close = difflib.get_close_matches(name, self.experiments, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise KeyError(f"{self.path}: no experiment '{name}'{hint}; it has "
                           f"{', '.join(self.experiments)}")
        if name not in self._open:
            import xarray as xr
            if name in self.fits:  # xarray does not follow external links: open the fit file
                if not os.path.exists(self.fits[name]):
                    raise IlnetError(f"{self.path}: the fit '{name}' is in {self.fits[name]}, "
                                     "which is missing", _lib.EIO)
                self._open[name] = xr.open_dataset(self.fits[name], engine="h5netcdf")
            else:
                self._open[name] = xr.open_dataset(self.path, group=name, engine="h5netcdf")
        return self._open[name]

    def __iter__(self):
        return iter(self.experiments)

    def __len__(self):
        return len(self.experiments)

    def close(self):
        for ds in self._open.values():
            ds.close()
        self._open.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return f"<ilnet.Study {self.path}: {', '.join(self.experiments)}>"


def _plain(v):
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if hasattr(v, "shape") and getattr(v, "shape", None) == (1,):
        return v[0]
    return v


def open_study(path):
    """Opens a study file (ilnet run's output) as a Study: study["name"] -> xarray.Dataset."""
    if not os.path.exists(os.fspath(path)):
        raise IlnetError(f"{os.fspath(path)}: no such study file", _lib.EIO)
    return Study(path)


def output_path(config, output=None):
    """The file a run of config writes (output, else output.file, else CONFIG.h5)."""
    o = _lib.StudyOptions()
    o.version = _lib.STUDY_OPTIONS_VERSION
    o.output = encode(os.fspath(output), "output") if output else None
    p = ctypes.c_void_p()
    check(_L.ilnet_study_output_path(ctypes.byref(p), encode(os.fspath(config), "config"),
                                     ctypes.byref(o)))
    try:
        return ctypes.string_at(p).decode()
    finally:
        _lib.libc.free(p)


def run_study(config, threads=0, output=None, resume=False, overwrite=False, set=None,
              check_only=False, progress=None, messages=None, max_output_bytes=0):
    """Runs a study config (docs/study.md) on `threads` worker threads (0: every core) and
    returns the opened Study. set: {parameter: value} applied after the config's top-level
    parameters (recorded in the file). progress(done, total, elapsed_s) is called about
    ten times a second and stops the run (resumable) by returning True, as Ctrl-C does
    (KeyboardInterrupt once the points in flight are done); messages(level,
    text) receives the summary and failed points (default: failed points to stderr).
    A bad config raises IlnetError (FILE:LINE:COL: key: what); a study with failed points
    returns normally (their status and message are in the file)."""
    config = os.fspath(config)
    out = output_path(config, output)
    o = _lib.StudyOptions()
    o.version = _lib.STUDY_OPTIONS_VERSION
    o.threads, o.resume, o.overwrite, o.check_only = int(threads), int(resume), \
        int(overwrite), int(check_only)
    o.output = encode(os.fspath(output), "output") if output else None
    o.command_line = encode("ilnet.run_study(%r)" % config)
    o.max_output_bytes = float(max_output_bytes)
    sets = [encode(f"{k}={float(v)!r}") for k, v in (set or {}).items()]
    keep = (ctypes.c_char_p * (len(sets) or 1))(*sets)
    if sets:
        o.set = ctypes.cast(keep, _lib.c_char_pp)
        o.n_set = len(sets)

    def on_message(level, text, payload):
        t = text.decode("utf-8", "replace") if text else ""
        if messages:
            messages(level, t)
        elif level == 2:
            print(f"ilnet: {t}", file=sys.stderr)

    cancel, box = threading.Event(), {}

    def on_progress(p, payload):
        if cancel.is_set():
            return 1
        if not progress:
            return 0
        try:
            return 1 if progress(p.contents.done, p.contents.total, p.contents.elapsed_s) else 0
        except BaseException as e:  # stops the run; raised again once it has stopped
            box["raised"] = e
            return 1

    o.message = _lib.MESSAGE_CB(on_message)
    o.progress = _lib.PROGRESS_CB(on_progress)

    path = encode(config, "config")
    # Ctrl-C: the finished points stay in the file (resume=True continues it)
    rc, err, interrupted = call_interruptible(
        lambda: _L.ilnet_study_run(path, ctypes.byref(o)), cancel.set)
    if interrupted:
        raise interrupted
    if "raised" in box:
        raise box["raised"]
    if rc < 0 and rc != _lib.ESOLVER:
        raise err
    if check_only:
        return None
    return Study(out)
