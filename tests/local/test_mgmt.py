"""Management through the sysfs tree: LUN tables, groups, sessions, and
robustness against malformed commands and changes under I/O."""
import errno
import os
import random
import re
import subprocess
import time

import strixtest
from strixtest import sh, udev_settle


def product(dev):
    out = sh("sg_inq " + dev).stdout
    return re.search(r"Product identification: (\S+)", out).group(1)


def base_config(stack):
    stack.add_device("vdisk_nullio", "a", "size_mb=8")
    stack.add_device("vdisk_nullio", "b", "size_mb=16")
    stack.add_target("scst_local", "t1")


def test_tree_layout(stack):
    base_config(stack)
    stack.add_lun("t1", "a", 0)
    t = "targets/scst_local/t1/"
    for p in ("enabled", "rel_tgt_id", "luns/mgmt", "ini_groups/mgmt", "sessions",
              "read_cmd_count", "write_io_count_kb"):
        assert os.path.exists(stack.path(t + p)), p
    assert os.readlink(stack.path(t + "luns/0/device")).endswith("devices/a")
    assert os.readlink(stack.path("devices/a/handler")).endswith("handlers/vdisk_nullio")
    assert os.path.islink(stack.path("handlers/vdisk_nullio/a"))
    assert os.path.islink(stack.path("devices/a/exported/export0"))
    assert stack.value("devices/a/type").startswith("0 - ")
    assert "add_device" in stack.read("handlers/vdisk_nullio/mgmt")
    assert "add_target" in stack.read("targets/scst_local/mgmt")


def test_errors_are_synchronous(stack):
    base_config(stack)
    tl = "targets/scst_local/t1/luns/mgmt"
    assert stack.write("handlers/vdisk_nullio/mgmt", "add_device a size_mb=8") == errno.EEXIST
    assert stack.write("handlers/vdisk_nullio/mgmt", "del_device nope") == errno.ENOENT
    assert stack.write("handlers/vdisk_nullio/mgmt", "frobnicate a") == errno.EINVAL
    assert stack.write("handlers/vdisk_nullio/mgmt", "add_device c bogus=1") == errno.EINVAL
    assert stack.write(tl, "add nope 0") == errno.ENOENT
    assert stack.write(tl, "add a 99999") == errno.EINVAL
    assert stack.write(tl, "add a x") == errno.EINVAL
    stack.do(tl, "add a 0")
    assert stack.write(tl, "add b 0") == errno.EEXIST
    assert stack.write(tl, "del 5") == errno.ENOENT
    # a device in use by a LUN cannot be deleted
    assert stack.write("handlers/vdisk_nullio/mgmt", "del_device a") == errno.EBUSY
    stack.do(tl, "del 0")
    stack.del_device("vdisk_nullio", "a")
    assert stack.write("targets/scst_local/mgmt", "add_target t1") == errno.EEXIST
    assert stack.write("targets/scst_local/mgmt", "add_session nope s") == errno.ENOENT
    assert stack.write("targets/scst_local/mgmt", "del_session t1 nope") == errno.ENOENT


def test_lun_hot_add_and_remove(stack):
    base_config(stack)
    stack.add_lun("t1", "a", 0)
    host = stack.add_session("t1", "ini1")
    assert 0 in udev_settle(lambda: strixtest.scsi_disks_of_host(host))
    stack.add_lun("t1", "b", 7)
    disks = udev_settle(lambda: 7 in strixtest.scsi_disks_of_host(host) and
                        strixtest.scsi_disks_of_host(host))
    assert disks and 7 in disks, "hot-added LUN 7 did not appear"
    assert product(disks[7]) == "b"
    stack.do("targets/scst_local/t1/luns/mgmt", "del 7")
    assert udev_settle(lambda: 7 not in strixtest.scsi_disks_of_host(host)), \
        "removed LUN 7 still present"
    assert 0 in strixtest.scsi_disks_of_host(host)


def test_replace_raises_inquiry_changed(stack):
    base_config(stack)
    stack.add_lun("t1", "a", 0)
    host = stack.add_session("t1", "ini1")
    dev = udev_settle(lambda: strixtest.scsi_disks_of_host(host))[0]
    sh("sg_turs " + dev, check=False)             # consume the power-on UA
    log = strixtest.KernelLog()
    stack.do("targets/scst_local/t1/luns/mgmt", "replace b 0")
    assert product(dev) == "b"
    res = sh("sg_turs -v " + dev, check=False)
    seen = "Inquiry data has changed" in res.stdout or \
        re.search(r"[Ii]nquiry data has changed", log.text())
    assert seen, "no INQUIRY DATA HAS CHANGED unit attention"


def test_lun_masking_by_group(stack):
    base_config(stack)
    t = "targets/scst_local/t1/"
    stack.add_lun("t1", "a", 0)                   # default table
    stack.do(t + "ini_groups/mgmt", "create g1")
    stack.add_lun("t1", "b", 0, group="g1")
    stack.do(t + "ini_groups/g1/initiators/mgmt", "add ini_b*")
    host_a = stack.add_session("t1", "ini_a")
    host_b = stack.add_session("t1", "ini_b1")
    dev_a = udev_settle(lambda: strixtest.scsi_disks_of_host(host_a))[0]
    dev_b = udev_settle(lambda: strixtest.scsi_disks_of_host(host_b))[0]
    assert product(dev_a) == "a"
    assert product(dev_b) == "b"
    assert os.readlink(stack.path(t + "sessions/ini_b1/luns")).endswith("g1/luns")
    # an exact name wins over the pattern; moving it changes its view
    stack.do(t + "ini_groups/mgmt", "create g2")
    stack.add_lun("t1", "a", 3, group="g2")
    stack.do(t + "ini_groups/g2/initiators/mgmt", "add ini_b1")
    assert os.readlink(stack.path(t + "sessions/ini_b1/luns")).endswith("g2/luns")
    disks = udev_settle(lambda: 3 in strixtest.scsi_disks_of_host(host_b) and
                        strixtest.scsi_disks_of_host(host_b))
    assert disks and 3 in disks
    assert udev_settle(lambda: 0 not in strixtest.scsi_disks_of_host(host_b))
    log = strixtest.KernelLog()
    stack.do(t + "ini_groups/g2/initiators/mgmt", "move ini_b1 g1")
    dev = udev_settle(lambda: strixtest.scsi_disks_of_host(host_b).get(0))
    assert dev and product(dev) == "b"
    res = sh("sg_turs -v " + dev, check=False)
    seen = "Reported luns data has changed" in res.stdout or \
        re.search(r"LUN assignments on this target have changed", log.text()) or \
        re.search(r"[Rr]eported luns data has changed", log.text())
    assert seen, "no REPORTED LUNS DATA HAS CHANGED after move"
    # the other session did not change
    assert product(dev_a) == "a"


BAD_COMMANDS = [
    "", "\n", " ", "add_device", "del_device", "add_device x y", "add_device /bad size_mb=1",
    "add_device " + "n" * 300 + " size_mb=1", "add_device z size_mb=abc", "add_device z size_mb=",
    "add_device z =1", "add_device z size_mb=1;;x=2", "add_device z size_mb=1; size_mb=2",
    "del_device", "del_device nope", "del_device a extra", "add", "add a -1",
    "add a 1 read_only=2", "add a 1 bogus=1", "del", "del x", "del 99", "replace", "replace a",
    "clear x", "create", "create a/b", "del nogroup", "add_target", "del_target nope",
    "add_session t1", "add_session nope s1", "del_session", "del_session t1 nope",
    "move", "move x", "move nope g", "\x00\x01\x02", "add_device \xff\xfe size_mb=1",
    "add_device a size_mb=1",              # duplicate
    "create =", "create ;;", "create a;b", "add_target x=y",
]


def test_malformed_commands_change_nothing(stack):
    base_config(stack)
    t = "targets/scst_local/t1/"
    stack.add_lun("t1", "a", 0)
    stack.do(t + "ini_groups/mgmt", "create g1")
    stack.add_session("t1", "s1")
    files = ["handlers/vdisk_nullio/mgmt", "handlers/vdisk_fileio/mgmt",
             "handlers/vdisk_blockio/mgmt", "targets/scst_local/mgmt", t + "luns/mgmt",
             t + "ini_groups/mgmt", t + "ini_groups/g1/luns/mgmt",
             t + "ini_groups/g1/initiators/mgmt", t + "enabled", "setup_id"]
    rng = random.Random(1234)
    before = stack.snapshot()
    commands = []
    for _ in range(1000):
        cmd = rng.choice(BAD_COMMANDS)
        if rng.random() < 0.3:                    # mangle it, keeping it invalid
            cmd += rng.choice([" x=", " ;;", " \x01", " 1 2 3 4 5", " =", " a/b"])
        commands.append((rng.choice(files), cmd))
    accepted = []
    for path, cmd in commands:
        err = stack.write(path, cmd)
        if err == 0 and cmd.strip():
            accepted.append((path, cmd))
    # the only writes allowed to succeed are those that are no-ops
    after = stack.snapshot()
    assert after == before, "tree changed; accepted: %s" % accepted[:20]
    assert not [a for a in accepted if "mgmt" in a[0]], accepted[:20]


def test_delete_under_io(stack, tmp_path):
    img = tmp_path / "disk.img"
    sh("truncate -s 64M %s" % img)
    stack.add_device("vdisk_fileio", "f", "filename=%s" % img)
    stack.add_device("vdisk_nullio", "n", "size_mb=64")
    stack.add_target("scst_local", "t1")
    stack.add_lun("t1", "f", 0)
    stack.add_lun("t1", "n", 1)
    host = stack.add_session("t1", "ini1")
    disks = udev_settle(lambda: len(strixtest.scsi_disks_of_host(host)) == 2 and
                        strixtest.scsi_disks_of_host(host))
    assert disks
    jobs = [subprocess.Popen(
        ["fio", "--name=bg", "--filename=" + disks[lun], "--direct=1", "--ioengine=libaio",
         "--iodepth=16", "--rw=randrw", "--bs=4k", "--time_based", "--runtime=20",
         "--size=32M", "--continue_on_error=all",
         # the disk goes away under it: never create a file in its place
         "--allow_file_create=0"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for lun in (0, 1)]
    time.sleep(3)
    # in use: refused, not stalled
    assert stack.write("handlers/vdisk_fileio/mgmt", "del_device f") == errno.EBUSY
    stack.do("targets/scst_local/t1/luns/mgmt", "del 1")     # under I/O
    stack.del_device("vdisk_nullio", "n")
    stack.do("targets/scst_local/mgmt", "del_session t1 ini1")  # under I/O
    for j in jobs:
        assert j.wait(timeout=120) is not None
    assert not os.path.exists(stack.path("targets/scst_local/t1/sessions/ini1"))
    stack.do("targets/scst_local/mgmt", "del_target t1")
    stack.del_device("vdisk_fileio", "f")
