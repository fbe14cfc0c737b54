"""Persistent and SPC-2 reservations over iSCSI: three open-iscsi sessions,
each through an iface of its own initiator name, are three I_T nexuses to
one LUN, and the sg_persist/dd scenarios of tests/local/test_reservations.py
run on them unchanged (the same core, another transport and initiator).
A PREEMPT AND ABORT under fio, and reservations across a LUN reset, are
iSCSI's own."""
import glob
import os
import sys

import pytest

import initiator
import strixtest
from iscsi_wire import TARGET
from strixtest import can_read, can_write, prin, prout, sh

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "local"))
from test_reservations import (  # noqa: E402,F401  (collected here with this file's nexuses)
    ACCESS, every_type, test_capabilities_and_bad_requests,
    test_exclusive_access_registrants_only, test_preempt_and_abort_with_sg_persist,
    test_preempt_and_clear, test_register_and_ignore, test_register_reserve_release,
    test_spc2_reserve_release, register_and_move)

# heavy: not on the debug kernel, for CI's time (about 540 s there, mostly
# open-iscsi's logins and logouts).  The same test bodies run on the debug
# kernel through the local driver (tests/local/test_reservations.py); here they run on
# the stock kernels in every make check, and everywhere in make check-full.
pytestmark = pytest.mark.heavy

PORTAL = "127.0.0.1:3260"
NAMES = ("iqn.2026-12.test:a", "iqn.2026-12.test:b", "iqn.2026-12.test:c")


def session_disks():
    """initiator name -> /dev/sdX of LUN 0, for every iSCSI session."""
    found = {}
    for s in glob.glob("/sys/class/iscsi_session/session*"):
        with open(os.path.join(s, "initiatorname")) as f:
            name = f.read().strip()
        blocks = glob.glob(os.path.join(s, "device/target*/*:0/block/*"))
        if blocks:
            found[name] = "/dev/" + os.path.basename(blocks[0])
    return found


@pytest.fixture
def nexuses(iscsi_stack):
    """Three sessions to TARGET, initiator names NAMES; their disks."""
    d = initiator.Daemon(PORTAL)
    oi = initiator.OpenIscsi(None)
    ifaces = ["strix_%s" % n[-1] for n in NAMES]
    try:
        for iface, name in zip(ifaces, NAMES):
            oi.adm("-m iface -I %s -o new" % iface)
            oi.adm("-m iface -I %s -o update -n iface.initiatorname -v %s" % (iface, name))
        oi.adm("-m discovery -t st -p %s %s" % (PORTAL, " ".join("-I " + i for i in ifaces)))
        for iface in ifaces:
            oi.adm("-m node -T %s -p %s -I %s --login" % (TARGET, PORTAL, iface))
        assert strixtest.udev_settle(lambda: len(session_disks()) == 3, timeout=30), \
            session_disks()
        disks = session_disks()
        devs = [disks[n] for n in NAMES]
        for dev in devs:
            assert strixtest.udev_settle(lambda: os.path.exists(dev))
            sh("sg_turs %s" % dev, check=False)     # the power-on UA
        yield devs
    finally:
        oi.stop()
        for iface in ifaces:
            oi.adm("-m iface -I %s -o delete" % iface, check=False)
        d.stop()


def test_three_initiators_are_three_nexuses(nexuses, iscsi_stack):
    sess = os.listdir(iscsi_stack.path("targets/iscsi/%s/sessions" % TARGET))
    assert len(sess) == 3, sess
    for i, dev in enumerate(nexuses):
        prout(dev, "--register --param-sark=0x%x" % (i + 1))
    full = prin(nexuses[0], "--read-full-status")
    for name in NAMES:
        assert name in full, full       # each its own iSCSI TransportID


# The access table is the core's, whatever the transport: over iSCSI it
# runs in the full stage (heavy), the local driver's run covers it on the
# debug kernel.
@pytest.mark.heavy
@pytest.mark.parametrize("ptype", sorted(ACCESS))
def test_every_type_per_the_access_table(nexuses, ptype):
    every_type(nexuses, ptype)


def test_register_and_move(nexuses, iscsi_stack):
    register_and_move(nexuses, iscsi_stack.value("targets/iscsi/%s/rel_tgt_id" % TARGET))


def lun_reset(dev, others):
    """sg_reset -d through @dev (a LOGICAL UNIT RESET TMF); the others'
    BUS DEVICE RESET unit attention taken (sg_persist does not retry)."""
    sh("sg_reset -d %s" % dev)
    for d in others:
        out = sh("sg_turs -v %s" % d, check=False).stdout
        assert "bus device reset function occurred" in out.lower(), out


def test_lun_reset_keeps_pr_releases_spc2(nexuses):
    """A persistent reservation survives a LUN reset, an SPC-2 one does
    not; the other nexuses hear of the reset."""
    a, b, c = nexuses
    prout(a, "--register --param-sark=0xa")
    prout(a, "--reserve --param-rk=0xa --prout-type=1")
    lun_reset(a, (b, c))
    assert "key=0xa" in prin(b, "--read-reservation")
    assert not can_write(b)
    prout(a, "--release --param-rk=0xa --prout-type=1")
    prout(a, "--register --param-rk=0xa --param-sark=0")
    sh("sg_raw %s 16 00 00 00 00 00" % b)  # RESERVE(6)
    assert not can_read(c)
    lun_reset(a, (b, c))
    assert can_read(c) and can_write(c)


def test_preempt_and_abort_under_fio(nexuses):
    a, b, _ = nexuses
    strixtest.preempt_and_abort_under_fio(a, b)
