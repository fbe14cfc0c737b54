#!/usr/bin/env python3
"""In-guest half of `make bench` (scripts/bench/run boots the guest).

    guest.py --out DIR --modules DIR [--iscsid PATH] [--strixctl PATH]
             [--only local,iscsi,apply] [--runtime S] [--ramp S] [--profile S]

Measures fio on the Strix local driver (scst_local) and on LIO's tcm_loop,
back to back in this one boot, on two backends:

    nullio   Strix vdisk_nullio          vs  LIO rd_mcp with rd_nullio=1
    blockio  Strix vdisk_blockio on      vs  LIO iblock on the same
             /dev/nullb0                     /dev/nullb0

and, through the kernel's iSCSI initiator (open-iscsi's iscsid and
iscsiadm, iscsi_tcp) on 127.0.0.1, a third:

    iscsi    strix_iscsi.ko + strix-iscsid,   vs  LIO iscsi_target_mod,
             vdisk_blockio on /dev/nullb0         iblock on /dev/nullb0
             (port 3260)                          (port 3261)

with LIO's negotiation keys set to what Strix offers by default.  --only
picks the parts: "local" (nullio, blockio and raw), "iscsi" and/or
"apply" (configuration bring-up and teardown times, strixctl against
targetcli and targetctl: apply_bench.py; it runs first, with its own
module loads).

plus two ceilings: fio straight on /dev/nullb0 (before and after the
rest), and on nullio a scsi_debug disk that answers in queuecommand
without moving data (what the initiator's SCSI stack alone costs).

For each backend and workload the stacks alternate Strix, LIO[, scsi_debug],
Strix, LIO[, scsi_debug].  On nullio all stay set up; on blockio and iscsi
each is set up before its run and the other torn down first (on iscsi:
logged out and its node record deleted), so only one stack holds
/dev/nullb0 at a time.  Every fio JSON report goes to DIR/fio/, the
summary to DIR/results.json; the host's report.py makes the table.  With
--profile S, one extra perf-sampled 4k random read per stack and backend
(not in the table) goes to DIR/profile/.

Exit status 0 only if every step worked; teardown runs on every exit.
"""
import argparse
import glob
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time

import apply_bench

CFS = "/sys/kernel/config/target"
SCST = "/sys/kernel/scst_tgt"
LIO_WWN = "naa.500140512345678a"
LIO_NEXUS = "naa.500140512345678b"
LIO_TPG = "%s/loopback/%s/tpgt_1" % (CFS, LIO_WWN)
NULLB = "/dev/nullb0"
NULLB_PARAMS = "nr_devices=1 gb=4 queue_mode=2"
NULLIO_SIZE_MB = 1024                 # both nullio disks: 1 GiB
LIO_RD_PAGES = NULLIO_SIZE_MB * 256   # 4 KiB pages

QD = 32
WORKLOADS = [
    # name, fio --rw, --bs
    ("randread-4k", "randread", "4k"),
    ("randwrite-4k", "randwrite", "4k"),
    ("seqread-128k", "read", "128k"),
]
BACKENDS = ["nullio", "blockio"]
STACKS = {
    "nullio": ["strix", "lio", "scsi_debug"],
    "blockio": ["strix", "lio"],
}
# The SCSI initiator's own ceiling: scsi_debug answering every command in
# queuecommand without moving data (like nullio and rd_nullio), so what
# is left is sd, the SCSI midlayer and blk-mq.  virtual_gb: 1 GiB like
# the nullio disks, with no more than 8 MiB of real store.
SCSI_DEBUG_PARAMS = "fake_rw=1 delay=0 virtual_gb=1 dev_size_mb=8 num_tgts=1 max_luns=1"
ROUNDS = 2

# ---- iSCSI -----------------------------------------------------------------
# Two IQNs and two ports, so that the initiator's node records of one
# stack can never be taken for the other's.
STRIX_IQN = "iqn.2026-12.org.strix:bench"
LIO_IQN = "iqn.2003-01.org.linux-iscsi.strix-guest:bench"
STRIX_PORTAL = "127.0.0.1:3260"
LIO_PORTAL = "127.0.0.1:3261"
ISCSI_WORKLOADS = [
    # name, fio --rw, --bs, --numjobs
    ("randread-4k", "randread", "4k", 1),
    ("randread-4k-2j", "randread", "4k", 2),
    ("randwrite-4k", "randwrite", "4k", 1),
    ("randwrite-4k-2j", "randwrite", "4k", 2),
    ("seqread-128k", "read", "128k", 1),
]
# What strix_iscsi offers by default (kernel/drivers/iscsi/iscsi.c), set
# on LIO's TPG so that both sides negotiate the same.  LIO's own defaults
# differ: MaxRecvDataSegmentLength 8192, MaxBurstLength 262144,
# InitialR2T Yes.
LIO_PARAMS = [
    ("MaxRecvDataSegmentLength", "262144"),
    ("MaxXmitDataSegmentLength", "262144"),
    ("MaxBurstLength", "1048576"),
    ("FirstBurstLength", "65536"),
    ("ImmediateData", "Yes"),
    ("InitialR2T", "No"),
]
LIO_ATTRIBS = [
    ("authentication", "0"),
    ("generate_node_acls", "1"),
    ("demo_mode_write_protect", "0"),
    ("cache_dynamic_acls", "1"),
    # the CmdSN window: Strix's QueuedCommands default is 128, LIO's 64
    ("default_cmdsn_depth", "128"),
]
# The same for both sessions.  open-iscsi's default queue_depth, 32, would
# cap two jobs at QD32 each to 32 commands in flight.
NODE_SETTINGS = [
    ("node.session.queue_depth", "64"),
    ("node.session.cmds_max", "128"),
]


def log(msg):
    print("bench: " + msg, flush=True)


class BenchError(Exception):
    pass


def sh(cmd, check=True):
    """Run a shell command; on failure raise with the command and output."""
    p = subprocess.run(cmd, shell=True, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    if check and p.returncode:
        raise BenchError("command failed (exit %d): %s\n%s" % (p.returncode, cmd, p.stdout))
    return p.stdout


def write(path, value):
    """Write a sysfs/configfs attribute, raising with the path on error."""
    try:
        with open(path, "w") as f:
            f.write(value + "\n")
    except OSError as e:
        raise BenchError("echo %s > %s: %s" % (shlex.quote(value), path, e))


def read(path):
    with open(path) as f:
        return f.read().strip()


def expect(path, want):
    """Read an attribute back: its first line must be want."""
    got = read(path)
    if got.split("\n")[0].strip() != want:
        raise BenchError("%s: read back %r, expected %r" % (path, got, want))


# ---- the SCSI disk a stack exports ------------------------------------------

def hosts(proc_name):
    out = []
    for h in glob.glob("/sys/class/scsi_host/host*"):
        try:
            if read(h + "/proc_name") == proc_name:
                out.append(h)
        except OSError:
            pass
    return out


def wait_disk(proc_name, timeout=60):
    """The block device of LUN 0 on the (single) host of proc_name."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for h in hosts(proc_name):
            for block in glob.glob(h + "/device/target*/*:0/block/*"):
                name = os.path.basename(block)
                try:        # the disk's sysfs and /dev entries come a moment later
                    if (os.path.exists("/dev/" + name) and
                            int(read("/sys/block/%s/size" % name)) > 0):
                        return name
                except (OSError, ValueError):
                    pass
        time.sleep(0.5)
    raise BenchError("no disk appeared on a %s host within %d s" % (proc_name, timeout))


def wait_gone(name, timeout=60):
    deadline = time.time() + timeout
    while os.path.exists("/sys/block/" + name):
        if time.time() > deadline:
            raise BenchError("/dev/%s still there %d s after teardown" % (name, timeout))
        time.sleep(0.3)


def tune_disk(name):
    """Same initiator-side settings for every disk measured: no I/O
    scheduler (the default for a single-queue SCSI disk is mq-deadline,
    which would add the same cost to both stacks and dilute the ratio)."""
    q = "/sys/block/%s/queue/" % name
    if os.path.exists(q + "scheduler") and "none" in read(q + "scheduler"):
        write(q + "scheduler", "none")
    info = {"disk": name}
    for attr in ("scheduler", "nr_requests", "max_sectors_kb", "max_hw_sectors_kb",
                 "write_cache", "logical_block_size", "rotational", "add_random",
                 "iostats", "rq_affinity", "nomerges"):
        try:
            info[attr] = read(q + attr)
        except OSError:
            pass
    for attr in ("queue_depth",):
        p = "/sys/block/%s/device/%s" % (name, attr)
        if os.path.exists(p):
            info[attr] = read(p)
    info["size_bytes"] = int(read("/sys/block/%s/size" % name)) * 512
    return info


# ---- Strix ------------------------------------------------------------------

class Strix:
    proc_name = "strix_local"

    def __init__(self, moddir):
        self.moddir = moddir
        self.dev = None
        self.target = False

    def load(self):
        for m in ("core/strix.ko", "handlers/vdisk/strix_vdisk.ko",
                  "drivers/local/strix_local.ko"):
            out = sh("insmod %s/%s 2>&1 || { dmesg | tail -n 20; exit 1; }"
                     % (self.moddir, m), check=False)
            name = os.path.basename(m)[:-3]
            if not os.path.exists("/sys/module/" + name):
                raise BenchError("insmod %s failed (a stale module set? the host "
                                 "checks modversions):\n%s" % (m, out))

    def up(self, backend):
        if backend == "nullio":
            self.handler, self.dev = "vdisk_nullio", "n1"
            write("%s/handlers/vdisk_nullio/mgmt" % SCST,
                  "add_device n1 size_mb=%d" % NULLIO_SIZE_MB)
            # rd_nullio never touches the buffer; with read_zero=0 nullio
            # does the same work (its default, 1, zeroes every read).
            write("%s/devices/n1/read_zero" % SCST, "0")
            expect("%s/devices/n1/read_zero" % SCST, "0")
        else:
            self.handler, self.dev = "vdisk_blockio", "b1"
            write("%s/handlers/vdisk_blockio/mgmt" % SCST,
                  "add_device b1 filename=%s" % NULLB)
            expect("%s/devices/b1/filename" % SCST, NULLB)
        write("%s/targets/scst_local/mgmt" % SCST, "add_target t1")
        self.target = True
        write("%s/targets/scst_local/t1/luns/mgmt" % SCST, "add %s 0" % self.dev)
        write("%s/targets/scst_local/mgmt" % SCST, "add_session t1 bench")
        if not os.path.islink("%s/targets/scst_local/t1/luns/0/device" % SCST):
            raise BenchError("Strix: LUN 0 of t1 not in sysfs after add")
        return wait_disk(self.proc_name)

    def down(self):
        if self.target:
            self.target = False
            write("%s/targets/scst_local/mgmt" % SCST, "del_target t1")
        if self.dev:
            dev, self.dev = self.dev, None
            write("%s/handlers/%s/mgmt" % (SCST, self.handler), "del_device " + dev)

    def unload(self):
        for m in ("strix_local", "strix_vdisk", "strix"):
            if os.path.exists("/sys/module/" + m):
                sh("rmmod " + m)


# ---- LIO --------------------------------------------------------------------

class Lio:
    proc_name = "tcm_loopback"

    def __init__(self):
        self.made = []          # configfs dirs we created, in order
        self.link = None
        self.nexus = False

    def load(self):
        sh("modprobe -a configfs target_core_mod target_core_iblock tcm_loop")
        if not os.path.isdir(CFS):
            sh("mount -t configfs configfs /sys/kernel/config")
        if not os.path.isdir(CFS + "/core"):
            raise BenchError("%s/core missing after loading target_core_mod" % CFS)

    def mkdir(self, path):
        os.mkdir(path)
        self.made.append(path)

    def up(self, backend):
        if backend == "nullio":
            hba, dev = CFS + "/core/rd_mcp_0", CFS + "/core/rd_mcp_0/n1"
            self.mkdir(hba)
            self.mkdir(dev)
            write(dev + "/control", "rd_pages=%d,rd_nullio=1" % LIO_RD_PAGES)
            write(dev + "/enable", "1")
            if "nullio: 1" not in read(dev + "/info"):
                raise BenchError("rd_mcp: nullio not set: %s" % read(dev + "/info"))
        else:
            hba, dev = CFS + "/core/iblock_0", CFS + "/core/iblock_0/b1"
            self.mkdir(hba)
            self.mkdir(dev)
            write(dev + "/control", "udev_path=" + NULLB)
            write(dev + "/enable", "1")
            if "UDEV PATH: %s" % NULLB not in read(dev + "/info"):
                raise BenchError("iblock: not on %s: %s" % (NULLB, read(dev + "/info")))
        if not os.path.isdir(CFS + "/loopback"):
            self.mkdir(CFS + "/loopback")     # the fabric's directory
        self.mkdir("%s/loopback/%s" % (CFS, LIO_WWN))     # a new SCSI host
        self.mkdir(LIO_TPG)
        # The nexus first: linking a LUN scans it at once (scsi_add_device),
        # and without a nexus that scan fails and no disk appears.
        write(LIO_TPG + "/nexus", LIO_NEXUS)
        self.nexus = True
        expect(LIO_TPG + "/nexus", LIO_NEXUS)
        self.mkdir(LIO_TPG + "/lun/lun_0")
        link = LIO_TPG + "/lun/lun_0/bench_port"
        os.symlink(dev, link)
        self.link = link
        return wait_disk(self.proc_name)

    def down(self):
        if self.link:
            link, self.link = self.link, None
            os.unlink(link)             # removes the SCSI device
        # nexus only after the port is gone (tcm_loop refuses: EPERM)
        if self.nexus:
            self.nexus = False
            write(LIO_TPG + "/nexus", "NULL")
        while self.made:
            os.rmdir(self.made.pop())

    def unload(self):
        sh("rmmod tcm_loop target_core_iblock target_core_file target_core_pscsi "
           "target_core_user target_core_mod 2>/dev/null", check=False)


# ---- scsi_debug: the no-op SCSI LLD ----------------------------------------

class ScsiDebug:
    proc_name = "scsi_debug"

    def __init__(self):
        self.loaded = False

    def load(self):
        pass            # loading it creates the disk: see up()

    def up(self, backend):
        sh("modprobe scsi_debug " + SCSI_DEBUG_PARAMS)
        self.loaded = True
        return wait_disk(self.proc_name)

    def down(self):
        if self.loaded:
            for _ in range(20):     # a closing opener may hold it a moment
                if not sh("rmmod scsi_debug", check=False).strip():
                    break
                time.sleep(0.5)
            else:
                sh("rmmod scsi_debug")
            self.loaded = False

    def unload(self):
        self.down()


# ---- iSCSI: open-iscsi, Strix's and LIO's targets ---------------------------

def negotiated(text):
    """{key: value} of the "Negotiated iSCSI params" in iscsiadm -P 2."""
    out = {}
    part = text.split("Negotiated iSCSI params:", 1)
    if len(part) < 2:
        return out
    for line in part[1].splitlines()[1:]:
        m = re.match(r"\s+(\w+): (\S+)\s*$", line)
        if not m:
            if line.strip() and not line.startswith("\t\t"):
                break
            continue
        out[m.group(1)] = m.group(2)
    return out


class OpenIscsi:
    """open-iscsi's iscsid (in the foreground, its own process group) and
    iscsiadm.  Its node database is the guest's /etc/iscsi (the overlay's
    upper layer), emptied at start; every stack's record is deleted when
    it logs out."""

    def __init__(self):
        self.proc = None

    def start(self):
        sh("modprobe -a iscsi_tcp sd_mod sg")
        sh("rm -rf /etc/iscsi/nodes /etc/iscsi/send_targets; "
           "mkdir -p /etc/iscsi/nodes /etc/iscsi/send_targets /run/lock/iscsi")
        self.log = open("/tmp/open-iscsid.log", "a")
        self.proc = subprocess.Popen(["iscsid", "-f"], stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + 20
        while time.time() < deadline:
            # 21: no sessions, which is an answer
            if subprocess.run("iscsiadm -m session", shell=True, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL).returncode in (0, 21):
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        raise BenchError("open-iscsi's iscsid does not answer (log: /tmp/open-iscsid.log)")

    def adm(self, args, check=True):
        return sh("iscsiadm " + args, check=check)

    def login(self, iqn, portal):
        """A node record for iqn at portal, logged in: its disk."""
        self.adm("-m node -o new -T %s -p %s" % (iqn, portal))
        for k, v in NODE_SETTINGS:
            self.adm("-m node -T %s -p %s -o update -n %s -v %s" % (iqn, portal, k, v))
        self.adm("-m node -T %s -p %s --login" % (iqn, portal))
        deadline = time.time() + 60
        while time.time() < deadline:
            out = self.adm("-m session -P 3", check=False)
            disks = re.findall(r"Attached scsi disk (sd\w+)\s+State: running", out)
            if iqn in out and disks and os.path.exists("/dev/" + disks[0]):
                try:
                    if int(read("/sys/block/%s/size" % disks[0])) > 0:
                        return disks[0]
                except (OSError, ValueError):
                    pass
            time.sleep(0.3)
        raise BenchError("iSCSI: no disk of %s after login:\n%s"
                         % (iqn, self.adm("-m session -P 3", check=False)))

    def session_text(self):
        return self.adm("-m session -P 2", check=False)

    def logout(self, iqn, portal):
        self.adm("-m node -T %s -p %s --logout" % (iqn, portal), check=False)
        self.adm("-m node -o delete -T %s -p %s" % (iqn, portal), check=False)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.adm("-m node --logoutall=all", check=False)
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


class IscsiStack:
    """What both iSCSI targets share: the login through open-iscsi, the
    negotiated keys recorded once, the logout and the node record's
    deletion on the way down."""
    iqn = portal = None

    def __init__(self, initiator):
        self.ini = initiator
        self.logged_in = False
        self.session = None         # iscsiadm -m session -P 2, first login
        self.target_view = {}

    def up(self, backend):
        self.target_up()
        self.logged_in = True
        disk = self.ini.login(self.iqn, self.portal)
        if self.session is None:
            self.session = self.ini.session_text()
            self.target_view = self.target_session()
        return disk

    def target_session(self):
        """What the target says it negotiated, where it says so."""
        return {}

    def down(self):
        if self.logged_in:
            self.logged_in = False
            self.ini.logout(self.iqn, self.portal)
        self.target_down()


class StrixIscsi(IscsiStack):
    """strix_iscsi.ko, strix-iscsid on 127.0.0.1:3260, target STRIX_IQN
    with LUN 0 a vdisk_blockio device on /dev/nullb0."""
    iqn, portal = STRIX_IQN, STRIX_PORTAL

    def __init__(self, initiator, moddir, iscsid):
        super().__init__(initiator)
        self.moddir = moddir
        self.iscsid = iscsid
        self.daemon = None
        self.dev = False
        self.target = False

    def load(self):
        ko = "%s/drivers/iscsi/strix_iscsi.ko" % self.moddir
        # the kernel's modules it needs (libcrc32c for the digests): the
        # .modinfo "depends=" string, ours loaded already by Strix.load()
        with open(ko, "rb") as f:
            m = re.search(rb"depends=([^\0]*)\0", f.read())
        deps = [d for d in (m.group(1).decode() if m else "").split(",")
                if d and not d.startswith("strix")]
        if deps:
            sh("modprobe -a " + " ".join(deps))
        out = sh("insmod %s 2>&1 || { dmesg | tail -n 20; exit 1; }" % ko, check=False)
        if not os.path.exists("/sys/module/strix_iscsi"):
            raise BenchError("insmod strix_iscsi.ko failed:\n%s" % out)
        if not os.access(self.iscsid, os.X_OK):
            raise BenchError("%s: no strix-iscsid (make usr)" % self.iscsid)
        self.log = open("/tmp/strix-iscsid.log", "a")
        self.daemon = subprocess.Popen(
            [self.iscsid, "--foreground", "--listen", STRIX_PORTAL],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        port = STRIX_PORTAL.rsplit(":", 1)[1]
        deadline = time.time() + 30
        while not sh("ss -Hltn 'sport = :%s'" % port, check=False).strip():
            if time.time() > deadline or self.daemon.poll() is not None:
                raise BenchError("strix-iscsid is not listening on %s (log: "
                                 "/tmp/strix-iscsid.log):\n%s" % (
                                     STRIX_PORTAL, sh("cat /tmp/strix-iscsid.log",
                                                      check=False)))
            time.sleep(0.2)

    def target_up(self):
        write("%s/handlers/vdisk_blockio/mgmt" % SCST, "add_device b1 filename=%s" % NULLB)
        self.dev = True
        expect("%s/devices/b1/filename" % SCST, NULLB)
        write("%s/targets/iscsi/mgmt" % SCST, "add_target " + STRIX_IQN)
        self.target = True
        write("%s/targets/iscsi/%s/luns/mgmt" % (SCST, STRIX_IQN), "add b1 0")
        write("%s/targets/iscsi/%s/enabled" % (SCST, STRIX_IQN), "1")

    def target_session(self):
        """The session's keys in sysfs (targets/iscsi/IQN/sessions/*/)."""
        sess = glob.glob("%s/targets/iscsi/%s/sessions/*/" % (SCST, STRIX_IQN))
        if len(sess) != 1:
            raise BenchError("Strix: %d sessions after login, expected 1" % len(sess))
        out = {}
        for attr in sorted(os.listdir(sess[0])):
            path = os.path.join(sess[0], attr)
            if os.path.isfile(path) and attr[:1].isupper():
                try:
                    out[attr] = read(path)
                except OSError:
                    pass
        return out

    def target_down(self):
        if self.target:
            self.target = False
            write("%s/targets/iscsi/mgmt" % SCST, "del_target " + STRIX_IQN)
        if self.dev:
            self.dev = False
            write("%s/handlers/vdisk_blockio/mgmt" % SCST, "del_device b1")

    def unload(self):
        self.down()
        if self.daemon and self.daemon.poll() is None:
            self.daemon.terminate()
            try:
                self.daemon.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.daemon.kill()
                self.daemon.wait()
        self.daemon = None
        if os.path.exists("/sys/module/strix_iscsi"):
            sh("rmmod strix_iscsi")


class LioIscsi(IscsiStack):
    """iscsi_target_mod through configfs: TPG 1 of LIO_IQN on
    127.0.0.1:3261, demo mode (generated ACLs, no authentication), LUN 0
    an iblock device on /dev/nullb0, Strix's negotiation defaults."""
    iqn, portal = LIO_IQN, LIO_PORTAL

    def __init__(self, initiator):
        super().__init__(initiator)
        self.made = []
        self.link = None
        self.enabled = False
        self.params = {}

    def load(self):
        sh("modprobe -a configfs target_core_mod target_core_iblock iscsi_target_mod")
        if not os.path.isdir(CFS):
            sh("mount -t configfs configfs /sys/kernel/config")

    def mkdir(self, path):
        os.mkdir(path)
        self.made.append(path)

    def target_up(self):
        hba, dev = CFS + "/core/iblock_1", CFS + "/core/iblock_1/b1"
        self.mkdir(hba)
        self.mkdir(dev)
        write(dev + "/control", "udev_path=" + NULLB)
        write(dev + "/enable", "1")
        if "UDEV PATH: %s" % NULLB not in read(dev + "/info"):
            raise BenchError("iblock: not on %s: %s" % (NULLB, read(dev + "/info")))
        if not os.path.isdir(CFS + "/iscsi"):
            self.mkdir(CFS + "/iscsi")        # the fabric's directory
        tpg = "%s/iscsi/%s/tpgt_1" % (CFS, LIO_IQN)
        self.mkdir("%s/iscsi/%s" % (CFS, LIO_IQN))
        self.mkdir(tpg)
        self.mkdir(tpg + "/lun/lun_0")
        link = tpg + "/lun/lun_0/bench_port"
        os.symlink(dev, link)
        self.link = link
        self.mkdir(tpg + "/np/" + LIO_PORTAL)
        for k, v in LIO_ATTRIBS:
            write(tpg + "/attrib/" + k, v)
            expect(tpg + "/attrib/" + k, v)
        for k, v in LIO_PARAMS:
            write(tpg + "/param/" + k, v)
            expect(tpg + "/param/" + k, v)
        self.params = {k: read(tpg + "/param/" + k) for k in os.listdir(tpg + "/param")}
        self.tpg = tpg
        write(tpg + "/enable", "1")
        self.enabled = True

    def target_down(self):
        if self.enabled:
            self.enabled = False
            write(self.tpg + "/enable", "0")
        if self.link:
            link, self.link = self.link, None
            os.unlink(link)
        while self.made:
            os.rmdir(self.made.pop())

    def unload(self):
        self.down()
        sh("rmmod iscsi_target_mod 2>/dev/null", check=False)


# ---- fio --------------------------------------------------------------------

def fio_args(dev, rw, bs, runtime, ramp, jobs=1):
    return ["fio", "--name=bench", "--filename=" + dev, "--ioengine=libaio",
            "--direct=1", "--rw=" + rw, "--bs=" + bs, "--iodepth=%d" % QD,
            "--numjobs=%d" % jobs] + (["--group_reporting"] if jobs > 1 else []) + [
            "--time_based", "--runtime=%d" % runtime,
            "--ramp_time=%d" % ramp, "--norandommap", "--randrepeat=0",
            "--output-format=json"]


# Threads whose context switches each run counts (from /proc/*/task/*/
# status, before and after fio): the targets' iSCSI threads, workqueue
# workers and ksoftirqd.  fio's own come and go with the run.
THREAD_GROUPS = [
    ("target_rx", ("strix_irx", "iscsi_trx")),
    ("target_tx", ("strix_itx", "iscsi_ttx")),
    ("kworker", ("kworker",)),
    ("ksoftirqd", ("ksoftirqd",)),
]


def thread_switches():
    """{tid: (group, switches)} of the threads in THREAD_GROUPS."""
    out = {}
    for st in glob.glob("/proc/[0-9]*/task/[0-9]*/status"):
        try:
            with open(st) as f:
                text = f.read()
        except OSError:
            continue            # gone meanwhile
        name = text.split("\n", 1)[0].partition("\t")[2]
        g = next((g for g, pre in THREAD_GROUPS if name.startswith(pre)), None)
        if g is None:
            continue
        n = sum(int(m.group(1)) for m in
                re.finditer(r"^(?:non)?voluntary_ctxt_switches:\s+(\d+)", text, re.M))
        out[st.split("/")[4]] = (g, n)
    return out


def thread_delta(t0, t1):
    """Switches per group between two snapshots: threads that exited in
    between are lost, new ones count from 0 (kworkers come and go)."""
    out = {g: 0 for g, _ in THREAD_GROUPS}
    for tid, (g, n) in t1.items():
        b = t0.get(tid)
        out[g] += n - (b[1] if b and b[0] == g and b[1] <= n else 0)
    return out


def cpu_stat():
    with open("/proc/stat") as f:
        lines = f.read().splitlines()
    cpu = [int(x) for x in lines[0].split()[1:]]
    ctxt = next(int(l.split()[1]) for l in lines if l.startswith("ctxt "))
    return cpu, ctxt, time.time()


def run_fio(dev, wl, out, runtime, ramp):
    name, rw, bs = wl[:3]
    jobs = wl[3] if len(wl) > 3 else 1
    args = fio_args(dev, rw, bs, runtime, ramp, jobs) + ["--output=" + out]
    t0 = thread_switches()
    s0 = cpu_stat()
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    s1 = cpu_stat()
    t1 = thread_switches()
    if p.returncode:
        raise BenchError("fio failed (exit %d): %s\n%s" % (p.returncode, shlex.join(args), p.stdout))
    with open(out) as f:
        text = f.read()
    # fio may print notes before the JSON object
    j = json.loads(text[text.index("{"):])
    job = j["jobs"][0]
    if job.get("error"):
        raise BenchError("fio %s on %s: error %s" % (name, dev, job["error"]))
    side = job["write"] if rw.endswith("write") else job["read"]
    if not side["total_ios"]:
        raise BenchError("fio %s on %s: no I/O completed" % (name, dev))
    pct = side["clat_ns"].get("percentile", {})
    # CPU over the whole fio run (ramp included), both vCPUs
    d = [b - a for a, b in zip(s0[0], s1[0])]
    total = sum(d) or 1
    idle = d[3] + d[4]
    return {
        "iops": side["iops"],
        "bw_bytes": side["bw_bytes"],
        "p50_ns": pct.get("50.000000"),
        "p99_ns": pct.get("99.000000"),
        "mean_ns": side["clat_ns"]["mean"],
        "total_ios": side["total_ios"],
        "usr_cpu": job["usr_cpu"], "sys_cpu": job["sys_cpu"],
        "guest_busy_pct": 100.0 * (total - idle) / total,
        "guest_softirq_pct": 100.0 * d[6] / total,
        "ctxt_per_io": (s1[1] - s0[1]) / max(1.0, side["total_ios"]),
        "thread_ctxt_per_io": {g: v / max(1.0, side["total_ios"])
                               for g, v in thread_delta(t0, t1).items()},
        "numjobs": jobs,
        "fio_json": os.path.basename(out),
    }


# ---- main -------------------------------------------------------------------

def environment():
    env = {"kernel": os.uname().release, "nproc": os.cpu_count()}
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                env["cpu"] = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        env["mem_kb"] = int(f.readline().split()[1])
    env["fio"] = sh("fio --version").strip()
    env["null_blk"] = {p: read("/sys/module/null_blk/parameters/" + p)
                       for p in ("irqmode", "queue_mode", "hw_queue_depth",
                                 "submit_queues", "gb", "memory_backed")
                       if os.path.exists("/sys/module/null_blk/parameters/" + p)}
    cs = "/sys/devices/system/clocksource/clocksource0/"
    env["clocksource"] = read(cs + "current_clocksource")
    env["clocksources"] = read(cs + "available_clocksource")
    env["nullb0_scheduler"] = read("/sys/block/nullb0/queue/scheduler")
    env["nullb0_max_sectors_kb"] = read("/sys/block/nullb0/queue/max_sectors_kb")
    return env


def disk_ios(name):
    with open("/sys/block/%s/stat" % name) as f:
        v = f.read().split()
    return int(v[0]) + int(v[4])


def stop_group(proc):
    """Stop fio and the job process it forked: SIGINT (fio winds down),
    then SIGKILL."""
    for sig, wait in ((signal.SIGINT, 30), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
        # the parent is gone; the job may linger a moment
        deadline = time.time() + wait
        while time.time() < deadline:
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.2)
    proc.wait()


def profile(name, disk, out_dir, seconds, callgraph=False):
    """Sample where the guest's CPUs spend a steady-state 4k random read:
    perf record -a for @seconds while fio runs (its start-up left out; fio
    runs until killed, as perf's own start-up over 9p can take long).
    With @callgraph, record call chains too and keep, for every symbol of
    at least 1%, who called it (NAME.callers)."""
    data = "/tmp/perf-%s.data" % name
    wl = WORKLOADS[0]
    fio = subprocess.Popen(fio_args("/dev/" + disk, wl[1], wl[2], 3600, 1)
                           + ["--output=" + os.path.join(out_dir, name + ".fio.json")],
                           stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                           start_new_session=True)     # fio forks its job: kill the group
    try:
        deadline = time.time() + 60
        n0 = disk_ios(disk)
        while disk_ios(disk) - n0 < 1000:        # fio is up and running
            if time.time() > deadline or fio.poll() is not None:
                raise BenchError("profile %s: fio did not start I/O" % name)
            time.sleep(0.5)
        time.sleep(1)
        c0, t0 = disk_ios(disk), time.time()
        # -B -N: no build-id collection (slow over 9p); cpu-clock: TCG has no PMU
        sh("perf record -q -B -N -e cpu-clock -a %s-o %s -- sleep %d"
           % ("-g " if callgraph else "", data, seconds))
        iops = (disk_ios(disk) - c0) / (time.time() - t0)
        if fio.poll() is not None:
            raise BenchError("profile %s: fio ended while perf sampled" % name)
    finally:
        stop_group(fio)
    report = "perf report -i %s --no-children --stdio -g none --sort %%s 2>/dev/null " \
             "| grep -v '^#' | grep -v '^$'" % data
    comm = sh(report % "comm", check=False)
    syms = sh(report % "sym", check=False)
    comm_syms = sh(report % "comm,sym", check=False)
    if callgraph:
        callers = sh("perf report -i %s --no-children --stdio --sort comm,sym "
                     "-g graph,0.5,callee --percent-limit 1 2>/dev/null" % data, check=False)
        with open(os.path.join(out_dir, name + ".callers"), "w") as f:
            f.write(callers)
    os.unlink(data)
    # every symbol, for report.py's shares of target, SCSI and block code
    with open(os.path.join(out_dir, name + ".syms"), "w") as f:
        f.write(syms)
    with open(os.path.join(out_dir, name + ".comm-syms"), "w") as f:
        f.write(comm_syms)
    top = [l for l in syms.splitlines()
           if l.strip() and float(l.split("%")[0] or 0) >= 0.5]
    with open(os.path.join(out_dir, name + ".txt"), "w") as f:
        f.write("# %s: 4k randread QD%d, perf record -e cpu-clock -a for %d s of steady "
                "state (~%.0f IOPS while sampled; 2 vCPUs, so an idle vCPU shows as "
                "native_safe_halt/default_idle)\n" % (name, QD, seconds, iops))
        f.write("\n## --sort comm\n" + comm)
        f.write("\n## --sort sym (>= 0.5%%; all in %s.syms)\n" % name)
        f.write("\n".join(top) + "\n")
    log("profile %s: ~%.0f IOPS while sampled -> profile/%s.txt" % (name, iops, name))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--modules", required=True)
    ap.add_argument("--iscsid", help="strix-iscsid to run (for the iscsi part)")
    ap.add_argument("--strixctl", help="strixctl to run (for the apply part)")
    ap.add_argument("--only", default="local,iscsi",
                    help="comma-separated parts to run: local (nullio, blockio, raw), "
                    "iscsi, apply")
    ap.add_argument("--runtime", type=int, default=10)
    ap.add_argument("--ramp", type=int, default=2)
    ap.add_argument("--profile", type=int, default=0,
                    help="seconds of perf-sampled 4k randread per stack (0: none)")
    ap.add_argument("--callgraph", action="store_true",
                    help="profiles with call chains (perf -g), callers kept")
    ap.add_argument("--profile-only", action="store_true",
                    help="skip the measurements (for working on the profile step)")
    a = ap.parse_args()
    parts = set(p for p in a.only.split(",") if p)
    if not parts or parts - {"local", "iscsi", "apply"}:
        ap.error("--only: parts are local, iscsi and apply, not %r" % a.only)
    if "iscsi" in parts and not a.iscsid:
        ap.error("the iscsi part needs --iscsid")
    if "apply" in parts and not a.strixctl:
        ap.error("the apply part needs --strixctl")
    backends = (BACKENDS if "local" in parts else []) + (["iscsi"] if "iscsi" in parts else [])
    fio_dir = os.path.join(a.out, "fio")
    os.makedirs(fio_dir, exist_ok=True)

    results = {"started": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "runtime": a.runtime,
               "ramp": a.ramp, "qd": QD, "rounds": ROUNDS, "parts": sorted(parts),
               "fio_cmd": shlex.join(fio_args("DEV", "RW", "BS", a.runtime, a.ramp)),
               "workloads": [list(w) for w in WORKLOADS], "runs": [], "disks": {},
               "scsi_debug_params": SCSI_DEBUG_PARAMS, "profile_s": a.profile}
    if "iscsi" in parts:
        results["iscsi"] = {
            "workloads": [list(w) for w in ISCSI_WORKLOADS],
            "fio_cmd_2j": shlex.join(fio_args("DEV", "RW", "BS", a.runtime, a.ramp, 2)),
            "strix": {"iqn": STRIX_IQN, "portal": STRIX_PORTAL},
            "lio": {"iqn": LIO_IQN, "portal": LIO_PORTAL, "attrib": dict(LIO_ATTRIBS),
                    "param_set": dict(LIO_PARAMS)},
            "node_settings": dict(NODE_SETTINGS),
        }
    strix, lio, sdebug = Strix(a.modules), Lio(), ScsiDebug()
    ini = OpenIscsi()
    istrix, ilio = StrixIscsi(ini, a.modules, a.iscsid or ""), LioIscsi(ini)
    stacks = {("local", "strix"): strix, ("local", "lio"): lio,
              ("local", "scsi_debug"): sdebug,
              ("iscsi", "strix"): istrix, ("iscsi", "lio"): ilio}

    def stack_of(backend, stack):
        return stacks[("iscsi" if backend == "iscsi" else "local", stack)]

    t0 = time.time()
    try:
        sh("modprobe -a sd_mod sg")
        sh("modprobe null_blk " + NULLB_PARAMS)
        if not os.path.exists(NULLB):
            raise BenchError("null_blk loaded but %s missing" % NULLB)
        write("/sys/block/nullb0/queue/scheduler", "none")
        results["env"] = environment()
        log("guest %s, %d vCPU, %s" % (results["env"]["kernel"], results["env"]["nproc"],
                                       results["env"]["fio"]))
        if "apply" in parts:
            results["apply"] = apply_bench.run(a.modules, a.strixctl, a.out)
            with open(os.path.join(a.out, "results.json"), "w") as f:
                json.dump(results, f, indent=1)
        strix.load()
        lio.load()
        if "iscsi" in parts:
            ini.start()
            istrix.load()
            ilio.load()
            results["env"]["iscsiadm"] = sh("iscsiadm --version").strip()

        def measure(backend, stack, rnd, dev, wls=WORKLOADS):
            for wl in wls:
                out = os.path.join(fio_dir, "%s-%s-%s-%d.json" % (backend, stack, wl[0], rnd))
                r = run_fio("/dev/" + dev, wl, out, a.runtime, a.ramp)
                r.update(backend=backend, stack=stack, workload=wl[0], round=rnd)
                results["runs"].append(r)
                log("%-7s %-5s %-15s run %d: %8.0f IOPS %8.1f MB/s p50 %6.0f us p99 %6.0f us"
                    % (backend, stack, wl[0], rnd, r["iops"], r["bw_bytes"] / 1e6,
                       (r["p50_ns"] or 0) / 1e3, (r["p99_ns"] or 0) / 1e3))

        def raw(rnd):
            results["disks"]["raw"] = tune_disk("nullb0")
            measure("raw", "nullb0", rnd, "nullb0")

        up = {}         # (backend, stack) -> disk, while set up

        def ensure(stack, backend):
            """Set a stack up for a backend.  On nullio both stacks stay up
            (nothing shared); on blockio and iscsi the other one goes
            first: one holder of /dev/nullb0 at a time."""
            if (backend, stack) in up:
                return up[(backend, stack)]
            for other in list(up):
                if backend != "nullio" or other[0] != "nullio":
                    release(other)
            t = time.time()
            up[(backend, stack)] = stack_of(backend, stack).up(backend)
            results["disks"]["%s-%s" % (backend, stack)] = tune_disk(up[(backend, stack)])
            results.setdefault("setup_s", []).append(round(time.time() - t, 1))
            return up[(backend, stack)]

        def release(key):
            dev = up.pop(key)
            stack_of(*key).down()
            wait_gone(dev)

        def workloads(backend):
            return ISCSI_WORKLOADS if backend == "iscsi" else WORKLOADS

        # Alternate at the finest grain: for each backend and workload,
        # Strix, LIO, Strix, LIO, so that drift in the host's load hits
        # both stacks alike.
        if not a.profile_only:
            if "local" in parts:
                raw(1)
            for backend in backends:
                for wl in workloads(backend):
                    for rnd in range(1, ROUNDS + 1):
                        for stack in STACKS.get(backend, ["strix", "lio"]):
                            dev = ensure(stack, backend)
                            measure(backend, stack, rnd, dev, [wl])
                for key in list(up):
                    release(key)
            if "local" in parts:
                raw(2)
            if "iscsi" in parts:
                for name, s in (("strix", istrix), ("lio", ilio)):
                    results["iscsi"][name]["session"] = s.session
                    results["iscsi"][name]["negotiated"] = negotiated(s.session or "")
                    results["iscsi"][name]["target_view"] = s.target_view
                results["iscsi"]["lio"]["param"] = ilio.params

        with open(os.path.join(a.out, "results.json"), "w") as f:
            json.dump(results, f, indent=1)         # again at the end
        if a.profile and not shutil.which("perf"):
            log("perf is not installed (Debian: linux-perf): no profile")
        elif a.profile:
            pdir = os.path.join(a.out, "profile")
            os.makedirs(pdir, exist_ok=True)
            for backend in backends:
                for stack in STACKS.get(backend, ["strix", "lio"]):
                    dev = ensure(stack, backend)
                    profile("%s-%s" % (backend, stack), dev, pdir, a.profile,
                            a.callgraph)
                for key in list(up):
                    release(key)
        results["finished"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
        results["seconds"] = round(time.time() - t0)
        with open(os.path.join(a.out, "results.json"), "w") as f:
            json.dump(results, f, indent=1)
        log("done in %d s: %s/results.json" % (results["seconds"], a.out))
        rc = 0
    except (BenchError, apply_bench.ApplyError, OSError, ValueError, KeyError) as e:
        log("FAILED: %s" % e)
        rc = 1
    finally:
        for name, s in stacks.items():
            try:
                s.down()
            except (BenchError, OSError) as e:
                log("teardown of %s: %s" % ("-".join(name), e))
                rc = 1
        ini.stop()
        for s in (istrix, ilio):
            try:
                s.unload()
            except (BenchError, OSError) as e:
                log("unload: %s" % e)
                rc = 1
        try:
            strix.unload()
        except BenchError as e:
            log("unload: %s" % e)
            rc = 1
        lio.unload()
        sdebug.unload()
        # what the kernel said, for the host (scripts/vm/run scans it too)
        try:
            dmesg = sh("dmesg", check=False)
            with open(os.path.join(a.out, "dmesg.txt"), "w") as f:
                f.write(dmesg)
            bad = [l for l in dmesg.splitlines()
                   if re.search(r"WARNING:|BUG:|BUG |Oops|Call Trace|possible .*lock|"
                                r"rcu.*stall|blocked for more than|KASAN", l)]
            log("guest kernel log: %d line(s) with WARNING/BUG/Oops/Call Trace%s"
                % (len(bad), "" if not bad else ":\n" + "\n".join(bad[:20])))
        except OSError as e:
            log("dmesg: %s" % e)
    return rc


if __name__ == "__main__":
    sys.exit(main())
