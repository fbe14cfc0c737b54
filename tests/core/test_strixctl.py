"""strixctl against the real module's tree (its unit tests use a fixture)."""
import json
import os

import pytest

import strixtest

STRIXCTL = os.path.join(strixtest.TOP, "build", "usr", "strixctl", "strixctl")


@pytest.fixture
def strixctl():
    if not os.access(STRIXCTL, os.X_OK):
        pytest.skip("strixctl not built (make usr)")
    return STRIXCTL


def test_version_json_matches_module(strix_core, strixctl):
    out = json.loads(strixtest.sh(strixctl + " version --json").stdout)
    with open(os.path.join(strix_core, "version")) as f:
        lines = f.read().splitlines()
    text = json.dumps(out)
    assert lines[0] in text, "kernel version missing from strixctl version"
    for feature in lines[1:]:
        assert feature in text, feature


def test_tree_shows_key_attribute(strix_core, strixctl):
    with open(os.path.join(strix_core, "setup_id"), "w") as f:
        f.write("0x2a\n")
    try:
        out = strixtest.sh(strixctl + " tree --raw").stdout
        assert "setup_id" in out and "0x2a" in out and "[key]" in out
        for d in ("handlers", "devices", "targets", "device_groups"):
            assert d in out
    finally:
        with open(os.path.join(strix_core, "setup_id"), "w") as f:
            f.write("0\n")


def test_tree_shows_setup_id(strix_core, strixctl):
    out = strixtest.sh(strixctl + " tree").stdout
    for d in ("handlers/", "targets/", "device_groups/"):
        assert d in out
