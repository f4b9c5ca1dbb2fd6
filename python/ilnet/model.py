"""Models: load a .bngl, .net or SBML file or a built-in model, read and set parameters and
initial amounts by name, simulate and find steady states."""
import ctypes
import os
import threading

import numpy as np

from . import _lib
from ._errors import IlnetError, UnknownNameError, check, encode, last_error
from ._results import simulation_dataset, steady_state_dataset

_L = _lib.lib


class _Names:
    """A read-only sequence of names with index lookup."""

    def __init__(self, names):
        self._names = tuple(names)
        self._index = {n: i for i, n in enumerate(self._names)}

    def __len__(self):
        return len(self._names)

    def __iter__(self):
        return iter(self._names)

    def __getitem__(self, i):
        return self._names[i]

    def __contains__(self, name):
        return name in self._index

    def index(self, name):
        return self._index[name]

    def __repr__(self):
        return repr(list(self._names))


class Parameters:
    """The model's parameters as a mapping name -> value. Setting one re-evaluates what is
    derived from it (derived parameters, rate constants, initial amounts that follow it);
    reset(name) makes it follow its defining expression again."""

    def __init__(self, model):
        self._m = model

    def _index(self, name):
        i = _L.ilnet_model_parameter_find(self._m._h, encode(name))
        if i < 0:
            raise UnknownNameError(self._m._unknown("parameter", name, self.names()))
        return i

    def names(self):
        h = self._m._h
        return [_L.ilnet_model_parameter_name(h, i).decode()
                for i in range(_L.ilnet_model_parameter_count(h))]

    def __getitem__(self, name):
        return _L.ilnet_model_parameter_value(self._m._h, self._index(name))

    def __setitem__(self, name, value):
        self._index(name)
        check(_L.ilnet_model_set_parameter(self._m._h, encode(name), float(value)))

    def reset(self, name):
        self._index(name)
        check(_L.ilnet_model_reset_parameter(self._m._h, encode(name)))

    def expression(self, name):
        """The defining expression as the model writes it ("kf * 2", "1e-3")."""
        return _L.ilnet_model_parameter_expression(self._m._h, self._index(name)).decode()

    def update(self, values):
        for k, v in dict(values).items():
            self[k] = v

    def __contains__(self, name):
        return isinstance(name, str) and _L.ilnet_model_parameter_find(
            self._m._h, encode(name)) >= 0

    def __iter__(self):
        return iter(self.names())

    def __len__(self):
        return _L.ilnet_model_parameter_count(self._m._h)

    def keys(self):
        return self.names()

    def values(self):
        h = self._m._h
        return [_L.ilnet_model_parameter_value(h, i) for i in range(len(self))]

    def items(self):
        return list(zip(self.names(), self.values()))

    def to_dict(self):
        return dict(self.items())

    def __repr__(self):
        return f"<ilnet parameters: {len(self)}>"


class Species:
    """The model's species as a mapping name -> initial amount (the state a simulation
    starts from). Setting one fixes its initial amount (it no longer follows its
    expression); reset(name) undoes that. fixed(name): held constant ($ in BioNetGen)."""

    def __init__(self, model):
        self._m = model

    def _index(self, name):
        i = _L.ilnet_model_species_find(self._m._h, encode(name))
        if i < 0:
            raise UnknownNameError(self._m._unknown("species", name, self.names()))
        return i

    def names(self):
        h = self._m._h
        return [_L.ilnet_model_species_name(h, i).decode()
                for i in range(_L.ilnet_model_species_count(h))]

    def __getitem__(self, name):
        return _L.ilnet_model_species_initial(self._m._h, self._index(name))

    def __setitem__(self, name, amount):
        self._index(name)
        check(_L.ilnet_model_set_initial(self._m._h, encode(name), float(amount)))

    def reset(self, name):
        self._index(name)
        check(_L.ilnet_model_reset_initial(self._m._h, encode(name)))

    def fixed(self, name):
        return bool(_L.ilnet_model_species_fixed(self._m._h, self._index(name)))

    def __contains__(self, name):
        return isinstance(name, str) and _L.ilnet_model_species_find(self._m._h,
                                                                     encode(name)) >= 0

    def __iter__(self):
        return iter(self.names())

    def __len__(self):
        return _L.ilnet_model_species_count(self._m._h)

    def keys(self):
        return self.names()

    def values(self):
        h = self._m._h
        return [_L.ilnet_model_species_initial(h, i) for i in range(len(self))]

    def items(self):
        return list(zip(self.names(), self.values()))

    def __repr__(self):
        return f"<ilnet species: {len(self)}>"


def _message_sink(store):
    def cb(level, text, payload):
        store.append(text.decode("utf-8", "replace") if text else "")
    return _lib.MESSAGE_CB(cb)


class Model:
    """A compiled reaction network (ilnet.load). Not safe to use from two threads at once:
    m.copy() gives each thread its own."""

    _message_cb = None
    warnings = []

    def __init__(self, handle, source, preset=None, set=None):
        self._h = handle
        self.source = source
        self._lock = threading.Lock()
        self.parameters = Parameters(self)
        self.species = Species(self)
        self.presets_applied = []
        for name in ([preset] if isinstance(preset, str) else list(preset or [])):
            self.apply_preset(name)
        for k, v in (set or {}).items():
            if k in self.parameters:
                self.parameters[k] = v
            elif k in self.species:
                self.species[k] = v
            else:
                raise UnknownNameError(self._unknown("parameter or species", k,
                                                     self.parameters.names()))

    def __del__(self):
        h, self._h = getattr(self, "_h", None), None
        if h:
            _L.ilnet_model_free(h)

    def close(self):
        """Frees the model now (it is freed when collected otherwise)."""
        with self._lock:
            self.__del__()

    @staticmethod
    def _unknown(kind, name, names):
        import difflib
        close = difflib.get_close_matches(str(name), names, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return f"the model has no {kind} '{name}'{hint}"

    @property
    def path(self):
        """The file the model was read from."""
        return _L.ilnet_model_path(self._h).decode()

    @property
    def observables(self):
        h = self._h
        return _Names(_L.ilnet_model_observable_name(h, i).decode()
                      for i in range(_L.ilnet_model_observable_count(h)))

    @property
    def presets(self):
        """{name: description} of the model's parameter presets (MODEL.presets.yaml)."""
        h = self._h
        return {_L.ilnet_model_preset_name(h, i).decode():
                (_L.ilnet_model_preset_description(h, i) or b"").decode()
                for i in range(_L.ilnet_model_preset_count(h))}

    @property
    def n_reactions(self):
        return _L.ilnet_model_reaction_count(self._h)

    def apply_preset(self, name):
        """Sets the preset's parameters, in the order the presets file gives them."""
        check(_L.ilnet_model_apply_preset(self._h, encode(name, "preset")))
        self.presets_applied.append(name)

    def copy(self):
        """An independent model in the same state (parameters, initial amounts)."""
        h = ctypes.c_void_p()
        check(_L.ilnet_model_copy(ctypes.byref(h), self._h))
        m = Model.__new__(Model)
        m._h, m.source, m._lock = h, self.source, threading.Lock()
        m.parameters, m.species = Parameters(m), Species(m)
        m.presets_applied = list(self.presets_applied)
        # the library keeps the message callback for the copy (it reads the file again)
        m._message_cb, m.warnings = self._message_cb, self.warnings
        return m

    def info(self):
        """A summary: path, sizes, presets, and every parameter, species and observable."""
        return {"path": self.path, "n_parameters": len(self.parameters),
                "n_species": len(self.species), "n_reactions": self.n_reactions,
                "n_observables": len(self.observables), "presets": self.presets,
                "parameters": {n: {"value": self.parameters[n],
                                   "expression": self.parameters.expression(n)}
                               for n in self.parameters},
                "species": dict(self.species.items()),
                "observables": list(self.observables)}

    def __repr__(self):
        return (f"<ilnet.Model {self.path}: {len(self.species)} species, {self.n_reactions} "
                f"reactions, {len(self.observables)} observables>")

    # ---- simulation

    def _options(self, atol, rtol, max_steps, solver, sens, dense_max=10):
        o = _lib.SimulateOptions()
        o.version = _lib.SIMULATE_OPTIONS_VERSION
        o.atol, o.rtol, o.max_steps = float(atol), float(rtol), int(max_steps)
        if solver not in _lib.LINEAR_SOLVERS:
            raise IlnetError(f"solver: expected one of {', '.join(_lib.LINEAR_SOLVERS)}, "
                             f"found {solver!r}", _lib.EINPUT)
        o.linear_solver = _lib.LINEAR_SOLVERS[solver]
        o.dense_max = dense_max
        keep = None
        if sens:
            if sens == "all":
                sens = self.parameters.names()
            elif isinstance(sens, str):
                sens = [sens]
            names = [encode(s, "sensitivity name") for s in sens]
            keep = (ctypes.c_char_p * len(names))(*names)
            o.sensitivities = ctypes.cast(keep, _lib.c_char_pp)
            o.n_sensitivities = len(names)
        return o, keep

    @staticmethod
    def time_grid(t_end, n_steps, t_start=0.0):
        """The output times of ilnet simulate --t-end --n-steps: n_steps + 1 evenly spaced,
        computed as the C code does (so results match the command bit for bit)."""
        n = int(n_steps) + 1
        if n < 2 or not t_end > t_start:
            raise IlnetError(f"simulate: need t_end > t_start and n_steps >= 1 (t_end "
                             f"{t_end}, t_start {t_start}, n_steps {n_steps})", _lib.EINPUT)
        t = float(t_start) + (float(t_end) - float(t_start)) * np.arange(n, dtype=float) / float(n - 1)
        t[0], t[-1] = t_start, t_end
        return t

    def _default_atol(self):
        """ilnet simulate's: 1e-14 for SBML models (amounts may be tiny), 1e-8 otherwise."""
        return 1e-14 if self.path.lower().endswith((".xml", ".sbml")) else 1e-8

    def simulate(self, t_end=None, n_steps=100, times=None, t_start=0.0, atol=None, rtol=1e-8,
                 max_steps=100000, solver="auto", sens=None, output="xarray"):
        """Integrates from the initial amounts. Output times: times=[...] (non-decreasing),
        or n_steps + 1 evenly spaced from t_start to t_end. sens: parameter or species names
        (or "all") for forward sensitivities. Returns an xarray.Dataset named as the HDF5
        files are (species_amounts[time, species], observables[time, observable], with
        sens species_sensitivities and observable_sensitivities[..., sensitivity_parameter])
        or, with output="numpy", a dict of the same arrays. atol defaults to ilnet simulate's
        (1e-14 for SBML models, 1e-8 otherwise). A failed integration raises
        IlnetError with the rows reached in e.partial."""
        if times is None:
            if t_end is None:
                raise IlnetError("simulate: give t_end (and n_steps) or times", _lib.EINPUT)
            t = self.time_grid(t_end, n_steps, t_start)
        else:
            t = np.ascontiguousarray(times, dtype=float)
            if t.ndim != 1 or t.size < 1:
                raise IlnetError("simulate: times must be a non-empty list", _lib.EINPUT)
        if atol is None:
            atol = self._default_atol()
        o, keep = self._options(atol, rtol, max_steps, solver, sens)
        h = ctypes.c_void_p()
        with self._lock:
            rc = _L.ilnet_model_simulate(ctypes.byref(h), self._h,
                                         t.ctypes.data_as(_lib.c_double_p), t.size,
                                         ctypes.byref(o))
            err = last_error(rc) if rc < 0 else None
        del keep
        if not h:
            raise err
        try:
            ds = simulation_dataset(self, h, o, output)
        finally:
            _L.ilnet_simulation_free(h)
        if err is not None:
            err.partial = ds
            raise err
        return ds

    def steady_state(self, atol=None, rtol=1e-8, solver="auto", sens=None, newton=True,
                     integrate=True, max_time=1e10, max_steps=200000, max_newton_iters=40,
                     output="xarray"):
        """The steady state from the initial amounts (Newton on the equations with their
        conservation laws, else integration until the rates are small); the convergence
        test is the rates' weighted RMS norm <= 1 with atol/rtol. Returns species_amounts
        [species], observables [observable] (and their sensitivities with sens), with the
        method, time, rate norm in attrs. None found: IlnetError (e.partial the last state)."""
        if atol is None:
            atol = self._default_atol()
        o, keep = self._options(atol, rtol, 100000, solver, sens)
        so = _lib.SteadyStateOptions(_lib.STEADY_STATE_OPTIONS_VERSION, 0.0, 0.0,
                                     int(max_newton_iters), float(max_time), int(max_steps),
                                     int(bool(newton)), int(bool(integrate)))
        h = ctypes.c_void_p()
        with self._lock:
            rc = _L.ilnet_model_steady_state(ctypes.byref(h), self._h, ctypes.byref(o),
                                             ctypes.byref(so))
            err = last_error(rc) if rc < 0 and rc != _lib.ESOLVER else None
        del keep
        if err is not None or not h:
            raise err or last_error(rc)
        try:
            ds = steady_state_dataset(self, h, output)
            status = _L.ilnet_steady_state_status(h)
            msg = _L.ilnet_steady_state_message(h).decode("utf-8", "replace")
        finally:
            _L.ilnet_steady_state_free(h)
        if status:
            e = IlnetError(f"{self.path}: no steady state: {msg}", _lib.ESOLVER)
            e.partial = ds
            raise e
        return ds


def load(model, preset=None, set=None, presets_file=None):
    """Loads a model: a .bngl (network generated as its generate_network action says),
    .net or SBML (.xml/.sbml) file, or a built-in model's name ("il2_il7"). preset: a name
    or a list of names applied in order; set: {parameter or species: value} applied after
    them. Warnings while reading go to m.warnings."""
    if isinstance(model, os.PathLike):
        model = os.fspath(model)
    warnings = []
    cb = _message_sink(warnings)
    o = _lib.ModelOptions(_lib.MODEL_OPTIONS_VERSION,
                          encode(os.fspath(presets_file), "presets_file") if presets_file
                          else None, cb, None)
    h = ctypes.c_void_p()
    check(_L.ilnet_model_load(ctypes.byref(h), encode(model, "model"), ctypes.byref(o)))
    m = Model.__new__(Model)
    # the library calls the message callback for the model's lifetime (and its copies'):
    # it must live as long as they do
    m._message_cb, m.warnings = cb, warnings
    Model.__init__(m, h, model, preset=preset, set=set)
    return m
