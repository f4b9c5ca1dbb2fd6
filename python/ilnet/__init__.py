"""ilnet from Python: models, simulations, steady states, studies and PEtab problems over
libilnet (ctypes; calls release the GIL). See docs/python.md.

    import ilnet
    m = ilnet.load("il2_il7", preset="human_treg", set={"L2_nM": 1})
    r = m.simulate(t_end=60, n_steps=60)        # xarray.Dataset
    r.observables.sel(observable="pSTAT5_total").plot()
"""
from . import _lib, petab
from ._fit import FitResult, fit
from ._errors import IlnetError
from .model import Model, Parameters, Species, load
from .study import Study, open_study, run_study


def _version():
    import ctypes
    a, b, c = ctypes.c_int(), ctypes.c_int(), ctypes.c_int()
    return _lib.lib.ilnet_version(ctypes.byref(a), ctypes.byref(b), ctypes.byref(c)).decode()


__version__ = _version()
library_path = _lib.path

__all__ = ["IlnetError", "FitResult", "Model", "Parameters", "Species", "Study", "fit", "load",
           "open_study", "run_study", "petab", "library_path", "__version__"]
