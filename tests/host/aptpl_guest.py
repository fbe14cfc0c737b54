"""The guest half of test_aptpl_reboot.py: `save` registers two nexuses
with APTPL, reserves and writes through the holder, then the guest powers
off without unmounting; `check`, in the next boot, sees the same state."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
import strixtest  # noqa: E402
from strixtest import can_write, prin, prout, session_disk, sh  # noqa: E402

A, B = "iqn.2026-12.test:a", "iqn.2026-12.test:b"
MNT = "/mnt/strix-state"


def disk(tree, name):
    dev = session_disk(tree, "t1", name)
    sh("sg_turs %s" % dev, check=False)        # the power-on UA
    return dev


def main(phase):
    sh("modprobe -a virtio_blk ext4")
    os.makedirs(MNT, exist_ok=True)
    sh("mount /dev/vda %s" % MNT)
    tree = strixtest.load_local_stack("state_dir=%s/state" % MNT)
    if phase == "save":
        sh("truncate -s 8M %s/d1.img" % MNT)
    tree.add_device("vdisk_fileio", "d1", "filename=%s/d1.img" % MNT)
    state = tree.read("devices/d1/pr_state")
    print("pr_state at add_device:\n" + state)
    tree.add_target("scst_local", "t1")
    tree.add_lun("t1", "d1", 0)
    a, b = disk(tree, A), disk(tree, B)
    if phase == "save":
        assert "\nreg " not in state
        prout(a, "--register --param-sark=0xa --param-aptpl")
        prout(b, "--register --param-sark=0xb --param-aptpl")
        prout(a, "--reserve --param-rk=0xa --prout-type=1")
        with open(os.path.join(MNT, "saved"), "w") as f:
            f.write(tree.read("devices/d1/pr_state"))
            f.flush()
            os.fsync(f.fileno())
        print("saved; powering off without unmounting")
        return 0
    with open(os.path.join(MNT, "saved")) as f:
        saved = f.read()
    assert state == saved, "restored %r, saved %r" % (state, saved)
    keys = prin(b, "--read-keys")
    assert "0xa" in keys and "0xb" in keys, keys
    res = prin(b, "--read-reservation")
    assert "key=0xa" in res, res
    assert not can_write(b), "B may not write under A's reservation"
    assert can_write(a), "A holds the reservation again"
    strixtest.unload_local_stack(tree)
    sh("umount %s" % MNT)
    print("restored after reboot")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
