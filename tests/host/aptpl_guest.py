"""The guest half of test_aptpl_reboot.py: `save` registers two nexuses
with APTPL, reserves and writes through the holder, then the guest powers
off without unmounting; `check`, in the next boot, sees the same state."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
import strixtest  # noqa: E402
from strixtest import sh, udev_settle  # noqa: E402

A, B = "iqn.2026-12.test:a", "iqn.2026-12.test:b"
MNT = "/mnt/strix-state"


def disk(tree, name):
    host = tree.add_session("t1", name)
    disks = udev_settle(lambda: strixtest.scsi_disks_of_host(host))
    sh("sg_turs %s" % disks[0], check=False)
    return disks[0]


def main(phase):
    sh("modprobe -a virtio_blk ext4 sd_mod sg")
    os.makedirs(MNT, exist_ok=True)
    sh("mount /dev/vda %s" % MNT)
    strixtest.insmod("strix", "state_dir=%s/state" % MNT)
    strixtest.insmod("strix_vdisk")
    strixtest.insmod("strix_local")
    tree = strixtest.Tree()
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
        sh("sg_persist --out --no-inquiry --register --param-sark=0xa --param-aptpl %s" % a)
        sh("sg_persist --out --no-inquiry --register --param-sark=0xb --param-aptpl %s" % b)
        sh("sg_persist --out --no-inquiry --reserve --param-rk=0xa --prout-type=1 %s" % a)
        with open(os.path.join(MNT, "saved"), "w") as f:
            f.write(tree.read("devices/d1/pr_state"))
            f.flush()
            os.fsync(f.fileno())
        print("saved; powering off without unmounting")
        return 0
    with open(os.path.join(MNT, "saved")) as f:
        saved = f.read()
    assert state == saved, "restored %r, saved %r" % (state, saved)
    keys = sh("sg_persist --in --no-inquiry --read-keys %s" % b).stdout
    assert "0xa" in keys and "0xb" in keys, keys
    res = sh("sg_persist --in --no-inquiry --read-reservation %s" % b).stdout
    assert "Key=0xa" in res, res
    wb = sh("dd if=/dev/zero of=%s bs=4096 count=1 oflag=direct" % b, check=False)
    assert wb.returncode != 0, "B may not write under A's reservation"
    sh("dd if=/dev/zero of=%s bs=4096 count=1 oflag=direct" % a)
    tree.clear()
    for m in ("strix_local", "strix_vdisk", "strix"):
        strixtest.rmmod(m)
    sh("umount %s" % MNT)
    print("restored after reboot")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
