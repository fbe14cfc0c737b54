"""Fixtures of the Strix test suite.

Guest tests run inside the QEMU guest (scripts/vm/run); on the host they are
skipped with that reason.  Every guest test is wrapped by a check of the
kernel log: a marker is written before it, and any Oops, BUG, WARNING,
KASAN, lockdep, kmemleak or hung-task report after the marker fails it.
Tests under tests/host/ run on the host; tests marked "anywhere" (they
need no module, e.g. tests/iscsi/ driving strix-iscsid on a fake tree) run
on the host and in the guest.
"""
import os

import pytest

import strixtest

HOST_DIR = os.path.join(os.path.dirname(__file__), "host")


def pytest_collection_modifyitems(config, items):
    guest = strixtest.in_guest()
    for item in items:
        is_host = str(item.fspath).startswith(HOST_DIR)
        if item.get_closest_marker("anywhere"):
            continue
        if is_host and guest:
            item.add_marker(pytest.mark.skip(reason="host test: run outside the guest"))
        elif not is_host and not guest:
            item.add_marker(pytest.mark.skip(
                reason="guest test: run by make check inside the QEMU guest"))


@pytest.fixture(autouse=True)
def kernel_log(request):
    """The kernel log of this test; fails the test on any kernel report."""
    if not strixtest.in_guest():
        yield None
        return
    log = strixtest.KernelLog()
    log.mark("strix-test: start %s" % request.node.nodeid)
    yield log
    log.mark("strix-test: end %s" % request.node.nodeid)
    found = log.splats()
    if found:
        pytest.fail("kernel reports during %s:\n%s"
                    % (request.node.nodeid, "\n---\n".join(found)), pytrace=False)


@pytest.fixture(scope="module", autouse=True)
def ours_unloaded_after_each_file():
    """Nothing of ours loaded when a test file ends: a stack load_stack()
    kept from test to test is unloaded here, and that must succeed (with
    no kernel report, which would otherwise only fail the run as a whole).
    Every test file thus starts with none of our modules loaded."""
    yield
    if not strixtest.in_guest():
        return
    log = strixtest.KernelLog()
    log.mark("strix-test: unloading after the file")
    strixtest.unload_ours()
    assert not os.path.exists(strixtest.SYSFS_ROOT), "sysfs root left after unload"
    found = log.splats()
    assert not found, "kernel reports while unloading:\n%s" % "\n---\n".join(found)


@pytest.fixture(scope="module")
def strix_core():
    """The core module loaded for a test module; unloaded after it.

    Unloading must succeed and remove the sysfs root.  Leaks are found by
    the kmemleak scan the guest runs after the whole suite (scripts/vm/stage2).
    """
    strixtest.unload_ours()
    strixtest.insmod("strix")
    yield strixtest.SYSFS_ROOT
    strixtest.rmmod("strix")
    assert not os.path.exists(strixtest.SYSFS_ROOT), "sysfs root left after unload"


@pytest.fixture
def stack():
    """strix, strix_vdisk and strix_local loaded; a Tree to drive them
    (the local driver and strixctl suites).

    Everything the test created is deleted afterwards, which must succeed;
    the modules stay loaded for the file's next test when the tree is back
    as a fresh load leaves it (strixtest.load_stack)."""
    tree = strixtest.load_local_stack()
    yield tree
    stale = strixtest.unload_local_stack(tree)
    assert not stale, "files left in /dev by a test: %s" % stale


@pytest.fixture
def slow_null_blk():
    """A memory-backed null_blk whose commands complete 5 ms after they
    arrive (timer completions): at queue depth 32 there are commands in
    flight whenever a task management function comes."""
    strixtest.sh("modprobe null_blk nr_devices=1 gb=1 memory_backed=1 queue_mode=2 "
                 "irqmode=2 completion_nsec=5000000")
    yield "/dev/nullb0"
    if strixtest.loaded("strix"):
        strixtest.Tree().clear()
    strixtest.sh("rmmod null_blk")
