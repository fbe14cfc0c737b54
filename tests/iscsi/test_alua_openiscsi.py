"""ALUA over iSCSI: one device behind two iSCSI targets (two target ports,
rel_tgt_id 1 and 2) in two target port groups, an open-iscsi session on
each.  The sg3_utils scenarios of tests/local/test_alua.py that speak only
SCSI run here unchanged; the STPG event names the iSCSI nexus."""
import glob
import os
import sys

import pytest

import initiator
import strixtest
from iscsi_wire import TARGET
from strixtest import sh

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "local"))
from test_alua import (  # noqa: E402,F401  (collected here with this file's paths)
    DG, TGS, Events, clear_ua, rtpg, test_failed_implicit_transition,
    test_rtpg_both_formats, test_states_refuse_commands_with_their_sense, test_stpg,
    test_stpg_bad_parameters_change_nothing)

PORTAL = "127.0.0.1:3260"
TARGET2 = "iqn.2026-12.org.strix:t2"

# heavy: not on the debug kernel, for CI's time (about 230 s there, mostly
# open-iscsi's logins and logouts).  The same test bodies run on the debug
# kernel through the local driver (tests/local/test_alua.py); here they run on
# the stock kernels in every make check, and everywhere in make check-full.
pytestmark = pytest.mark.heavy


def lun_disk(target, lun):
    """/dev/sdX of @lun in the open-iscsi session to @target, or None."""
    for s in glob.glob("/sys/class/iscsi_session/session*"):
        with open(os.path.join(s, "targetname")) as f:
            if f.read().strip() != target:
                continue
        blocks = glob.glob(os.path.join(s, "device/target*/*:%d/block/*" % lun))
        if blocks:
            dev = "/dev/" + os.path.basename(blocks[0])
            if os.path.exists(dev):
                return dev
    return None


@pytest.fixture
def stack(iscsi_stack):
    return iscsi_stack


@pytest.fixture
def paths(iscsi_stack, tmp_path):
    """d1 as LUN 1 of TARGET (group tgA, id 1) and LUN 0 of TARGET2 (group
    tgB, id 2); open-iscsi logged in to both: (disk through TARGET, disk
    through TARGET2)."""
    tree = iscsi_stack
    img = tmp_path / "alua.img"
    sh("truncate -s 16M %s" % img)
    tree.add_device("vdisk_fileio", "d1", "filename=%s" % img)
    tree.add_lun(TARGET, "d1", 1, driver="iscsi")
    tree.add_target("iscsi", TARGET2)
    tree.add_lun(TARGET2, "d1", 0, driver="iscsi")
    tree.do("targets/iscsi/%s/enabled" % TARGET2, "1")
    assert tree.value("targets/iscsi/%s/rel_tgt_id" % TARGET) == "1"
    assert tree.value("targets/iscsi/%s/rel_tgt_id" % TARGET2) == "2"
    tree.do("device_groups/mgmt", "create dg1")
    tree.do(DG + "/devices/mgmt", "add d1")
    for tg, gid, tgt in (("tgA", 1, TARGET), ("tgB", 2, TARGET2)):
        tree.do(TGS + "/mgmt", "create " + tg)
        tree.do(TGS + "/%s/group_id" % tg, str(gid))
        tree.do(TGS + "/%s/mgmt" % tg, "add " + tgt)
    d = initiator.Daemon(PORTAL)
    oi = initiator.OpenIscsi(None)
    try:
        assert sorted(oi.discover(PORTAL)) == sorted([TARGET, TARGET2])
        for t in (TARGET, TARGET2):
            oi.login(t, PORTAL)
        assert strixtest.udev_settle(
            lambda: lun_disk(TARGET, 1) and lun_disk(TARGET2, 0), timeout=30), oi.sessions()
        a, b = lun_disk(TARGET, 1), lun_disk(TARGET2, 0)
        for dev in (a, b):      # the power-on UA, out of the way of the checks
            sh("sg_turs %s" % dev, check=False)
        yield a, b
    finally:
        oi.stop()
        d.stop()


def test_paths_are_two_ports_of_one_device(paths):
    a, b = paths
    assert a != b
    for dev, port in ((a, 1), (b, 2)):
        vpd = sh("sg_vpd --page=di %s" % dev).stdout
        assert "Relative target port: 0x%x" % port in vpd, vpd
        assert "Target port group: 0x%x" % port in vpd, vpd
    # one logical unit: the same device identifier through both ports
    serial = [sh("sg_vpd --page=sn %s" % dev).stdout for dev in (a, b)]
    assert serial[0] == serial[1], serial
    g = rtpg(a)
    assert g[1]["ports"] == [1] and g[2]["ports"] == [2], g


def test_stpg_event_names_the_iscsi_nexus(iscsi_stack, paths):
    a, b = paths
    iscsi_stack.do("devices/d1/expl_alua", "1")
    clear_ua(a, b)
    (ini,) = os.listdir(iscsi_stack.path("targets/iscsi/%s/sessions" % TARGET))
    ev = Events("--count", "1", "--timeout", "100")
    sh("sg_stpg --standby --tp=1 %s" % b)       # through TARGET2, about tgA
    code, events, err = ev.wait()
    assert code == 0, err
    assert events == [{
        "event": "alua_state", "device_group": "dg1", "target_group": "tgA",
        "group_id": 1, "cause": "stpg", "old_state": "active", "new_state": "standby",
        "failed": False, "initiator": ini, "target": TARGET2, "rel_tgt_id": 2,
        "device": "d1"}]
    assert iscsi_stack.value(TGS + "/tgA/state") == "standby"
    assert rtpg(b)[1]["state"] == 2
