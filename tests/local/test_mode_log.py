"""MODE SELECT, saved mode pages, LOG SENSE and online resize, through the
local driver: sg_wr_mode and sg_raw change the caching page's WCE and the
control page's D_SENSE, the other nexus hears MODE PARAMETERS CHANGED, the
saved pages survive del_device/add_device and a module reload, malformed
parameter data changes nothing; sg_logs reads the log pages; a grown
backing file, a grown or resized blockio device and a nullio size change
reach the Linux initiator."""
import os

import pytest

import strixtest
from strixtest import session_disk, sh

A, B = "iqn.2026-12.test:mode-a", "iqn.2026-12.test:mode-b"


class Rig(strixtest.StateRig):
    """The state rig; its saved mode pages file."""

    @property
    def file(self):
        return os.path.join(self.state_dir, "vdev_mode_pages", "d1")


@pytest.fixture
def rig(tmp_path):
    sh("truncate -s 16M %s" % (tmp_path / "d1.img"))
    r = Rig(tmp_path / "state", tmp_path / "d1.img")
    r.load()
    r.add_device()
    r.export()
    yield r
    r.unload()


def page(dev, code, tmp_path, pc=0):
    """Mode page @code for page control @pc, by MODE SENSE(6) with DBD."""
    out = tmp_path / "page.bin"
    sh("sg_raw -r 255 -o %s %s 1a 08 %02x 00 ff 00" % (out, dev, pc << 6 | code))
    data = out.read_bytes()
    assert data[3] == 0 and data[4] & 0x3f == code, data.hex()
    return data[4:4 + 2 + data[5]]


def text(res):
    """What a command printed, lower case."""
    return ((res.stdout or "") + (res.stderr or "")).lower()


def ua(dev):
    """The sense sg_turs reports (lower case; '' for GOOD)."""
    res = sh("sg_turs -v %s" % dev, check=False)
    return "" if res.returncode == 0 else text(res)


def set_control(dev, d_sense=0, qerr=0, tas=1, save=False):
    """The control page by sg_wr_mode, whole: sg_wr_mode sends bytes past
    the contents given as 0, and a field that cannot change (QAM 1) must
    be sent as it is."""
    contents = [0x0a, 0x0a, d_sense << 2, 0x10 | qerr << 1, 0, tas << 6, 0, 0, 0, 0, 0, 0]
    sh("sg_wr_mode %s-p a -c %s %s" % ("-s " if save else "",
                                         ",".join("%x" % b for b in contents), dev))


def mode_select(dev, data, tmp_path, sp=False, pf=True, ten=False):
    """MODE SELECT with parameter list @data (bytes); the sg_raw result."""
    f = tmp_path / "param.bin"
    f.write_bytes(bytes(data))
    b1 = (0x10 if pf else 0) | (1 if sp else 0)
    n = len(data)
    if ten:
        cdb = "55 %02x 00 00 00 00 00 %02x %02x 00" % (b1, n >> 8, n & 0xff)
    else:
        cdb = "15 %02x 00 00 %02x 00" % (b1, n)
    return sh("sg_raw -v -s %d -i %s %s %s" % (n, f, dev, cdb), check=False)


def test_wce_and_d_sense(rig, tmp_path):
    a, b = rig.disk(A), rig.disk(B)
    cache = page(a, 0x08, tmp_path)
    assert cache[0] == 0x88 and cache[2] == 0x04, cache.hex()    # PS, WCE 1
    assert page(a, 0x08, tmp_path, pc=1)[2] == 0x04, "WCE changeable"
    mask = page(a, 0x0a, tmp_path, pc=1)
    assert (mask[2], mask[3], mask[4], mask[5]) == (0x04, 0x06, 0, 0x40), mask.hex()
    assert rig.tree.value("devices/d1/write_through") == "0"

    # WCE off from A: B hears of it, A does not; the write cache is gone
    sh("sg_wr_mode -p 8 -c 0,0,0 -m 0,0,4 %s" % a)
    assert ua(a) == ""
    assert "mode parameters changed" in ua(b)
    assert ua(b) == "", "reported once"
    assert page(a, 0x08, tmp_path)[2] == 0 and page(b, 0x08, tmp_path)[2] == 0
    assert rig.tree.value("devices/d1/write_through") == "1"
    assert page(a, 0x08, tmp_path, pc=2)[2] == 0x04, "the default is still WCE 1"
    # the Linux initiator sees it too, once it looks again
    sd = os.path.basename(a)
    sh("echo 1 > /sys/block/%s/device/rescan" % sd)
    hctl = os.listdir("/sys/block/%s/device/scsi_disk" % sd)[0]
    with open("/sys/class/scsi_disk/%s/cache_type" % hctl) as f:
        assert f.read().strip() == "write through"
    # writes still work, written through
    sh("dd if=/dev/urandom of=%s bs=64k count=4 oflag=direct" % a)

    # D_SENSE: descriptor-format sense for every nexus of the device
    lba_oob = "88 00 00 00 00 00 ff ff ff ff 00 00 00 01 00 00"
    fixed = sh("sg_raw -r 512 %s %s" % (b, lba_oob), check=False)
    assert "fixed format" in text(fixed)
    set_control(a, d_sense=1)
    assert "mode parameters changed" in ua(b)
    assert page(b, 0x0a, tmp_path)[2] == 0x04
    out = sh("sg_raw -r 512 %s %s" % (b, lba_oob), check=False)
    said = text(out)
    assert "descriptor format" in said and "logical block address out of range" in said, said
    # and libiscsi's D_SENSE test agrees with the page
    if os.path.exists("/usr/bin/iscsi-test-cu"):
        from libiscsi_cu import LATER, check_suite
        sg = "/dev/" + os.listdir("/sys/block/%s/device/scsi_generic" % sd)[0]
        check_suite(sg, "ModeSense6", LATER)
    set_control(a, d_sense=0)
    fixed = sh("sg_raw -r 512 %s %s" % (a, lba_oob), check=False)
    assert "fixed format" in text(fixed)

    # TAS and QErr by MODE SELECT are the device attributes
    set_control(a, qerr=1, tas=0)
    assert rig.tree.value("devices/d1/tas") == "0"
    assert rig.tree.value("devices/d1/qerr") == "1"
    assert not os.path.exists(rig.file), "nothing saved without SP"

    # Linux's own MODE SELECT (sd's cache_type) passes the checks; it asks
    # to save the page when MODE SENSE says PS
    with open("/sys/class/scsi_disk/%s/cache_type" % hctl, "w") as f:
        f.write("write back")
    assert page(a, 0x08, tmp_path)[2] == 0x04
    assert rig.tree.value("devices/d1/write_through") == "0"
    if os.path.exists(rig.file):
        assert open(rig.file).read().startswith("wce 1\n")


def test_malformed_changes_nothing(rig, tmp_path):
    a, b = rig.disk(A), rig.disk(B)
    cache = bytes(page(a, 0x08, tmp_path))
    control = bytes(page(a, 0x0a, tmp_path))
    hdr = [0, 0, 0, 0]
    bd = [0, 0, 0x80, 0, 0, 0, 0x02, 0]           # 32768 blocks of 512
    dsense = bytearray(control)
    dsense[0] &= 0x7f                              # PS is reserved here
    dsense[2] |= 0x04
    nowce = bytearray(cache)
    nowce[0] &= 0x7f
    nowce[2] = 0
    qam0 = bytearray(dsense)
    qam0[3] &= 0x0f                                # QAM is not changeable
    qerr2 = bytearray(dsense)
    qerr2[3] |= 0x04
    badlen = bytearray(dsense)
    badlen[1] = 0x0b
    bd4k = list(bd)
    bd4k[6] = 0x10
    cases = [   # (parameter list, what sg_raw reports, pf)
        (hdr + list(qam0), "invalid field in parameter list", True),
        (hdr + list(qerr2), "invalid field in parameter list", True),
        (hdr + list(badlen), "invalid field in parameter list", True),
        (hdr + [0x01, 0x0a] + [0] * 10, "invalid field in parameter list", True),
        ([0, 0, 0, 8] + bd4k + list(dsense), "invalid field in parameter list", True),
        ([0, 0, 0, 8] + [0, 0, 0x40, 0] + bd[4:] + list(dsense),
         "invalid field in parameter list", True),
        # a good page then a bad one: the good one is not applied either
        (hdr + list(nowce) + list(qam0), "invalid field in parameter list", True),
        (hdr + list(dsense)[:8], "parameter list length error", True),
        (hdr + list(dsense), "invalid field in cdb", False),
    ]
    for data, want, pf in cases:
        out = mode_select(a, data, tmp_path, pf=pf)
        said = text(out)
        assert out.returncode != 0 and want in said, (bytes(data).hex(), said)
    res = mode_select(a, hdr + list(qam0), tmp_path)
    assert "error in data parameters: byte 7 bit 4" in text(res)
    assert bytes(page(a, 0x08, tmp_path)) == cache
    assert bytes(page(a, 0x0a, tmp_path)) == control
    assert ua(b) == "", "nothing changed: no unit attention"
    # the same lists done right work, through (6) and (10)
    assert mode_select(a, [0, 0, 0, 8] + bd + list(dsense), tmp_path).returncode == 0
    assert page(a, 0x0a, tmp_path)[2] & 0x04
    dsense[2] &= ~0x04
    assert mode_select(a, [0] * 8 + list(dsense) + list(nowce), tmp_path,
                       ten=True).returncode == 0
    assert page(a, 0x0a, tmp_path)[2] & 0x04 == 0
    assert page(a, 0x08, tmp_path)[2] == 0
    assert mode_select(a, [], tmp_path).returncode == 0, "no data: nothing to do"


def test_saved_pages_survive(rig, tmp_path):
    a = rig.disk(A)
    sh("sg_wr_mode -s -p 8 -c 0,0,0 -m 0,0,4 %s" % a)
    set_control(a, d_sense=1)                          # current only
    with open(rig.file) as f:
        assert f.read() == "wce 0\nd_sense 0\ntas 1\nqerr 0\n"
    assert os.listdir(os.path.dirname(rig.file)) == ["d1"]
    assert page(a, 0x08, tmp_path, pc=3)[2] == 0
    assert page(a, 0x0a, tmp_path, pc=3)[2] == 0

    # the device goes and comes back: the saved values are the current ones
    rig.tree.do("targets/scst_local/mgmt", "del_target t1")
    rig.tree.del_device("vdisk_fileio", "d1")
    rig.add_device()
    rig.export()
    a = rig.disk(A)
    assert page(a, 0x08, tmp_path)[2] == 0
    assert page(a, 0x0a, tmp_path)[2] == 0, "D_SENSE was not saved"
    assert rig.tree.value("devices/d1/write_through") == "1"

    # and after a module reload; then the save of SP=1 with the control page
    rig.unload()
    rig.load()
    rig.add_device()
    rig.export()
    a = rig.disk(A)
    assert page(a, 0x08, tmp_path)[2] == 0
    set_control(a, d_sense=1, save=True)
    with open(rig.file) as f:
        assert f.read() == "wce 0\nd_sense 1\ntas 1\nqerr 0\n"

    # a file that does not parse refuses the device, with a reason
    rig.tree.do("targets/scst_local/mgmt", "del_target t1")
    rig.tree.del_device("vdisk_fileio", "d1")
    with open(rig.file, "w") as f:
        f.write("wce 0\nd_sense 7\n")
    log = strixtest.KernelLog()
    log.mark("corrupt-mode-file")
    assert rig.tree.write("handlers/vdisk_fileio/mgmt",
                          "add_device d1 filename=%s" % rig.img) == 22
    assert "d1" not in rig.tree.devices()
    assert "saved mode pages" in log.text()
    os.unlink(rig.file)
    rig.add_device()
    rig.export()
    assert page(rig.disk(A), 0x08, tmp_path)[2] == 0x04, "defaults again"


def test_log_sense(rig, tmp_path):
    a = rig.disk(A)
    out = sh("sg_logs -p 0 %s" % a).stdout.lower()
    assert "0x0c" in out and "0x0d" in out and "0x15" in out, out
    # background scan results: the status parameter, nothing ever scanned,
    # powered on (added) a few minutes ago at most
    scan = sh("sg_logs -p 0x15 %s" % a).stdout.lower()
    assert "background scan" in scan and "no background scans active" in scan, scan
    raw = tmp_path / "scan.bin"
    sh("sg_raw -r 64 -o %s %s 4d 00 15 00 00 00 00 00 40 00" % (raw, a))
    data = raw.read_bytes()
    assert data[:8] == bytes([0x95, 0, 0, 16, 0, 0, 3, 12]), data.hex()
    assert int.from_bytes(data[8:12], "big") <= 5, data.hex()
    assert data[12:] == bytes(8), data.hex()
    temp = sh("sg_logs -p 0xd %s" % a).stdout.lower()
    assert "temperature" in temp and "not available" in temp, temp
    sh("dd if=/dev/urandom of=%s bs=1M count=2 oflag=direct" % a)
    lbp = sh("sg_logs -p 0xc %s" % a).stdout.lower()
    assert "available lba mapping" in lbp and "not dedicated to lu" in lbp, lbp
    assert "used lba mapping" in lbp and "scope: dedicated to lu" in lbp, lbp
    used = int(lbp.split("used lba mapping")[1].split(":")[1].split()[0])
    allocated = os.stat(rig.img).st_blocks          # 512-byte units, as the LUN
    assert used == allocated and used >= 4096, (used, allocated)
    # subpages: 00h/FFh lists pages and subpages; others are refused
    out = tmp_path / "log.bin"
    sh("sg_raw -r 64 -o %s %s 4d 00 00 ff 00 00 00 00 40 00" % (out, a))
    data = out.read_bytes()
    assert data[:4] == bytes([0x40, 0xff, 0, len(data) - 4]), data.hex()
    assert bytes(data[4:]) == bytes([0, 0, 0, 0xff, 0x0c, 0, 0x0d, 0, 0x15, 0]), data.hex()
    # allocation length truncation: 6 bytes asked for, 6 given
    sh("sg_raw -r 6 -o %s %s 4d 00 0d 00 00 00 00 00 06 00" % (out, a))
    assert out.read_bytes() == bytes([0x8d, 0, 0, 0x0c, 0, 0])
    for cdb in ("4d 01 0d 00 00 00 00 00 40 00",      # SP
                "4d 02 0d 00 00 00 00 00 40 00",      # PPC
                "4d 00 0d 01 00 00 00 00 40 00",      # subpage 01h
                "4d 00 0e 00 00 00 00 00 40 00",      # no such page
                "4d 00 0d 00 00 00 02 00 40 00",      # parameter pointer past the end
                "4d 00 15 00 00 00 01 00 40 00"):
        res = sh("sg_raw -r 64 %s %s" % (a, cdb), check=False)
        assert "invalid field in cdb" in text(res), cdb
    # nullio has no backing store to report: no page 0Ch
    rig.tree.add_device("vdisk_nullio", "n1", "size_mb=8")
    rig.tree.add_target("scst_local", "t2")
    rig.tree.add_lun("t2", "n1", 0)
    n = session_disk(rig.tree, "t2", A)
    sh("sg_turs %s" % n, check=False)
    out = sh("sg_logs -p 0 %s" % n).stdout.lower()
    assert "0x0d" in out and "0x0c" not in out, out


def sectors(dev):
    with open("/sys/block/%s/size" % os.path.basename(dev)) as f:
        return int(f.read())


def rescan(dev):
    sh("echo 1 > /sys/block/%s/device/rescan" % os.path.basename(dev))


def test_resize(rig, tmp_path):
    a = rig.disk(A)
    assert sectors(a) == 32768
    sh("dd if=/dev/urandom of=%s bs=1M count=4" % (tmp_path / "pattern"))
    sh("dd if=%s of=%s bs=1M count=4 oflag=direct" % (tmp_path / "pattern", a))

    # the backing file grows; resync_size: CAPACITY DATA HAS CHANGED
    sh("truncate -s 32M %s" % rig.img)
    assert sectors(a) == 32768, "not before resync_size"
    rig.tree.do("devices/d1/resync_size", "1")
    assert "capacity data has changed" in ua(a)
    rescan(a)
    assert sectors(a) == 65536
    sh("cmp -n %d %s %s" % (4 << 20, tmp_path / "pattern", a))
    sh("dd if=%s of=%s bs=1M count=4 seek=28 oflag=direct" % (tmp_path / "pattern", a))

    # nullio: size is written; bad values change nothing
    rig.tree.add_device("vdisk_nullio", "n1", "size_mb=8")
    rig.tree.add_target("scst_local", "t2")
    rig.tree.add_lun("t2", "n1", 0)
    n = session_disk(rig.tree, "t2", A)
    sh("sg_turs %s" % n, check=False)
    assert sectors(n) == 16384
    for bad in ("0", "1000", "12M"):
        assert rig.tree.write("devices/n1/size", bad) == 22, bad
    assert ua(n) == ""
    rig.tree.do("devices/n1/size", str(24 << 20))
    assert "capacity data has changed" in ua(n)
    rescan(n)
    assert sectors(n) == 49152


def test_resize_blockio(rig, tmp_path):
    """blockio on a loop device: resync_size takes the block device's new
    size; size and size_mb are writable up to it and never past it; each
    change reaches the Linux initiator with CAPACITY DATA HAS CHANGED and
    the data stays."""
    img = tmp_path / "bd.img"
    sh("modprobe loop && truncate -s 16M %s" % img)
    loop = sh("losetup -f --show %s" % img).stdout.strip()
    try:
        rig.tree.add_device("vdisk_blockio", "b1", "filename=%s" % loop)
        rig.tree.add_target("scst_local", "t3")
        rig.tree.add_lun("t3", "b1", 0)
        b = session_disk(rig.tree, "t3", A)
        sh("sg_turs %s" % b, check=False)
        assert sectors(b) == 32768
        pattern = tmp_path / "pattern"
        sh("dd if=/dev/urandom of=%s bs=1M count=4" % pattern)
        sh("dd if=%s of=%s bs=1M count=4 oflag=direct" % (pattern, b))

        # the block device grows; the LUN with it only at resync_size
        sh("truncate -s 32M %s && losetup -c %s" % (img, loop))
        assert ua(b) == ""
        rig.tree.do("devices/b1/resync_size", "1")
        assert "capacity data has changed" in ua(b)
        rescan(b)
        assert sectors(b) == 65536
        assert rig.tree.value("devices/b1/size_mb") == "32"

        # smaller by size_mb, then back to the whole device by size
        rig.tree.do("devices/b1/size_mb", "8")
        assert "capacity data has changed" in ua(b)
        rescan(b)
        assert sectors(b) == 16384
        for attr, bad in (("size_mb", "33"), ("size", str((32 << 20) + 512)),
                          ("size", "1000"), ("size_mb", "0")):
            assert rig.tree.write("devices/b1/" + attr, bad) == 22, (attr, bad)
        assert ua(b) == "", "a refused size raised a unit attention"
        assert sectors(b) == 16384
        rig.tree.do("devices/b1/size", str(32 << 20))
        assert "capacity data has changed" in ua(b)
        rescan(b)
        assert sectors(b) == 65536
        sh("cmp -n %d %s %s" % (4 << 20, pattern, b))
    finally:
        rig.tree.clear()        # let go of the loop device
        sh("losetup -d %s" % loop)
