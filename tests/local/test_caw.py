"""COMPARE AND WRITE through the local driver on a fileio LUN:
sg_compare_and_write (match, miscompare with the offset of the first
differing byte), and COMPARE AND WRITE loops racing WRITEs to the same
blocks, checked for the atomicity the range lock (core/range.c) gives.

The concurrency test runs for a bounded time with SG_IO from Python
threads (ioctl releases the GIL):
  - block C holds a counter (8 bytes repeated): CAW threads increment it
    with COMPARE AND WRITE of blocks C and C+1 (writing C+1 back as they
    read it).  Every successful CAW adds exactly one: the final counter
    equals the number of successes (CAW against CAW).
  - a writer WRITEs blocks C+1 and C+2 with ever-increasing tokens.  A
    CAW that compared C+1 and then wrote it back after a WRITE had
    landed in between would bring an older token back; so no read of
    C+1 may ever see a token older than the last WRITE that completed
    before the read was issued (CAW against WRITE).
  - every block is whole when nothing writes it (the end): one 8-byte
    value repeated.  A READ racing a WRITE of the same block may see part
    of each (SBC orders neither before the other; the range lock holds
    writes, not reads): such a read only makes that CAW loop try again.
"""
import ctypes
import fcntl
import os
import struct
import threading
import time

import pytest

import strixtest
from strixtest import sh

BS = 512
SG_IO = 0x2285


class SgIoHdr(ctypes.Structure):
    _fields_ = [("interface_id", ctypes.c_int), ("dxfer_direction", ctypes.c_int),
                ("cmd_len", ctypes.c_ubyte), ("mx_sb_len", ctypes.c_ubyte),
                ("iovec_count", ctypes.c_ushort), ("dxfer_len", ctypes.c_uint),
                ("dxferp", ctypes.c_void_p), ("cmdp", ctypes.c_void_p),
                ("sbp", ctypes.c_void_p), ("timeout", ctypes.c_uint),
                ("flags", ctypes.c_uint), ("pack_id", ctypes.c_int),
                ("usr_ptr", ctypes.c_void_p), ("status", ctypes.c_ubyte),
                ("masked_status", ctypes.c_ubyte), ("msg_status", ctypes.c_ubyte),
                ("sb_len_wr", ctypes.c_ubyte), ("host_status", ctypes.c_ushort),
                ("driver_status", ctypes.c_ushort), ("resid", ctypes.c_int),
                ("duration", ctypes.c_uint), ("info", ctypes.c_uint)]


def sg_io(fd, cdb, data_out=None, data_in_len=0, timeout_ms=30000):
    """One command; returns (status, sense bytes, data in)."""
    cdb_buf = ctypes.create_string_buffer(bytes(cdb), len(cdb))
    sense = ctypes.create_string_buffer(64)
    h = SgIoHdr(interface_id=ord("S"), cmd_len=len(cdb), mx_sb_len=64,
                cmdp=ctypes.addressof(cdb_buf), sbp=ctypes.addressof(sense),
                timeout=timeout_ms)
    if data_out is not None:
        buf = ctypes.create_string_buffer(bytes(data_out), len(data_out))
        h.dxfer_direction, h.dxfer_len = -2, len(data_out)
    elif data_in_len:
        buf = ctypes.create_string_buffer(data_in_len)
        h.dxfer_direction, h.dxfer_len = -3, data_in_len
    else:
        buf = None
        h.dxfer_direction = -1
    if buf is not None:
        h.dxferp = ctypes.addressof(buf)
    fcntl.ioctl(fd, SG_IO, h)
    assert h.host_status == 0 and (h.driver_status & ~0x08) == 0, (
        "transport error host %d driver %d" % (h.host_status, h.driver_status))
    return h.status, sense.raw[:h.sb_len_wr], (buf.raw[:data_in_len] if data_in_len else b"")


def read_blocks(fd, lba, n):
    st, sense, data = sg_io(fd, struct.pack(">BBIBHB", 0x28, 0, lba, 0, n, 0),
                            data_in_len=n * BS)
    assert st == 0, "READ failed: %s" % sense.hex()
    return data


def write_blocks(fd, lba, data):
    st, sense, _ = sg_io(fd, struct.pack(">BBIBHB", 0x2a, 0, lba, 0, len(data) // BS, 0),
                         data_out=data)
    assert st == 0, "WRITE failed: %s" % sense.hex()


def caw(fd, lba, compare, write):
    """COMPARE AND WRITE; returns (status, sense)."""
    n = len(compare) // BS
    cdb = struct.pack(">BBQ3sBBB", 0x89, 0, lba, b"\0\0\0", n, 0, 0)
    st, sense, _ = sg_io(fd, cdb, data_out=compare + write)
    return st, sense


def token(v):
    return struct.pack(">Q", v) * (BS // 8)


def value(block):
    """The 8-byte value a whole block repeats; None for a torn block."""
    if block != block[:8] * (BS // 8):
        return None
    return struct.unpack(">Q", block[:8])[0]


@pytest.fixture
def lun(tmp_path):
    tree = strixtest.load_local_stack()
    img = tmp_path / "caw.img"
    sh("truncate -s 16M %s" % img)
    tree.add_device("vdisk_fileio", "d_caw", "filename=%s" % img)
    tree.add_target("scst_local", "t_caw")
    tree.add_lun("t_caw", "d_caw", 0)
    dev = strixtest.session_disk(tree, "t_caw", "iqn.2026-12.test:caw")
    name = os.path.basename(dev)
    sgdir = "/sys/block/%s/device/scsi_generic" % name
    assert strixtest.udev_settle(lambda: os.path.isdir(sgdir) and os.listdir(sgdir))
    sg = "/dev/" + os.listdir(sgdir)[0]
    assert strixtest.udev_settle(lambda: os.path.exists(sg))
    yield dev, sg, img
    strixtest.unload_local_stack(tree)


def test_sg_compare_and_write(lun, tmp_path):
    dev, sg, img = lun
    old, new = os.urandom(BS), os.urandom(BS)
    fd = os.open(sg, os.O_RDWR)
    try:
        write_blocks(fd, 10, old)
    finally:
        os.close(fd)
    good = tmp_path / "good.bin"
    good.write_bytes(old + new)
    res = sh("sg_compare_and_write --in=%s --lba=10 --num=1 %s" % (good, sg), check=False)
    assert res.returncode == 0, res.stdout
    with open(img, "rb") as f:
        f.seek(10 * BS)
        assert f.read(BS) == new

    # the medium now holds new: compare with old (first difference known)
    bad_cmp = bytearray(new)
    bad_cmp[77] ^= 0xff
    bad = tmp_path / "bad.bin"
    bad.write_bytes(bytes(bad_cmp) + old)
    res = sh("sg_compare_and_write -v --in=%s --lba=10 --num=1 %s" % (bad, sg), check=False)
    out = res.stdout
    assert res.returncode == 14, out          # sg3_utils: SG_LIB_CAT_MISCOMPARE
    assert "iscompare" in out, out
    assert "77" in out, "no offset 77 in: %s" % out
    with open(img, "rb") as f:
        f.seek(10 * BS)
        assert f.read(BS) == new               # nothing written

    # and the sense itself: MISCOMPARE, 1D/00, INFORMATION 77 (VALID)
    fd = os.open(sg, os.O_RDWR)
    try:
        st, sense = caw(fd, 10, bytes(bad_cmp), old)
    finally:
        os.close(fd)
    assert st == 2
    if sense[0] & 0x7f == 0x72:
        assert (sense[1] & 0xf, sense[2], sense[3]) == (0xe, 0x1d, 0)
        assert sense[8:11] == b"\x00\x0a\x80"
        assert struct.unpack(">Q", sense[12:20])[0] == 77
    else:
        assert (sense[2] & 0xf, sense[12], sense[13]) == (0xe, 0x1d, 0)
        assert sense[0] & 0x80
        assert struct.unpack(">I", sense[3:7])[0] == 77


def test_caw_races_writes(lun):
    dev, sg, img = lun
    C = 200                       # counter block; C+1 shared with the writer
    duration = 12.0
    fd0 = os.open(sg, os.O_RDWR)
    write_blocks(fd0, C, token(0) + token(0) + token(0))
    os.close(fd0)

    lock = threading.Lock()
    state = {"written": 0, "successes": 0, "miscompares": 0, "torn_reads": 0,
             "errors": []}
    stop = time.time() + duration

    def writer():
        fd = os.open(sg, os.O_RDWR)
        try:
            i = 0
            while time.time() < stop:
                i += 1
                write_blocks(fd, C + 1, token(i) + token(i))
                with lock:
                    state["written"] = i
        except Exception as e:    # noqa: BLE001 - reported by the test
            state["errors"].append("writer: %r" % e)
        finally:
            os.close(fd)

    def cawer():
        fd = os.open(sg, os.O_RDWR)
        try:
            while time.time() < stop:
                with lock:
                    floor = state["written"]
                cur = read_blocks(fd, C, 2)
                v, t = value(cur[:BS]), value(cur[BS:])
                if v is None or t is None:
                    with lock:
                        state["torn_reads"] += 1
                    continue
                if t < floor:
                    state["errors"].append("token went back: %d < %d" % (t, floor))
                    return
                st, sense = caw(fd, C, cur, token(v + 1) + cur[BS:])
                if st == 0:
                    with lock:
                        state["successes"] += 1
                elif st == 2 and sense[2] & 0xf == 0xe:
                    with lock:
                        state["miscompares"] += 1
                else:
                    state["errors"].append("CAW status %d sense %s" % (st, sense.hex()))
                    return
        except Exception as e:    # noqa: BLE001
            state["errors"].append("caw: %r" % e)
        finally:
            os.close(fd)

    threads = [threading.Thread(target=writer)] + [threading.Thread(target=cawer)
                                                   for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=duration + 60)
        assert not t.is_alive(), "a thread hangs: the range lock lost a waiter?"
    assert not state["errors"], state["errors"]
    fd = os.open(sg, os.O_RDWR)
    try:
        final = read_blocks(fd, C, 3)
    finally:
        os.close(fd)
    print("CAW successes %d, miscompares %d, torn reads %d, writes %d" % (
        state["successes"], state["miscompares"], state["torn_reads"], state["written"]))
    assert state["successes"] > 0 and state["written"] > 0
    assert value(final[:BS]) == state["successes"]
    assert value(final[BS:2 * BS]) == state["written"] == value(final[2 * BS:])
