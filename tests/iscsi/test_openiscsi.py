"""strix-iscsid and strix_iscsi.ko driven by the Linux initiator
(open-iscsi's iscsiadm and iscsid, iscsi_tcp): discovery, login, logout,
CHAP, digests, a filesystem, fio with verification, faults."""
import os
import signal
import subprocess
import threading
import time

import pytest

import initiator
from initiator import dd_verify
import strixtest
from iscsi_wire import TARGET

PORTAL = "127.0.0.1:3260"


@pytest.fixture
def target(iscsi_stack):
    """The stack, strix-iscsid on 127.0.0.1:3260 and open-iscsi."""
    d = initiator.Daemon(PORTAL)
    oi = initiator.OpenIscsi(None)
    yield iscsi_stack, d, oi
    oi.stop()
    d.stop()


def login(oi, portal=PORTAL, target_name=TARGET, **settings):
    found = oi.discover(portal)
    assert found == [target_name], "SendTargets: %s" % found
    for k, v in settings.items():
        oi.set(target_name, portal, k, v)
    assert oi.login(target_name, portal) == 0
    (disk,) = oi.disks(target_name)
    return disk


@pytest.mark.smoke
def test_discovery_login_logout(target, kernel_log):
    tree, d, oi = target
    disk = login(oi)
    dd_verify(disk)
    sessions = os.listdir(tree.path("targets/iscsi/%s/sessions" % TARGET))
    assert len(sessions) == 1
    oi.logout(TARGET, PORTAL)
    strixtest.udev_settle(
        lambda: not os.listdir(tree.path("targets/iscsi/%s/sessions" % TARGET)))
    assert kernel_log.wait_for(r"connection \d+ closed: logout")


def test_target_deletion_logs_the_initiator_out(target, kernel_log):
    """Deleting a target with a session asks the initiator to log out
    (Async Message); open-iscsi does, and the write returns after."""
    tree, d, oi = target
    disk = login(oi)
    dd_verify(disk, 1)
    assert tree.write("targets/iscsi/mgmt", "del_target %s" % TARGET) == 0
    assert kernel_log.wait_for(r"asking the initiator to log out within 3 s")
    assert kernel_log.wait_for(r"connection \d+ closed: logout")
    assert not os.path.exists(tree.path("targets/iscsi/" + TARGET))


@pytest.mark.parametrize("hd,dd", [("CRC32C", "CRC32C"), ("CRC32C", "None"), ("None", "CRC32C")])
def test_digests(target, hd, dd):
    tree, d, oi = target
    disk = login(oi, **{"node.conn[0].iscsi.HeaderDigest": hd,
                        "node.conn[0].iscsi.DataDigest": dd})
    (s,) = os.listdir(tree.path("targets/iscsi/%s/sessions" % TARGET))
    base = "targets/iscsi/%s/sessions/%s/" % (TARGET, s)
    assert tree.value(base + "HeaderDigest") == hd
    assert tree.value(base + "DataDigest") == dd
    dd_verify(disk)


def chap_settings(user, secret, mutual=None):
    s = {"node.session.auth.authmethod": "CHAP",
         "node.session.auth.username": user,
         "node.session.auth.password": secret}
    if mutual:
        s["node.session.auth.username_in"] = mutual[0]
        s["node.session.auth.password_in"] = mutual[1]
    return s


def test_chap(target):
    tree, d, oi = target
    mgmt = "targets/iscsi/mgmt"
    tree.do(mgmt, "add_target_attribute %s IncomingUser joe joesecret1234" % TARGET)
    # no credentials, wrong secret: refused
    assert oi.discover(PORTAL) == [TARGET]
    assert oi.login(TARGET, PORTAL, check=False) != 0
    for k, v in chap_settings("joe", "wrongsecret99").items():
        oi.set(TARGET, PORTAL, k, v)
    assert oi.login(TARGET, PORTAL, check=False) != 0
    assert "joesecret1234" not in d.text() and "wrongsecret99" not in d.text(), \
        "a secret in the daemon's log"
    # right secret: in
    oi.set(TARGET, PORTAL, "node.session.auth.password", "joesecret1234")
    assert oi.login(TARGET, PORTAL) == 0
    (disk,) = oi.disks(TARGET)
    dd_verify(disk, 1)
    oi.logout(TARGET, PORTAL)
    # mutual: the target proves itself too
    tree.do(mgmt, "add_target_attribute %s OutgoingUser tgt tgtsecret12345" % TARGET)
    for k, v in chap_settings("joe", "joesecret1234", ("tgt", "badtgtsecret00")).items():
        oi.set(TARGET, PORTAL, k, v)
    assert oi.login(TARGET, PORTAL, check=False) != 0, "initiator accepted a wrong target secret"
    oi.set(TARGET, PORTAL, "node.session.auth.password_in", "tgtsecret12345")
    assert oi.login(TARGET, PORTAL) == 0
    (disk,) = oi.disks(TARGET)
    dd_verify(disk, 1)


def test_discovery_chap(target):
    tree, d, oi = target
    tree.do("targets/iscsi/mgmt", "add_attribute IncomingUser disc discsecret123")
    assert oi.discover(PORTAL) is None, "discovery without CHAP was let in"
    assert oi.discover(PORTAL, chap=("disc", "wrongsecret12")) is None
    assert oi.discover(PORTAL, chap=("disc", "discsecret123")) == [TARGET]


@pytest.mark.heavy
def test_ext4_fsck_clean(target, tmp_path):
    tree, d, oi = target
    disk = login(oi)
    strixtest.sh("mkfs.ext4 -q -F %s" % disk)
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    strixtest.sh("mount %s %s" % (disk, mnt))
    try:
        strixtest.sh("dd if=/dev/urandom of=%s/a bs=1M count=24 status=none && "
                     "cp -r /usr/share/doc/bash %s/ && sha256sum %s/a > %s/a.sum" %
                     (mnt, mnt, mnt, tmp_path))
    finally:
        strixtest.sh("umount %s" % mnt)
    strixtest.sh("echo 3 > /proc/sys/vm/drop_caches")
    strixtest.sh("fsck.ext4 -f -n %s" % disk)
    strixtest.sh("mount %s %s && sha256sum -c %s/a.sum && umount %s" % (disk, mnt, tmp_path, mnt))


def fio(disk, extra="", runtime=None, size="48M"):
    cmd = ("fio --name=v --filename=%s --direct=1 --ioengine=libaio --iodepth=32 "
           "--numjobs=2 --rw=randwrite --bs=4k,64k --size=%s --offset_increment=%s "
           "--verify=crc32c --verify_fatal=1 --do_verify=1 --verify_state_save=0 "
           "--group_reporting %s"
           % (disk, size, size, extra))
    r = subprocess.run(cmd, shell=True, capture_output=True, text=True)
    print(r.stdout[-3000:], r.stderr[-2000:])
    return r


@pytest.mark.heavy
def test_fio_verify_qd32(target):
    tree, d, oi = target
    disk = login(oi, **{"node.session.queue_depth": "32"})
    r = fio(disk)
    assert r.returncode == 0 and "err= 0" in r.stdout


class Writer(threading.Thread):
    """Writes numbered 4k blocks with O_DIRECT and keeps the ones whose
    write() returned: those must read back, whatever happened between."""

    def __init__(self, disk, blocks=4096):
        super().__init__(daemon=True)
        self.disk, self.blocks = disk, blocks
        self.acked = {}
        self.count = 0          # writes acknowledged
        self.error = None
        self.stop = threading.Event()

    def run(self):
        import mmap
        fd = os.open(self.disk, os.O_WRONLY | os.O_DIRECT)
        buf = mmap.mmap(-1, 4096)
        n = 0
        try:
            while not self.stop.is_set() and n < self.blocks * 64:
                blk = n % self.blocks
                payload = (b"%08d:%08d:" % (n, blk)) + os.urandom(16)
                content = (payload * (4096 // len(payload) + 1))[:4096]
                buf.seek(0)
                buf.write(content)
                try:
                    os.pwritev(fd, [buf], blk * 4096)
                except OSError as e:
                    self.error = e
                    break
                self.acked[blk] = content
                n += 1
                self.count = n
        finally:
            os.close(fd)

    def verify(self):
        import mmap
        fd = os.open(self.disk, os.O_RDONLY | os.O_DIRECT)
        buf = mmap.mmap(-1, 4096)
        bad = []
        try:
            for blk, content in self.acked.items():
                os.preadv(fd, [buf], blk * 4096)
                if buf[:] != content:
                    bad.append(blk)
        finally:
            os.close(fd)
        return bad


def test_connection_dropped_under_writes(target, kernel_log):
    """ss -K kills the TCP connection in the middle of acknowledged writes:
    the initiator logs in again (session reinstatement) and no write that
    was acknowledged is lost."""
    tree, d, oi = target
    disk = login(oi, **{"node.session.timeo.replacement_timeout": "60"})
    w = Writer(disk)
    w.start()
    time.sleep(3)
    before = w.count
    strixtest.sh("ss -K dst 127.0.0.1 dport = 3260")
    assert kernel_log.wait_for(r"connection \d+ closed", timeout=20), "ss -K closed nothing"
    assert kernel_log.wait_for(r"connection \d+ closed.*\n(.*\n)*.*connection \d+ from",
                               timeout=60), "no new login after the drop"
    time.sleep(3)
    w.stop.set()
    w.join(120)
    assert w.count > before, "no writes after the reconnect"
    assert w.error is None, "a write failed across the reconnect: %s" % w.error
    assert w.count > 100
    assert w.verify() == []


def lun_of(disk):
    """The LUN of SCSI disk @disk (/dev/sdX)."""
    (hctl,) = os.listdir("/sys/block/%s/device/scsi_device" % os.path.basename(disk))
    return int(hctl.split(":")[3])


def test_reset_storm_under_fio(slow_null_blk, target, kernel_log):
    """sg_reset -d and -t on an iSCSI disk while fio writes and verifies at
    QD32: open-iscsi sends LOGICAL UNIT RESET and TARGET WARM RESET TMFs,
    the core aborts what is in flight, the initiator retries it, and fio
    finds every block it wrote.  The disk is LUN 1, a null_blk taking 5 ms
    a command, so that the resets find commands in the target."""
    tree, d, oi = target
    tree.add_device("vdisk_blockio", "slow", "filename=%s" % slow_null_blk)
    tree.add_lun(TARGET, "slow", 1, driver="iscsi")
    assert oi.discover(PORTAL) == [TARGET]
    oi.set(TARGET, PORTAL, "node.session.queue_depth", "32")
    assert oi.login(TARGET, PORTAL) == 0
    (disk,) = [x for x in oi.disks(TARGET, count=2) if lun_of(x) == 1]
    sess_dir = "targets/iscsi/%s/sessions" % TARGET
    (sess,) = os.listdir(tree.path(sess_dir))
    # a third of the data on the debug kernel: there every command is
    # slower, so as many resets find commands in flight in less time
    size = "8M" if strixtest.kernel_config("KASAN") == "y" else "24M"
    rc, out, sent = strixtest.reset_storm(disk, ["-d", "-t"], size=size, bs="4k",
                                          interval=0.2)
    assert rc == 0 and "err= 0" in out, "fio through resets failed"
    assert sent >= 3, "the storm was too short to mean anything"
    # the same session all along: the resets did not cost a relogin
    assert os.listdir(tree.path(sess_dir)) == [sess]
    aborted = int(tree.value("%s/%s/aborted_commands" % (sess_dir, sess)))
    print("resets sent: %d, commands aborted: %d" % (sent, aborted))
    assert aborted > 0, "no reset found a command in flight"
    strixtest.sh("sg_turs %s" % disk, check=False)
    strixtest.sh("sg_turs %s" % disk)
    assert not kernel_log.splats()


@pytest.mark.heavy
def test_initiator_killed_under_writes(target, kernel_log):
    """kill -9 of open-iscsi's iscsid in the middle of writes, then it is
    started again (and, as it does, logs the session in again: session
    reinstatement): writes go on and no acknowledged write is lost."""
    tree, d, oi = target
    disk = login(oi)
    w = Writer(disk)
    w.start()
    time.sleep(2)
    oi.proc.send_signal(signal.SIGKILL)
    oi.proc.wait()
    time.sleep(2)
    oi.proc = subprocess.Popen(["iscsid", "-f"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    oi.disks(TARGET)            # the session is back (or never left)
    time.sleep(2)
    during = w.count
    time.sleep(3)
    w.stop.set()
    w.join(120)
    assert w.error is None, "a write failed: %s" % w.error
    assert w.count > during, "no writes after iscsid came back"
    assert w.verify() == []
    sessions = os.listdir(tree.path("targets/iscsi/%s/sessions" % TARGET))
    assert len(sessions) == 1, "the old session was not reinstated: %s" % sessions


@pytest.mark.heavy
def test_daemon_restart_keeps_sessions(target):
    """strix-iscsid restarted while fio runs: established sessions live in
    the kernel, I/O goes on, and new logins work afterwards."""
    tree, d, oi = target
    disk = login(oi)
    result = {}
    t = threading.Thread(target=lambda: result.update(r=fio(disk, size="16M")))
    t.start()
    time.sleep(2)
    d.stop()
    time.sleep(1)
    d.start()
    t.join(600)
    assert result["r"].returncode == 0
    oi.logout(TARGET, PORTAL)
    assert oi.login(TARGET, PORTAL) == 0
    dd_verify(oi.disks(TARGET)[0], 1)


def test_veth_netns(iscsi_stack):
    """The target in a network namespace behind a veth pair: discovery and
    login over 10.99.0.2."""
    strixtest.sh("modprobe veth; ip netns add strixt; "
                 "ip link add sveth0 type veth peer name sveth1; "
                 "ip link set sveth1 netns strixt; "
                 "ip addr add 10.99.0.1/24 dev sveth0; ip link set sveth0 up; "
                 "ip netns exec strixt ip addr add 10.99.0.2/24 dev sveth1; "
                 "ip netns exec strixt ip link set sveth1 up; "
                 "ip netns exec strixt ip link set lo up")
    d = initiator.Daemon("10.99.0.2:3260", netns="strixt")
    oi = initiator.OpenIscsi(None)
    try:
        disk = login(oi, portal="10.99.0.2:3260")
        dd_verify(disk, 4)
        (s,) = os.listdir(iscsi_stack.path("targets/iscsi/%s/sessions" % TARGET))
        assert iscsi_stack.value("targets/iscsi/%s/sessions/%s/peer" % (TARGET, s)) \
            .startswith("10.99.0.1:")
    finally:
        oi.stop()
        d.stop()
        strixtest.sh("ip link del sveth0 || true; ip netns del strixt || true")


def test_ipv6_portal(iscsi_stack):
    """strix-iscsid on an IPv6 portal ([::1]:3260): SendTargets names it
    in brackets, open-iscsi logs in over IPv6 and does verified I/O, and
    the session's peer is the IPv6 address."""
    strixtest.sh("ip link set lo up; sysctl -qw net.ipv6.conf.lo.disable_ipv6=0")
    d = initiator.Daemon("[::1]:3260")
    oi = initiator.OpenIscsi(None)
    try:
        disk = login(oi, portal="[::1]:3260")
        dd_verify(disk, 4)
        (s,) = os.listdir(iscsi_stack.path("targets/iscsi/%s/sessions" % TARGET))
        peer = iscsi_stack.value("targets/iscsi/%s/sessions/%s/peer" % (TARGET, s))
        assert peer.startswith("[::1]:"), "peer %r" % peer
    finally:
        oi.stop()
        d.stop()
