"""Persistent reservations that persist (APTPL): the state is saved under
the core's state_dir as pr/<device>, atomically, and restored when the
device is added again, after a module reload too; devices/<d>/pr_state
exports and imports it.  Through the local driver with sg_persist."""
import os

import pytest

import strixtest
from strixtest import can_write, prin, prout, sh

A, B, C = "iqn.2026-12.test:a", "iqn.2026-12.test:b", "iqn.2026-12.test:c"


class Rig(strixtest.StateRig):
    """The state rig; its APTPL file and pr_state."""

    @property
    def file(self):
        return os.path.join(self.state_dir, "pr", "d1")

    def pr_state(self):
        return self.tree.read("devices/d1/pr_state")


@pytest.fixture
def rig(tmp_path):
    sh("truncate -s 16M %s" % (tmp_path / "d1.img"))
    r = Rig(tmp_path / "state", tmp_path / "d1.img")
    r.load()
    yield r
    r.unload()


def test_aptpl_saved_and_restored(rig):
    rig.add_device()
    rig.export()
    a, b = rig.disk(A), rig.disk(B)
    assert rig.tree.value("devices/d1/pr_file_name") == rig.file
    assert not os.path.exists(rig.file), "nothing to persist yet"
    caps = prin(a, "--report-capabilities")
    assert "(ptpl_c): 1" in caps, caps
    assert "(ptpl_a): 0" in caps, caps

    prout(a, "--register --param-sark=0xa --param-aptpl")
    prout(b, "--register --param-sark=0xb --param-aptpl")
    prout(a, "--reserve --param-rk=0xa --prout-type=1")
    assert "(ptpl_a): 1" in prin(a, "--report-capabilities")
    with open(rig.file) as f:
        saved = f.read()
    assert saved == rig.pr_state()
    assert saved.splitlines()[:4] == ["strix-pr 1", "aptpl 1", "generation 2",
                                      "reservation 1"], saved
    assert "reg 0x000000000000000a 1 h " + A in saved.splitlines()[4], saved
    # the temporary file is gone (renamed over the real one)
    assert os.listdir(os.path.dirname(rig.file)) == ["d1"]
    assert (os.stat(os.path.dirname(rig.file)).st_mode & 0o777) == 0o700

    # the device goes and comes back (new nexuses): the state is back
    rig.tree.do("targets/scst_local/mgmt", "del_target t1")
    rig.tree.del_device("vdisk_fileio", "d1")
    rig.add_device()
    assert rig.pr_state() == saved
    rig.export()
    c, b = rig.disk(C), rig.disk(B)
    keys = prin(c, "--read-keys")
    assert "0xa" in keys and "0xb" in keys and "generation=0x2" in keys, keys
    res = prin(c, "--read-reservation")
    assert "key=0xa" in res and "write exclusive" in res, res
    assert not can_write(b) and not can_write(c)

    # and after the modules are reloaded
    rig.unload()
    rig.load()
    rig.add_device()
    assert rig.pr_state() == saved
    rig.export()
    a = rig.disk(A)
    assert can_write(a), "A holds the write exclusive reservation again"
    assert "key=0xa" in prin(a, "--read-reservation")


def test_aptpl_off_is_saved_too(rig):
    rig.add_device()
    rig.export()
    a = rig.disk(A)
    prout(a, "--register --param-sark=0xa --param-aptpl")
    assert "aptpl 1" in open(rig.file).read()
    # the last REGISTER says APTPL=0: the file says so, and restores nothing
    prout(a, "--register --param-rk=0xa --param-sark=0xa1")
    text = open(rig.file).read()
    assert "aptpl 0" in text and "0x00000000000000a1" in text, text
    rig.unload()
    rig.load()
    rig.add_device()
    assert "\nreg " not in rig.pr_state()
    rig.export()
    assert "no registered reservation keys" in prin(rig.disk(A), "--read-keys")


def test_no_aptpl_writes_nothing(rig):
    rig.add_device()
    rig.export()
    a = rig.disk(A)
    prout(a, "--register --param-sark=0xa")
    prout(a, "--reserve --param-rk=0xa --prout-type=3")
    assert not os.path.exists(os.path.join(rig.state_dir, "pr"))
    rig.unload()
    rig.load()
    rig.add_device()
    assert "\nreg " not in rig.pr_state()


def test_pr_state_import(rig):
    rig.add_device()
    rig.export()
    a, b = rig.disk(A), rig.disk(B)
    before = rig.pr_state()
    assert before == "strix-pr 1\naptpl 0\ngeneration 0\n"
    # malformed: an errno, and nothing changes
    for bad in ("garbage\n", "strix-pr 1\naptpl 0\n",
                "strix-pr 1\naptpl 0\ngeneration 0\nreservation 1\n",
                "strix-pr 1\naptpl 0\ngeneration 0\nreg 0x1 1 - %s\nreg 0x2 1 - %s\n" % (A, A)):
        assert rig.tree.write("devices/d1/pr_state", bad) == 22, bad
        assert rig.pr_state() == before
    # an exclusive access reservation held by B, imported: A is refused at once
    state = ("strix-pr 1\naptpl 1\ngeneration 7\nreservation 3\n"
             "reg 0x00000000000000aa 1 - %s\nreg 0x00000000000000bb 1 h %s\n" % (A, B))
    rig.tree.do("devices/d1/pr_state", state)
    assert rig.pr_state() == state
    assert open(rig.file).read() == state, "an APTPL state is saved on import"
    assert not can_write(a)
    assert sh("dd if=%s of=/dev/null bs=4096 count=1 iflag=direct" % a,
              check=False).returncode != 0, "exclusive access: A may not read"
    assert can_write(b)
    keys = prin(a, "--read-keys")
    assert "generation=0x7" in keys and "0xaa" in keys and "0xbb" in keys, keys
    # a new state without a reservation: A writes again
    rig.tree.do("devices/d1/pr_state", "strix-pr 1\naptpl 0\ngeneration 8\n")
    assert can_write(a)
    assert "aptpl 0" in open(rig.file).read()


def test_corrupt_file_refuses_the_device(rig):
    os.makedirs(os.path.dirname(rig.file))
    with open(rig.file, "w") as f:
        f.write("strix-pr 1\naptpl 1\ngeneration 1\nreservation 9\nreg 0x1 1 h x\n")
    log = strixtest.KernelLog()
    log.mark("corrupt-file")
    assert rig.tree.write("handlers/vdisk_fileio/mgmt",
                          "add_device d1 filename=%s" % rig.img) == 22
    assert "d1" not in rig.tree.devices()
    assert "is not a reservation state" in log.text()
    os.unlink(rig.file)
    rig.add_device()
    assert "d1" in rig.tree.devices()


def test_save_failure_changes_nothing(tmp_path):
    """state_dir cannot be created: a PR OUT with APTPL fails with
    INSUFFICIENT REGISTRATION RESOURCES and leaves no registration."""
    sh("truncate -s 16M %s" % (tmp_path / "d1.img"))
    r = Rig(tmp_path / "missing" / "state", tmp_path / "d1.img")
    r.load()
    try:
        r.add_device()
        r.export()
        a = r.disk(A)
        out = prout(a, "-vv --register --param-sark=0xa --param-aptpl", check=False)
        assert out.returncode == 5, out.stdout      # ILLEGAL REQUEST
        assert "insufficient registration resources" in out.stdout.lower(), out.stdout
        assert "no registered reservation keys" in prin(a, "--read-keys")
        assert "generation=0x0" in prin(a, "--read-keys")
        # without APTPL nothing is written, so it works
        prout(a, "--register --param-sark=0xa")
        assert "0xa" in prin(a, "--read-keys")
    finally:
        r.unload()
