"""Persistent and SPC-2 reservations through the local driver: two (and
three) sessions with different initiator names on one target are different
I_T nexuses to the same LUN; sg_persist drives PERSISTENT RESERVE IN/OUT
and dd shows what each nexus may still read and write."""
import re

import pytest

from strixtest import can_read, can_write, prin, prout, session_disk, sh, udev_settle


def disk(stack, name):
    """A session `name` on t1; its /dev/sdX for LUN 0."""
    return session_disk(stack, "t1", name)


@pytest.fixture
def nexuses(stack, tmp_path):
    """Three nexuses A, B, C to one fileio LUN."""
    img = tmp_path / "pr.img"
    sh("truncate -s 16M %s" % img)
    stack.add_device("vdisk_fileio", "d1", "filename=%s" % img)
    stack.add_target("scst_local", "t1")
    stack.add_lun("t1", "d1", 0)
    devs = [disk(stack, n) for n in ("iqn.2026-12.test:a", "iqn.2026-12.test:b",
                                      "iqn.2026-12.test:c")]
    for d in devs:          # the power-on UA, out of the way of the checks
        sh("sg_turs %s" % d, check=False)
    return devs


def keys(dev):
    return re.findall(r"^\s+(0x[0-9a-f]+)$", prin(dev, "--read-keys"), re.M)


def test_register_reserve_release(nexuses):
    a, b, c = nexuses
    assert "no registered reservation keys" in prin(a, "--read-keys")
    prout(a, "--register --param-sark=0xa")
    prout(b, "--register --param-sark=0xb")
    assert keys(c) == ["0xa", "0xb"]
    assert "pr generation=0x2" in prin(c, "--read-keys")
    # B may not reserve with A's key, nor C unregistered: RESERVATION CONFLICT
    assert prout(b, "--reserve --param-rk=0xa --prout-type=1", check=False).returncode == 24
    assert prout(c, "--reserve --param-rk=0xc --prout-type=1", check=False).returncode == 24
    prout(a, "--reserve --param-rk=0xa --prout-type=1")          # write exclusive
    res = prin(b, "--read-reservation")
    assert re.search(r"key=0xa\b", res) and "write exclusive" in res, res
    # write exclusive: only A writes, everybody reads
    assert can_write(a) and can_read(a)
    assert not can_write(b) and can_read(b)
    assert not can_write(c) and can_read(c)
    # releasing with the wrong type: INVALID RELEASE OF PERSISTENT RESERVATION
    assert prout(a, "--release --param-rk=0xa --prout-type=3", check=False).returncode != 0
    prout(a, "--release --param-rk=0xa --prout-type=1")
    assert "no reservation held" in prin(a, "--read-reservation")
    assert can_write(b) and can_write(c)


def test_exclusive_access_registrants_only(nexuses):
    a, b, c = nexuses
    prout(a, "--register --param-sark=0x1")
    prout(b, "--register --param-sark=0x2")
    prout(b, "--reserve --param-rk=0x2 --prout-type=6")
    assert can_write(a) and can_read(a)          # registered: as the holder
    assert can_write(b)
    assert not can_write(c) and not can_read(c)  # not registered: nothing
    # the holder unregisters: a registrants-only reservation ends with it,
    # and the other registrant hears RESERVATIONS RELEASED
    prout(b, "--register --param-rk=0x2 --param-sark=0")
    assert "no reservation held" in prin(c, "--read-reservation")
    out = sh("sg_turs -v %s" % a, check=False).stdout
    assert re.search(r"[Rr]eservations released", out), out
    assert can_read(c) and can_write(c)


def test_preempt_and_clear(nexuses):
    a, b, c = nexuses
    prout(a, "--register --param-sark=0xa")
    prout(b, "--register --param-sark=0xb")
    prout(a, "--reserve --param-rk=0xa --prout-type=3")          # exclusive access
    assert not can_read(b)
    prout(b, "--preempt --param-rk=0xb --param-sark=0xa --prout-type=1")
    res = prin(c, "--read-reservation")
    assert re.search(r"key=0xb\b", res) and "write exclusive" in res, res
    assert keys(c) == ["0xb"]                                   # A's registration went
    out = sh("sg_turs -v %s" % a, check=False).stdout
    assert re.search(r"[Rr]egistrations preempted", out), out
    assert not can_write(a) and can_read(a)
    full = prin(c, "--read-full-status")
    assert "iqn.2026-12.test:b" in full and "reservation holder" in full, full
    assert "iqn.2026-12.test:a" not in full, full
    prout(b, "--clear --param-rk=0xb")
    assert "no registered reservation keys" in prin(c, "--read-keys")
    assert can_write(a) and can_write(c)


def test_capabilities_and_bad_requests(nexuses):
    a, b, _ = nexuses
    caps = prin(a, "--report-capabilities")
    assert re.search(r"\(sip_c\): 1", caps), caps
    assert re.search(r"\(atp_c\): 1", caps), caps
    assert re.search(r"\(ptpl_c\): 1", caps), caps     # APTPL: test_aptpl.py
    assert re.search(r"\(crh\): 0", caps), caps
    # an unregistered nexus registering with a non-zero key: conflict
    assert prout(b, "--register --param-rk=0x5 --param-sark=0x6",
                 check=False).returncode == 24


def test_spc2_reserve_release(nexuses):
    a, b, c = nexuses
    sh("sg_raw %s 16 00 00 00 00 00" % a)                        # RESERVE(6)
    assert can_write(a) and can_read(a)
    # everybody else: RESERVATION CONFLICT, even for TEST UNIT READY
    assert not can_read(b) and not can_write(b)
    assert sh("sg_turs %s" % b, check=False).returncode == 24
    assert sh("sg_inq %s" % b, check=False).returncode == 0      # but INQUIRY works
    # another's RELEASE: GOOD, and nothing happens
    sh("sg_raw %s 17 00 00 00 00 00" % b)
    assert not can_read(b)
    # PR commands conflict with it too
    assert prout(c, "--register --param-sark=0xc", check=False).returncode == 24
    sh("sg_raw %s 17 00 00 00 00 00" % a)                        # RELEASE(6)
    assert can_read(b) and can_write(b)
    # with a registration, RESERVE conflicts (no CRH)
    prout(c, "--register --param-sark=0xc")
    assert sh("sg_raw %s 16 00 00 00 00 00" % a, check=False).returncode == 24


def test_nexus_loss_releases_spc2_not_pr(stack, nexuses):
    a, b, c = nexuses
    sh("sg_raw %s 56 00 00 00 00 00 00 00 00 00" % a)              # RESERVE(10)
    assert not can_read(b)
    stack.do("targets/scst_local/mgmt", "del_session t1 iqn.2026-12.test:a")
    assert udev_settle(lambda: can_read(b))
    prout(b, "--register --param-sark=0xb")
    prout(b, "--reserve --param-rk=0xb --prout-type=1")
    stack.do("targets/scst_local/mgmt", "del_session t1 iqn.2026-12.test:b")
    # a persistent reservation outlives its nexus
    assert not can_write(c)
    b2 = disk(stack, "iqn.2026-12.test:b")
    sh("sg_turs %s" % b2, check=False)
    assert can_write(b2)


# SPC-4 table 5.12 (access by reservation type), seen by the holder A, a
# registrant B and a nexus C that is not registered: (read, write) each.
ACCESS = {
    1: ("write exclusive", (True, True), (True, False), (True, False)),
    3: ("exclusive access", (True, True), (False, False), (False, False)),
    5: ("write exclusive, registrants only", (True, True), (True, True), (True, False)),
    6: ("exclusive access, registrants only", (True, True), (True, True), (False, False)),
    7: ("write exclusive, all registrants", (True, True), (True, True), (True, False)),
    8: ("exclusive access, all registrants", (True, True), (True, True), (False, False)),
}


@pytest.mark.parametrize("ptype", sorted(ACCESS))
def test_every_type_per_the_access_table(nexuses, ptype):
    every_type(nexuses, ptype)


def every_type(nexuses, ptype):
    """Reservation type @ptype by A, A and B registered: what each sees."""
    a, b, c = nexuses
    name, *access = ACCESS[ptype]
    prout(a, "--register --param-sark=0xa")
    prout(b, "--register --param-sark=0xb")
    prout(a, "--reserve --param-rk=0xa --prout-type=%d" % ptype)
    res = prin(c, "--read-reservation")
    assert name in res, res
    if ptype in (7, 8):     # all registrants: the key reported is 0
        assert "key=0x0" in res, res
    for dev, (r, w) in zip((a, b, c), access):
        assert (can_read(dev), can_write(dev)) == (r, w), (dev, ptype)
    # a reserve of another type by the holder conflicts; of the same, GOOD
    other = 1 if ptype != 1 else 3
    assert prout(a, "--reserve --param-rk=0xa --prout-type=%d" % other,
                 check=False).returncode == 24
    prout(a, "--reserve --param-rk=0xa --prout-type=%d" % ptype)
    prout(a, "--release --param-rk=0xa --prout-type=%d" % ptype)
    assert "no reservation held" in prin(c, "--read-reservation")
    assert can_write(c)


def test_register_and_ignore(nexuses):
    a, b, c = nexuses
    prout(a, "--register --param-sark=0xa")
    # a new key without knowing the old one
    prout(a, "--register-ignore --param-sark=0xaa")
    assert keys(c) == ["0xaa"]
    # on an unregistered nexus it registers
    prout(b, "--register-ignore --param-sark=0xbb")
    assert keys(c) == ["0xaa", "0xbb"]
    # service action key 0 unregisters, whatever the reservation key says
    prout(b, "--register-ignore --param-rk=0x1234 --param-sark=0")
    assert keys(c) == ["0xaa"]


def test_register_and_move(stack, nexuses):
    register_and_move(nexuses, stack.value("targets/scst_local/t1/rel_tgt_id"))


def register_and_move(nexuses, port):
    """REGISTER AND MOVE hands A's reservation to C (by TransportID and
    relative target port @port); with UNREG A's registration goes too."""
    a, b, c = nexuses
    prout(a, "--register --param-sark=0xa")
    prout(a, "--reserve --param-rk=0xa --prout-type=1")
    # moving to itself is refused (ILLEGAL REQUEST), nothing changes
    assert prout(a, "--register-move --param-rk=0xa --param-sark=0xc --prout-type=1 "
                 "--relative-target-port=%s --transport-id=iqn.2026-12.test:a" % port,
                 check=False).returncode != 0
    assert re.search(r"key=0xa\b", prin(b, "--read-reservation"))
    prout(a, "--register-move --unreg --param-rk=0xa --param-sark=0xc --prout-type=1 "
          "--relative-target-port=%s --transport-id=iqn.2026-12.test:c" % port)
    res = prin(b, "--read-reservation")
    assert re.search(r"key=0xc\b", res) and "write exclusive" in res, res
    assert keys(b) == ["0xc"]
    full = prin(b, "--read-full-status")
    assert "iqn.2026-12.test:c" in full and "reservation holder" in full, full
    assert can_write(c) and not can_write(a)


def test_preempt_and_abort_with_sg_persist(nexuses):
    a, b, c = nexuses
    prout(a, "--register --param-sark=0xa")
    prout(b, "--register --param-sark=0xb")
    prout(a, "--reserve --param-rk=0xa --prout-type=3")
    prout(b, "--preempt-abort --param-rk=0xb --param-sark=0xa --prout-type=3")
    res = prin(c, "--read-reservation")
    assert re.search(r"key=0xb\b", res) and "exclusive access" in res, res
    assert keys(c) == ["0xb"]
    out = sh("sg_turs -v %s" % a, check=False).stdout
    assert re.search(r"[Rr]egistrations preempted", out), out
    assert not can_read(a) and can_read(b)
