"""Running strix-iscsid and the open-iscsi initiator in the guest."""
import glob
import mmap
import os
import re
import signal
import socket
import subprocess
import time

import strixtest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DAEMON = os.environ.get("STRIX_ISCSID") or os.path.join(TOP, "build", "usr", "iscsid", "strix-iscsid")


def wait_port(host, port, timeout=20.0, netns=None):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        cmd = "ss -Hltn 'sport = :%d'" % port
        if netns:
            cmd = "ip netns exec %s %s" % (netns, cmd)
        out = subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout
        if out.strip():
            return
        time.sleep(0.1)
    raise TimeoutError("nothing listens on %s:%d" % (host, port))


class Daemon:
    """strix-iscsid in the foreground, its log kept for the test."""

    def __init__(self, listen="127.0.0.1:3260", netns=None, log_path="/tmp/strix-iscsid.log"):
        self.listen = listen
        self.netns = netns
        self.log_path = log_path
        self.proc = None
        self.start()

    def start(self):
        cmd = [DAEMON, "--foreground", "--debug", "--listen", self.listen]
        if self.netns:
            cmd = ["ip", "netns", "exec", self.netns] + cmd
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        host, _, port = self.listen.rpartition(":")
        wait_port(host.strip("[]"), int(port), netns=self.netns)

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=20)
        self.proc = None
        self.log.close()

    def text(self):
        with open(self.log_path) as f:
            return f.read()


class OpenIscsi:
    """open-iscsi's iscsid and iscsiadm, with their node database in a
    directory of the test's own."""

    def __init__(self, tmp):
        strixtest.sh("modprobe -a iscsi_tcp sd_mod sg")
        self.proc = None
        self.start()

    def start(self):
        # iscsid runs in the guest's own root (an overlay): its database
        # under /etc/iscsi is the guest's, emptied at every start.
        strixtest.sh("rm -rf /etc/iscsi/nodes /etc/iscsi/send_targets; "
                     "mkdir -p /etc/iscsi/nodes /etc/iscsi/send_targets /run/lock/iscsi")
        self.proc = subprocess.Popen(["iscsid", "-f"], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        end = time.monotonic() + 10
        while time.monotonic() < end:
            if subprocess.run("iscsiadm -m session", shell=True, capture_output=True,
                              text=True).returncode in (0, 21):
                return
            time.sleep(0.2)
        raise TimeoutError("iscsid does not answer")

    def adm(self, args, check=True):
        r = subprocess.run("iscsiadm " + args, shell=True, capture_output=True, text=True)
        print("+ iscsiadm %s -> %d\n%s%s" % (args, r.returncode, r.stdout, r.stderr))
        if check and r.returncode:
            raise AssertionError("iscsiadm %s: exit %d: %s" % (args, r.returncode, r.stderr))
        return r

    def discover(self, portal, chap=None):
        if chap:
            self.adm("-m discoverydb -t st -p %s -o new" % portal)
            for k, v in (("discovery.sendtargets.auth.authmethod", "CHAP"),
                         ("discovery.sendtargets.auth.username", chap[0]),
                         ("discovery.sendtargets.auth.password", chap[1])):
                self.adm("-m discoverydb -t st -p %s -o update -n %s -v %s" % (portal, k, v))
            r = self.adm("-m discoverydb -t st -p %s --discover" % portal, check=False)
        else:
            r = self.adm("-m discovery -t st -p %s" % portal, check=False)
        if r.returncode:
            return None
        return [line.split()[1] for line in r.stdout.splitlines() if line.strip()]

    def set(self, target, portal, name, value):
        self.adm("-m node -T %s -p %s -o update -n '%s' -v '%s'" % (target, portal, name, value))

    def login(self, target, portal, check=True):
        return self.adm("-m node -T %s -p %s --login" % (target, portal), check=check).returncode

    def logout(self, target=None, portal=None):
        if target:
            return self.adm("-m node -T %s -p %s --logout" % (target, portal), check=False)
        return self.adm("-m node --logoutall=all", check=False)

    def sessions(self):
        r = self.adm("-m session -P 3", check=False)
        return r.stdout if r.returncode == 0 else ""

    def disks(self, target, count=1, timeout=30.0):
        """The /dev/sdX of the target's LUNs once they are there."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            out = self.sessions()
            if target in out:
                disks = re.findall(r"Attached scsi disk (sd\w+)\s+State: running", out)
                if len(disks) >= count and all(os.path.exists("/dev/" + d) for d in disks):
                    return ["/dev/" + d for d in disks]
            time.sleep(0.3)
        raise TimeoutError("no disk of %s:\n%s" % (target, self.sessions()))

    def stop(self):
        self.logout()
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def sg_of(disk):
    name = os.path.basename(disk)
    (sg,) = glob.glob("/sys/block/%s/device/scsi_generic/*" % name)
    return "/dev/" + os.path.basename(sg)


def dd_verify(disk, mb=8):
    """@mb MiB of random data written to @disk with O_DIRECT, fsynced and
    read back: they must be the same."""
    data = os.urandom(mb << 20)
    fd = os.open(disk, os.O_RDWR | os.O_DIRECT)
    try:
        buf = mmap.mmap(-1, len(data))
        buf.write(data)
        assert os.pwritev(fd, [buf], 0) == len(data)
        os.fsync(fd)
        back = mmap.mmap(-1, len(data))
        assert os.preadv(fd, [back], 0) == len(data)
        assert back[:] == data, "read back differs"
    finally:
        os.close(fd)
