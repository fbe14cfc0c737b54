"""Thin provisioning through the local driver (core/thin.c, the vdisk
handlers' unmap/write_same/lba_status): libiscsi's WriteSame10, WriteSame16,
Unmap and GetLBAStatus suites on a thin fileio LUN (blockio and nullio:
make check-full), sg3_utils' sg_unmap, sg_write_same and sg_get_lba_status
against the backing file's holes and allocated size, malformed UNMAP
parameter lists that must change nothing, and fstrim on an ext4 made on
the LUN.

The backing files live in the guest's /tmp (tmpfs), which punches holes
and answers SEEK_DATA/SEEK_HOLE in pages of 4 KiB: 8 blocks of 512 bytes,
the optimal unmap granularity the LUN reports.  The LUNs have fewer than
65536 blocks: libiscsi's WriteSame16 otherwise writes and reads 65536
blocks in one command, more than a /dev/sg path takes.
"""
import os
import re
import subprocess

import pytest

import strixtest
from strixtest import sh

from libiscsi_cu import (LATER, NOT_READ_ONLY, NOT_REMOVABLE, ONE_LB_PER_PB, THIN_SUITES,
                         check_suite)

BS = 512
SIZE = 31 << 20
BLOCKS = SIZE // BS
ALLOWED = LATER + NOT_REMOVABLE + NOT_READ_ONLY + ONE_LB_PER_PB  # no "fully provisioned"

LUNS = {                 # name: (LUN, handler, params)
    "fileio": (0, "vdisk_fileio", "filename={img}; thin_provisioned=1"),
    "blockio": (1, "vdisk_blockio", "filename={loop}; thin_provisioned=1"),
    "nullio": (2, "vdisk_nullio", "size_mb=31; thin_provisioned=1"),
}


def sysfs_dir(host, lun, what):
    base = "/sys/class/scsi_host/host%d/device/target%d:0:0/%d:0:0:%d/%s" % (
        host, host, host, lun, what)
    if not os.path.isdir(base):
        return None
    names = os.listdir(base)
    return "/dev/" + names[0] if names else None


@pytest.fixture(scope="module")
def thin(tmp_path_factory):
    """A local session with a thin LUN per handler: {name: (sg, sd)}, and
    "img": the fileio LUN's backing file."""
    tree = strixtest.load_local_stack()
    d = tmp_path_factory.mktemp("thin")
    img, limg = d / "thin.img", d / "loop.img"
    sh("truncate -s %d %s %s" % (SIZE, img, limg))
    # blockio on a loop device over a tmpfs file: it takes discards
    sh("modprobe loop")
    loop = sh("losetup -f --show %s" % limg).stdout.strip()
    tree.add_target("scst_local", "t1")
    for name, (lun, handler, params) in LUNS.items():
        tree.add_device(handler, "d_" + name, params.format(img=img, loop=loop))
        tree.add_lun("t1", "d_" + name, lun)
    host = tree.add_session("t1", "iqn.2026-12.test:thin")

    def found():
        out = {}
        for name, (lun, *_) in LUNS.items():
            sg, sd = sysfs_dir(host, lun, "scsi_generic"), sysfs_dir(host, lun, "block")
            if not sg or not sd or not os.path.exists(sd):
                return None
            out[name] = (sg, sd)
        return out
    devs = strixtest.udev_settle(found)
    assert devs, "not every thin LUN got its /dev/sg and /dev/sd nodes"
    devs["img"] = str(img)
    devs["loop"] = loop
    devs["tree"] = tree
    yield devs
    strixtest.unload_local_stack(tree)
    sh("losetup -d %s" % loop)


# ---- data helpers: O_DIRECT through the initiator, the file directly ----

def dev_write(dev, lba, data):
    tmp = "/tmp/thin-pattern.bin"
    with open(tmp, "wb") as f:
        f.write(data)
    sh("dd if=%s of=%s bs=%d seek=%d oflag=direct conv=notrunc,fsync status=none"
       % (tmp, dev, BS, lba))


def dev_read(dev, lba, blocks):
    res = subprocess.run(["dd", "if=" + dev, "bs=%d" % BS, "skip=%d" % lba,
                          "count=%d" % blocks, "iflag=direct", "status=none"],
                         stdout=subprocess.PIPE, check=True)
    assert len(res.stdout) == blocks * BS
    return res.stdout


def file_read(path, lba, blocks):
    with open(path, "rb") as f:
        f.seek(lba * BS)
        return f.read(blocks * BS)


def allocated(path):
    """Bytes the backing file occupies."""
    return os.stat(path).st_blocks * 512


def pattern(blocks, seed):
    return bytes((seed + i * 7 + (i // BS)) % 251 + 1 for i in range(blocks * BS))


def lba_status(sg, lba=0, maxlen=24 + 16 * 15):
    """[(lba, blocks, status)] from sg_get_lba_status --brief; status 0
    mapped, 1 deallocated."""
    out = sh("sg_get_lba_status --brief --lba=%d --maxlen=%d %s" % (lba, maxlen, sg)).stdout
    descs = []
    for line in out.splitlines():
        m = re.match(r"\s*(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(\d+)", line)
        if m:
            descs.append((int(m.group(1), 16), int(m.group(2), 16), int(m.group(3))))
    assert descs, out
    return descs


def status_at(sg, lba):
    first = lba_status(sg, lba)[0]
    assert first[0] == lba, first
    return first


def sense_of(cmd):
    """Run a sg3_utils command expected to fail; its output."""
    res = sh(cmd, check=False)
    assert res.returncode != 0, "succeeded but should have failed: " + cmd
    return res.stdout


# ---- libiscsi -----------------------------------------------------------

# every make check on both kernels (about 90 s on the debug kernel)
@pytest.mark.parametrize("suite", THIN_SUITES)
def test_libiscsi_fileio(thin, suite):
    if not os.path.exists("/usr/bin/iscsi-test-cu"):
        pytest.skip("libiscsi-bin (iscsi-test-cu) is not installed: run scripts/setup.sh")
    check_suite(thin["fileio"][0], suite, ALLOWED)


@pytest.mark.heavy
@pytest.mark.full
@pytest.mark.parametrize("suite", THIN_SUITES)
def test_libiscsi_blockio(thin, suite):
    if not os.path.exists("/usr/bin/iscsi-test-cu"):
        pytest.skip("libiscsi-bin (iscsi-test-cu) is not installed: run scripts/setup.sh")
    check_suite(thin["blockio"][0], suite, ALLOWED)


# nullio keeps no data: not the WriteSame suites, which read back
@pytest.mark.heavy
@pytest.mark.full
@pytest.mark.parametrize("suite", ["Unmap", "GetLBAStatus"])
def test_libiscsi_nullio(thin, suite):
    if not os.path.exists("/usr/bin/iscsi-test-cu"):
        pytest.skip("libiscsi-bin (iscsi-test-cu) is not installed: run scripts/setup.sh")
    check_suite(thin["nullio"][0], suite, ALLOWED)


# ---- sg3_utils against the backing file ---------------------------------

def test_pages(thin):
    sg = thin["fileio"][0]
    lbp = sh("sg_vpd -p 0xb2 " + sg).stdout
    for bit in ("LBPU", "LBPWS", "LBPWS10", "LBPRZ"):
        assert re.search(r"\(%s\): 1" % bit, lbp), lbp
    assert re.search(r"Provisioning type: 2", lbp), lbp
    bl = sh("sg_vpd -p 0xb0 " + sg).stdout
    assert re.search(r"Optimal unmap granularity: 8 blocks", bl), bl
    assert re.search(r"Unmap granularity alignment valid: (true|1)", bl), bl
    cap = sh("sg_readcap -l " + sg).stdout
    assert "lbpme=1" in cap and "lbprz=1" in cap, cap
    # blockio: a device that discards promises no zeroes; else it zeroes
    loop = os.path.basename(thin["loop"])
    discards = int(open("/sys/block/%s/queue/discard_max_bytes" % loop).read()) > 0
    lbp = sh("sg_vpd -p 0xb2 " + thin["blockio"][0]).stdout
    assert re.search(r"\(LBPU\): 1", lbp), lbp
    assert re.search(r"\(LBPRZ\): %d" % (0 if discards else 1), lbp), lbp


def test_unmap_frees_and_reads_zeroes(thin):
    sg, sd = thin["fileio"]
    img = thin["img"]
    data = pattern(2048, 3)                     # 1 MiB at LBA 4096
    dev_write(sd, 4096, data)
    before = allocated(img)
    assert before >= len(data)
    assert status_at(sg, 4096)[2] == 0          # mapped

    sh("sg_unmap --lba=4608 --num=1024 " + sg)  # the middle 512 KiB
    after = allocated(img)
    assert before - after == 1024 * BS, (before, after)
    # the hole, and the data on both sides of it, as initiator and file see them
    assert dev_read(sd, 4608, 1024) == bytes(1024 * BS)
    assert file_read(img, 4608, 1024) == bytes(1024 * BS)
    assert dev_read(sd, 4096, 512) == data[:512 * BS]
    assert dev_read(sd, 5632, 512) == data[1536 * BS:]
    # GET LBA STATUS: mapped up to the hole, deallocated over it, mapped after
    descs = lba_status(sg, 4096)
    assert descs[0] == (4096, 512, 0), descs
    assert descs[1] == (4608, 1024, 1), descs
    assert descs[2][0] == 5632 and descs[2][2] == 0, descs


def test_write_same_unmap(thin):
    sg, sd = thin["fileio"]
    img = thin["img"]
    data = pattern(1024, 5)
    dev_write(sd, 16384, data)
    before = allocated(img)
    zero = "/tmp/thin-zero.bin"
    with open(zero, "wb") as f:
        f.write(bytes(BS))
    sh("sg_write_same --16 --unmap --in=%s --lba=16384 --num=512 %s" % (zero, sg))
    assert before - allocated(img) == 512 * BS
    assert status_at(sg, 16384)[:3] == (16384, 512, 1)
    assert dev_read(sd, 16384, 512) == bytes(512 * BS)
    assert dev_read(sd, 16896, 512) == data[512 * BS:]
    # WRITE SAME(10) with UNMAP and NDOB (16 only: no data out) do the same
    dev_write(sd, 16384, data)
    sh("sg_write_same --10 --unmap --in=%s --lba=16384 --num=256 %s" % (zero, sg))
    assert status_at(sg, 16384)[:3] == (16384, 256, 1)
    sh("sg_write_same --16 --unmap --ndob --lba=16640 --num=256 %s" % sg)
    assert status_at(sg, 16384)[:3] == (16384, 512, 1)
    assert dev_read(sd, 16384, 1024) == bytes(512 * BS) + data[512 * BS:]


def test_write_same_pattern(thin):
    sg, sd = thin["fileio"]
    img = thin["img"]
    block = pattern(1, 11)
    src = "/tmp/thin-block.bin"
    with open(src, "wb") as f:
        f.write(block)
    around = pattern(3000, 13)
    dev_write(sd, 30000, around)                  # neighbours to keep
    # a non-zero block over 2100 blocks: more than one of the handler's
    # chunks (256 pages), stays mapped
    sh("sg_write_same --16 --in=%s --lba=30100 --num=2100 %s" % (src, sg))
    assert dev_read(sd, 30100, 2100) == block * 2100
    assert file_read(img, 30100, 2100) == block * 2100
    assert dev_read(sd, 30000, 100) == around[:100 * BS]
    assert dev_read(sd, 32200, 800) == around[2200 * BS:]
    assert status_at(sg, 30100)[2] == 0
    # WRITE SAME(10) too, zeroes without UNMAP: written, still mapped
    zero = "/tmp/thin-zero.bin"
    with open(zero, "wb") as f:
        f.write(bytes(BS))
    sh("sg_write_same --10 --in=%s --lba=30100 --num=64 %s" % (zero, sg))
    assert dev_read(sd, 30100, 64) == bytes(64 * BS)
    assert status_at(sg, 30100)[2] == 0
    assert dev_read(sd, 30164, 1) == block
    # with UNMAP the blocks are released whatever the block holds (LBPRZ:
    # they read back as zeroes), as libiscsi's WriteSame tests expect
    before = allocated(img)
    sh("sg_write_same --16 --unmap --in=%s --lba=30104 --num=1024 %s" % (src, sg))
    assert before - allocated(img) == 1024 * BS
    assert status_at(sg, 30104) == (30104, 1024, 1)
    assert dev_read(sd, 30104, 1024) == bytes(1024 * BS)
    assert dev_read(sd, 31128, 1) == block


def unmap_raw(sg, params, param_len=None):
    """UNMAP with a parameter list given as bytes; sg_raw's output."""
    path = "/tmp/thin-unmap.bin"
    with open(path, "wb") as f:
        f.write(params)
    n = len(params) if param_len is None else param_len
    if not n:
        return sh("sg_raw -v %s 42 00 00 00 00 00 00 00 00 00" % sg, check=False)
    return sh("sg_raw -v -s %d -i %s %s 42 00 00 00 00 00 00 %02x %02x 00"
              % (n, path, sg, n >> 8, n & 0xff), check=False)


def unmap_list(descs, data_len=None, bd_len=None):
    body = b"".join(lba.to_bytes(8, "big") + n.to_bytes(4, "big") + bytes(4)
                    for lba, n in descs)
    bd = len(body) if bd_len is None else bd_len
    dl = 6 + len(body) if data_len is None else data_len
    return dl.to_bytes(2, "big") + bd.to_bytes(2, "big") + bytes(4) + body


BAD_LISTS = {   # name: (parameter list, sense text sg_raw prints)
    "short": (bytes(5), "Parameter list length error"),
    "bd-past-list": (unmap_list([(40960, 8)], bd_len=32), "Invalid field in parameter list"),
    "data-len-short": (unmap_list([(40960, 8)], data_len=6), "Invalid field in parameter list"),
    "lba-out": (unmap_list([(40960, 8), (BLOCKS - 4, 8)]), "Logical block address out of range"),
    # MAXIMUM UNMAP LBA COUNT is 1 GiB of blocks: the whole LUN over and over
    "too-many-blocks": (unmap_list([(40960, 8)] + [(0, BLOCKS)] * ((1 << 21) // BLOCKS + 1)),
                        "Invalid field in parameter list"),
    "too-many-descs": (unmap_list([(40960, 1)] * 257), "Invalid field in parameter list"),
}


@pytest.mark.parametrize("name", sorted(BAD_LISTS))
def test_bad_unmap_lists_change_nothing(thin, name):
    sg, sd = thin["fileio"]
    img = thin["img"]
    data = pattern(64, 17)
    dev_write(sd, 40960, data)
    before = allocated(img)
    params, sense = BAD_LISTS[name]
    res = unmap_raw(sg, params)
    assert res.returncode != 0 and sense.lower() in res.stdout.lower(), res.stdout
    assert allocated(img) == before
    assert dev_read(sd, 40960, 64) == data
    assert status_at(sg, 40960)[2] == 0


def test_unmap_cdb_checks(thin):
    sg = thin["fileio"][0]
    # ANCHOR: no anchored state (ANC_SUP 0)
    out = sh("sg_raw -v %s 42 01 00 00 00 00 00 00 00 00" % sg, check=False).stdout
    assert "invalid field in cdb" in out.lower(), out
    out = sense_of("sg_write_same -v --16 --unmap --anchor --ndob --lba=0 --num=8 " + sg)
    assert "invalid field in cdb" in out.lower(), out
    out = sense_of("sg_write_same -v --16 --ndob --lba=%d --num=1 %s" % (BLOCKS, sg))
    assert "out of range" in out.lower(), out
    out = sense_of("sg_get_lba_status -v --lba=%d %s" % (BLOCKS, sg))
    assert "out of range" in out.lower(), out
    # an empty list is no error and nothing is unmapped
    assert unmap_raw(sg, b"").returncode == 0


def test_write_same_to_the_end(thin):
    # NUMBER OF LOGICAL BLOCKS 0 (WSNZ 0): from the LBA to the end
    sg, sd = thin["fileio"]
    data = pattern(64, 19)
    dev_write(sd, BLOCKS - 64, data)
    sh("sg_write_same --16 --unmap --ndob --lba=%d --num=0 %s" % (BLOCKS - 16, sg))
    assert dev_read(sd, BLOCKS - 64, 64) == data[:48 * BS] + bytes(16 * BS)
    assert status_at(sg, BLOCKS - 16) == (BLOCKS - 16, 16, 1)


def test_read_only_lun_refuses(thin):
    tree = thin["tree"]
    tree.add_target("scst_local", "t_ro")
    tree.add_lun("t_ro", "d_fileio", 0, params="read_only=1")
    host = tree.add_session("t_ro", "iqn.2026-12.test:thin-ro")
    sg = strixtest.udev_settle(lambda: sysfs_dir(host, 0, "scsi_generic"))
    assert sg
    before = allocated(thin["img"])
    out = sense_of("sg_unmap --lba=0 --num=8 " + sg)
    assert "protect" in out.lower(), out
    out = sense_of("sg_write_same --16 --unmap --ndob --lba=0 --num=8 " + sg)
    assert "protect" in out.lower(), out
    assert allocated(thin["img"]) == before


def test_opcodes_per_device(thin):
    """sg_opcodes: the thin LUN lists UNMAP; a fully provisioned one does
    not (it answers INVALID OPERATION CODE to it) and calls it not
    supported when asked for that command.  Both list GET LBA STATUS (on
    the thick one every block is mapped)."""
    tree = thin["tree"]
    tree.add_device("vdisk_nullio", "d_thick", "size_mb=1")
    tree.add_target("scst_local", "t_thick")
    tree.add_lun("t_thick", "d_thick", 0)
    host = tree.add_session("t_thick", "iqn.2026-12.test:thick")
    thick = strixtest.udev_settle(lambda: sysfs_dir(host, 0, "scsi_generic"))
    assert thick
    unmap = re.compile(r"^\s*42\s.*unmap", re.M | re.I)
    lba_status = re.compile(r"^\s*9e\s+12\s.*lba status", re.M | re.I)
    rc16 = re.compile(r"^\s*9e\s+10\s.*capacity", re.M | re.I)
    listed = sh("sg_opcodes " + thin["fileio"][0]).stdout
    assert unmap.search(listed) and lba_status.search(listed) and rc16.search(listed), listed
    listed = sh("sg_opcodes " + thick).stdout
    assert rc16.search(listed) and lba_status.search(listed), listed
    assert not unmap.search(listed), listed
    one = sh("sg_opcodes --opcode=0x42 " + thick, check=False).stdout
    assert re.search(r"not supported", one, re.I), one
    one = sh("sg_opcodes --opcode=0x42 " + thin["fileio"][0]).stdout
    assert not re.search(r"not supported", one, re.I), one


def test_fstrim_ext4(thin, tmp_path):
    sg, sd = thin["fileio"]
    img = thin["img"]
    name = os.path.basename(sd)
    assert int(open("/sys/block/%s/queue/discard_max_bytes" % name).read()) > 0
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    sh("mkfs.ext4 -q -F -E nodiscard %s" % sd)
    sh("mount -o nodiscard %s %s" % (sd, mnt))
    try:
        sh("dd if=/dev/urandom of=%s/big bs=1M count=12 status=none conv=fsync" % mnt)
        full = allocated(img)
        os.unlink(mnt / "big")
        sh("sync")
        sh("fstrim -v %s" % mnt)
        trimmed = allocated(img)
        assert full - trimmed >= 10 << 20, (full, trimmed)
    finally:
        sh("umount %s" % mnt)
