"""pytest fixtures for the ilnet package tests: the ilnet command and the reference data.
ctest runs these with ILNET_CLI, ILNET_SRC, ILNET_SCRATCH and ILNET_LIBRARY set and
python/ on PYTHONPATH."""
import os

import pytest


def _env(name):
    v = os.environ.get(name)
    if not v:
        pytest.skip(f"{name} is not set (run through ctest)")
    return v


@pytest.fixture(scope="session")
def cli():
    return _env("ILNET_CLI")


@pytest.fixture(scope="session")
def src():
    return _env("ILNET_SRC")


@pytest.fixture(scope="session")
def shared(src):
    return os.path.join(src, "..", "shared", "reference")


@pytest.fixture()
def scratch(tmp_path):
    return tmp_path
