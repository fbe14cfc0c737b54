"""What each handler configuration reports, field by field, as the guest's
sg3_utils read it through the local driver: standard INQUIRY, the VPD pages
(0x00, 0x80, 0x83, 0x8f, 0xb0, 0xb1, 0xb2), READ CAPACITY(16) and the mode pages
(caching, control; current, changeable and default values)."""
import os
import re
import subprocess

import pytest

import strixtest
from strixtest import sh
from test_local import export

MAX_XFER = 8 << 20          # the core's maximum transfer, bytes

# name: (handler, params, LUN read_only, expected)
CONFIGS = {
    "nullio": ("vdisk_nullio", "size_mb=64", False,
               dict(bs=512, blocks=64 << 11, wce=0, thin=0, nonrot=True, wp=0)),
    "nullio-4k-rotational": ("vdisk_nullio", "size_mb=32; blocksize=4096; rotational=1",
                             False, dict(bs=4096, blocks=32 << 8, wce=0, thin=0,
                                         nonrot=False, wp=0)),
    "fileio": ("vdisk_fileio", "filename={img}", False,
               dict(bs=512, blocks=64 << 11, wce=1, thin=0, nonrot=False, wp=0)),
    "fileio-thin-wt-4k": ("vdisk_fileio",
                          "filename={img}; thin_provisioned=1; write_through=1; blocksize=4096",
                          False, dict(bs=4096, blocks=64 << 8, wce=0, thin=1, nonrot=False,
                                      wp=0)),
    "fileio-nv_cache-ro-lun": ("vdisk_fileio", "filename={img}; nv_cache=1; rotational=0",
                               True, dict(bs=512, blocks=64 << 11, wce=0, thin=0,
                                          nonrot=True, wp=1)),
    # write-protected: no volatile cache to flush, whatever the device has
    "fileio-ro-device": ("vdisk_fileio", "filename={img}; read_only=1", False,
                         dict(bs=512, blocks=64 << 11, wce=0, thin=0, nonrot=False, wp=1)),
    "fileio-ro-lun": ("vdisk_fileio", "filename={img}", True,
                      dict(bs=512, blocks=64 << 11, wce=0, thin=0, nonrot=False, wp=1)),
}


def field(text, pattern):
    m = re.search(pattern, text, re.M)
    assert m, "no %r in:\n%s" % (pattern, text)
    return m.group(1)


def mode_sense_raw(dev, pc):
    """MODE SENSE(10) of all pages with page control pc, as bytes."""
    print("+ sg_modes --raw -c %d -p 0x3f %s" % (pc, dev))
    res = subprocess.run(["sg_modes", "--raw", "-c", str(pc), "-p", "0x3f", dev],
                         stdout=subprocess.PIPE, check=True)
    return res.stdout


def parse_modes(buf):
    """(header fields, block descriptor, {page code: page bytes})."""
    length = int.from_bytes(buf[0:2], "big") + 2
    assert len(buf) >= length, "short MODE SENSE(10) response"
    hdr = dict(medium=buf[2], wp=buf[3] >> 7, dpofua=(buf[3] >> 4) & 1,
               longlba=buf[4] & 1, bdl=int.from_bytes(buf[6:8], "big"))
    bd = buf[8:8 + hdr["bdl"]]
    pages, off = {}, 8 + hdr["bdl"]
    while off < length:
        code, plen = buf[off] & 0x3f, buf[off + 1]
        pages[code] = buf[off:off + 2 + plen]
        off += 2 + plen
    assert off == length, "pages overrun the mode data length"
    return hdr, bd, pages


@pytest.mark.parametrize("name", list(CONFIGS))
def test_pages_field_by_field(stack, tmp_path, name):
    handler, params, ro_lun, want = CONFIGS[name]
    img = tmp_path / "disk.img"
    sh("truncate -s 64M %s" % img)
    dev = export(stack, handler, params.format(img=img), read_only=ro_lun)
    bs, blocks = want["bs"], want["blocks"]

    inq = sh("sg_inq " + dev).stdout
    assert field(inq, r"PDT=(\d+)") == "0"
    assert field(inq, r"RMB=(\d)") == "0"
    assert field(inq, r"version=(0x\w+)") == "0x06"            # SPC-4
    assert field(inq, r"HiSUP=(\d)") == "1"
    assert field(inq, r"Resp_data_format=(\d)") == "2"
    assert field(inq, r"CmdQue=(\d)") == "1"
    assert field(inq, r"TPGS=(\d)") == "0"                     # no ALUA yet
    assert field(inq, r"3PC=(\d)") == "1"                      # EXTENDED COPY
    assert field(inq, r"Vendor identification: (.*)$") == "STRIX   "
    assert field(inq, r"Product identification: (.*)$").rstrip() == "d1"
    assert field(inq, r"Product revision level: (.*)$") == "0100"
    serial = field(inq, r"Unit serial number: (\S+)")
    assert re.fullmatch(r"[0-9a-f]{16}", serial)

    pages = sh("sg_vpd -p 0 " + dev).stdout
    listed = re.findall(r"^\s+(.*?) \[\w+\]$", pages, re.M)
    assert listed == ["Supported VPD pages", "Unit serial number", "Device identification",
                      "Third party copy", "Block limits (SBC)", "Block device characteristics (SBC)",
                      "Logical block provisioning (SBC)"]
    assert field(sh("sg_vpd -p 0x80 " + dev).stdout, r"Unit serial number: (\S+)") == serial

    ident = sh("sg_vpd -p 0x83 " + dev).stdout
    naa = field(ident, r"designator type: NAA.*\n\s+0x([0-9a-f]+)")
    assert len(naa) == 16 and naa[0] == "3", "not a locally assigned NAA 3h: " + naa
    assert naa[1:] == serial[1:], "NAA and unit serial derive from the same seed"
    assert field(ident, r"vendor id: (.*)$") == "STRIX   "
    assert field(ident, r"vendor specific: (.*)$") == "d1"
    eui = field(ident, r"designator type: EUI-64.*\n\s+0x([0-9a-f]+)")
    assert len(eui) == 16 and eui != naa
    rel = stack.value("targets/scst_local/t1/rel_tgt_id")
    assert int(field(ident, r"Relative target port: (0x\w+)"), 16) == int(rel)
    assert ident.index("Addressed logical unit") < ident.index("Target port")

    bl = sh("sg_vpd -p 0xb0 " + dev).stdout
    assert int(field(bl, r"Maximum transfer length: (\d+) blocks")) == MAX_XFER // bs
    assert int(field(bl, r"Maximum compare and write length: (\d+)")) == 64
    assert int(field(bl, r"Maximum atomic transfer length: (\d+)")) == min(256, MAX_XFER // bs)
    thin = want["thin"]
    assert int(field(bl, r"Maximum unmap LBA count: (\d+)")) == ((1 << 30) // bs if thin else 0)
    assert int(field(bl, r"Maximum unmap block descriptor count: (\d+)")) == (256 if thin else 0)
    assert int(field(bl, r"Maximum write same length: (0x[0-9a-f]+|\d+)"), 0) == (1 << 30) // bs
    assert "Write same non-zero (WSNZ): 0" in bl

    bdc = sh("sg_vpd -p 0xb1 " + dev).stdout
    if want["nonrot"]:
        assert "Non-rotating medium" in bdc
    else:
        assert "Medium rotation rate is not reported" in bdc

    lbp = sh("sg_vpd -p 0xb2 " + dev).stdout
    # fileio deallocates by punching holes, which read back as zeroes
    assert field(lbp, r"\(LBPU\): (\d)") == str(thin)
    assert field(lbp, r"\(LBPWS\): (\d)") == str(thin)
    assert field(lbp, r"\(LBPWS10\): (\d)") == str(thin)
    assert field(lbp, r"\(LBPRZ\): (\d)") == str(thin)
    assert field(lbp, r"Provisioning type: (\d)") == ("2" if want["thin"] else "0")

    cap = sh("sg_readcap -R -l " + dev).stdout
    assert int(field(cap, r"Last LBA=(\d+)")) == blocks - 1
    assert int(field(cap, r"Logical block length=(\d+)")) == bs
    assert field(cap, r"lbpme=(\d)") == str(want["thin"])
    assert field(cap, r"lbprz=(\d)") == str(thin)
    assert field(cap, r"prot_en=(\d)") == "0"
    assert field(cap, r"per physical block exponent=(\d+)") == "0"

    cur = parse_modes(mode_sense_raw(dev, 0))
    chg = parse_modes(mode_sense_raw(dev, 1))
    dfl = parse_modes(mode_sense_raw(dev, 2))
    for hdr, bd, pg in (cur, chg, dfl):
        assert hdr["wp"] == want["wp"]
        assert hdr["dpofua"] == 1 and hdr["longlba"] == 0 and hdr["medium"] == 0
        assert hdr["bdl"] == 8
        assert int.from_bytes(bd[0:4], "big") == min(blocks, 0xffffffff)
        assert int.from_bytes(bd[5:8], "big") == bs
        assert sorted(pg) == [0x08, 0x0a], "pages: %s" % sorted(pg)
        assert len(pg[0x08]) == 20 and pg[0x08][1] == 0x12
        assert len(pg[0x0a]) == 12 and pg[0x0a][1] == 0x0a
    # caching: WCE says whether writes may sit in a volatile cache; RCD 0
    for _, _, pg in (cur, dfl):
        assert pg[0x08][2] & 0x04 == (0x04 if want["wce"] else 0)
        assert pg[0x08][2] & 0x01 == 0
        assert pg[0x08][3:] == bytes(17)
        # control: TST 0, D_SENSE 0, QAM 1 (unrestricted reordering),
        # QErr 0, SWP 0, TAS 1 (the device's defaults), busy timeout 0
        assert pg[0x0a][2:] == bytes([0x00, 0x10, 0x00, 0x40]) + bytes(6)
    # changeable (MODE SELECT): WCE where there is a volatile cache the
    # initiator may turn off; D_SENSE, QErr and TAS always
    assert chg[2][0x08][2:] == bytes([0x04 if want["wce"] else 0]) + bytes(17)
    assert chg[2][0x0a][2:] == bytes([0x04, 0x06, 0x00, 0x40]) + bytes(6)

    # what the initiator's sd driver concluded from all that
    blk = dev.split("/")[-1]
    assert int(open("/sys/block/%s/queue/logical_block_size" % blk).read()) == bs
    assert int(open("/sys/block/%s/ro" % blk).read()) == want["wp"]
    sd_dir = "/sys/block/%s/device/scsi_disk" % blk
    cache = open("%s/%s/cache_type" % (sd_dir, os.listdir(sd_dir)[0])).read().strip()
    assert cache == ("write back" if want["wce"] else "write through")


def test_identifiers_are_stable_and_per_device(stack, tmp_path):
    """Same name and setup_id: same identifiers; another name: others."""
    def export_two():
        stack.add_device("vdisk_nullio", "a", "size_mb=8")
        stack.add_device("vdisk_nullio", "b", "size_mb=8")
        stack.add_target("scst_local", "t1")
        stack.add_lun("t1", "a", 0)
        stack.add_lun("t1", "b", 1)
        host = stack.add_session("t1", "ini1")
        disks = strixtest.udev_settle(
            lambda: len(strixtest.scsi_disks_of_host(host)) == 2 and
            strixtest.scsi_disks_of_host(host))
        assert disks
        return {lun: field(sh("sg_vpd -p 0x83 " + d).stdout,
                           r"designator type: NAA.*\n\s+0x([0-9a-f]+)")
                for lun, d in disks.items()}
    first = export_two()
    assert first[0] != first[1]
    stack.clear()
    assert export_two() == first


def caching_wce(dev):
    """WCE of the current caching page, and what sd made of it."""
    _, _, pg = parse_modes(mode_sense_raw(dev, 0))
    blk = dev.split("/")[-1]
    sd_dir = "/sys/block/%s/device/scsi_disk" % blk
    cache = open("%s/%s/cache_type" % (sd_dir, os.listdir(sd_dir)[0])).read().strip()
    return bool(pg[0x08][2] & 0x04), cache


@pytest.mark.parametrize("params,want", [("", True), ("write_through=1", False),
                                         ("nv_cache=1", False)])
def test_blockio_wce_on_a_device_with_a_write_cache(stack, tmp_path, params, want):
    """A loop device has a volatile write cache (the page cache behind it):
    WCE follows write_through and nv_cache, as on files."""
    img = tmp_path / "loop.img"
    sh("truncate -s 16M %s" % img)
    sh("modprobe loop")
    loop = sh("losetup --find --show %s" % img).stdout.strip()
    try:
        name = loop.split("/")[-1]
        assert open("/sys/block/%s/queue/write_cache" % name).read().strip() == "write back"
        dev = export(stack, "vdisk_blockio", ("filename=%s; %s" % (loop, params)).rstrip("; "))
        assert caching_wce(dev) == (want, "write back" if want else "write through")
        stack.clear()
    finally:
        sh("losetup -d " + loop)


def test_blockio_wce_on_a_device_without_a_write_cache(stack, null_blk):
    """null_blk without cache_size has no volatile cache: nothing to flush,
    so WCE is 0 and the initiator's sd sends no SYNCHRONIZE CACHE."""
    assert open("/sys/block/nullb0/queue/write_cache").read().strip() == "write through"
    dev = export(stack, "vdisk_blockio", "filename=" + null_blk)
    assert caching_wce(dev) == (False, "write through")


def test_report_supported_opcodes(stack, tmp_path):
    """REPORT SUPPORTED OPERATION CODES lists what the CDB parser accepts:
    sg_opcodes' whole list, and one command's usage data."""
    img = tmp_path / "disk.img"
    sh("truncate -s 16M %s" % img)
    dev = export(stack, "vdisk_fileio", "filename=%s" % img)
    sh("sg_turs %s" % dev, check=False)
    out = sh("sg_opcodes %s" % dev).stdout
    for op, name in (("28", "Read(10)"), ("2a", "Write(10)"), ("12", "Inquiry"),
                     ("5e", "Persistent reserve in"), ("a3", "Report supported operation")):
        assert re.search(r"^\s*%s\s.*%s" % (op, re.escape(name)), out, re.M | re.I), out
    for op, name in (("15", "Mode select(6)"), ("55", "Mode select(10)"),
                     ("4d", "Log sense"), ("83", "Extended copy"), ("84", "Receive copy")):
        assert re.search(r"^\s*%s\s.*%s" % (op, re.escape(name)), out, re.M | re.I), out
    # READ(10): every CDB bit the parser accepts (RDPROTECT refused: not set)
    out = sh("sg_opcodes --opcode=0x28 %s" % dev).stdout
    assert re.search(r"28\s+1e\s+ff\s+ff\s+ff\s+ff\s+3f\s+ff\s+ff\s+00", out), out
    # a service action of MAINTENANCE IN, and one that is not there
    out = sh("sg_opcodes --opcode=0xa3,0xd %s" % dev).stdout
    assert re.search(r"supported", out, re.I) and "a3" in out, out
    out = sh("sg_opcodes --opcode=0xa3,0x1f %s" % dev, check=False).stdout
    assert re.search(r"not supported", out, re.I), out
