"""The vdisk handlers' management interface (strix_vdisk.ko).

handlers/vdisk_{nullio,fileio,blockio}/mgmt: add_device and del_device,
the attributes of devices/<name>/ with their `[key]` markers, refused
commands (errno, and nothing created), resync_size.  I/O through a target
is tested elsewhere.
"""
import errno
import os
import subprocess
import threading

import pytest

import strixtest

ROOT = strixtest.SYSFS_ROOT
HANDLERS = ("vdisk_nullio", "vdisk_fileio", "vdisk_blockio")
DISK_TYPE = "0 - direct-access device (e.g., magnetic disk)\n"

# add_device parameters each handler takes (shared/reference/sysfs-abi.md,
# less what Strix does not implement yet: async, dif_*, numa_node_id,
# cluster_mode, active, tst).
PARAMS = {
    "vdisk_nullio": {"size", "size_mb", "blocksize", "read_only", "dummy",
                     "rotational", "removable", "t10_dev_id", "thin_provisioned"},
    "vdisk_fileio": {"filename", "blocksize", "read_only", "nv_cache", "write_through",
                     "o_direct", "thin_provisioned", "rotational", "removable",
                     "t10_dev_id"},
    "vdisk_blockio": {"filename", "blocksize", "read_only", "nv_cache", "write_through",
                      "thin_provisioned", "rotational", "removable", "t10_dev_id"},
}
# Run-time attributes beyond the parameters (and the core's own).
EXTRA_ATTRS = {
    "vdisk_nullio": {"size", "size_mb", "read_zero"},
    "vdisk_fileio": {"size", "size_mb", "resync_size", "sync"},
    "vdisk_blockio": {"size", "size_mb", "resync_size", "sync"},
}
CORE_ATTRS = {"type", "handler", "exported", "pr_state", "pr_file_name", "tas", "qerr",
              "expl_alua"}


def path(*parts):
    return os.path.join(ROOT, *parts)


def write(p, value):
    """One write() like an admin tool; 0 or the errno.  Echoes the command."""
    print("+ echo %r > %s" % (value, p))
    try:
        fd = os.open(p, os.O_WRONLY)
    except OSError as e:
        print("  -> %s" % errno.errorcode[e.errno])
        return e.errno
    try:
        os.write(fd, value.encode())
        return 0
    except OSError as e:
        print("  -> %s" % errno.errorcode[e.errno])
        return e.errno
    finally:
        os.close(fd)


def read(p):
    with open(p) as f:
        return f.read()


def attr(dev, name):
    """(value, has [key]) of devices/<dev>/<name>."""
    lines = read(path("devices", dev, name)).splitlines()
    key = lines[-1:] == ["[key]"]
    if key:
        lines = lines[:-1]
    assert len(lines) == 1, "%s/%s: %r" % (dev, name, lines)
    return lines[0], key


def mgmt(handler, line):
    return write(path("handlers", handler, "mgmt"), line)


def devices():
    return set(os.listdir(path("devices")))


@pytest.fixture(scope="module")
def vdisk(strix_core):
    """strix_vdisk.ko loaded on the core; unloaded (with no device left) after."""
    strixtest.insmod("strix_vdisk")
    yield strix_core
    left = devices()
    for d in left:
        h = os.path.basename(os.readlink(path("devices", d, "handler")))
        mgmt(h, "del_device " + d)
    assert not left, "devices left behind: %s" % sorted(left)
    strixtest.rmmod("strix_vdisk")


@pytest.fixture
def added(vdisk):
    """add(handler, line): add_device that is undone after the test."""
    made = []

    def add(handler, line):
        ret = mgmt(handler, "add_device " + line)
        if ret == 0:
            made.append((handler, line.split()[0]))
        return ret

    yield add
    for handler, name in reversed(made):
        if os.path.exists(path("devices", name)):
            assert mgmt(handler, "del_device " + name) == 0


@pytest.fixture
def image(tmp_path):
    """make(size, name='disk.img'): a sparse file of that many bytes."""
    def make(size, name="disk.img"):
        p = tmp_path / name
        with open(p, "wb") as f:
            f.truncate(size)
        return str(p)
    return make


def losetup(image_path):
    res = strixtest.sh("losetup -f --show " + image_path, check=False)
    if res.returncode != 0:
        pytest.skip("no loop device: " + res.stdout.strip())
    return res.stdout.strip()


@pytest.fixture
def loopdev(image):
    """A 32 MiB loop device over a file: (device path, file path)."""
    strixtest.sh("modprobe loop", check=False)
    img = image(32 << 20, "loop.img")
    dev = losetup(img)
    yield dev, img
    strixtest.sh("losetup -d " + dev)


@pytest.fixture
def nullb_4k():
    """/dev/nullb0 with 4096-byte logical blocks (null_blk)."""
    if strixtest.loaded("null_blk"):
        pytest.skip("null_blk already loaded with unknown parameters")
    res = strixtest.sh("modprobe null_blk nr_devices=1 gb=1 bs=4096", check=False)
    if res.returncode != 0:
        pytest.skip("no null_blk: " + res.stdout.strip())
    yield "/dev/nullb0"
    strixtest.sh("rmmod null_blk")


# ---- handlers ---------------------------------------------------------


@pytest.mark.smoke
def test_handlers_registered(vdisk):
    assert set(HANDLERS) <= set(os.listdir(path("handlers")))
    for h in HANDLERS:
        assert read(path("handlers", h, "type")) == DISK_TYPE
        usage = read(path("handlers", h, "mgmt"))
        listed = usage.split("The following parameters available:")[1]
        assert {p.strip() for p in listed.split(",")} == PARAMS[h], h


def test_unload_refused_while_devices_exist(added):
    assert added("vdisk_nullio", "pin1") == 0
    res = strixtest.sh("rmmod strix_vdisk", check=False)
    assert res.returncode != 0, "strix_vdisk unloaded under a device"
    assert strixtest.loaded("strix_vdisk")


# ---- nullio -----------------------------------------------------------


@pytest.mark.smoke
def test_nullio_defaults(added):
    assert added("vdisk_nullio", "n1") == 0
    assert "n1" in devices()
    assert os.path.islink(path("handlers", "vdisk_nullio", "n1"))
    files = set(os.listdir(path("devices", "n1")))
    assert files == PARAMS["vdisk_nullio"] | EXTRA_ATTRS["vdisk_nullio"] | CORE_ATTRS
    assert read(path("devices", "n1", "type")) == DISK_TYPE
    # No size given: 1 TiB.  Nothing was given, so nothing is a [key].
    assert attr("n1", "size") == (str(1 << 40), False)
    assert attr("n1", "size_mb") == (str(1 << 20), False)
    assert attr("n1", "blocksize") == ("512", False)
    for a in ("read_only", "dummy", "rotational", "removable"):
        assert attr("n1", a) == ("0", False), a
    assert attr("n1", "read_zero") == ("1", False)
    # Without t10_dev_id the device name is reported.
    assert attr("n1", "t10_dev_id") == ("n1", False)


def test_nullio_given_params_are_keys(added):
    line = ("n2 size_mb=64; blocksize=4096; read_only=1; rotational=1; "
            "removable=1; dummy=1; t10_dev_id=strix-n2")
    assert added("vdisk_nullio", line) == 0
    assert attr("n2", "size_mb") == ("64", True)
    assert attr("n2", "size") == (str(64 << 20), False)
    assert attr("n2", "blocksize") == ("4096", True)
    for a in ("read_only", "rotational", "removable", "dummy"):
        assert attr("n2", a) == ("1", True), a
    assert attr("n2", "t10_dev_id") == ("strix-n2", True)


def test_nullio_given_default_is_still_a_key(added):
    """A parameter given at creation is saved even when it equals the default."""
    assert added("vdisk_nullio", "n3 size=1048576; read_only=0; blocksize=512") == 0
    assert attr("n3", "size") == ("1048576", True)
    assert attr("n3", "size_mb") == ("1", False)
    assert attr("n3", "read_only") == ("0", True)
    assert attr("n3", "blocksize") == ("512", True)


def test_nullio_size_rounded_down_to_blocks(added):
    assert added("vdisk_nullio", "n4 size=10000") == 0
    assert attr("n4", "size") == (str(10000 // 512 * 512), True)


def test_nullio_size_and_size_mb_agreeing(added):
    """A saved config may carry both; they must agree."""
    assert added("vdisk_nullio", "n5 size=2097152; size_mb=2") == 0
    assert attr("n5", "size") == ("2097152", True)
    assert attr("n5", "size_mb") == ("2", True)


def test_nullio_read_zero(added):
    assert added("vdisk_nullio", "n6 size_mb=1") == 0
    p = path("devices", "n6", "read_zero")
    assert write(p, "0") == 0
    assert attr("n6", "read_zero") == ("0", True)
    for bad in ("2", "-1", "yes", ""):
        if bad:
            assert write(p, bad) == errno.EINVAL
        assert attr("n6", "read_zero") == ("0", True), "refused write changed it"
    assert write(p, "1\n") == 0
    assert attr("n6", "read_zero") == ("1", False)


@pytest.mark.parametrize("name", ["blocksize", "read_only", "t10_dev_id", "dummy",
                                  "type"])
def test_nullio_read_only_attributes(added, name):
    assert added("vdisk_nullio", "n7 size_mb=1") == 0
    before = read(path("devices", "n7", name))
    assert write(path("devices", "n7", name), "1") == errno.EACCES
    assert read(path("devices", "n7", name)) == before


def test_nullio_size_writable(added):
    """size (bytes, whole blocks) and size_mb change a nullio device's
    capacity; a bad value is EINVAL and changes nothing.  The new size is a
    [key]: a saved configuration recreates the device with it."""
    assert added("vdisk_nullio", "n8 size_mb=4; blocksize=4096") == 0
    p = path("devices", "n8", "size")
    for bad in ("0", "x", "-4096", "4097", "512", str(1 << 64)):
        assert write(p, bad) == errno.EINVAL, bad
        assert attr("n8", "size") == (str(4 << 20), False)
    assert write(path("devices", "n8", "size_mb"), "0") == errno.EINVAL
    assert write(p, str(8 << 20)) == 0
    assert attr("n8", "size") == (str(8 << 20), True)
    assert attr("n8", "size_mb") == ("8", False)
    assert write(path("devices", "n8", "size_mb"), "2\n") == 0
    assert attr("n8", "size") == (str(2 << 20), False)
    assert attr("n8", "size_mb") == ("2", True)


def test_blockio_size_writable(added, loopdev):
    """blockio's size may shrink the LUN below the block device and grow it
    back, never past it."""
    dev, _ = loopdev
    assert added("vdisk_blockio", "b7 filename=" + dev) == 0
    p = path("devices", "b7", "size")
    for bad in (str(33 << 20), "1000", "0", "x"):
        assert write(p, bad) == errno.EINVAL, bad
        assert attr("b7", "size") == (str(32 << 20), False)
    assert write(p, str(16 << 20)) == 0
    assert attr("b7", "size") == (str(16 << 20), False)
    assert write(path("devices", "b7", "size_mb"), "32") == 0
    assert attr("b7", "size_mb") == ("32", False)
    assert write(path("devices", "b7", "size_mb"), "33") == errno.EINVAL


# ---- refused commands -------------------------------------------------

BAD_NULLIO = [
    "blocksize=1000", "blocksize=0", "blocksize=8192", "blocksize=x",
    "size=100",                     # smaller than one block
    "size=abc", "size=-1", "size_mb=0", "size_mb=18446744073709551615",
    "size=1048576; size_mb=2",      # disagree
    "read_only=2", "read_only=yes", "dummy=", "rotational=-1",
    "t10_dev_id=" + "x" * 64, "t10_dev_id=a b",
    "filename=/tmp/x",              # not a nullio parameter
    "o_direct=1", "bogus=1", "size_mb", "size_mb=1;;read_only=1",
    "size_mb=1; size_mb=2",         # given twice
]


@pytest.mark.parametrize("params", BAD_NULLIO)
def test_nullio_bad_params_create_nothing(vdisk, params):
    before = devices()
    assert mgmt("vdisk_nullio", "add_device bad " + params) == errno.EINVAL
    assert devices() == before
    assert not os.path.lexists(path("handlers", "vdisk_nullio", "bad"))


@pytest.mark.parametrize("line", ["add_device", "add_device bad/name",
                                  "frobnicate x", "del_device"])
def test_malformed_commands(vdisk, line):
    before = devices()
    assert mgmt("vdisk_nullio", line) == errno.EINVAL
    assert devices() == before


def test_duplicate_name_across_handlers(added, image):
    assert added("vdisk_nullio", "dup size_mb=1") == 0
    assert added("vdisk_nullio", "dup size_mb=2") == errno.EEXIST
    assert added("vdisk_fileio", "dup filename=" + image(1 << 20)) == errno.EEXIST
    assert attr("dup", "size_mb") == ("1", True), "the refused add changed it"


def test_del_device_errors(added):
    assert mgmt("vdisk_nullio", "del_device nosuch") == errno.ENOENT
    assert added("vdisk_nullio", "d1 size_mb=1") == 0
    # Another handler's device is not found through this handler.
    assert mgmt("vdisk_fileio", "del_device d1") == errno.ENOENT
    assert mgmt("vdisk_nullio", "del_device d1 extra") == errno.EINVAL
    assert "d1" in devices()
    assert mgmt("vdisk_nullio", "del_device d1") == 0
    assert "d1" not in devices()
    assert not os.path.lexists(path("handlers", "vdisk_nullio", "d1"))
    assert mgmt("vdisk_nullio", "del_device d1") == errno.ENOENT


# ---- fileio -----------------------------------------------------------


@pytest.mark.smoke
def test_fileio_attributes(added, image):
    img = image((10 << 20) + 1000)
    assert added("vdisk_fileio", "f1 filename=" + img) == 0
    files = set(os.listdir(path("devices", "f1")))
    assert files == PARAMS["vdisk_fileio"] | EXTRA_ATTRS["vdisk_fileio"] | CORE_ATTRS
    assert attr("f1", "filename") == (img, True)
    # The file's size rounded down to whole blocks; derived, so no [key].
    assert attr("f1", "size") == (str(((10 << 20) + 1000) // 512 * 512), False)
    assert attr("f1", "size_mb") == ("10", False)
    assert attr("f1", "blocksize") == ("512", False)
    for a in ("read_only", "nv_cache", "write_through", "o_direct",
              "thin_provisioned", "removable"):
        assert attr("f1", a) == ("0", False), a
    assert attr("f1", "rotational") == ("1", False)
    assert attr("f1", "t10_dev_id") == ("f1", False)


def test_fileio_given_params_are_keys(added, image):
    img = image((10 << 20) + 1000)
    line = ("f2 filename=%s; blocksize=4096; read_only=1; nv_cache=1; "
            "write_through=1; thin_provisioned=1; rotational=0; removable=1; "
            "t10_dev_id=f2-id" % img)
    assert added("vdisk_fileio", line) == 0
    assert attr("f2", "size") == (str(10 << 20), False)
    assert attr("f2", "blocksize") == ("4096", True)
    for a in ("read_only", "nv_cache", "write_through", "thin_provisioned", "removable"):
        assert attr("f2", a) == ("1", True), a
    assert attr("f2", "rotational") == ("0", True)
    assert attr("f2", "t10_dev_id") == ("f2-id", True)


def test_fileio_o_direct(added, image):
    """O_DIRECT where the file system has it (tmpfs: 6.6 and later)."""
    before = devices()
    ret = added("vdisk_fileio", "f3 filename=%s; o_direct=1" % image(1 << 20))
    if ret:
        assert ret == errno.EINVAL
        assert devices() == before
    else:
        assert attr("f3", "o_direct") == ("1", True)


def test_fileio_bad_params_create_nothing(vdisk, image, tmp_path):
    img = image(1 << 20)
    small = image(511, "small.img")
    cases = [
        ("", errno.EINVAL),                               # filename is required
        ("blocksize=512", errno.EINVAL),
        ("filename=relative.img", errno.EINVAL),
        ("filename=%s/nosuch.img" % tmp_path, errno.ENOENT),
        ("filename=" + small, errno.EINVAL),              # under one block
        ("filename=%s; blocksize=4096" % image(4095, "small4k.img"), errno.EINVAL),
        ("filename=" + str(tmp_path), errno.EISDIR),
        ("filename=/dev/null", errno.EINVAL),             # a character device
        ("filename=%s; size_mb=1" % img, errno.EINVAL),   # not a fileio parameter
        ("filename=%s; blocksize=2048" % img, errno.EINVAL),
        ("filename=%s; read_only=maybe" % img, errno.EINVAL),
    ]
    before = devices()
    for params, err in cases:
        assert mgmt("vdisk_fileio", "add_device bad " + params) == err, params
        assert devices() == before, params


def test_fileio_resync_size(added, image):
    img = image(4 << 20)
    assert added("vdisk_fileio", "r1 filename=" + img) == 0
    resync = path("devices", "r1", "resync_size")
    os.truncate(img, 8 << 20)
    assert attr("r1", "size_mb") == ("4", False), "size changed before resync_size"
    assert write(resync, "1") == 0
    assert attr("r1", "size_mb") == ("8", False)
    os.truncate(img, 2 << 20)
    assert write(resync, "1\n") == 0
    assert attr("r1", "size_mb") == ("2", False)
    for bad in ("0", "2", "x"):
        assert write(resync, bad) == errno.EINVAL
    os.truncate(img, 100)       # under one block: refused, size kept
    assert write(resync, "1") == errno.EINVAL
    assert attr("r1", "size_mb") == ("2", False)


def test_fileio_sync(added, image):
    assert added("vdisk_fileio", "s1 filename=" + image(1 << 20)) == 0
    assert write(path("devices", "s1", "sync"), "1") == 0
    assert write(path("devices", "s1", "sync"), "0") == errno.EINVAL


def test_fileio_resync_size_races_del_device(vdisk, image):
    """resync_size writers and del_device: each write returns cleanly."""
    img = image(4 << 20)
    for round_ in range(5):
        assert mgmt("vdisk_fileio", "add_device race filename=" + img) == 0
        p = path("devices", "race", "resync_size")
        results = []

        def hammer():
            for _ in range(200):
                try:
                    fd = os.open(p, os.O_WRONLY)
                except OSError as e:
                    results.append(e.errno)
                    return
                try:
                    os.write(fd, b"1")
                    results.append(0)
                except OSError as e:
                    results.append(e.errno)
                finally:
                    os.close(fd)

        threads = [threading.Thread(target=hammer) for _ in range(2)]
        for t in threads:
            t.start()
        assert mgmt("vdisk_fileio", "del_device race") == 0
        for t in threads:
            t.join()
        assert set(results) <= {0, errno.ENODEV, errno.ENOENT}, results
        assert "race" not in devices()


# ---- blockio ----------------------------------------------------------


def test_blockio_attributes(added, loopdev):
    dev, _img = loopdev
    assert added("vdisk_blockio", "b1 filename=" + dev) == 0
    files = set(os.listdir(path("devices", "b1")))
    assert files == PARAMS["vdisk_blockio"] | EXTRA_ATTRS["vdisk_blockio"] | CORE_ATTRS
    assert attr("b1", "filename") == (dev, True)
    assert attr("b1", "size") == (str(32 << 20), False)
    assert attr("b1", "size_mb") == ("32", False)
    assert attr("b1", "blocksize") == ("512", False)
    for a in ("read_only", "nv_cache", "write_through", "thin_provisioned", "removable"):
        assert attr("b1", a) == ("0", False), a
    rot = read("/sys/block/%s/queue/rotational" % os.path.basename(dev)).strip()
    assert attr("b1", "rotational") == (rot, False)


def test_blockio_exclusive(added, loopdev):
    dev, _img = loopdev
    assert added("vdisk_blockio", "b2 filename=" + dev) == 0
    assert added("vdisk_blockio", "b3 filename=" + dev) == errno.EBUSY
    assert "b3" not in devices()


def test_blockio_given_params_are_keys(added, loopdev):
    dev, _img = loopdev
    line = ("b4 filename=%s; blocksize=4096; read_only=1; nv_cache=1; "
            "write_through=1; thin_provisioned=1; rotational=1; t10_dev_id=b4-id" % dev)
    assert added("vdisk_blockio", line) == 0
    assert attr("b4", "blocksize") == ("4096", True)
    assert attr("b4", "size") == (str(32 << 20), False)
    for a in ("read_only", "nv_cache", "write_through", "thin_provisioned", "rotational"):
        assert attr("b4", a) == ("1", True), a
    assert attr("b4", "t10_dev_id") == ("b4-id", True)


def test_blockio_resync_size(added, loopdev):
    dev, img = loopdev
    assert added("vdisk_blockio", "b5 filename=" + dev) == 0
    os.truncate(img, 48 << 20)
    strixtest.sh("losetup -c " + dev)
    assert attr("b5", "size_mb") == ("32", False)
    assert write(path("devices", "b5", "resync_size"), "1") == 0
    assert attr("b5", "size_mb") == ("48", False)
    assert write(path("devices", "b5", "sync"), "1") == 0


def test_blockio_bad_params_create_nothing(vdisk, image, tmp_path):
    cases = [
        ("", errno.EINVAL),
        ("filename=dev/loop0", errno.EINVAL),
        ("filename=/dev/nosuchdisk", errno.ENOENT),
        ("filename=" + image(1 << 20), errno.ENOTBLK),
        ("filename=/dev/null", errno.ENOTBLK),
        ("filename=/dev/loop0; o_direct=1", errno.EINVAL),  # not a blockio parameter
    ]
    before = devices()
    for params, err in cases:
        assert mgmt("vdisk_blockio", "add_device bad " + params) == err, params
        assert devices() == before, params


def test_blockio_4k_device(added, nullb_4k):
    # The default blocksize is the device's logical block size (not 512:
    # a [key]); a smaller one is refused.
    assert added("vdisk_blockio", "b6 filename=%s; blocksize=512" % nullb_4k) == errno.EINVAL
    assert "b6" not in devices()
    assert added("vdisk_blockio", "b6 filename=" + nullb_4k) == 0
    assert attr("b6", "blocksize") == ("4096", True)
    assert attr("b6", "size_mb") == ("1024", False)
    assert attr("b6", "rotational") == ("0", False)
    assert mgmt("vdisk_blockio", "del_device b6") == 0


def test_blockio_read_only_device(added, loopdev):
    """A read-only block device can only be used with read_only=1."""
    dev, _img = loopdev
    subprocess.run(["blockdev", "--setro", dev], check=True)
    try:
        assert added("vdisk_blockio", "b7 filename=" + dev) in (errno.EACCES, errno.EROFS)
        assert "b7" not in devices()
        assert added("vdisk_blockio", "b7 filename=%s; read_only=1" % dev) == 0
    finally:
        if "b7" in devices():
            assert mgmt("vdisk_blockio", "del_device b7") == 0
        subprocess.run(["blockdev", "--setrw", dev], check=True)
