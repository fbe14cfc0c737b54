"""The "apply" part of `make bench`: how long it takes to bring up, save
and tear down a configuration of N LUNs, with Strix's `strixctl` and with
LIO's own tools, in the same guest boot.  Imported by guest.py.

Both sides get the same configuration: N null devices of 1 MiB (Strix
vdisk_nullio, LIO rd_mcp with nullio) exported as LUNs 0..N-1 of one
enabled iSCSI target with no sessions (nothing scans the LUNs, so only
the management path is timed).  LIO's target also gets one portal
(127.0.0.1:3261; Strix's portals belong to strix-iscsid, which is not
running) and generate_node_acls=1.

For each N in SIZES and each of its ROUNDS, alternating the stacks:

  Strix   strixctl apply FILE           (the plan printed, as an admin
                                         sees it)
          strixctl apply FILE           again: nothing to do (an empty plan)
          strixctl save OUT
          strixctl apply --prune EMPTY  (teardown: everything removed)
  LIO     targetcli restoreconfig FILE
          targetcli saveconfig OUT
          targetcli clearconfig confirm=True
          targetctl restore FILE        (rtslib-fb-targetctl.service: LIO's
          targetctl clear                boot path)

Each step is one process, timed by wall clock from fork to exit.  After
every bring-up the tree is counted (N devices and N LUNs, the target
enabled) and after every teardown checked empty; a miscount fails the
benchmark.  The saved files are checked to hold N LUNs.
"""
import json
import os
import shlex
import subprocess
import time

SIZES = (10, 100, 1000)
# rounds per size: LIO takes about 45 minutes for one round of 1,000 LUNs
# under TCG, and the differences are far larger than the run-to-run noise
ROUNDS = {10: 2, 100: 2, 1000: 1}
SCST = "/sys/kernel/scst_tgt"
LIO = "/sys/kernel/config/target"
STRIX_IQN = "iqn.2026-12.org.strix.bench:apply"
LIO_IQN = "iqn.2026-12.org.strix.bench:apply-lio"
MODULES = ("core/strix.ko", "handlers/vdisk/strix_vdisk.ko", "drivers/iscsi/strix_iscsi.ko")


class ApplyError(Exception):
    pass


def log(msg):
    print("bench: apply: " + msg, flush=True)


def sh(cmd, check=True):
    p = subprocess.run(cmd, shell=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    if check and p.returncode:
        raise ApplyError("command failed (exit %d): %s\n%s" % (p.returncode, cmd, p.stdout))
    return p.stdout


def timed(argv, out_path):
    """Run argv with stdout+stderr to out_path; seconds, or raise."""
    t = time.monotonic()
    with open(out_path, "w") as f:
        p = subprocess.run(argv, stdout=f, stderr=subprocess.STDOUT)
    s = time.monotonic() - t
    if p.returncode:
        with open(out_path) as f:
            tail = f.read()[-2000:]
        raise ApplyError("exit %d: %s\n%s" % (p.returncode, shlex.join(argv), tail))
    return s


def strix_conf(n):
    devs = "".join("\tDEVICE a%d {\n\t\tsize_mb 1\n\t}\n" % i for i in range(n))
    luns = "".join("\t\tLUN %d a%d\n" % (i, i) for i in range(n))
    return ("HANDLER vdisk_nullio {\n%s}\n\nTARGET_DRIVER iscsi {\n\tTARGET %s {\n"
            "\t\tenabled 1\n%s\t}\n}\n" % (devs, STRIX_IQN, luns))


def lio_conf(n):
    return {
        "fabric_modules": [],
        "storage_objects": [{"plugin": "ramdisk", "name": "a%d" % i, "size": 1 << 20,
                             "nullio": True} for i in range(n)],
        "targets": [{
            "fabric": "iscsi", "wwn": LIO_IQN,
            "tpgs": [{
                "tag": 1, "enable": True,
                "attributes": {"generate_node_acls": 1, "authentication": 0,
                               "demo_mode_write_protect": 0},
                "parameters": {},
                "luns": [{"index": i, "storage_object": "/backstores/ramdisk/a%d" % i}
                         for i in range(n)],
                "portals": [{"ip_address": "127.0.0.1", "port": 3261}],
                "node_acls": [],
            }],
        }],
    }


def entries(path, skip=("mgmt",)):
    try:
        return [e for e in os.listdir(path) if e not in skip]
    except FileNotFoundError:
        return []


def strix_counts():
    devs = entries(SCST + "/handlers/vdisk_nullio")
    devs = [d for d in devs if os.path.isdir(os.path.join(SCST, "handlers/vdisk_nullio", d))]
    tdir = "%s/targets/iscsi/%s" % (SCST, STRIX_IQN)
    luns = entries(tdir + "/luns")
    enabled = None
    if os.path.exists(tdir + "/enabled"):
        with open(tdir + "/enabled") as f:
            enabled = f.read().split()[0]
    return len(devs), len(luns), enabled


def lio_counts():
    tpg = "%s/iscsi/%s/tpgt_1" % (LIO, LIO_IQN)
    sos = [e for e in entries(LIO + "/core") if e.startswith("rd_mcp_")]
    nso = sum(len(entries(os.path.join(LIO, "core", h), ("hba_info", "hba_mode")))
              for h in sos)
    luns = entries(tpg + "/lun")
    enabled = None
    if os.path.exists(tpg + "/enable"):
        with open(tpg + "/enable") as f:
            enabled = f.read().split()[0]
    return nso, len(luns), enabled


def expect(what, got, want):
    if got != want:
        raise ApplyError("%s: found (devices, LUNs, enabled) %s, expected %s"
                         % (what, got, want))


def count_saved_strix(path):
    with open(path) as f:
        return sum(1 for l in f if l.split()[:1] == ["LUN"])


def count_saved_lio(path):
    with open(path) as f:
        doc = json.load(f)
    return sum(len(t["luns"]) for tg in doc.get("targets", []) for t in tg["tpgs"])


class Bench:
    def __init__(self, moddir, strixctl, out):
        self.moddir, self.strixctl, self.dir = moddir, strixctl, os.path.join(out, "apply")
        os.makedirs(self.dir, exist_ok=True)
        self.loaded = []
        self.runs = []
        self.env = {"TARGETCLI_HOME": os.path.join(self.dir, "targetcli-home")}

    def load(self):
        for m in MODULES:
            name = os.path.basename(m)[:-3]
            if os.path.exists("/sys/module/" + name):
                raise ApplyError("%s is already loaded" % name)
            ko = "%s/%s" % (self.moddir, m)
            deps = [d for d in sh("modinfo -F depends " + ko).strip().split(",")
                    if d and not d.startswith("strix")]
            if deps:
                sh("modprobe -a " + " ".join(deps))
            sh("insmod " + ko)
            self.loaded.append(name)
        sh("modprobe -a configfs target_core_mod iscsi_target_mod")
        if not os.path.isdir(LIO):
            sh("mount -t configfs configfs /sys/kernel/config")
        if not os.path.exists(LIO + "/iscsi"):
            os.makedirs(LIO + "/iscsi", exist_ok=True)  # configfs: registers the fabric
        # targetcli-fb wants a D-Bus system bus (guest-notes.md)
        if not os.path.exists("/run/dbus/system_bus_socket"):
            os.makedirs("/run/dbus", exist_ok=True)
            sh("dbus-daemon --system --fork")
        os.makedirs(self.env["TARGETCLI_HOME"], exist_ok=True)
        os.environ.update(self.env)

    def unload(self):
        errs = []
        for argv in ([self.strixctl, "apply", "--prune", self.empty()],
                     ["targetctl", "clear"]):
            p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
            if p.returncode:
                errs.append("%s: %s" % (shlex.join(argv), p.stdout[-500:]))
        for name in reversed(self.loaded):
            p = subprocess.run(["rmmod", name], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
            if p.returncode:
                errs.append("rmmod %s: %s" % (name, p.stdout))
        self.loaded = []
        sh("modprobe -r iscsi_target_mod target_core_mod", check=False)
        if errs:
            raise ApplyError("teardown: " + "; ".join(errs))

    def empty(self):
        path = os.path.join(self.dir, "empty.conf")
        with open(path, "w") as f:
            f.write("# nothing\n")
        return path

    def step(self, n, rnd, stack, action, argv):
        out = os.path.join(self.dir, "%s-%d-%s-%d.out" % (stack, n, action, rnd))
        s = timed(argv, out)
        self.runs.append({"luns": n, "round": rnd, "stack": stack, "action": action,
                          "seconds": round(s, 3), "cmd": shlex.join(argv)})
        log("%-5s %4d LUNs %-14s run %d: %7.2f s" % (stack, n, action, rnd, s))
        return out

    def strix(self, n, rnd, conf):
        self.step(n, rnd, "strix", "apply", [self.strixctl, "apply", conf])
        expect("Strix after apply of %d" % n, strix_counts(), (n, n, "1"))
        out = self.step(n, rnd, "strix", "reapply", [self.strixctl, "--json", "apply", conf])
        with open(out) as f:
            steps = json.load(f)["plan"]["steps"]
        if steps:
            raise ApplyError("Strix: applying the same file again planned %d steps"
                             % len(steps))
        saved = os.path.join(self.dir, "strix-%d-%d.conf" % (n, rnd))
        self.step(n, rnd, "strix", "save", [self.strixctl, "save", saved])
        if count_saved_strix(saved) != n:
            raise ApplyError("Strix: %s holds %d LUNs, not %d"
                             % (saved, count_saved_strix(saved), n))
        self.step(n, rnd, "strix", "teardown",
                  [self.strixctl, "apply", "--prune", self.empty()])
        expect("Strix after teardown", strix_counts(), (0, 0, None))

    def lio(self, n, rnd, conf):
        self.step(n, rnd, "lio", "apply", ["targetcli", "restoreconfig", conf])
        expect("LIO after restoreconfig of %d" % n, lio_counts(), (n, n, "1"))
        saved = os.path.join(self.dir, "lio-%d-%d.json" % (n, rnd))
        self.step(n, rnd, "lio", "save", ["targetcli", "saveconfig", saved])
        if count_saved_lio(saved) != n:
            raise ApplyError("LIO: %s holds %d LUNs, not %d"
                             % (saved, count_saved_lio(saved), n))
        self.step(n, rnd, "lio", "teardown", ["targetcli", "clearconfig", "confirm=True"])
        expect("LIO after clearconfig", lio_counts(), (0, 0, None))
        self.step(n, rnd, "lio-targetctl", "apply", ["targetctl", "restore", conf])
        expect("LIO after targetctl restore of %d" % n, lio_counts(), (n, n, "1"))
        self.step(n, rnd, "lio-targetctl", "teardown", ["targetctl", "clear"])
        expect("LIO after targetctl clear", lio_counts(), (0, 0, None))

    def run(self, sizes=SIZES, rounds=ROUNDS):
        for n in sizes:
            sconf = os.path.join(self.dir, "strix-%d.conf" % n)
            with open(sconf, "w") as f:
                f.write(strix_conf(n))
            lconf = os.path.join(self.dir, "lio-%d.json" % n)
            with open(lconf, "w") as f:
                json.dump(lio_conf(n), f, indent=1)
            for rnd in range(1, rounds.get(n, 1) + 1):
                self.strix(n, rnd, sconf)
                self.lio(n, rnd, lconf)


def run(moddir, strixctl, out, sizes=SIZES, rounds=ROUNDS):
    """The whole part; returns its results (for results.json["apply"])."""
    b = Bench(moddir, strixctl, out)
    res = {"sizes": list(sizes), "rounds": {str(k): v for k, v in rounds.items()}, "strix_iqn": STRIX_IQN,
           "lio_iqn": LIO_IQN, "runs": b.runs,
           "targetcli": sh("dpkg-query -W -f '${Version}' targetcli-fb", check=False).strip(),
           "rtslib": sh("dpkg-query -W -f '${Version}' python3-rtslib-fb",
                        check=False).strip()}
    t0 = time.time()
    try:
        b.load()
        b.run(sizes, rounds)
    except BaseException:
        try:
            b.unload()
        except ApplyError as e:
            log(str(e))
        raise
    b.unload()
    res["seconds"] = round(time.time() - t0)
    return res
