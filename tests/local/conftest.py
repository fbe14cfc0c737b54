"""Fixtures for the local loopback driver tests."""

import pytest

import strixtest


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
