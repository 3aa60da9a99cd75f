"""Shared fixtures: the shared test data folder (TILEFLOW_TESTDATA) and a scratch folder."""

import os
import pathlib

import pytest


@pytest.fixture
def testdata() -> pathlib.Path:
    """The third-party sample files; CI must have them, elsewhere their tests skip."""
    folder = os.environ.get("TILEFLOW_TESTDATA")
    if not folder or not pathlib.Path(folder).is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail("TILEFLOW_TESTDATA is not a folder: CI needs the shared test data")
        pytest.skip("TILEFLOW_TESTDATA is not set")
    return pathlib.Path(folder)
