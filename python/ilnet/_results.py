"""Simulation and steady-state handles -> xarray Datasets (or dicts of numpy arrays) with
the dimension and variable names of ilnet's HDF5 files (docs/hdf5-layout.md)."""

import numpy as np

from . import _lib

_L = _lib.lib


def _array(ptr, shape):
    """A copy of the C array at ptr with this shape (empty when a dimension is 0)."""
    n = int(np.prod(shape)) if shape else 1
    if n == 0 or not ptr:
        return np.zeros(shape)
    return np.ctypeslib.as_array(ptr, shape=(n,)).reshape(shape).copy()


def _names(fn, h, n):
    return [fn(h, i).decode() for i in range(n)]


def _model_names(model):
    """species, observable and parameter names (fixed for a model: read once)"""
    cached = getattr(model, "_names_cache", None)
    if cached is None:
        h = model._h
        cached = model._names_cache = (
            _names(_L.ilnet_model_species_name, h, _L.ilnet_model_species_count(h)),
            _names(_L.ilnet_model_observable_name, h, _L.ilnet_model_observable_count(h)),
            _names(_L.ilnet_model_parameter_name, h, _L.ilnet_model_parameter_count(h)))
    return cached


def _to_dataset(arrays, coords, attrs):
    import xarray as xr
    data = {k: (dims, v) for k, (dims, v) in arrays.items()}
    return xr.Dataset(data, coords=coords, attrs=attrs)


def simulation_dataset(model, h, opts, output):
    rows = _L.ilnet_simulation_rows(h)
    ns = _L.ilnet_simulation_species_count(h)
    no = _L.ilnet_simulation_observable_count(h)
    k = _L.ilnet_simulation_sensitivity_count(h)
    times = _array(_L.ilnet_simulation_times(h), (rows,))
    species, observables, params = _model_names(model)
    arrays = {
        "species_amounts": (("time", "species"), _array(_L.ilnet_simulation_species(h), (rows, ns))),
        "observables": (("time", "observable"),
                        _array(_L.ilnet_simulation_observables(h), (rows, no))),
        "parameter_values": (("parameter",), np.fromiter(
            (_L.ilnet_model_parameter_value(model._h, i) for i in range(len(params))),
            float, len(params))),
    }
    coords = {"time": times, "species": species, "observable": observables, "parameter": params}
    if k:
        sens = _names(_L.ilnet_simulation_sensitivity_name, h, k)
        coords["sensitivity_parameter"] = sens
        arrays["species_sensitivities"] = (
            ("time", "species", "sensitivity_parameter"),
            _array(_L.ilnet_simulation_sensitivities(h), (rows, ns, k)))
        arrays["observable_sensitivities"] = (
            ("time", "observable", "sensitivity_parameter"),
            _array(_L.ilnet_simulation_observable_sensitivities(h), (rows, no, k)))
    status = _L.ilnet_simulation_status(h)
    attrs = {"kind": "simulation", "model_path": model.path,
             "status": "partial" if status else "complete",
             "message": (_L.ilnet_simulation_message(h) or b"").decode("utf-8", "replace"),
             "n_times_requested": int(_L.ilnet_simulation_times_count(h)),
             "solver": "CVODE BDF, Newton, analytic Jacobian",
             "solver_linear_solver": _L.ilnet_simulation_linear_solver(h).decode(),
             "solver_atol": opts.atol, "solver_rtol": opts.rtol,
             "solver_max_steps": int(opts.max_steps)}
    if output == "numpy":
        out = {name: v for name, (dims, v) in arrays.items()}
        out.update(coords)
        out["attrs"] = attrs
        return out
    if output != "xarray":
        raise ValueError(f"output: expected 'xarray' or 'numpy', found {output!r}")
    return _to_dataset(arrays, coords, attrs)


def steady_state_dataset(model, h, output):
    if output not in ("xarray", "numpy"):
        raise ValueError(f"output: expected 'xarray' or 'numpy', found {output!r}")
    ns = _L.ilnet_steady_state_species_count(h)
    no = _L.ilnet_steady_state_observable_count(h)
    k = _L.ilnet_steady_state_sensitivity_count(h)
    species, observables, params = _model_names(model)
    arrays = {
        "species_amounts": (("species",), _array(_L.ilnet_steady_state_species(h), (ns,))),
        "observables": (("observable",), _array(_L.ilnet_steady_state_observables(h), (no,))),
    }
    coords = {"species": species, "observable": observables}
    if k:
        coords["sensitivity_parameter"] = _names(_L.ilnet_steady_state_sensitivity_name, h, k)
        arrays["species_sensitivities"] = (("species", "sensitivity_parameter"),
                                           _array(_L.ilnet_steady_state_sensitivities(h), (ns, k)))
        arrays["observable_sensitivities"] = (
            ("observable", "sensitivity_parameter"),
            _array(_L.ilnet_steady_state_observable_sensitivities(h), (no, k)))
    attrs = {"kind": "steady state", "model_path": model.path,
             "steady_state_method": _L.ilnet_steady_state_method(h).decode(),
             "steady_state_time": _L.ilnet_steady_state_time(h),
             "steady_state_wrms": _L.ilnet_steady_state_rate_norm(h),
             "steady_state_newton_iters": int(_L.ilnet_steady_state_newton_iterations(h)),
             "steady_state_steps": int(_L.ilnet_steady_state_steps(h))}
    if output == "numpy":
        out = {name: v for name, (dims, v) in arrays.items()}
        out.update(coords)
        out["attrs"] = attrs
        return out
    return _to_dataset(arrays, coords, attrs)
