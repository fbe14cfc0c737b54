"""Task management through the local driver: the SCSI midlayer's resets
(sg_reset: device, target, bus, host) are the core's LOGICAL UNIT RESET,
TARGET RESET and I_T NEXUS RESET, and they abort commands that are in
flight.  fio with verification runs through a storm of them: nothing
hangs, no acknowledged write is lost, and the session's counters account
for every command."""
import time

import pytest

from strixtest import preempt_and_abort_under_fio, reset_storm, session_disk, sh

INI_A = "iqn.2026-12.test:tmf-a"
INI_B = "iqn.2026-12.test:tmf-b"


@pytest.fixture
def lun(stack, slow_null_blk):
    """LUN 0 of t1: vdisk_blockio on a null_blk that takes 5 ms a command."""
    stack.add_device("vdisk_blockio", "d1", "filename=%s" % slow_null_blk)
    stack.add_target("scst_local", "t1")
    stack.add_lun("t1", "d1", 0)
    return stack


def counters(tree, ini):
    base = "targets/scst_local/t1/sessions/%s/" % ini
    return {k: int(tree.value(base + k))
            for k in ("commands", "active_commands", "aborted_commands")}


def settled(tree, ini, timeout=10):
    """The session's counters once nothing is in flight."""
    end = time.time() + timeout
    while True:
        c = counters(tree, ini)
        if c["active_commands"] == 0 or time.time() > end:
            return c
        time.sleep(0.2)


@pytest.mark.parametrize("resets", [["-d"], ["-t"], ["-d", "-t", "-b", "-H"]],
                         ids=["lun", "target", "all"])
def test_reset_storm_under_fio(lun, resets, kernel_log):
    dev = session_disk(lun, "t1", INI_A)
    before = settled(lun, INI_A)
    rc, out, sent = reset_storm(dev, resets, size="24M", bs="4k")
    assert rc == 0 and "err= 0" in out, "fio through resets failed"
    assert sent >= 3, "the storm was too short to mean anything"
    after = settled(lun, INI_A)
    assert after["active_commands"] == 0, after
    assert after["commands"] > before["commands"]
    # commands were in flight at QD32: some resets found them and aborted
    assert after["aborted_commands"] > before["aborted_commands"], after
    # the disk still works and nothing hung
    sh("sg_turs %s" % dev, check=False)
    sh("sg_turs %s" % dev)
    assert not kernel_log.splats()


def test_lun_reset_reaches_the_other_nexus(lun):
    """A LUN reset through A leaves B a BUS DEVICE RESET unit attention."""
    a = session_disk(lun, "t1", INI_A)
    b = session_disk(lun, "t1", INI_B)
    for d in (a, b):
        sh("sg_turs %s" % d, check=False)
    sh("sg_turs %s" % b)
    sh("sg_reset -d %s" % a)
    out = sh("sg_turs -v %s" % b, check=False).stdout
    assert "bus device reset function occurred" in out.lower(), out
    # reported once: the next one is GOOD
    sh("sg_turs %s" % b)


def test_tas_and_qerr_attributes(lun):
    base = "devices/d1/"
    assert lun.value(base + "tas") == "1"
    assert lun.value(base + "qerr") == "0"
    lun.do(base + "tas", "0")
    assert lun.read(base + "tas") == "0\n[key]\n"
    for bad in ("2", "x"):
        assert lun.write(base + "tas", bad) != 0
    assert lun.read(base + "tas") == "0\n[key]\n"
    lun.do(base + "qerr", "3")
    for bad in ("2", "4", "-1"):
        assert lun.write(base + "qerr", bad) != 0
    assert lun.value(base + "qerr") == "3"
    lun.do(base + "qerr", "0")
    assert lun.read(base + "qerr") == "0\n"


def control_page(dev, tmp_path):
    """The control mode page's bytes, by MODE SENSE(6) with DBD."""
    out = tmp_path / "control.bin"
    sh("sg_raw -r 64 -o %s %s 1a 08 0a 00 40 00" % (out, dev))
    data = out.read_bytes()
    # 4-byte header, then the page (PS set: the page can be saved)
    assert len(data) == 16 and data[4] == 0x8a, data.hex()
    return data[4:]


def test_tas_qerr_in_the_control_mode_page(lun, tmp_path):
    dev = session_disk(lun, "t1", INI_A)
    sh("sg_turs %s" % dev, check=False)
    page = control_page(dev, tmp_path)
    assert page[5] & 0x40, "TAS 1 by default"
    assert page[3] & 0x06 == 0, "QErr 0 by default"
    lun.do("devices/d1/tas", "0")
    lun.do("devices/d1/qerr", "1")
    # management changed the page: every nexus hears of it, once
    out = sh("sg_turs -v %s" % dev, check=False).stdout
    assert "mode parameters changed" in out.lower(), out
    sh("sg_turs %s" % dev)
    lun.do("devices/d1/qerr", "1")      # no change, no unit attention
    sh("sg_turs %s" % dev)
    page = control_page(dev, tmp_path)
    assert page[5] & 0x40 == 0
    assert page[3] & 0x06 == 0x02


def test_report_supported_tmfs(lun):
    dev = session_disk(lun, "t1", INI_A)
    sh("sg_turs %s" % dev, check=False)
    out = sh("sg_opcodes --tmf %s" % dev).stdout
    for fn in ("Abort task", "Abort task set", "Clear task set", "Logical unit reset",
               "Query task", "Target reset", "I_T nexus reset"):
        assert fn.lower() in out.lower(), out
    assert "clear aca" not in out.lower(), out


def test_preempt_and_abort_under_fio(lun):
    """B preempts and aborts A while fio writes through A: A's commands are
    aborted and it is shut out; what B writes after is all there."""
    a = session_disk(lun, "t1", INI_A)
    b = session_disk(lun, "t1", INI_B)
    for d in (a, b):
        sh("sg_turs %s" % d, check=False)
    preempt_and_abort_under_fio(a, b)
    assert settled(lun, INI_A)["active_commands"] == 0
