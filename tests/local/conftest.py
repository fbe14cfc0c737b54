"""Fixtures for the local loopback driver tests."""
import glob
import os
import stat

import pytest

import strixtest


@pytest.fixture
def stack():
    """strix, strix_vdisk and strix_local loaded; a Tree to drive them.

    Everything the test created is deleted afterwards and the modules are
    unloaded; both must succeed."""
    for m in ("strix_local", "strix_vdisk", "strix"):
        if strixtest.loaded(m):
            strixtest.rmmod(m)
    # the initiator side: SCSI disks and generic devices
    strixtest.sh("modprobe -a sd_mod sg")
    strixtest.insmod("strix")
    strixtest.insmod("strix_vdisk")
    strixtest.insmod("strix_local")
    tree = strixtest.Tree()
    yield tree
    tree.clear()
    for m in ("strix_local", "strix_vdisk", "strix"):
        strixtest.rmmod(m)
    # A tool that wrote to a /dev/sdX after its disk went away created a
    # plain file there, which would shadow the next disk of that name.
    stale = [p for p in glob.glob("/dev/sd*") if not stat.S_ISBLK(os.lstat(p).st_mode)]
    for p in stale:
        os.unlink(p)
    assert not stale, "files left in /dev by a test: %s" % stale


@pytest.fixture
def null_blk():
    """A null_blk device (memory-backed, so data can be verified)."""
    strixtest.sh("modprobe null_blk nr_devices=1 gb=1 memory_backed=1 queue_mode=2")
    yield "/dev/nullb0"
    if strixtest.loaded("strix"):
        strixtest.Tree().clear()        # let go of it before unloading
    strixtest.sh("rmmod null_blk")


@pytest.fixture
def ext4_dir(tmp_path):
    """A directory on ext4 (the guest's /tmp is tmpfs, which on 6.1 has no
    O_DIRECT): an image in tmpfs, looped and mounted."""
    img = tmp_path / "fs.img"
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    strixtest.sh("modprobe loop && truncate -s 300M %s && mkfs.ext4 -q -F %s" % (img, img))
    strixtest.sh("mount -o loop %s %s" % (img, mnt))
    yield mnt
    if strixtest.loaded("strix"):
        strixtest.Tree().clear()        # close files on it before unmounting
    strixtest.sh("umount %s" % mnt)
