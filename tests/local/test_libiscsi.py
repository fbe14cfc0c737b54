"""libiscsi's conformance suites (iscsi-test-cu) against Strix LUNs seen
through the local driver (/dev/sgN), each suite in its own process.

The suites are the ones the core and vdisk handlers cover (issue: "Target
core, vdisk handlers and local loopback driver").  A suite passes when it
ran tests, none failed, and every test it skipped was skipped for a reason
that belongs to a feature Strix does not have yet (thin provisioning, READ
DEFECT DATA, the offload commands).  A
skip for anything we do have (a removable LUN said not to be removable, a
read-only LUN said not to be write-protected) fails the test.
"""
import os
import re

import pytest

import strixtest
from strixtest import sh

from libiscsi_cu import (ATOMIC_SUITES, DATA_SUITES, LATER, NOT_READ_ONLY, NOT_REMOVABLE,  # noqa: F401
                         NOT_THIN, NULLIO_SUITES, PR_SUITES, REMOVABLE_SUITES, SPC4_XCOPY, XCOPY_SUITES,
                         check_suite,
                         run_suite)

LUNS = {                 # name: (LUN, handler, params, LUN params)
    "fileio": (0, "vdisk_fileio", "filename={img}", ""),
    "blockio": (1, "vdisk_blockio", "filename=/dev/nullb0", ""),
    "nullio": (2, "vdisk_nullio", "size_mb=64", ""),
    "removable": (3, "vdisk_fileio", "filename={img2}; removable=1", ""),
    "readonly": (4, "vdisk_fileio", "filename={img}", "read_only=1"),
}


def sg_of(host, lun):
    base = "/sys/class/scsi_host/host%d/device/target%d:0:0/%d:0:0:%d/scsi_generic" % (
        host, host, host, lun)
    if not os.path.isdir(base):
        return None
    return "/dev/" + os.listdir(base)[0]


@pytest.fixture(scope="module")
def sgs(tmp_path_factory):
    """Five LUNs of one local session, as /dev/sgN paths by name."""
    if not os.path.exists("/usr/bin/iscsi-test-cu"):
        pytest.skip("libiscsi-bin (iscsi-test-cu) is not installed: run scripts/setup.sh")
    for m in ("strix_local", "strix_vdisk", "strix"):
        if strixtest.loaded(m):
            strixtest.rmmod(m)
    sh("modprobe -a sd_mod sg")
    sh("modprobe null_blk nr_devices=1 gb=1 memory_backed=1 queue_mode=2")
    d = tmp_path_factory.mktemp("libiscsi")
    img, img2 = d / "disk.img", d / "removable.img"
    sh("truncate -s 64M %s %s" % (img, img2))
    strixtest.insmod("strix")
    strixtest.insmod("strix_vdisk")
    strixtest.insmod("strix_local")
    tree = strixtest.Tree()
    tree.add_target("scst_local", "t1")
    for name, (lun, handler, params, lun_params) in LUNS.items():
        dev = "d_" + name
        if name == "readonly":
            dev = "d_fileio"             # the same disk, through a read-only LUN
        else:
            tree.add_device(handler, dev, params.format(img=img, img2=img2))
        tree.add_lun("t1", dev, lun, params=lun_params)
    host = tree.add_session("t1", "iqn.2026-12.test:libiscsi")
    found = strixtest.udev_settle(
        lambda: all(sg_of(host, lun) for lun, *_ in LUNS.values()) and
        {name: sg_of(host, lun) for name, (lun, *_) in LUNS.items()})
    assert found, "not every LUN got a /dev/sg node"
    yield found
    tree.clear()
    for m in ("strix_local", "strix_vdisk", "strix"):
        strixtest.rmmod(m)
    sh("rmmod null_blk")


@pytest.mark.parametrize("suite", DATA_SUITES)
def test_fileio(sgs, suite):
    check_suite(sgs["fileio"], suite, LATER + NOT_THIN + NOT_REMOVABLE + NOT_READ_ONLY)


# every make check on both kernels (about 50 s on the debug kernel)
@pytest.mark.parametrize("suite", ATOMIC_SUITES)
def test_fileio_atomic(sgs, suite):
    check_suite(sgs["fileio"], suite, LATER + NOT_THIN + NOT_REMOVABLE + NOT_READ_ONLY)


@pytest.mark.heavy
@pytest.mark.full
@pytest.mark.parametrize("suite", ATOMIC_SUITES)
def test_blockio_atomic(sgs, suite):
    check_suite(sgs["blockio"], suite, LATER + NOT_THIN + NOT_REMOVABLE + NOT_READ_ONLY)


# ExtendedCopy on the fileio LUN, ReceiveCopyResults on the blockio one
# (see XCOPY_SUITES: the copy status of a nexus outlives the process)
@pytest.mark.parametrize("suite", XCOPY_SUITES)
def test_xcopy(sgs, suite):
    lun = "fileio" if suite == "ExtendedCopy" else "blockio"
    check_suite(sgs[lun], suite,
                LATER + NOT_THIN + NOT_REMOVABLE + NOT_READ_ONLY + SPC4_XCOPY)


@pytest.mark.parametrize("suite", PR_SUITES)
def test_reservations(sgs, suite):
    check_suite(sgs["fileio"], suite, LATER + NOT_THIN + NOT_REMOVABLE + NOT_READ_ONLY)


@pytest.mark.heavy
@pytest.mark.full
@pytest.mark.parametrize("suite", DATA_SUITES)
def test_blockio(sgs, suite):
    check_suite(sgs["blockio"], suite, LATER + NOT_THIN + NOT_REMOVABLE + NOT_READ_ONLY)


@pytest.mark.heavy
@pytest.mark.full
@pytest.mark.parametrize("suite", NULLIO_SUITES)
def test_nullio(sgs, suite):
    check_suite(sgs["nullio"], suite, LATER + NOT_THIN + NOT_REMOVABLE + NOT_READ_ONLY)


@pytest.mark.parametrize("suite", REMOVABLE_SUITES)
def test_removable(sgs, suite):
    check_suite(sgs["removable"], suite, LATER + NOT_THIN + NOT_READ_ONLY)


def test_read_only_lun(sgs):
    check_suite(sgs["readonly"], "ReadOnly", LATER + NOT_THIN + NOT_REMOVABLE)


def test_allowlist_is_not_vacuous(sgs):
    # The read-only LUN must not skip ReadOnly as "not write-protected", and
    # a writable one must: proves the skip parsing sees what libiscsi says.
    _, _, _, skips, _ = run_suite(sgs["fileio"], "ReadOnly")
    assert any(re.search(NOT_READ_ONLY[0], s) for s in skips), skips
    _, _, _, skips, _ = run_suite(sgs["readonly"], "ReadOnly")
    assert not skips or not any(re.search(NOT_READ_ONLY[0], s) for s in skips), skips
