"""ALUA through the local driver: one device exported by two targets (two
target ports, rel_tgt_id 1 and 2), each in its own target port group of a
device group; a session on each is an initiator's path through that port.
sg3_utils (sg_inq, sg_vpd, sg_rtpg, sg_stpg, sg_turs) sees what an
initiator's multipath layer would; dd shows which path moves data."""
import errno
import json
import os
import re
import subprocess

import pytest

import strixtest
from strixtest import can_read, session_disk, sh

DG = "device_groups/dg1"
TGS = DG + "/target_groups"


@pytest.fixture
def paths(stack, tmp_path):
    """d1 behind t1 (group tgA, id 1) and t2 (group tgB, id 2); a session on
    each: (disk through t1, disk through t2)."""
    img = tmp_path / "alua.img"
    sh("truncate -s 16M %s" % img)
    stack.add_device("vdisk_fileio", "d1", "filename=%s" % img)
    for t in ("t1", "t2"):
        stack.add_target("scst_local", t)
        stack.add_lun(t, "d1", 0)
    assert stack.value("targets/scst_local/t1/rel_tgt_id") == "1"
    assert stack.value("targets/scst_local/t2/rel_tgt_id") == "2"
    stack.do("device_groups/mgmt", "create dg1")
    stack.do(DG + "/devices/mgmt", "add d1")
    for tg, gid, tgt in (("tgA", 1, "t1"), ("tgB", 2, "t2")):
        stack.do(TGS + "/mgmt", "create " + tg)
        stack.do(TGS + "/%s/group_id" % tg, str(gid))
        stack.do(TGS + "/%s/mgmt" % tg, "add " + tgt)
    a = session_disk(stack, "t1", "host-a")
    b = session_disk(stack, "t2", "host-b")
    for d in (a, b):        # the power-on UA, out of the way of the checks
        sh("sg_turs %s" % d, check=False)
    return a, b


def rtpg(dev, *opts):
    """sg_rtpg --decode: {group id: {state, pref, status, ports}}."""
    out = sh("sg_rtpg --decode %s %s" % (" ".join(opts), dev)).stdout
    groups = {}
    for block in re.split(r"target port group id\s*:\s*", out)[1:]:
        gid = int(block.split()[0], 16)
        groups[gid] = {
            "pref": int(re.search(r"Pref=(\d)", block).group(1)),
            "state": int(re.search(r"asymmetric access state\s*:\s*0x([0-9a-f]+)",
                                   block, re.I).group(1), 16),
            "status": int(re.search(r"status code\s*:\s*0x([0-9a-f]+)", block,
                                    re.I).group(1), 16),
            "ports": [int(p, 16) for p in re.findall(
                r"^\s+0x([0-9a-f]+)\s*$",
                block.split("Relative target port ids:")[1], re.M | re.I)],
        }
    return groups


def raw_in(dev, cdb, n):
    """sg_raw: the data-in bytes of @cdb (hex bytes) with room for @n."""
    res = subprocess.run(["sg_raw", "-r", str(n), "-b", dev] + cdb.split(),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert res.returncode == 0, res.stderr.decode()
    return res.stdout


def good(dev):
    """TEST UNIT READY answers GOOD (no unit attention pending)."""
    return sh("sg_turs %s" % dev, check=False).returncode == 0


def clear_ua(*devs):
    """Take every pending unit attention of @devs."""
    for dev in devs:
        for _ in range(16):
            if not re.search(r"[Uu]nit [Aa]ttention", sense_of(dev)):
                break
        else:
            raise AssertionError("%s keeps reporting unit attentions" % dev)


def sense_of(dev, cmd="sg_turs -v"):
    """What a command reports on @dev (output of the sg3_utils tool)."""
    return sh("%s %s" % (cmd, dev), check=False).stdout


def test_inquiry_and_device_identification(stack, paths):
    a, b = paths
    assert "TPGS=1" in sh("sg_inq %s" % a).stdout        # implicit ALUA only
    for dev, port in ((a, 1), (b, 2)):
        vpd = sh("sg_vpd --page=di %s" % dev).stdout
        assert re.search(r"Relative target port: 0x%x\b" % port, vpd), vpd
        assert re.search(r"Target port group: 0x%x\b" % port, vpd), vpd
    stack.do("devices/d1/expl_alua", "1")
    assert stack.read("devices/d1/expl_alua") == "1\n[key]\n"
    # INQUIRY DATA HAS CHANGED (TPGS), then TPGS 11b
    assert re.search(r"[Ii]nquiry data has changed", sense_of(a))
    assert "TPGS=3" in sh("sg_inq %s" % a).stdout


def test_rtpg_both_formats(stack, paths):
    a, b = paths
    stack.do(TGS + "/tgA/preferred", "1")
    assert re.search(r"[Aa]symmetric access state changed", sense_of(a))
    clear_ua(a, b)
    for fmt in ((), ("--extended",)):
        g = rtpg(b, *fmt)
        assert sorted(g) == [1, 2]
        assert g[1] == {"pref": 1, "state": 0, "status": 0, "ports": [1]}
        assert g[2] == {"pref": 0, "state": 0, "status": 0, "ports": [2]}
    # the headers byte by byte: length only, or extended (format type 1)
    plain = raw_in(a, "a3 0a 00 00 00 00 00 00 01 00 00 00", 256)
    ext = raw_in(a, "a3 2a 00 00 00 00 00 00 01 00 00 00", 256)
    assert len(plain) == 4 + 2 * 12 and int.from_bytes(plain[:4], "big") == 24
    assert len(ext) == 8 + 24 and int.from_bytes(ext[:4], "big") == 28
    assert ext[4:8] == b"\x10\x00\x00\x00" and ext[8:] == plain[4:]
    assert plain[4:12] == bytes([0x80, 0xcf, 0, 1, 0, 0, 0, 1])
    # a too small allocation length: the header says how much there is
    assert raw_in(a, "a3 0a 00 00 00 00 00 00 00 06 00 00", 6)[:4] == plain[:4]
    # a remote port: a member that names no local target, with its own id
    stack.do(TGS + "/tgB/mgmt", "add other-node-tgt")
    assert stack.value(TGS + "/tgB/other-node-tgt/rel_tgt_id") == "0"
    stack.do(TGS + "/tgB/other-node-tgt/rel_tgt_id", "9")
    clear_ua(a)
    assert rtpg(a)[2]["ports"] == [2, 9]


def test_states_refuse_commands_with_their_sense(stack, paths):
    a, b = paths
    with open("/dev/urandom", "rb") as r:
        data = r.read(4096)
    with open(a, "r+b", buffering=0) as f:
        f.write(data)
    sh("sync")
    cases = [
        ("standby", r"target port in standby state"),
        ("unavailable", r"target port in unavailable state"),
        ("transitioning", r"asymmetric access state transition"),
        ("offline", r"offline"),
    ]
    for state, text in cases:
        stack.do(TGS + "/tgB/state", state)
        assert stack.read(TGS + "/tgB/state") == state + "\n[key]\n"
        # the other path hears of it once, then keeps working
        assert re.search(r"[Aa]symmetric access state changed", sense_of(a))
        assert good(a) and can_read(a)
        # the path through tgB: its first command reports the change ...
        assert re.search(r"[Aa]symmetric access state changed", sense_of(b))
        # ... then the state refuses media access with NOT READY
        out = sense_of(b)
        assert re.search(r"[Nn]ot [Rr]eady", out) and re.search(text, out, re.I), out
        # a READ is refused the same way (SG_IO: as the target answers)
        r = sh("sg_dd if=%s of=/dev/null bs=512 count=8 blk_sgio=1 verbose=1" % b, check=False)
        assert r.returncode == 2 and re.search(text, r.stdout, re.I), r.stdout  # 2: not ready
        # the initiator's block layer fails the read; not while the state
        # is transitioning, where Linux's ALUA handler retries it for as
        # long as the command's timeouts allow (about 180 s): initiator
        # policy, nothing of Strix's
        if state != "transitioning":
            assert not can_read(b)
        # INQUIRY and REPORT LUNS work in every state
        assert sh("sg_inq %s" % b, check=False).returncode == 0
        assert sh("sg_luns %s" % b, check=False).returncode == 0
        if state != "offline":
            assert rtpg(b)[2]["state"] == {"standby": 2, "unavailable": 3,
                                           "transitioning": 15}[state]
            assert rtpg(b)[2]["status"] == 2        # altered by implicit ALUA
    # standby lets MODE SENSE and PERSISTENT RESERVE IN through
    stack.do(TGS + "/tgB/state", "standby")
    clear_ua(a, b)
    assert sh("sg_modes --page=0x0a %s" % b, check=False).returncode == 0
    assert sh("sg_persist --in --read-keys %s" % b, check=False).returncode == 0
    # back to active: the data written through the other path is there
    stack.do(TGS + "/tgB/state", "active")
    clear_ua(b)
    with open(b, "rb", buffering=0) as f:
        assert f.read(4096) == data


def test_failed_implicit_transition(stack, paths):
    a, b = paths
    stack.do(TGS + "/tgB/state", "transitioning")
    assert re.search(r"[Aa]symmetric access state changed", sense_of(a))
    # back to where it came from: the transition failed
    stack.do(TGS + "/tgB/state", "active")
    out = sense_of(a)
    assert re.search(r"[Ii]mplicit asymmetric access state transition failed", out), out
    # a transition that lands somewhere else did not fail
    stack.do(TGS + "/tgB/state", "transitioning")
    clear_ua(a)
    stack.do(TGS + "/tgB/state", "standby")
    assert re.search(r"[Aa]symmetric access state changed", sense_of(a))


def test_stpg(stack, paths):
    a, b = paths
    # implicit ALUA only: SET TARGET PORT GROUPS is not a command here
    # (sg_stpg of sg3_utils 1.46 exits 0 whatever the sense: read its output)
    out = sh("sg_stpg -v --standby --tp=2 %s" % a, check=False).stdout
    assert re.search(r"[Ii]nvalid (command )?operation code", out), out
    assert stack.value(TGS + "/tgB/state") == "active"
    stack.do("devices/d1/expl_alua", "1")
    clear_ua(a, b)
    # fail over from path A to path B, through path A
    sh("sg_stpg --state=s,ao --tp=1,2 %s" % a)
    assert stack.value(TGS + "/tgA/state") == "standby"
    assert stack.value(TGS + "/tgB/state") == "active"
    # the other nexus hears of it, the one that sent it does not
    assert re.search(r"[Aa]symmetric access state changed", sense_of(b))
    g = rtpg(b)
    assert (g[1]["state"], g[1]["status"]) == (2, 1)    # altered by STPG
    out = sense_of(a)
    assert re.search(r"target port in standby state", out, re.I), out
    assert can_read(b) and not can_read(a)
    # STPG is accepted in standby: path A comes back
    sh("sg_stpg --optimized --tp=1 %s" % a)
    assert stack.value(TGS + "/tgA/state") == "active" and can_read(a)


def test_stpg_bad_parameters_change_nothing(stack, paths):
    a, b = paths
    stack.do("devices/d1/expl_alua", "1")
    clear_ua(a, b)                      # INQUIRY DATA HAS CHANGED
    before = stack.snapshot()
    # a group id the device group does not have; offline (SPC: for
    # secondary ports, which Strix has not) in the parameter list
    for args in ("--standby --tp=7", "--state=ao,o --tp=1,2", "--state=s,ao --tp=2,99"):
        out = sh("sg_stpg -v %s %s" % (args, a), check=False).stdout
        assert re.search(r"[Ii]nvalid field in parameter list", out), out
    assert stack.snapshot() == before
    assert good(a) and good(b)          # nothing changed: no unit attention


def test_mgmt_errors_change_nothing(stack, paths):
    stack.add_device("vdisk_nullio", "n1", "size_mb=8")
    stack.do("device_groups/mgmt", "create dg2")
    before = stack.snapshot()
    bad = [
        ("device_groups/mgmt", "create dg1", errno.EEXIST),
        ("device_groups/mgmt", "create bad/name", errno.EINVAL),
        ("device_groups/mgmt", "del nosuch", errno.ENOENT),
        ("device_groups/mgmt", "frobnicate dg1", errno.EINVAL),
        (DG + "/devices/mgmt", "add nosuch", errno.ENOENT),
        (DG + "/devices/mgmt", "add d1", errno.EEXIST),
        ("device_groups/dg2/devices/mgmt", "add d1", errno.EBUSY),
        (DG + "/devices/mgmt", "del n1", errno.ENOENT),
        (TGS + "/mgmt", "create tgA", errno.EEXIST),
        (TGS + "/mgmt", "create", errno.EINVAL),
        (TGS + "/tgA/mgmt", "add t2", errno.EEXIST),   # in tgB already
        (TGS + "/tgA/mgmt", "add state", errno.EINVAL),
        (TGS + "/tgA/mgmt", "del nosuch", errno.ENOENT),
        (TGS + "/tgA/group_id", "2", errno.EEXIST),
        (TGS + "/tgA/group_id", "0", errno.EINVAL),
        (TGS + "/tgA/group_id", "65536", errno.EINVAL),
        (TGS + "/tgA/state", "sleepy", errno.EINVAL),
        (TGS + "/tgA/preferred", "maybe", errno.EINVAL),
        (TGS + "/tgA/t1/rel_tgt_id", "5", errno.EINVAL),  # a local target's is its own
        ("devices/d1/expl_alua", "2", errno.EINVAL),
    ]
    for path, line, err in bad:
        assert stack.write(path, line) == err, (path, line)
    assert stack.snapshot() == before
    stack.do(TGS + "/tgA/t1/rel_tgt_id", "1")     # its own value: accepted


def test_membership_follows_targets_and_devices(stack, paths):
    a, b = paths
    assert set(stack.snapshot()) >= {DG + "/devices/d1", TGS + "/tgA/t1/rel_tgt_id"}
    # a target that goes away leaves a remote member (no id), and one
    # created under the name is found again
    stack.add_target("scst_local", "t3")
    stack.do(TGS + "/tgA/mgmt", "add t3")
    clear_ua(a)
    assert stack.value(TGS + "/tgA/t3/rel_tgt_id") == "3"
    assert rtpg(a)[1]["ports"] == [1, 3]
    stack.do("targets/scst_local/mgmt", "del_target t3")
    assert stack.value(TGS + "/tgA/t3/rel_tgt_id") == "0"
    assert rtpg(a)[1]["ports"] == [1]
    stack.add_target("scst_local", "t3")
    assert stack.value(TGS + "/tgA/t3/rel_tgt_id") == "3"
    # a group without a group id is not reported
    stack.do(TGS + "/mgmt", "create tgC")
    assert sorted(rtpg(a)) == [1, 2]
    # a device that leaves the group: TPGS 0, no RTPG
    stack.do(DG + "/devices/mgmt", "del d1")
    assert re.search(r"[Ii]nquiry data has changed", sense_of(a))
    assert "TPGS=0" in sh("sg_inq %s" % a).stdout
    assert sh("sg_rtpg %s" % a, check=False).returncode != 0
    assert can_read(b)
    stack.do(DG + "/devices/mgmt", "add d1")
    clear_ua(a)
    assert sorted(rtpg(a)) == [1, 2]
    # deleting a group takes everything in it
    stack.do("device_groups/mgmt", "del dg1")
    assert not [k for k in stack.snapshot() if k.startswith(DG)]
    clear_ua(a)
    assert "TPGS=0" in sh("sg_inq %s" % a).stdout and can_read(a)


STRIXCTL = os.path.join(strixtest.TOP, "build", "usr", "strixctl", "strixctl")


class Events:
    """`strixctl events --json`, subscribed (it said "listening")."""

    def __init__(self, *args):
        if not os.access(STRIXCTL, os.X_OK):
            pytest.fail("%s not built: run make usr" % STRIXCTL)
        self.proc = subprocess.Popen([STRIXCTL, "events", "--json"] + list(args),
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        line = self.proc.stderr.readline()
        assert line == "listening\n", line + self.proc.stderr.read()

    def wait(self):
        """(exit code, [event objects], stderr)"""
        out, err = self.proc.communicate(timeout=120)
        return self.proc.returncode, [json.loads(l) for l in out.splitlines()], err


def test_events(stack, paths):
    a, b = paths
    # nothing happens: --timeout ends it with status 2
    code, events, err = Events("--timeout", "0.5").wait()
    assert code == 2 and "timed out after 0.5 s: 0 events arrived" in err, err
    assert [e.get("error", {}).get("errno_name") for e in events] == ["ETIMEDOUT"]

    ev = Events("--count", "4", "--timeout", "100")
    stack.do(TGS + "/tgB/state", "nonoptimized")
    stack.do(TGS + "/tgB/state", "transitioning")
    stack.do(TGS + "/tgB/state", "nonoptimized")        # a failed transition
    stack.do("devices/d1/expl_alua", "1")
    clear_ua(a)
    sh("sg_stpg --standby --tp=1 %s" % a)
    code, events, err = ev.wait()
    assert code == 0, err
    base = {"event": "alua_state", "device_group": "dg1", "failed": False}
    tgb = dict(base, target_group="tgB", group_id=2, cause="sysfs")
    assert events == [
        dict(tgb, old_state="active", new_state="nonoptimized"),
        dict(tgb, old_state="nonoptimized", new_state="transitioning"),
        dict(tgb, old_state="transitioning", new_state="nonoptimized", failed=True),
        dict(base, target_group="tgA", group_id=1, cause="stpg",
             old_state="active", new_state="standby", initiator="host-a",
             target="t1", rel_tgt_id=1, device="d1"),
    ]
    assert stack.value(TGS + "/tgA/state") == "standby"
