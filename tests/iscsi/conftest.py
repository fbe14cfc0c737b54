"""Fixtures of the iSCSI driver tests."""
import os
import socket
import sys

import pytest

import strixtest

sys.path.insert(0, os.path.dirname(__file__))
import iscsi_wire  # noqa: E402
from iscsi_wire import INITIATOR, TARGET  # noqa: E402


@pytest.fixture
def iscsi_stack(tmp_path):
    """strix, strix_vdisk and strix_iscsi loaded; target TARGET enabled
    with LUN 0, a 64 MiB vdisk_fileio disk in tmpfs (data can be checked).
    Everything is deleted afterwards, which must succeed; the modules stay
    loaded for the file's next test if the tree is back as a fresh load
    leaves it (strixtest.load_stack)."""
    tree = strixtest.load_stack(strixtest.ISCSI_STACK)
    img = tmp_path / "disk0.img"
    with open(img, "wb") as f:
        f.truncate(64 << 20)
    tree.add_device("vdisk_fileio", "disk0", "filename=%s" % img)
    tree.add_target("iscsi", TARGET)
    tree.add_lun(TARGET, "disk0", 0, driver="iscsi")
    tree.do("targets/iscsi/%s/enabled" % TARGET, "1")
    yield tree
    stale = strixtest.release_stack(tree)
    assert not stale, "files left in /dev by a test: %s" % stale


class Handover:
    """Plays strix-iscsid's part at the netlink level: a TCP connection on
    the loopback whose target end is handed to the kernel with a final
    Login Response built here.  The test drives the initiator end."""

    def __init__(self):
        self.genl = iscsi_wire.Genl()
        self.lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(8)
        self.port = self.lsock.getsockname()[1]
        self.sessions = []

    def connect(self, target=TARGET, initiator=INITIATOR, isid=0x400001370001,
                tsih=0, cid=1, cmd_sn=1, stat_sn=100, expect=0, **params):
        """A session (or connection) in Full Feature Phase; returns the
        initiator's iscsi_wire.Session (None when expect is an errno)."""
        csock = socket.create_connection(("127.0.0.1", self.port), timeout=20)
        tsock, _ = self.lsock.accept()
        rsp = iscsi_wire.final_login_rsp(0x77, isid, stat_sn, [("HeaderDigest", "None")])
        err, reply = self.genl.conn_add(iscsi_wire.conn_add_attrs(
            tsock.fileno(), target, initiator, isid, cmd_sn, rsp, tsih=tsih, cid=cid,
            **params))
        tsock.close()           # the kernel holds its own reference
        assert err == expect, "CONN_ADD: %s, wanted %s" % (
            os.strerror(err) if err else "ok", os.strerror(expect) if expect else "ok")
        if err:
            csock.close()
            return None
        s = iscsi_wire.Session(sock=csock)
        self.sessions.append(s)
        s.isid = isid
        s.cid = cid
        s.max_xmit = params.get("max_recv", 262144)
        s.first_burst = params.get("first_burst", 65536)
        s.immediate = bool(params.get("immediate", 1))
        s.initial_r2t = bool(params.get("initial_r2t", 0))
        p = s.recv_pdu()         # login PDUs carry no digests
        s.hd = bool(params.get("hd"))
        s.dd = bool(params.get("dd"))
        assert p.opcode == iscsi_wire.OP_LOGIN_RSP and p.flags & 0x80
        assert p.u32(24) == stat_sn
        s.tsih = int.from_bytes(p.bhs[14:16], "big")
        assert s.tsih == int.from_bytes(reply[iscsi_wire.A["TSIH"]][:2], "little")
        assert p.u32(28) == cmd_sn, "ExpCmdSN is the login's CmdSN"
        s.cmd_sn = cmd_sn
        return s

    def connect_ready(self, **kw):
        """connect(), then the power-on unit attention of a new nexus
        taken by TEST UNIT READY."""
        s = self.connect(**kw)
        st, _, sense, _ = s.scsi(bytes(6))
        if st == 2:
            assert sense[2] & 0xf == 6, "not a unit attention: %s" % sense.hex()
            st, _, sense, _ = s.scsi(bytes(6))
        assert st == 0, "TEST UNIT READY: %#x %s" % (st, sense.hex())
        return s

    def close(self):
        """Close the initiator ends too: the kernel ends those sessions at
        once, instead of asking for a logout when the target goes."""
        for s in self.sessions:
            s.close()
        self.lsock.close()


@pytest.fixture
def handover(iscsi_stack):
    h = Handover()
    yield h
    h.close()
