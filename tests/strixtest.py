"""Helpers shared by the Strix guest tests (imported by conftest.py and tests).

Kept free of pytest fixtures so a failing test's reproduction commands can
be run by hand with the same code.
"""
import os
import re
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "scripts", "vm"))
import splat  # noqa: E402

SYSFS_ROOT = "/sys/kernel/scst_tgt"


def in_guest():
    """True inside the test guest booted by scripts/vm/run."""
    try:
        with open("/proc/cmdline") as f:
            return "strix.run=" in f.read()
    except OSError:
        return False


def release():
    return os.uname().release


def module_dir():
    """Where scripts/build-modules.sh put the modules for this kernel."""
    return os.path.join(TOP, "build", "kernel", release())


def module_path(name):
    """Path of one of our modules (e.g. 'strix', 'strix_splat') or None."""
    for root, _dirs, files in os.walk(module_dir()):
        if name + ".ko" in files:
            return os.path.join(root, name + ".ko")
    return None


def sh(cmd, check=True):
    """Run a shell command, echoing it (a failing test shows how to redo it)."""
    print("+ " + cmd)
    res = subprocess.run(cmd, shell=True, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    if res.stdout:
        print(res.stdout, end="")
    if check and res.returncode != 0:
        raise AssertionError("command failed (exit %d): %s\n%s"
                             % (res.returncode, cmd, res.stdout))
    return res


def loaded(name):
    with open("/proc/modules") as f:
        return any(line.split()[0] == name for line in f)


def insmod(name, *params):
    path = module_path(name)
    assert path, "%s.ko not built for %s: run scripts/build-modules.sh" % (name, release())
    sh("insmod %s %s" % (path, " ".join(params)))
    assert loaded(name)


def rmmod(name):
    sh("rmmod %s" % name)
    assert not loaded(name), "%s still loaded after rmmod" % name


def kernel_config(option):
    """Value of CONFIG_<option> of the running kernel ('y', 'm' or None)."""
    paths = ["/boot/config-" + release()]
    for p in paths:
        if os.path.exists(p):
            with open(p) as f:
                text = f.read()
            break
    else:
        try:
            text = subprocess.run(["zcat", "/proc/config.gz"], stdout=subprocess.PIPE,
                                  text=True, check=True).stdout
        except (OSError, subprocess.CalledProcessError):
            return None
    m = re.search(r"^CONFIG_%s=(\S+)" % re.escape(option), text, re.M)
    return m.group(1) if m else None


class KernelLog:
    """Reads /dev/kmsg records newer than a starting sequence number."""

    def __init__(self):
        self.start = self._last_seq()

    @staticmethod
    def _records():
        fd = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK)
        try:
            while True:
                try:
                    rec = os.read(fd, 8192).decode(errors="replace")
                except BlockingIOError:
                    return
                except BrokenPipeError:     # overwritten while reading
                    continue
                head, _, msg = rec.partition(";")
                fields = head.split(",")
                yield int(fields[1]), msg.split("\n")[0]
        finally:
            os.close(fd)

    def _last_seq(self):
        last = -1
        for seq, _ in self._records():
            last = seq
        return last

    def text(self):
        return "\n".join(m for s, m in self._records() if s > self.start)

    def mark(self, msg):
        with open("/dev/kmsg", "w") as f:
            f.write(msg + "\n")

    def splats(self):
        return splat.find_splats(self.text())

    def wait_for(self, pattern, timeout=5.0):
        """Wait until a message matching pattern shows up; return it."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            m = re.search(pattern, self.text())
            if m:
                return m.group(0)
            time.sleep(0.05)
        return None
