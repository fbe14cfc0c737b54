"""strix-iscsid end to end without the kernel: discovery sessions.

The daemon runs on a fake management tree in a temporary directory and
listens on 127.0.0.1:<free port>; iscsi_client.py (stdlib, written from
RFC 7143) logs in and sends SendTargets, with and without CHAP.  These
tests need no module, so they run on the host and in the guest
(@pytest.mark.anywhere).  Where open-iscsi's iscsiadm can work (the guest:
iscsi_tcp is loaded, iscsid runs) the last test does a real
"iscsiadm -m discovery -t sendtargets" too.

Reproduce by hand:
    build/usr/iscsid/strix-iscsid --foreground --debug --sysfs-root DIR --listen 127.0.0.1:PORT
    python3 tests/iscsi/iscsi_client.py 127.0.0.1:PORT [--chap USER SECRET]
"""
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import initiator  # noqa: E402
import iscsi_client  # noqa: E402
import strixtest  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DAEMON = os.environ.get("STRIX_ISCSID", os.path.join(TOP, "build", "usr", "iscsid", "strix-iscsid"))

pytestmark = pytest.mark.anywhere

T1 = "iqn.2024-01.org.strix:disk1"
T2 = "iqn.2024-01.org.strix:disk2"
T3 = "iqn.2024-01.org.strix:elsewhere"
OFF = "iqn.2024-01.org.strix:off"
INI = "iqn.2024-01.org.strix:test-client"


def write(path, content):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(content)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Daemon:
    def __init__(self, root, env=None):
        self.root = root
        self.port = free_port()
        self.log = open(os.path.join(os.path.dirname(root), "strix-iscsid.log"), "w+")
        cmd = [DAEMON, "--foreground", "--debug", "--sysfs-root", root,
               "--listen", "127.0.0.1:%d" % self.port, "--login-timeout", "30"]
        print("+ " + " ".join(cmd))
        # Its own process group, always cleaned up.
        self.proc = subprocess.Popen(cmd, stderr=self.log, stdout=self.log,
                                     start_new_session=True,
                                     env=dict(os.environ, **(env or {})))
        deadline = time.time() + 90     # a cold start over 9p in a slow guest
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.05)
        raise AssertionError("strix-iscsid did not start:\n" + self.text())

    def text(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(10)
        assert self.proc.returncode == 0, self.text()


@pytest.fixture
def tree(tmp_path):
    root = str(tmp_path / "scst_tgt")
    d = os.path.join(root, "targets", "iscsi")
    write(os.path.join(d, "enabled"), "1\n")
    write(os.path.join(d, T1, "enabled"), "1\n")
    write(os.path.join(d, T2, "enabled"), "1\n")
    write(os.path.join(d, T2, "allowed_portal"), "127.0.0.*\n")
    write(os.path.join(d, T3, "enabled"), "1\n")
    write(os.path.join(d, T3, "allowed_portal"), "10.*\n")
    write(os.path.join(d, OFF, "enabled"), "0\n")
    return d


@pytest.fixture
def daemon(tree):
    if not os.access(DAEMON, os.X_OK):
        pytest.skip("%s not built (cmake --build build/usr)" % DAEMON)
    d = Daemon(os.path.dirname(os.path.dirname(tree)))
    yield d
    d.stop()


def test_sendtargets_lists_enabled_targets_of_this_portal(daemon):
    targets = iscsi_client.discover("127.0.0.1", daemon.port)
    addr = "127.0.0.1:%d,1" % daemon.port
    assert targets == [(T1, [addr]), (T2, [addr])]


def test_configuration_is_read_at_each_login(daemon, tree):
    write(os.path.join(tree, T1, "enabled"), "0\n")
    assert [t for t, _ in iscsi_client.discover("127.0.0.1", daemon.port)] == [T2]
    write(os.path.join(tree, "enabled"), "0\n")
    with pytest.raises(iscsi_client.LoginFailed) as e:
        iscsi_client.discover("127.0.0.1", daemon.port)
    assert e.value.status == 0x0301


@pytest.mark.parametrize("alg", ["5", "6", "7", "8", "7,6,5"])
def test_discovery_chap(daemon, tree, alg):
    write(os.path.join(tree, "IncomingUser"), "disc discovery-secret1\n")
    write(os.path.join(tree, "IncomingUser1"), "other other-secret-22\n[key]\n")
    targets = iscsi_client.discover("127.0.0.1", daemon.port,
                                    chap=("other", "other-secret-22"), chap_a=alg)
    assert [t for t, _ in targets] == [T1, T2]
    # no CHAP at all, or a wrong secret: authentication failure
    with pytest.raises(iscsi_client.LoginFailed) as e:
        iscsi_client.discover("127.0.0.1", daemon.port)
    assert e.value.status == 0x0201
    with pytest.raises(iscsi_client.LoginFailed) as e:
        iscsi_client.discover("127.0.0.1", daemon.port, chap=("disc", "Zq9-not-the-secret"), chap_a=alg)
    assert e.value.status == 0x0201
    assert "discovery-secret1" not in daemon.text()
    assert "Zq9-not-the-secret" not in daemon.text()
    assert "other-secret-22" not in daemon.text()


def test_discovery_mutual_chap(daemon, tree):
    write(os.path.join(tree, "IncomingUser"), "disc discovery-secret1\n")
    write(os.path.join(tree, "OutgoingUser"), "target target-secret-9\n")
    targets = iscsi_client.discover("127.0.0.1", daemon.port, chap=("disc", "discovery-secret1"),
                                    mutual=("target", "target-secret-9"), chap_a="7")
    assert [t for t, _ in targets] == [T1, T2]
    # our own challenge reflected back: refused
    c = iscsi_client.Client("127.0.0.1", daemon.port)
    try:
        first = [("InitiatorName", INI), ("SessionType", "Discovery"), ("AuthMethod", "CHAP")]
        c.exchange(first, False, 1)
        keys = c.exchange([("CHAP_A", "5")], False, 1)
        chal = iscsi_client.decode_binary(keys["CHAP_C"])
        ident = int(keys["CHAP_I"])
        r = iscsi_client.chap_response(5, ident, "discovery-secret1", chal)
        with pytest.raises(iscsi_client.LoginFailed) as e:
            c.exchange([("CHAP_N", "disc"), ("CHAP_R", "0x" + r.hex()),
                        ("CHAP_I", str(ident)), ("CHAP_C", keys["CHAP_C"])], True, 1)
        assert e.value.status == 0x0201
    finally:
        c.close()


def test_normal_login_without_module_is_refused(daemon):
    """Without strix_iscsi.ko the hand-over fails: service unavailable."""
    if os.path.isdir("/sys/module/strix_iscsi"):
        pytest.skip("strix_iscsi is loaded")
    c = iscsi_client.Client("127.0.0.1", daemon.port)
    try:
        with pytest.raises(iscsi_client.LoginFailed) as e:
            c.login(INI, target=T1)
        assert e.value.status == 0x0301
    finally:
        c.close()


def test_normal_login_to_unknown_target(daemon):
    c = iscsi_client.Client("127.0.0.1", daemon.port)
    try:
        with pytest.raises(iscsi_client.LoginFailed) as e:
            c.login(INI, target="iqn.2024-01.org.strix:nope")
        assert e.value.status == 0x0203
    finally:
        c.close()


def test_garbage_closes_that_connection_only(daemon):
    bad = socket.create_connection(("127.0.0.1", daemon.port))
    bad.sendall(bytes([0x01]) + bytes(47))      # a SCSI command before login
    bad.settimeout(30)
    assert bad.recv(1) == b""
    bad.close()
    assert len(iscsi_client.discover("127.0.0.1", daemon.port)) == 2


@pytest.fixture
def open_iscsi():
    """open-iscsi's iscsid (iscsiadm needs it even for discovery): root,
    so in the guest only."""
    if not strixtest.in_guest():
        pytest.skip("open-iscsi's iscsid runs in the guest (make check)")
    oi = initiator.OpenIscsi(None)
    yield oi
    oi.stop()


def test_iscsiadm_sendtargets(daemon, open_iscsi):
    portal = "127.0.0.1:%d" % daemon.port
    cmd = ["iscsiadm", "-m", "discovery", "-t", "sendtargets", "-p", portal]
    print("+ " + " ".join(cmd))
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=60)
    print(r.stdout)
    subprocess.run(["iscsiadm", "-m", "discoverydb", "-t", "sendtargets", "-p", portal,
                    "-o", "delete"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert r.returncode == 0, daemon.text()
    lines = sorted(r.stdout.split("\n"))
    assert "%s,1 %s" % (portal, T1) in lines
    assert "%s,1 %s" % (portal, T2) in lines


def test_systemd_readiness(tree, tmp_path):
    """Type=notify: with NOTIFY_SOCKET set, READY=1 (and a STATUS naming
    the portal) comes once the portal listens, STOPPING=1 on SIGTERM."""
    if not os.access(DAEMON, os.X_OK):
        pytest.skip("%s not built (cmake --build build/usr)" % DAEMON)
    path = str(tmp_path / "notify")
    ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    ns.bind(path)
    ns.settimeout(30)
    d = Daemon(os.path.dirname(os.path.dirname(tree)), env={"NOTIFY_SOCKET": path})
    try:
        msg = ns.recv(4096).decode()
        assert msg.split("\n")[0] == "READY=1", msg
        assert "STATUS=listening on 127.0.0.1:%d" % d.port in msg, msg
    finally:
        d.stop()
    assert ns.recv(4096) == b"STOPPING=1"
    ns.close()
