"""EXTENDED COPY (LID1) and RECEIVE COPY RESULTS through the local driver
(core/xcopy.c): copies between two LUNs and within one, checked byte for
byte in the backing files; sg_xcopy (sg3_utils); the scope rule (a copy
may only name LUNs of the issuing session: a device exported only to
another initiator group is UNREACHABLE COPY TARGET and left untouched);
write protection, LBA range and the copy results; a named LUN ALUA makes
inaccessible; a list identifier reused while its copy runs; a LUN reset
stopping a running copy.

LUNs (fileio, 16 MiB each, 512-byte blocks):
  default group (session "ini_main"): LUN 0 = d_a, LUN 1 = d_b,
                                      LUN 2 = d_ro (read-only LUN of d_r)
  group g_other (session "ini_other"): LUN 0 = d_c
"""
import os
import struct
import threading

import pytest

import strixtest
from strixtest import sh
from test_caw import sg_io

BS = 512
SIZE = 16 << 20


def sg_of(host, lun):
    base = "/sys/class/scsi_host/host%d/device/target%d:0:0/%d:0:0:%d/scsi_generic" % (
        host, host, host, lun)
    assert strixtest.udev_settle(lambda: os.path.isdir(base) and os.listdir(base)), base
    sg = "/dev/" + os.listdir(base)[0]
    assert strixtest.udev_settle(lambda: os.path.exists(sg))
    return sg


class Rig:
    pass


@pytest.fixture
def rig(tmp_path):
    tree = strixtest.load_local_stack()
    r = Rig()
    r.img = {}
    for name in ("a", "b", "c", "r"):
        img = tmp_path / ("%s.img" % name)
        sh("truncate -s %d %s" % (SIZE, img))
        r.img[name] = img
        tree.add_device("vdisk_fileio", "d_" + name, "filename=%s" % img)
    t = "targets/scst_local/t_x/"
    tree.add_target("scst_local", "t_x")
    tree.add_lun("t_x", "d_a", 0)
    tree.add_lun("t_x", "d_b", 1)
    tree.add_lun("t_x", "d_r", 2, params="read_only=1")
    tree.do(t + "ini_groups/mgmt", "create g_other")
    tree.add_lun("t_x", "d_c", 0, group="g_other")
    tree.do(t + "ini_groups/g_other/initiators/mgmt", "add ini_other")
    main = tree.add_session("t_x", "ini_main")
    other = tree.add_session("t_x", "ini_other")
    r.sg_a, r.sg_b, r.sg_ro = sg_of(main, 0), sg_of(main, 1), sg_of(main, 2)
    r.sg_c = sg_of(other, 0)
    r.fd = {}
    for k in ("a", "b", "ro", "c"):
        r.fd[k] = os.open(getattr(r, "sg_" + k), os.O_RDWR)
    r.naa = {k: naa_of(r.fd[k]) for k in ("a", "b", "ro", "c")}
    r.tree = tree
    yield r
    for fd in r.fd.values():
        os.close(fd)
    strixtest.unload_local_stack(tree)


def naa_of(fd):
    """The NAA designator (type 3, LU association) of VPD page 83h."""
    st, sense, d = sg_io(fd, bytes([0x12, 1, 0x83, 0x01, 0x00, 0]), data_in_len=256)
    assert st == 0, sense.hex()
    off, end = 4, 4 + struct.unpack(">H", d[2:4])[0]
    while off < end:
        ln = d[off + 3]
        if d[off + 1] & 0x3f == 0x03:          # association LU, type NAA
            return d[off + 4:off + 4 + ln]
        off += 4 + ln
    raise AssertionError("no NAA designator: %s" % d.hex())


def cscd(naa, block_size=BS):
    d = bytearray(32)
    d[0] = 0xE4
    d[4] = 0x01                                 # binary
    d[5] = 0x03                                 # LU, NAA
    d[7] = len(naa)
    d[8:8 + len(naa)] = naa
    d[29:32] = block_size.to_bytes(3, "big")
    return bytes(d)


def seg(src, dst, n, src_lba, dst_lba):
    return struct.pack(">BBHHHHHQQ", 0x02, 0, 0x18, src, dst, 0, n, src_lba, dst_lba)


def xcopy_list(cscds, segs, list_id=1, usage=0):
    c, s = b"".join(cscds), b"".join(segs)
    return struct.pack(">BBHIII", list_id, usage << 3, len(c), 0, len(s), 0) + c + s


def xcopy(fd, plist, timeout_ms=30000):
    cdb = struct.pack(">BB8sIBB", 0x83, 0, b"\0" * 8, len(plist), 0, 0)
    st, sense, _ = sg_io(fd, cdb, data_out=plist, timeout_ms=timeout_ms)
    return st, sense


def rcr(fd, sa, list_id=0, alloc=1024):
    cdb = struct.pack(">BBB7sIBB", 0x84, sa, list_id, b"\0" * 7, alloc, 0, 0)
    return sg_io(fd, cdb, data_in_len=alloc)


def key_asc(sense):
    if sense[0] & 0x7f in (0x72, 0x73):
        return sense[1] & 0xf, sense[2], sense[3]
    return sense[2] & 0xf, sense[12], sense[13]


def segment_of(sense):
    """COMMAND-SPECIFIC INFORMATION: the segment a COPY ABORTED names."""
    if sense[0] & 0x7f in (0x72, 0x73):
        d = sense[8:8 + sense[7]]
        while d:
            if d[0] == 0x01:
                return int.from_bytes(d[4:12], "big")
            d = d[2 + d[1]:]
        return None
    return int.from_bytes(sense[8:12], "big")


def write(fd, lba, data):
    cdb = struct.pack(">BBQIBB", 0x8a, 0, lba, len(data) // BS, 0, 0)
    st, sense, _ = sg_io(fd, cdb, data_out=data)
    assert st == 0, sense.hex()


def image(r, name, lba, n):
    with open(r.img[name], "rb") as f:
        f.seek(lba * BS)
        return f.read(n * BS)


def test_copy_between_luns(rig):
    """3000 blocks (three chunks) from LUN 0 to LUN 1, then the status."""
    data = os.urandom(3000 * BS)
    write(rig.fd["a"], 100, data)
    before_b = image(rig, "b", 0, 8000)
    st, sense = xcopy(rig.fd["a"], xcopy_list([cscd(rig.naa["a"]), cscd(rig.naa["b"])],
                                              [seg(0, 1, 3000, 100, 5000)], list_id=9))
    assert st == 0, sense.hex()
    assert image(rig, "b", 5000, 3000) == data
    # nothing else of B changed
    assert image(rig, "b", 0, 5000) == before_b[:5000 * BS]
    assert image(rig, "b", 8000, 1) == b"\0" * BS

    # COPY STATUS of list 9: done, 1 segment, 1500 KiB; then it is gone
    st, sense, d = rcr(rig.fd["a"], 0x00, 9)
    assert st == 0, sense.hex()
    assert struct.unpack(">I", d[0:4])[0] == 8
    assert d[4] == 0x01
    assert struct.unpack(">H", d[5:7])[0] == 1
    assert d[7] == 0x01 and struct.unpack(">I", d[8:12])[0] == 3000 * BS // 1024
    st, sense, _ = rcr(rig.fd["a"], 0x00, 9)
    assert st == 2 and key_asc(sense) == (0x5, 0x24, 0x00)


def test_copy_within_lun_overlapping(rig):
    """Source and destination overlap in one LUN: copied as memmove."""
    data = os.urandom(4000 * BS)
    write(rig.fd["a"], 0, data)
    st, sense = xcopy(rig.fd["a"], xcopy_list([cscd(rig.naa["a"])],
                                              [seg(0, 0, 3000, 0, 1000)]))
    assert st == 0, sense.hex()
    assert image(rig, "a", 1000, 3000) == data[:3000 * BS]
    assert image(rig, "a", 0, 1000) == data[:1000 * BS]
    # and downwards
    write(rig.fd["a"], 0, data)
    st, sense = xcopy(rig.fd["a"], xcopy_list([cscd(rig.naa["a"])],
                                              [seg(0, 0, 3000, 1000, 0)]))
    assert st == 0, sense.hex()
    assert image(rig, "a", 0, 3000) == data[1000 * BS:]


def test_scope_other_group_unreachable(rig):
    """ini_main sees d_a and d_b only: naming d_c (ini_other's LUN) fails
    with COPY ABORTED, UNREACHABLE COPY TARGET, and d_c is not touched."""
    secret = os.urandom(64 * BS)
    write(rig.fd["c"], 0, secret)
    write(rig.fd["a"], 0, os.urandom(64 * BS))
    before_a = image(rig, "a", 0, 64)
    # write into C, read from C: both refused
    for segs in ([seg(0, 1, 64, 0, 0)], [seg(1, 0, 64, 0, 0)]):
        st, sense = xcopy(rig.fd["a"], xcopy_list([cscd(rig.naa["a"]), cscd(rig.naa["c"])],
                                                  segs))
        assert st == 2
        assert key_asc(sense) == (0x0a, 0x08, 0x04), sense.hex()
        assert segment_of(sense) == 0, sense.hex()
    assert image(rig, "c", 0, 64) == secret
    assert image(rig, "a", 0, 64) == before_a
    # the designator was right: ini_other, which sees d_c, may copy within it
    st, sense = xcopy(rig.fd["c"], xcopy_list([cscd(rig.naa["c"])], [seg(0, 0, 64, 0, 100)]))
    assert st == 0, sense.hex()
    assert image(rig, "c", 100, 64) == secret
    # and ini_other in turn cannot reach d_a
    st, sense = xcopy(rig.fd["c"], xcopy_list([cscd(rig.naa["c"]), cscd(rig.naa["a"])],
                                              [seg(0, 1, 64, 0, 0)]))
    assert st == 2 and key_asc(sense) == (0x0a, 0x08, 0x04), sense.hex()
    assert image(rig, "a", 0, 64) == before_a


def test_reservations_of_named_luns(rig):
    """A copy is held to the reservations of the LUNs it names, not only
    the one it is sent to: with d_b write-exclusive to another initiator,
    ini_main may copy from d_b but not into it (RESERVATION CONFLICT,
    d_b unchanged)."""
    host = rig.tree.add_session("t_x", "ini_third")
    holder = sg_of(host, 1)
    sh("sg_persist --out --register --param-sark=0x1 " + holder)
    sh("sg_persist --out --reserve --param-rk=0x1 --prout-type=1 " + holder)
    write(rig.fd["a"], 0, os.urandom(32 * BS))
    before_b = image(rig, "b", 0, 32)
    # sent to d_a (no reservation there), writing d_b: refused
    st, sense = xcopy(rig.fd["a"], xcopy_list([cscd(rig.naa["a"]), cscd(rig.naa["b"])],
                                              [seg(0, 1, 32, 0, 0)]))
    assert st == 0x18, (st, sense.hex())
    assert image(rig, "b", 0, 32) == before_b
    # reading d_b is allowed under Write Exclusive
    st, sense = xcopy(rig.fd["a"], xcopy_list([cscd(rig.naa["b"]), cscd(rig.naa["a"])],
                                              [seg(0, 1, 32, 0, 100)]))
    assert st == 0, sense.hex()
    assert image(rig, "a", 100, 32) == before_b
    # released: the same copy goes through
    sh("sg_persist --out --release --param-rk=0x1 --prout-type=1 " + holder)
    st, sense = xcopy(rig.fd["a"], xcopy_list([cscd(rig.naa["a"]), cscd(rig.naa["b"])],
                                              [seg(0, 1, 32, 0, 0)]))
    assert st == 0, sense.hex()
    assert image(rig, "b", 0, 32) == image(rig, "a", 0, 32)


def test_named_lun_not_accessible(rig):
    """A LUN the session sees but could not READ or WRITE now is COPY
    TARGET DEVICE NOT REACHABLE, nothing copied: d_b's target port group
    in standby or unavailable (ALUA), then active again."""
    write(rig.fd["a"], 0, os.urandom(64 * BS))
    before_b = image(rig, "b", 0, 64)
    plist = xcopy_list([cscd(rig.naa["a"]), cscd(rig.naa["b"])], [seg(0, 1, 64, 0, 0)])
    tg = "device_groups/dgx/target_groups/tg1"
    rig.tree.do("device_groups/mgmt", "create dgx")
    rig.tree.do("device_groups/dgx/devices/mgmt", "add d_b")
    rig.tree.do("device_groups/dgx/target_groups/mgmt", "create tg1")
    rig.tree.do(tg + "/group_id", "1")
    rig.tree.do(tg + "/mgmt", "add t_x")
    for state in ("standby", "unavailable"):
        rig.tree.do(tg + "/state", state)
        st, sense = xcopy(rig.fd["a"], plist)
        assert st == 2 and key_asc(sense) == (0xa, 0x0d, 0x02), (state, st, sense.hex())
        assert image(rig, "b", 0, 64) == before_b, state
    rig.tree.do(tg + "/state", "nonoptimized")
    st, sense = xcopy(rig.fd["a"], plist)
    assert st == 0, sense.hex()
    assert image(rig, "b", 0, 64) == image(rig, "a", 0, 64)


class SlowLun:
    """LUN 0 of target t_slow, session ini_slow: a blockio device on a
    memory-backed null_blk that completes each I/O after 5 ms."""

    def __init__(self, rig, dev):
        self.dev = dev
        rig.tree.add_device("vdisk_blockio", "d_slow", "filename=%s" % dev)
        rig.tree.add_target("scst_local", "t_slow")
        rig.tree.add_lun("t_slow", "d_slow", 0)
        self.sg = sg_of(rig.tree.add_session("t_slow", "ini_slow"), 0)
        self.fd = os.open(self.sg, os.O_RDWR)
        self.naa = naa_of(self.fd)
        self.res = {}
        self.thread = None

    def start(self, list_id):
        """In a thread of its own (its result in res["copy"]): a copy
        under @list_id of 16 segments, segment i copying the first 4 MiB
        (LBA 0, 8192 blocks) to the (i + 1)th 4 MiB."""
        plist = xcopy_list([cscd(self.naa)], [seg(0, 0, 8192, 0, 8192 * (i + 1))
                                              for i in range(16)], list_id=list_id)

        def run():
            try:
                self.res["copy"] = xcopy(self.fd, plist, timeout_ms=600000)
            except Exception as e:         # reported by the main thread
                self.res["error"] = e
        self.thread = threading.Thread(target=run)
        self.thread.start()

    def running(self, list_id):
        """COPY STATUS of @list_id says "in progress"."""
        def check():
            st, _, d = rcr(self.fd, 0, list_id=list_id)
            return st == 0 and d[4] == 0x00
        return strixtest.udev_settle(check, timeout=20)

    def blocks(self, lba, n):
        """@n blocks at @lba as the null_blk holds them (no page cache)."""
        sh("blockdev --flushbufs %s" % self.dev)
        with open(self.dev, "rb") as f:
            f.seek(lba * BS)
            return f.read(n * BS)

    def join(self):
        self.thread.join(timeout=700)
        assert not self.thread.is_alive(), "the copy never ended"

    def close(self):
        if self.thread:
            self.thread.join(timeout=700)
        os.close(self.fd)


@pytest.fixture
def slow(slow_null_blk, rig):
    lun = SlowLun(rig, slow_null_blk)
    yield lun
    lun.close()


def test_same_list_id_while_running(slow):
    """A second copy naming the list identifier of one still running on the
    same nexus is OPERATION IN PROGRESS; one with another identifier runs.
    The first copy (16 segments of 4 MiB within one LUN on a null_blk
    that completes each I/O after 5 ms: over 5 s on 6.1) outlasts the
    second's arrival by seconds."""
    slow.start(7)
    assert slow.running(7), "the first copy never ran"
    small = [cscd(slow.naa)], [seg(0, 0, 8, 0, 8)]
    st, sense = xcopy(slow.fd, xcopy_list(*small, list_id=7))
    assert st == 2 and key_asc(sense) == (0x5, 0x00, 0x16), (st, sense.hex())
    assert slow.thread.is_alive(), "the first copy ended before the check: too fast"
    st, sense = xcopy(slow.fd, xcopy_list(*small, list_id=8))
    assert st == 0, sense.hex()
    slow.join()
    assert "error" not in slow.res, "the first copy: %r" % slow.res.get("error")
    st, sense = slow.res["copy"]
    assert st == 0, sense.hex()


def test_lun_reset_stops_a_running_copy(slow):
    """A LUN RESET (sg_reset -d) while a copy runs aborts it between two
    chunks: the copy does not end GOOD, the last segments' destination is
    still zeroes, and the LUN copies again afterwards."""
    pattern = os.urandom(1 << 20)
    for i in range(4):                         # 4 MiB of source at LBA 0
        write(slow.fd, i * 2048, pattern)
    slow.start(9)
    assert slow.running(9), "the copy never ran"
    sh("sg_reset -d %s" % slow.sg)
    slow.join()
    if "error" in slow.res:
        # Linux ends a command the reset caught with DID_RESET (host 8)
        assert "host 8 " in str(slow.res["error"]), slow.res["error"]
    else:
        st, sense = slow.res["copy"]
        assert st != 0, "the copy ended GOOD after the LUN reset"
    # the unit attention of the reset first, then the LUN answers
    sh("sg_turs %s" % slow.sg, check=False)
    sh("sg_turs %s" % slow.sg)
    assert slow.blocks(16 * 8192, 8192) == bytes(8192 * BS), "the last segment was copied"
    st, sense = xcopy(slow.fd, xcopy_list([cscd(slow.naa)], [seg(0, 0, 2048, 0, 200000)],
                                          list_id=9))
    assert st == 0, sense.hex()
    assert slow.blocks(200000, 2048) == pattern


def test_refusals_and_failed_segment(rig):
    before = image(rig, "r", 0, 16)
    write(rig.fd["a"], 0, os.urandom(16 * BS))
    # a read-only LUN as the destination: DATA PROTECT, WRITE PROTECTED
    st, sense = xcopy(rig.fd["a"], xcopy_list([cscd(rig.naa["a"]), cscd(rig.naa["ro"])],
                                              [seg(0, 1, 16, 0, 0)]))
    assert st == 2 and key_asc(sense) == (0x7, 0x27, 0x00), sense.hex()
    assert image(rig, "r", 0, 16) == before
    # ... and as the source it is fine
    st, sense = xcopy(rig.fd["a"], xcopy_list([cscd(rig.naa["ro"]), cscd(rig.naa["b"])],
                                              [seg(0, 1, 16, 0, 0)]))
    assert st == 0, sense.hex()
    # segment 2 past the end of the destination: COPY ABORTED (00/00, see
    # sense.c), COMMAND-SPECIFIC INFORMATION 2, and nothing copied
    nblocks = SIZE // BS
    before_b = image(rig, "b", 100, 16)
    st, sense = xcopy(rig.fd["a"], xcopy_list([cscd(rig.naa["a"]), cscd(rig.naa["b"])],
                                              [seg(0, 1, 16, 0, 100), seg(0, 1, 16, 0, 200),
                                               seg(0, 1, 16, 0, nblocks - 8)], list_id=3))
    assert st == 2 and key_asc(sense) == (0x0a, 0x00, 0x00), sense.hex()
    assert segment_of(sense) == 2, sense.hex()
    assert image(rig, "b", 100, 16) == before_b
    # FAILED SEGMENT DETAILS of list 3: CHECK CONDITION and that sense
    st, s2, d = rcr(rig.fd["a"], 0x04, 3)
    assert st == 0, s2.hex()
    slen = struct.unpack(">H", d[58:60])[0]
    assert struct.unpack(">I", d[0:4])[0] == 56 + slen
    assert d[56] == 2
    assert key_asc(d[60:60 + slen]) == (0x0a, 0x00, 0x00)
    assert segment_of(d[60:60 + slen]) == 2
    # a block size the LUN does not have: INVALID FIELD IN PARAMETER LIST
    st, sense = xcopy(rig.fd["a"], xcopy_list([cscd(rig.naa["a"], 4096)],
                                              [seg(0, 0, 1, 0, 8)]))
    assert st == 2 and key_asc(sense) == (0x5, 0x26, 0x00), sense.hex()
    # no list identifier: no status held
    st, sense = xcopy(rig.fd["a"], xcopy_list([cscd(rig.naa["a"])], [seg(0, 0, 1, 0, 8)],
                                              list_id=0, usage=3))
    assert st == 0, sense.hex()
    st, sense, _ = rcr(rig.fd["a"], 0x00, 0)
    assert st == 2 and key_asc(sense) == (0x5, 0x24, 0x00)


def test_operating_parameters_and_vpd(rig):
    st, sense, d = rcr(rig.fd["a"], 0x03)
    assert st == 0, sense.hex()
    assert struct.unpack(">HH", d[8:12]) == (8, 16)
    assert struct.unpack(">I", d[12:16])[0] == 8 * 32 + 16 * 28
    assert d[43] == 2 and set(d[44:46]) == {0x02, 0xE4}
    st, sense, d = sg_io(rig.fd["a"], bytes([0x12, 1, 0x00, 0, 255, 0]), data_in_len=255)
    assert st == 0 and 0x8F in d[4:4 + d[3]]
    st, sense, d = sg_io(rig.fd["a"], bytes([0x12, 0, 0, 0, 96, 0]), data_in_len=96)
    assert d[5] & 0x08                          # 3PC
    out = sh("sg_vpd -p tpc %s" % rig.sg_a).stdout
    assert "xtended" in out or "EXTENDED" in out, out


def test_sg_xcopy(rig, tmp_path):
    """sg_xcopy between the two LUNs, then within LUN 1."""
    data = os.urandom(2048 * BS)
    write(rig.fd["a"], 0, data)
    res = sh("sg_xcopy -v if=%s of=%s bs=512 count=2048 skip=0 seek=4096" % (rig.sg_a, rig.sg_b),
             check=False)
    assert res.returncode == 0, res.stdout
    assert image(rig, "b", 4096, 2048) == data
    res = sh("sg_xcopy -v if=%s of=%s bs=512 count=2048 skip=4096 seek=10000" % (
        rig.sg_b, rig.sg_b), check=False)
    assert res.returncode == 0, res.stdout
    assert image(rig, "b", 10000, 2048) == data
