"""strixctl when the module is not loaded (no strix_core fixture here)."""
import os

import pytest

import strixtest

STRIXCTL = os.path.join(strixtest.TOP, "build", "usr", "strixctl", "strixctl")


def test_version_without_module():
    if not os.access(STRIXCTL, os.X_OK):
        pytest.skip("strixctl not built (make usr)")
    if strixtest.loaded("strix"):
        strixtest.rmmod("strix")
    res = strixtest.sh(STRIXCTL + " version", check=False)
    assert res.returncode == 1
    assert "is the strix module loaded?" in res.stdout
