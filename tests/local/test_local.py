"""Each handler exported through the local driver and used by the guest's
own SCSI stack: identification, capacity, mode pages, verified I/O."""
import os
import re
import stat

import pytest

import strixtest
from strixtest import sh, udev_settle


def export(stack, handler, params, name="d1", blocksize=None, lun=0, read_only=False):
    """Create a device, a target with it at `lun`, a session: the disk."""
    if blocksize:
        params = (params + "; blocksize=%d" % blocksize).lstrip("; ")
    stack.add_device(handler, name, params)
    stack.add_target("scst_local", "t1")
    stack.add_lun("t1", name, lun, params="read_only=1" if read_only else "")
    host = stack.add_session("t1", "ini1")
    disks = udev_settle(lambda: strixtest.scsi_disks_of_host(host))
    assert lun in disks, "no disk for LUN %d on host%d: %s" % (lun, host, disks)
    dev = disks[lun]
    assert udev_settle(lambda: os.path.exists(dev) and
                       stat.S_ISBLK(os.stat(dev).st_mode)), dev + " is no block device"
    return dev


def fio_verify(dev, bs, size="16M", extra=""):
    """Random writes with crc32c verification read back by fio itself."""
    sh("fio --name=verify --filename=%s --direct=1 --ioengine=libaio --iodepth=16 "
       "--rw=randwrite --bs=%s --size=%s --verify=crc32c --verify_fatal=1 "
       "--do_verify=1 --randrepeat=0 --verify_state_save=0 --allow_file_create=0 %s" % (dev, bs, size, extra))


def readcap(dev):
    out = sh("sg_readcap -l " + dev).stdout
    last = int(re.search(r"Last LBA=(\d+)", out).group(1))
    bs = int(re.search(r"Logical block length=(\d+)", out).group(1))
    return last + 1, bs


def test_nullio_identity_and_pages(stack):
    dev = export(stack, "vdisk_nullio", "size_mb=64")
    inq = sh("sg_inq " + dev).stdout
    assert re.search(r"Vendor identification: STRIX\s", inq)
    assert re.search(r"Product identification: d1\s", inq)
    serial = re.search(r"Unit serial number: (\S+)", inq).group(1)
    assert re.fullmatch(r"[0-9a-f]{16}", serial)
    assert readcap(dev) == (64 * 2048, 512)
    pages = sh("sg_vpd -p 0 " + dev).stdout
    for name in ("Unit serial number", "Device identification", "Block limits",
                 "Block device characteristics", "Logical block provisioning"):
        assert name in pages, "VPD page %s not listed" % name
    for code in ("0x00", "0x80", "0x83", "0xb0", "0xb1", "0xb2"):
        sh("sg_vpd -p %s %s" % (code, dev))
    ident = sh("sg_vpd -p 0x83 " + dev).stdout
    assert "NAA" in ident and "T10 vendor identification" in ident
    assert "EUI-64" in ident and "Relative target port" in ident
    modes = sh("sg_modes -p 0x3f " + dev).stdout
    assert "Caching" in modes and "Control" in modes


def test_nullio_identifiers_follow_setup_id(stack):
    dev = export(stack, "vdisk_nullio", "size_mb=8")
    first = sh("sg_vpd -p 0x80 " + dev).stdout
    stack.clear()
    stack.do("setup_id", "0x1234")
    try:
        dev = export(stack, "vdisk_nullio", "size_mb=8")
        second = sh("sg_vpd -p 0x80 " + dev).stdout
    finally:
        stack.clear()
        stack.do("setup_id", "0")
    assert first != second, "unit serial did not change with setup_id"


@pytest.mark.parametrize("blocksize", [512, 4096])
def test_nullio_blocksize(stack, blocksize):
    dev = export(stack, "vdisk_nullio", "size_mb=32", blocksize=blocksize)
    assert readcap(dev) == (32 * 1024 * 1024 // blocksize, blocksize)
    sh("dd if=%s of=/dev/null bs=1M count=4 iflag=direct" % dev)


@pytest.mark.heavy
@pytest.mark.parametrize("bs", ["4k", "64k"])
@pytest.mark.parametrize("o_direct", [0, 1])
def test_fileio_verify(stack, bs, o_direct, ext4_dir):
    img = ext4_dir / "disk.img"
    sh("truncate -s 64M %s" % img)
    dev = export(stack, "vdisk_fileio", "filename=%s; o_direct=%d" % (img, o_direct))
    fio_verify(dev, bs)


@pytest.mark.heavy
@pytest.mark.parametrize("blocksize", [512, 4096])
def test_fileio_blocksize_verify(stack, blocksize, ext4_dir):
    img = ext4_dir / "disk.img"
    sh("truncate -s 32M %s" % img)
    dev = export(stack, "vdisk_fileio", "filename=%s" % img, blocksize=blocksize)
    assert readcap(dev)[1] == blocksize
    fio_verify(dev, "64k")


def test_fileio_data_reaches_the_file(stack, tmp_path):
    img = tmp_path / "disk.img"
    sh("truncate -s 8M %s" % img)
    dev = export(stack, "vdisk_fileio", "filename=%s" % img)
    sh("printf 'strix-was-here' | dd of=%s bs=512 seek=100 conv=sync oflag=direct" % dev)
    sh("sync")
    with open(img, "rb") as f:
        f.seek(100 * 512)
        assert f.read(14) == b"strix-was-here"


def test_blockio_null_blk_verify(stack, null_blk):
    dev = export(stack, "vdisk_blockio", "filename=" + null_blk)
    assert readcap(dev) == (1024 ** 3 // 512, 512)
    fio_verify(dev, "4k")
    fio_verify(dev, "64k")


@pytest.mark.heavy
def test_blockio_loop_verify(stack, tmp_path):
    img = tmp_path / "loop.img"
    sh("truncate -s 64M %s" % img)
    sh("modprobe loop")
    loop = sh("losetup --find --show %s" % img).stdout.strip()
    try:
        dev = export(stack, "vdisk_blockio", "filename=" + loop)
        fio_verify(dev, "4k")
        stack.clear()
    finally:
        sh("losetup -d " + loop)


def test_read_only_lun_rejects_writes(stack):
    dev = export(stack, "vdisk_nullio", "size_mb=8", read_only=True)
    modes = sh("sg_modes -6 -p 0x08 " + dev).stdout
    assert "WP=1" in modes
    # WRITE(10) of one block, sent raw so the answer is ours, not sd's.
    # (-R: sd marked the disk read-only, so open it read-only)
    res = sh("sg_raw -R -v -s 512 -i /dev/zero %s 2a 00 00 00 00 00 00 00 01 00" % dev,
             check=False)
    assert res.returncode != 0
    assert re.search(r"[Dd]ata [Pp]rotect", res.stdout), res.stdout
    assert re.search(r"[Ww]rite protected", res.stdout), res.stdout
    sh("dd if=%s of=/dev/null bs=4k count=1 iflag=direct" % dev)


def test_out_of_range_and_bad_opcode(stack):
    dev = export(stack, "vdisk_nullio", "size_mb=1")
    # READ(10) at LBA 2048 (one past the end of 2048 blocks)
    res = sh("sg_raw -R -v -r 512 %s 28 00 00 00 08 00 00 00 01 00" % dev, check=False)
    assert "Logical block address out of range" in res.stdout, res.stdout
    # an opcode nobody implements
    res = sh("sg_raw -R -v %s ff 00 00 00 00 00" % dev, check=False)
    assert "Invalid command operation code" in res.stdout, res.stdout


def test_three_writes_quick_start(stack, tmp_path):
    """The README's quick start: a file exported as a local disk in three
    writes (device; target with its session; LUN)."""
    img = tmp_path / "disk.img"
    sh("truncate -s 16M %s" % img)
    before = strixtest.scsi_hosts()
    stack.do("handlers/vdisk_fileio/mgmt", "add_device disk1 filename=%s" % img)
    stack.do("targets/scst_local/mgmt", "add_target t1 session_name=host1")
    stack.do("targets/scst_local/t1/luns/mgmt", "add disk1 0")
    (host,) = strixtest.scsi_hosts() - before
    dev = udev_settle(lambda: strixtest.scsi_disks_of_host(host).get(0))
    assert dev, "the LUN added after the session did not show up as a disk"
    assert udev_settle(lambda: os.path.exists(dev))
    assert readcap(dev) == (16 * 2048, 512)
    fio_verify(dev, "4k", size="8M")


def test_add_target_with_bad_session_fails_whole(stack):
    assert stack.write("targets/scst_local/mgmt", "add_target t1 session_name=a/b") != 0
    assert not os.path.exists(stack.path("targets/scst_local/t1"))
