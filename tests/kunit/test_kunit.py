"""Runs the KUnit suites built beside the kernel code (*_test.c).

Each test module (strix_*_test.ko) is loaded; KUnit runs its suites at load
and leaves KTAP results in debugfs.  Every case must report `ok`.
"""
import glob
import os
import re

import pytest

import strixtest

KUNIT_DEBUGFS = "/sys/kernel/debug/kunit"


def kunit_modules():
    return sorted(glob.glob(os.path.join(strixtest.module_dir(), "**", "strix_*_test.ko"),
                            recursive=True))


def ktap_results(text):
    """(ok, not ok) case lines of a KTAP document, skips counted as ok."""
    oks, fails = [], []
    for line in text.splitlines():
        m = re.match(r"\s*(not ok|ok) \d+ (.*)", line)
        if m:
            (fails if m.group(1) == "not ok" else oks).append(m.group(2))
    return oks, fails


@pytest.fixture
def kunit_kernel():
    if strixtest.kernel_config("KUNIT") != "y":
        pytest.skip("kernel %s has no KUnit (CONFIG_KUNIT off): run on the debug kernel"
                    % strixtest.release())
    assert os.path.isdir(KUNIT_DEBUGFS), "KUnit without debugfs results (KUNIT_DEBUGFS)"


def test_kunit_modules_built(kunit_kernel):
    assert kunit_modules(), "no strix_*_test.ko built for a KUnit kernel"


def test_ktap_parser():
    oks, fails = ktap_results("KTAP version 1\n1..3\n    ok 1 a\n    not ok 2 b\nok 3 c # SKIP x\n")
    assert oks == ["a", "c # SKIP x"] and fails == ["b"]


@pytest.mark.parametrize("path", kunit_modules() or ["(none built)"],
                         ids=lambda p: os.path.basename(p))
def test_kunit_suite(kunit_kernel, path):
    name = os.path.basename(path)[:-3]
    before = set(os.listdir(KUNIT_DEBUGFS))
    core_was_loaded = strixtest.loaded("strix")
    strixtest.insmod(name)          # its dependencies first (strix.ko for the core's)
    try:
        suites = sorted(set(os.listdir(KUNIT_DEBUGFS)) - before)
        assert suites, "%s registered no KUnit suite" % name
        for suite in suites:
            with open(os.path.join(KUNIT_DEBUGFS, suite, "results")) as f:
                ktap = f.read()
            print(ktap)
            oks, fails = ktap_results(ktap)
            assert oks, "suite %s ran no case" % suite
            assert not fails, "suite %s failed: %s" % (suite, ", ".join(fails))
    finally:
        strixtest.rmmod(name)
        # (a suite of a module that does not use the core, such as the iSCSI
        # PDU codec's, leaves it unloaded)
        if not core_was_loaded and strixtest.loaded("strix"):
            strixtest.rmmod("strix")
