"""Helpers shared by the Strix guest tests (imported by conftest.py and tests).

Kept free of pytest fixtures so a failing test's reproduction commands can
be run by hand with the same code.
"""
import glob
import os
import re
import shutil
import stat
import subprocess
import tempfile
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


def install_modules(names, tag):
    """Our modules @names where modprobe finds them, as a DKMS install puts
    them (/lib/modules/RELEASE/updates/@tag, the guest's tmpfs overlay);
    returns that directory for uninstall_modules()."""
    dest = "/lib/modules/%s/updates/%s" % (release(), tag)
    os.makedirs(dest, exist_ok=True)
    for m in names:
        path = module_path(m)
        assert path, "%s.ko not built for %s" % (m, release())
        shutil.copy(path, dest)
    sh("depmod -a %s" % release())
    return dest


def uninstall_modules(dest):
    shutil.rmtree(dest)
    sh("depmod -a %s" % release())


def loaded(name):
    with open("/proc/modules") as f:
        return any(line.split()[0] == name for line in f)


def with_state_dir(params):
    """strix's @params with a state_dir: the one given, else a fresh one
    (an APTPL state one test saves must not come back in the next test's
    device of the same name).  Returns (params, the state directory)."""
    for p in params:
        if p.startswith("state_dir="):
            return tuple(params), p.split("=", 1)[1]
    state_dir = tempfile.mkdtemp(prefix="strix-state-")
    return tuple(params) + ("state_dir=" + state_dir,), state_dir


def insmod(name, *params):
    """Load one of our modules from the build tree, its dependencies first
    (ours from the build tree, the kernel's with modprobe)."""
    path = module_path(name)
    assert path, "%s.ko not built for %s: run scripts/build-modules.sh" % (name, release())
    with open(path, "rb") as f:
        image = f.read()
    # The .modinfo section's "depends=" string.  (Read here rather than with
    # modinfo(8): on the debug kernel, modinfo's mmap of a file on 9p
    # followed by insmod of the same file hung the guest.)
    m = re.search(rb"depends=([^\0]*)\0", image)
    deps = m.group(1).decode() if m else ""
    for dep in filter(None, deps.split(",")):
        if loaded(dep):
            continue
        if module_path(dep):
            insmod(dep)
        else:
            sh("modprobe " + dep)
    if name == "strix":
        params, _ = with_state_dir(params)
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


class Tree:
    """The management tree, driven the way an admin script drives it."""

    def __init__(self, root=SYSFS_ROOT):
        self.root = root

    def path(self, rel):
        return os.path.join(self.root, rel)

    def write(self, rel, line):
        """One write() of line; returns 0 or the errno the kernel gave."""
        print("+ echo %r > %s" % (line, self.path(rel)))
        try:
            fd = os.open(self.path(rel), os.O_WRONLY)
        except OSError as e:
            return e.errno
        try:
            os.write(fd, line.encode())
            return 0
        except OSError as e:
            return e.errno
        finally:
            os.close(fd)

    def do(self, rel, line):
        """A write that must succeed."""
        err = self.write(rel, line)
        assert err == 0, "%s <- %r: %s" % (rel, line, os.strerror(err))

    def read(self, rel):
        with open(self.path(rel)) as f:
            return f.read()

    def value(self, rel):
        """First line of an attribute (without a [key] marker)."""
        return self.read(rel).splitlines()[0]

    def snapshot(self):
        """Every path, link target and readable value below the root."""
        snap = {}
        for dirpath, dirnames, filenames in os.walk(self.root):
            for name in dirnames + filenames:
                p = os.path.join(dirpath, name)
                rel = os.path.relpath(p, self.root)
                if os.path.islink(p):
                    snap[rel] = "-> " + os.readlink(p)
                elif os.path.isdir(p):
                    snap[rel] = "dir"
                elif name in ("mgmt", "force_close") or os.stat(p).st_mode & 0o444 == 0:
                    snap[rel] = "file"
                else:
                    try:
                        with open(p) as f:
                            snap[rel] = f.read()
                    except OSError as e:
                        snap[rel] = "error %d" % e.errno
            # counters change with I/O; not part of the configuration
        return {k: v for k, v in snap.items()
                if not re.search(r"(cmd_count|io_count_kb|commands)$", k)}

    # --- objects -------------------------------------------------------
    def add_device(self, handler, name, params=""):
        self.do("handlers/%s/mgmt" % handler, ("add_device %s %s" % (name, params)).strip())

    def del_device(self, handler, name):
        self.do("handlers/%s/mgmt" % handler, "del_device " + name)

    def add_target(self, driver, name):
        self.do("targets/%s/mgmt" % driver, "add_target " + name)

    def add_lun(self, target, dev, lun, group=None, params="", driver="scst_local"):
        where = "targets/%s/%s/%sluns/mgmt" % (
            driver, target, "ini_groups/%s/" % group if group else "")
        self.do(where, ("add %s %d %s" % (dev, lun, params)).strip())

    def add_session(self, target, name):
        """A local driver session; returns its SCSI host number."""
        before = scsi_hosts()
        self.do("targets/scst_local/mgmt", "add_session %s %s" % (target, name))
        new = scsi_hosts() - before
        assert len(new) == 1, "add_session made hosts %s" % new
        return new.pop()

    def devices(self):
        return sorted(os.listdir(self.path("devices")))

    def clear(self):
        """Delete every device group, target and device (teardown)."""
        for dg in os.listdir(self.path("device_groups")):
            if os.path.isdir(self.path("device_groups/" + dg)):
                self.do("device_groups/mgmt", "del " + dg)
        for drv in os.listdir(self.path("targets")):
            for tgt in os.listdir(self.path("targets/" + drv)):
                if os.path.isdir(self.path("targets/%s/%s" % (drv, tgt))):
                    self.do("targets/%s/mgmt" % drv, "del_target " + tgt)
        for dev in self.devices():
            handler = os.path.basename(os.readlink(self.path("devices/%s/handler" % dev)))
            self.del_device(handler, dev)


def scsi_disks_of_host(host_no):
    """/dev/sdX names of the disks on SCSI host host_no, by LUN."""
    out = {}
    base = "/sys/class/scsi_host/host%d/device" % host_no
    # The kernel adds and removes these directories while we walk them
    # (a LUN change makes the initiator rescan), so a directory that goes
    # away under us counts as absent: the callers poll until the view settles.
    def listdir(path):
        try:
            return os.listdir(path)
        except FileNotFoundError:
            return []
    for entry in listdir(base):
        if not re.match(r"target%d:0:0$" % host_no, entry):
            continue
        for dev in listdir(os.path.join(base, entry)):
            m = re.match(r"%d:0:0:(\d+)$" % host_no, dev)
            if not m:
                continue
            names = listdir(os.path.join(base, entry, dev, "block"))
            if names:
                out[int(m.group(1))] = "/dev/" + names[0]
    return out


def scsi_hosts():
    return {int(h[4:]) for h in os.listdir("/sys/class/scsi_host")}


def udev_settle(pred, timeout=20.0):
    """Wait until pred() is true (device nodes come and go asynchronously)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.1)
    return pred()


# --- the local driver stack and the initiator's view of it ---------------
LOCAL_STACK = ("strix", "strix_vdisk", "strix_local")
ISCSI_STACK = ("strix", "strix_vdisk", "strix_iscsi")


class _Kept:
    """The stack load_stack() left loaded for the next test of the same file:
    its modules and parameters, the tree as it was right after loading, and
    the state directory the core was given."""

    def __init__(self, key, pristine, state_dir):
        self.key = key
        self.pristine = pristine
        self.state_dir = state_dir


_kept = None


def _ours_loaded():
    """Our modules that are loaded, users before what they use."""
    with open("/proc/modules") as f:
        rows = [line.split() for line in f]
    ours = {r[0]: (r[3].strip(",").split(",") if r[3] != "-" else []) for r in rows
            if r[0] == "strix" or r[0].startswith("strix_")}
    order = []
    while ours:
        # a module no other module of ours uses can go first
        free = sorted(m for m, users in ours.items() if not set(users) & set(ours))
        if not free:
            free = sorted(ours)     # a cycle cannot happen; rmmod will say
        for m in free:
            order.append(m)
            del ours[m]
    return order


def unload_ours():
    """Unload every module of ours that is loaded (users first).  Each rmmod
    must succeed.  Run after every test file (tests/conftest.py): within a
    file load_stack() may keep a stack loaded from one test to the next."""
    global _kept
    _kept = None
    for m in _ours_loaded():
        rmmod(m)


def load_stack(modules, *strix_params, fresh=False):
    """@modules (strix first, with @strix_params) loaded, and sd/sg for the
    initiator side; returns a Tree with nothing configured in it.

    Loading costs seconds (10 on the debug kernel), so unless @fresh the
    stack the previous test released is taken again when it is the same
    modules with the same parameters and its tree, emptied by release_stack(),
    reads exactly as it did right after loading; the core's state directory
    is emptied as well.  Anything else (another stack, a tree that differs)
    unloads what is loaded and loads anew."""
    global _kept
    key = (tuple(modules), tuple(strix_params))
    if not fresh and _kept and _kept.key == key and all(loaded(m) for m in modules):
        for name in os.listdir(_kept.state_dir):
            p = os.path.join(_kept.state_dir, name)
            if os.path.isdir(p) and not os.path.islink(p):
                shutil.rmtree(p)
            else:
                os.unlink(p)
        print("+ (reusing the loaded %s)" % " ".join(modules))
        return Tree()
    unload_ours()
    sh("modprobe -a sd_mod sg")
    params, state_dir = with_state_dir(strix_params)
    insmod(modules[0], *params)
    for m in modules[1:]:
        insmod(m)
    tree = Tree()
    if not fresh:
        _kept = _Kept(key, tree.snapshot(), state_dir)
    return tree


def release_stack(tree):
    """Delete everything in @tree.  A stack load_stack() keeps stays loaded
    if the tree now reads as it did right after loading; any other stack is
    unloaded (each rmmod must succeed).  Returns the plain files found (and
    removed) in /dev: a tool that wrote to a /dev/sdX after its disk went
    away created one, which would shadow the next disk."""
    global _kept
    tree.clear()
    if _kept:
        now = tree.snapshot()
        changed = sorted(k for k in set(now) | set(_kept.pristine)
                         if now.get(k) != _kept.pristine.get(k))
        if changed:
            print("+ (the tree differs from a fresh load in %s: unloading)"
                  % ", ".join(changed[:10]))
            unload_ours()
    else:
        unload_ours()
    stale = [p for p in glob.glob("/dev/sd*") if not stat.S_ISBLK(os.lstat(p).st_mode)]
    for p in stale:
        os.unlink(p)
    return stale


def load_local_stack(*strix_params, fresh=False):
    """strix (with @strix_params), strix_vdisk and strix_local: see
    load_stack()."""
    return load_stack(LOCAL_STACK, *strix_params, fresh=fresh)


def unload_local_stack(tree):
    """release_stack() of the local stack."""
    return release_stack(tree)


def session_disk(tree, target, name):
    """A local session `name` on @target; its /dev/sdX for LUN 0."""
    host = tree.add_session(target, name)
    disks = udev_settle(lambda: scsi_disks_of_host(host))
    assert 0 in disks, "no disk on host%d" % host
    dev = disks[0]
    assert udev_settle(lambda: os.path.exists(dev) and stat.S_ISBLK(os.stat(dev).st_mode))
    return dev


def prout(dev, args, check=True):
    """sg_persist --out with @args on @dev."""
    return sh("sg_persist --out --no-inquiry %s %s" % (args, dev), check=check)


def prin(dev, args):
    """sg_persist --in output, lower case."""
    return sh("sg_persist --in --no-inquiry %s %s" % (args, dev)).stdout.lower()


def can_write(dev):
    return sh("dd if=/dev/zero of=%s bs=4096 count=1 oflag=direct" % dev,
              check=False).returncode == 0


def can_read(dev):
    return sh("dd if=%s of=/dev/null bs=4096 count=1 iflag=direct" % dev,
              check=False).returncode == 0


def inflight(dev):
    """Requests of block device @dev in flight (reads + writes)."""
    name = os.path.basename(os.path.realpath(dev))
    with open("/sys/block/%s/inflight" % name) as f:
        return sum(int(x) for x in f.read().split())


def fio_verify_cmd(dev, size, offset="0", bs="128k", extra=""):
    """fio writing @size of @dev at QD32 and reading it back verified."""
    return ("fio --name=verify --filename=%s --direct=1 --ioengine=libaio --iodepth=32 "
            "--rw=randwrite --bs=%s --size=%s --offset=%s --verify=crc32c "
            "--verify_fatal=1 --do_verify=1 --verify_state_save=0 %s"
            % (dev, bs, size, offset, extra))


def reset_storm(dev, resets, size="96M", interval=0.1, bs="128k"):
    """fio with verification on @dev while `sg_reset` sends each of @resets
    in turn, from the moment fio's I/O is in flight until fio ends.  For
    resets to find commands in flight, commands must stay in the target a
    while: a TCG guest's fio seldom has many in flight on a fast backend
    (large blocks over iSCSI, or a null_blk with a completion delay).
    Returns (fio exit status, its output, resets sent)."""
    fio = subprocess.Popen(fio_verify_cmd(dev, size, bs=bs), shell=True,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    end = time.time() + 120
    while fio.poll() is None and not inflight(dev) and time.time() < end:
        time.sleep(0.02)            # fio lays out its job first
    sent = 0
    while fio.poll() is None:
        r = sh("sg_reset %s %s" % (resets[sent % len(resets)], dev), check=False)
        assert r.returncode == 0, r.stdout
        sent += 1
        time.sleep(interval)
    out = fio.communicate()[0]
    print(out[-3000:])
    print("resets sent: %d" % sent)
    return fio.returncode, out, sent


def preempt_and_abort_under_fio(a, b):
    """Nexus B preempts and aborts A (registrants-only write exclusive,
    held by A) while fio writes through A: A's fio fails (its commands
    aborted, then shut out) and what B writes afterwards reads back
    verified.  @a, @b: the two nexuses' disks, unregistered, no UA
    pending."""
    prout(a, "--register --param-sark=0xa")
    prout(b, "--register --param-sark=0xb")
    prout(a, "--reserve --param-rk=0xa --prout-type=5")     # WE registrants only
    victim = subprocess.Popen(fio_verify_cmd(a, "16M", bs="4k",
                                             extra="--continue_on_error=none"),
                              shell=True, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    end = time.time() + 60
    while victim.poll() is None and not inflight(a) and time.time() < end:
        time.sleep(0.02)
    assert victim.poll() is None, "fio through A ended before the preempt"
    prout(b, "--preempt-abort --param-rk=0xb --param-sark=0xa --prout-type=5")
    out = victim.communicate(timeout=300)[0]
    print(out[-2000:])
    assert victim.returncode != 0, "A kept writing after it was preempted"
    res = prin(b, "--read-reservation")
    assert "key=0xb" in res, res
    assert "0xa" not in prin(b, "--read-keys")
    assert not can_write(a)
    r = subprocess.run(fio_verify_cmd(b, "16M", offset="32M", bs="4k"), shell=True,
                       capture_output=True, text=True)
    print(r.stdout[-2000:])
    assert r.returncode == 0 and "err= 0" in r.stdout, "the winner's writes"


class StateRig:
    """strix loaded with a state_dir of its own (APTPL files, saved mode
    pages); one fileio device d1, exported as LUN 0 of target t1."""

    def __init__(self, state_dir, img):
        self.state_dir = str(state_dir)
        self.img = str(img)
        self.tree = None

    def load(self, state_dir=None):
        # fresh: these tests are about what a load finds in the state dir
        self.tree = load_local_stack("state_dir=%s" % (state_dir or self.state_dir),
                                     fresh=True)

    def unload(self):
        if self.tree:
            unload_local_stack(self.tree)
            self.tree = None

    def add_device(self):
        self.tree.add_device("vdisk_fileio", "d1", "filename=%s" % self.img)

    def export(self):
        """Target t1 with d1 as LUN 0."""
        self.tree.add_target("scst_local", "t1")
        self.tree.add_lun("t1", "d1", 0)

    def disk(self, name):
        dev = session_disk(self.tree, "t1", name)
        sh("sg_turs %s" % dev, check=False)        # the power-on UA
        return dev
