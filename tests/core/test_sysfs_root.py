"""The root of the management tree: /sys/kernel/scst_tgt."""
import errno
import os
import re

import pytest

import strixtest

pytestmark = pytest.mark.smoke


def read(name):
    with open(os.path.join(strixtest.SYSFS_ROOT, name)) as f:
        return f.read()


def write(name, value):
    """Write like an admin tool: one write(); return 0 or the errno."""
    try:
        fd = os.open(os.path.join(strixtest.SYSFS_ROOT, name), os.O_WRONLY)
    except OSError as e:
        return e.errno
    try:
        os.write(fd, value.encode())
        return 0
    except OSError as e:
        return e.errno
    finally:
        os.close(fd)


def source_version():
    with open(os.path.join(strixtest.TOP, "kernel/include/strix/version.h")) as f:
        return re.search(r'#define STRIX_VERSION "([^"]+)"', f.read()).group(1)


def test_root_contents(strix_core):
    entries = set(os.listdir(strix_core))
    assert {"version", "setup_id"} <= entries
    for d in ("handlers", "devices", "targets"):
        assert os.path.isdir(os.path.join(strix_core, d)), d
        assert os.listdir(os.path.join(strix_core, d)) == [], d + " not empty"
    # device_groups holds only its mgmt file until a group is added.
    assert os.listdir(os.path.join(strix_core, "device_groups")) == ["mgmt"]


def test_version_lists_features(strix_core):
    lines = read("version").splitlines()
    assert lines[0] == source_version()
    features = lines[1:]
    assert "SYNC_MGMT" in features
    assert len(features) == len(set(features)), "a feature listed twice"
    # KUNIT is listed exactly when the kernel has KUnit.
    assert ("KUNIT" in features) == (strixtest.kernel_config("KUNIT") == "y")
    assert ("KASAN" in features) == (strixtest.kernel_config("KASAN") == "y")


def test_setup_id_default_and_key(strix_core):
    assert read("setup_id") == "0x0\n"
    assert write("setup_id", "42") == 0
    # A value differing from the default carries the [key] marker.
    assert read("setup_id") == "0x2a\n[key]\n"
    assert write("setup_id", "0xdeadbeef\n") == 0
    assert read("setup_id") == "0xdeadbeef\n[key]\n"
    assert write("setup_id", "0") == 0
    assert read("setup_id") == "0x0\n"


# (An empty write() never reaches the kernel's store; a blank line does.)
@pytest.mark.parametrize("bad", ["\n", "abc", "-1", "0x1ffffffff", "12 34", "4294967296"])
def test_setup_id_rejects_bad_value(strix_core, bad):
    assert write("setup_id", "7") == 0
    assert write("setup_id", bad) in (errno.EINVAL, errno.ERANGE)
    assert read("setup_id") == "0x7\n[key]\n", "a refused write changed the value"
    assert write("setup_id", "0") == 0


def test_version_is_read_only(strix_core):
    assert write("version", "9.9.9") == errno.EACCES
    assert read("version").splitlines()[0] == source_version()
