"""The core module loads, creates its sysfs root and unloads cleanly."""
import os

import pytest

import strixtest

# On the debug kernel every load and unload is checked by KASAN, lockdep
# and kmemleak and takes about 5 s; there a shorter loop, on the stock
# kernels the long one.
LOOPS = 50


def loops():
    return 10 if strixtest.kernel_config("KASAN") == "y" else LOOPS


@pytest.mark.smoke
def test_load_unload_loop(kernel_log):
    if strixtest.loaded("strix"):
        strixtest.rmmod("strix")
    path = strixtest.module_path("strix")
    assert path, "strix.ko not built for this kernel"
    n = loops()
    for i in range(n):
        strixtest.sh("insmod " + path)
        assert os.path.isdir(strixtest.SYSFS_ROOT), "loop %d: no sysfs root" % i
        strixtest.sh("rmmod strix")
        assert not os.path.exists(strixtest.SYSFS_ROOT), "loop %d: root left" % i
    assert not strixtest.loaded("strix")
    # Each load logged its banner: the module really ran its init n times.
    text = kernel_log.text()
    assert text.count("Strix target core") == 2 * n


def test_unload_while_sysfs_file_open(kernel_log):
    """An open attribute file does not pin the module or crash on unload."""
    strixtest.insmod("strix")
    f = open(os.path.join(strixtest.SYSFS_ROOT, "version"))
    try:
        strixtest.rmmod("strix")
        with pytest.raises(OSError):
            f.read()
    finally:
        f.close()
    assert not strixtest.loaded("strix")
