"""ctypes bindings of libilnet's public C API (include/ilnet/*.h): the shared library,
the option structs and every function's signature. Calls through ctypes.CDLL release the
GIL, so threads simulate in parallel."""
import ctypes
import ctypes.util
import os

c_double_p = ctypes.POINTER(ctypes.c_double)
c_char_pp = ctypes.POINTER(ctypes.c_char_p)

MESSAGE_CB = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)


class ModelOptions(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint), ("presets_file", ctypes.c_char_p),
                ("message", MESSAGE_CB), ("payload", ctypes.c_void_p)]


class SimulateOptions(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint), ("atol", ctypes.c_double), ("rtol", ctypes.c_double),
                ("max_steps", ctypes.c_long), ("linear_solver", ctypes.c_int),
                ("dense_max", ctypes.c_int), ("sensitivities", c_char_pp),
                ("n_sensitivities", ctypes.c_size_t), ("sens_atol", ctypes.c_double),
                ("sens_rtol", ctypes.c_double)]


class SteadyStateOptions(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint), ("atol", ctypes.c_double), ("rtol", ctypes.c_double),
                ("max_newton_iters", ctypes.c_long), ("max_time", ctypes.c_double),
                ("max_steps", ctypes.c_long), ("newton", ctypes.c_int),
                ("integrate", ctypes.c_int)]


class StudyProgress(ctypes.Structure):
    _fields_ = [("done", ctypes.c_size_t), ("total", ctypes.c_size_t),
                ("elapsed_s", ctypes.c_double), ("rank", ctypes.c_int), ("final", ctypes.c_int),
                ("fit", ctypes.c_char_p)]


PROGRESS_CB = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(StudyProgress), ctypes.c_void_p)


class StudyOptions(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint), ("threads", ctypes.c_int), ("resume", ctypes.c_int),
                ("overwrite", ctypes.c_int), ("check_only", ctypes.c_int),
                ("output", ctypes.c_char_p), ("command_line", ctypes.c_char_p),
                ("progress", PROGRESS_CB), ("message", MESSAGE_CB), ("payload", ctypes.c_void_p),
                ("max_output_bytes", ctypes.c_double), ("set", c_char_pp),
                ("n_set", ctypes.c_int)]


class PetabOptions(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint), ("threads", ctypes.c_int), ("atol", ctypes.c_double),
                ("rtol", ctypes.c_double)]


class PetabEvaluation(ctypes.Structure):
    _fields_ = [("llh", ctypes.c_double), ("chi2", ctypes.c_double),
                ("log_prior", ctypes.c_double), ("gradient", c_double_p),
                ("prior_gradient", c_double_p), ("residuals", c_double_p),
                ("jacobian", c_double_p), ("log_sigma_jacobian", c_double_p),
                ("simulations", c_double_p), ("sigmas", c_double_p), ("status", ctypes.c_int),
                ("message", ctypes.c_char_p)]


class FitStartInfo(ctypes.Structure):
    _fields_ = [("index", ctypes.c_size_t), ("done", ctypes.c_size_t), ("total", ctypes.c_size_t),
                ("llh", ctypes.c_double), ("best_llh", ctypes.c_double),
                ("status", ctypes.c_char_p), ("reason", ctypes.c_char_p),
                ("iterations", ctypes.c_long), ("seconds", ctypes.c_double)]


FIT_STARTED_CB = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(FitStartInfo), ctypes.c_void_p)


class FitRunOptions(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint), ("starts", ctypes.c_size_t), ("seed", ctypes.c_ulong),
                ("threads", ctypes.c_int), ("optimizer", ctypes.c_char_p),
                ("max_iter", ctypes.c_long), ("atol", ctypes.c_double), ("rtol", ctypes.c_double),
                ("hierarchical", ctypes.c_int), ("include_nominal", ctypes.c_int),
                ("output", ctypes.c_char_p), ("resume", ctypes.c_int),
                ("profile", ctypes.c_char_p), ("profile_points", ctypes.c_size_t),
                ("command_line", ctypes.c_char_p), ("on_start", FIT_STARTED_CB),
                ("message", MESSAGE_CB), ("payload", ctypes.c_void_p),
                ("cancel", ctypes.POINTER(ctypes.c_int)), ("gradient", ctypes.c_char_p)]


# option struct versions and enums of the headers
MODEL_OPTIONS_VERSION = 1
SIMULATE_OPTIONS_VERSION = 2
STEADY_STATE_OPTIONS_VERSION = 1
STUDY_OPTIONS_VERSION = 1
PETAB_OPTIONS_VERSION = 1
FIT_RUN_OPTIONS_VERSION = 2
LINEAR_SOLVERS = {"auto": 0, "dense": 1, "klu": 2, "gmres": 3}
EINPUT, ENOMEM, EIO, ESOLVER, EINTERNAL, ECANCELLED = -1, -2, -3, -4, -5, -6
WANT_GRADIENT, WANT_RESIDUALS = 1, 2


def _candidates():
    env = os.environ.get("ILNET_LIBRARY")
    if env:
        yield env
        return
    here = os.path.dirname(os.path.abspath(__file__))
    try:  # an installed package (cmake --install) knows where the library went
        from ._install_paths import LIBDIR
        yield os.path.normpath(os.path.join(here, LIBDIR, "libilnet.so.0"))
    except ImportError:
        pass
    yield os.path.join(here, "..", "..", "build", "libilnet.so.0")  # a checkout's build tree
    found = ctypes.util.find_library("ilnet")
    if found:
        yield found


def _load():
    tried = []
    for path in _candidates():
        if os.path.sep in path and not os.path.exists(path):
            tried.append(path)
            continue
        return ctypes.CDLL(path), os.path.realpath(path) if os.path.exists(path) else path
    raise ImportError("ilnet: libilnet.so not found (tried %s; build the checkout with "
                      "scripts/setup, or set ILNET_LIBRARY to the library's path)"
                      % ", ".join(tried or ["the system's library path"]))


lib, path = _load()

_P = ctypes.c_void_p
_S = ctypes.c_size_t
_STR = ctypes.c_char_p
_SIGNATURES = {
    # error.h
    "ilnet_error_last": (_STR, []),
    "ilnet_error_code": (ctypes.c_int, []),
    "ilnet_error_clear": (None, []),
    # model.h
    "ilnet_model_load": (ctypes.c_int, [ctypes.POINTER(_P), _STR, ctypes.POINTER(ModelOptions)]),
    "ilnet_model_copy": (ctypes.c_int, [ctypes.POINTER(_P), _P]),
    "ilnet_model_free": (None, [_P]),
    "ilnet_model_path": (_STR, [_P]),
    "ilnet_data_dir": (_P, []),
    "ilnet_model_parameter_count": (_S, [_P]),
    "ilnet_model_parameter_name": (_STR, [_P, _S]),
    "ilnet_model_parameter_expression": (_STR, [_P, _S]),
    "ilnet_model_parameter_value": (ctypes.c_double, [_P, _S]),
    "ilnet_model_parameter_find": (ctypes.c_int, [_P, _STR]),
    "ilnet_model_set_parameter": (ctypes.c_int, [_P, _STR, ctypes.c_double]),
    "ilnet_model_reset_parameter": (ctypes.c_int, [_P, _STR]),
    "ilnet_model_species_count": (_S, [_P]),
    "ilnet_model_species_name": (_STR, [_P, _S]),
    "ilnet_model_species_find": (ctypes.c_int, [_P, _STR]),
    "ilnet_model_species_fixed": (ctypes.c_int, [_P, _S]),
    "ilnet_model_species_initial": (ctypes.c_double, [_P, _S]),
    "ilnet_model_set_initial": (ctypes.c_int, [_P, _STR, ctypes.c_double]),
    "ilnet_model_reset_initial": (ctypes.c_int, [_P, _STR]),
    "ilnet_model_observable_count": (_S, [_P]),
    "ilnet_model_observable_name": (_STR, [_P, _S]),
    "ilnet_model_observable_find": (ctypes.c_int, [_P, _STR]),
    "ilnet_model_reaction_count": (_S, [_P]),
    "ilnet_model_preset_count": (_S, [_P]),
    "ilnet_model_preset_name": (_STR, [_P, _S]),
    "ilnet_model_preset_description": (_STR, [_P, _S]),
    "ilnet_model_apply_preset": (ctypes.c_int, [_P, _STR]),
    # solver.h
    "ilnet_model_simulate": (ctypes.c_int, [ctypes.POINTER(_P), _P, c_double_p, _S,
                                            ctypes.POINTER(SimulateOptions)]),
    "ilnet_simulation_free": (None, [_P]),
    "ilnet_simulation_times_count": (_S, [_P]),
    "ilnet_simulation_rows": (_S, [_P]),
    "ilnet_simulation_times": (c_double_p, [_P]),
    "ilnet_simulation_species": (c_double_p, [_P]),
    "ilnet_simulation_observables": (c_double_p, [_P]),
    "ilnet_simulation_species_count": (_S, [_P]),
    "ilnet_simulation_observable_count": (_S, [_P]),
    "ilnet_simulation_status": (ctypes.c_int, [_P]),
    "ilnet_simulation_message": (_STR, [_P]),
    "ilnet_simulation_sensitivity_count": (_S, [_P]),
    "ilnet_simulation_sensitivity_name": (_STR, [_P, _S]),
    "ilnet_simulation_sensitivities": (c_double_p, [_P]),
    "ilnet_simulation_observable_sensitivities": (c_double_p, [_P]),
    "ilnet_simulation_linear_solver": (_STR, [_P]),
    "ilnet_model_steady_state": (ctypes.c_int, [ctypes.POINTER(_P), _P,
                                                ctypes.POINTER(SimulateOptions),
                                                ctypes.POINTER(SteadyStateOptions)]),
    "ilnet_steady_state_free": (None, [_P]),
    "ilnet_steady_state_status": (ctypes.c_int, [_P]),
    "ilnet_steady_state_message": (_STR, [_P]),
    "ilnet_steady_state_species": (c_double_p, [_P]),
    "ilnet_steady_state_observables": (c_double_p, [_P]),
    "ilnet_steady_state_species_count": (_S, [_P]),
    "ilnet_steady_state_observable_count": (_S, [_P]),
    "ilnet_steady_state_method": (_STR, [_P]),
    "ilnet_steady_state_time": (ctypes.c_double, [_P]),
    "ilnet_steady_state_rate_norm": (ctypes.c_double, [_P]),
    "ilnet_steady_state_newton_iterations": (ctypes.c_long, [_P]),
    "ilnet_steady_state_steps": (ctypes.c_long, [_P]),
    "ilnet_steady_state_sensitivity_count": (_S, [_P]),
    "ilnet_steady_state_sensitivity_name": (_STR, [_P, _S]),
    "ilnet_steady_state_sensitivities": (c_double_p, [_P]),
    "ilnet_steady_state_observable_sensitivities": (c_double_p, [_P]),
    "ilnet_simulation_write_hdf5": (ctypes.c_int, [_P, _P, _STR]),
    "ilnet_simulation_write_csv": (ctypes.c_int, [_P, _P, _STR]),
    # study.h
    "ilnet_study_run": (ctypes.c_int, [_STR, ctypes.POINTER(StudyOptions)]),
    "ilnet_study_output_path": (ctypes.c_int, [ctypes.POINTER(_P), _STR,
                                               ctypes.POINTER(StudyOptions)]),
    # petab.h
    "ilnet_petab_problem_load": (ctypes.c_int, [ctypes.POINTER(_P), _STR,
                                                ctypes.POINTER(PetabOptions)]),
    "ilnet_petab_problem_free": (None, [_P]),
    "ilnet_petab_problem_parameter_count": (_S, [_P]),
    "ilnet_petab_problem_parameter_id": (_STR, [_P, _S]),
    "ilnet_petab_problem_parameter_scale": (ctypes.c_int, [_P, _S]),
    "ilnet_petab_problem_parameter_bounds": (ctypes.c_int, [c_double_p, c_double_p, c_double_p,
                                                            _P, _S]),
    "ilnet_petab_problem_parameter_find": (ctypes.c_int, [_P, _STR]),
    "ilnet_petab_problem_measurement_count": (_S, [_P]),
    "ilnet_petab_problem_measurement": (ctypes.c_int, [c_char_pp, c_char_pp, c_char_pp, c_double_p,
                                                       c_double_p, _P, _S]),
    "ilnet_petab_problem_parameter_inner": (ctypes.c_int, [_P, _S]),
    "ilnet_petab_problem_set_hierarchical": (ctypes.c_int, [_P, ctypes.c_int]),
    "ilnet_petab_problem_set_adjoint": (ctypes.c_int, [_P, ctypes.c_int]),
    "ilnet_petab_problem_inner_values": (None, [_P, c_double_p]),
    "ilnet_petab_problem_evaluate": (ctypes.c_int, [ctypes.POINTER(PetabEvaluation), _P,
                                                    c_double_p, ctypes.c_uint]),
    "ilnet_version": (_STR, [ctypes.POINTER(ctypes.c_int)] * 3),
    # fit.h
    "ilnet_fit_problem": (ctypes.c_int, [ctypes.POINTER(_P), _STR, ctypes.POINTER(FitRunOptions)]),
    "ilnet_fit_result_free": (None, [_P]),
    "ilnet_fit_result_parameter_count": (_S, [_P]),
    "ilnet_fit_result_parameter_id": (_STR, [_P, _S]),
    "ilnet_fit_result_parameter_scale": (_STR, [_P, _S]),
    "ilnet_fit_result_parameter_inner": (ctypes.c_int, [_P, _S]),
    "ilnet_fit_result_start_count": (_S, [_P]),
    "ilnet_fit_result_best": (_S, [_P]),
    "ilnet_fit_result_start": (ctypes.c_int, [c_double_p, c_double_p, c_char_pp,
                                              ctypes.POINTER(ctypes.c_long),
                                              ctypes.POINTER(ctypes.c_long), c_double_p,
                                              ctypes.POINTER(c_double_p),
                                              ctypes.POINTER(c_double_p), _P, _S]),
    "ilnet_fit_result_fisher_lower": (c_double_p, [_P]),
    "ilnet_fit_result_fisher_upper": (c_double_p, [_P]),
    "ilnet_fit_result_profile_lower": (c_double_p, [_P]),
    "ilnet_fit_result_profile_upper": (c_double_p, [_P]),
}

for _name, (_res, _args) in _SIGNATURES.items():
    if not hasattr(lib, _name):
        continue  # an older library: the wrapper raises when it is used
    _f = getattr(lib, _name)
    _f.restype = _res
    _f.argtypes = _args

libc = ctypes.CDLL(None)
libc.free.argtypes = [ctypes.c_void_p]
libc.free.restype = None
