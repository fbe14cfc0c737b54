"""A small iSCSI initiator for tests, standard library only.

It speaks just enough RFC 7143 to log in (to strix-iscsid, or to anything
listening), run SCSI commands with Data-Out/R2T/Data-In, ping, log out, and
to send arbitrary, also malformed, PDUs.  And it can hand a socket to the
kernel over the strix_iscsi generic netlink family directly (tests of the
netlink contract's input checking).
"""
import os
import socket
import struct
import time

BHS = 48

# The names the iSCSI tests use.
TARGET = "iqn.2026-12.org.strix:t1"
INITIATOR = "iqn.2026-12.org.strix:ini1"

OP_NOP_OUT, OP_SCSI_CMD, OP_TMF, OP_LOGIN, OP_TEXT, OP_DATA_OUT, OP_LOGOUT = \
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06
OP_SNACK = 0x10
OP_NOP_IN, OP_SCSI_RSP, OP_TMF_RSP, OP_LOGIN_RSP, OP_TEXT_RSP, OP_DATA_IN, \
    OP_LOGOUT_RSP, OP_R2T, OP_ASYNC, OP_REJECT = \
    0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x31, 0x32, 0x3f


def pad4(n):
    return (-n) & 3


def _crc_table():
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ (0x82f63b78 if c & 1 else 0)
        t.append(c)
    return t


_CRC_TABLE = _crc_table()


def crc32c(data, crc=0xffffffff):
    """CRC32C (Castagnoli), reflected, table driven."""
    t = _CRC_TABLE
    for b in data:
        crc = t[(crc ^ b) & 0xff] ^ (crc >> 8)
    return crc


def digest(data):
    return struct.pack("<I", crc32c(data) ^ 0xffffffff)


def text_keys(d):
    return b"".join(("%s=%s" % (k, v)).encode() + b"\0" for k, v in d)


def parse_keys(data):
    out = {}
    for kv in data.split(b"\0"):
        if kv:
            k, _, v = kv.decode().partition("=")
            out[k] = v
    return out


class Pdu:
    def __init__(self, bhs, data=b"", ahs=b""):
        self.bhs = bytearray(bhs)
        self.data = data
        self.ahs = ahs

    @property
    def opcode(self):
        return self.bhs[0] & 0x3f

    @property
    def flags(self):
        return self.bhs[1]

    @property
    def itt(self):
        return struct.unpack_from(">I", self.bhs, 16)[0]

    def u32(self, off):
        return struct.unpack_from(">I", self.bhs, off)[0]

    def __repr__(self):
        return "<Pdu op=0x%02x flags=0x%02x itt=0x%x dsl=%d>" % (
            self.opcode, self.flags, self.itt, len(self.data))


def bhs(opcode, flags=0, immediate=False, dsl=0, lun=0, itt=0, rest=b""):
    b = bytearray(BHS)
    b[0] = opcode | (0x40 if immediate else 0)
    b[1] = flags
    b[5:8] = dsl.to_bytes(3, "big")
    struct.pack_into(">Q", b, 8, lun)
    struct.pack_into(">I", b, 16, itt)
    b[20:20 + len(rest)] = rest
    return b


class IscsiError(Exception):
    pass


class Session:
    """One connection, one session.  Not thread safe."""

    def __init__(self, host="127.0.0.1", port=3260, timeout=20.0, sock=None):
        self.sock = sock or socket.create_connection((host, port), timeout=timeout)
        self.sock.settimeout(timeout)
        self.cmd_sn = 1
        self.exp_stat_sn = 0
        self.itt = 0x10
        self.hd = self.dd = False
        self.max_xmit = 8192
        self.params = {}
        self.tsih = 0
        self.isid = 0x400001370000 | (os.getpid() & 0xffff)
        self.cid = 1
        self.first_burst = 65536
        self.immediate = False
        self.initial_r2t = True
        self.max_cmd_sn = 1
        self.async_msgs = []

    # ---- raw I/O ----
    def recv_exact(self, n):
        buf = bytearray()
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("connection closed")
            buf += chunk
        return bytes(buf)

    def send_pdu(self, b, data=b"", hd=None, dd=None, bad_hd=False, bad_dd=False):
        hd = self.hd if hd is None else hd
        dd = self.dd if dd is None else dd
        out = bytes(b)
        if hd:
            dg = digest(out)
            out += bytes([dg[0] ^ 0xff]) + dg[1:] if bad_hd else dg
        if data:
            seg = data + b"\0" * pad4(len(data))
            out += seg
            if dd:
                dg = digest(seg)
                out += bytes([dg[0] ^ 0xff]) + dg[1:] if bad_dd else dg
        self.sock.sendall(out)

    def recv_pdu(self):
        b = self.recv_exact(BHS)
        ahs_len = b[4] * 4
        ahs = self.recv_exact(ahs_len) if ahs_len else b""
        if self.hd:
            got = self.recv_exact(4)
            if got != digest(b + ahs):
                raise IscsiError("bad header digest from target")
        dsl = int.from_bytes(b[5:8], "big")
        data = b""
        if dsl:
            seg = self.recv_exact(dsl + pad4(dsl))
            if self.dd:
                if self.recv_exact(4) != digest(seg):
                    raise IscsiError("bad data digest from target")
            data = seg[:dsl]
        p = Pdu(b, data, ahs)
        if p.opcode in (OP_SCSI_RSP, OP_NOP_IN, OP_TMF_RSP, OP_LOGOUT_RSP,
                        OP_TEXT_RSP, OP_REJECT, OP_ASYNC, OP_R2T, OP_DATA_IN,
                        OP_LOGIN_RSP):
            stat_sn = p.u32(24)
            if p.opcode != OP_R2T and not (p.opcode == OP_DATA_IN and not p.flags & 1) \
               and not (p.opcode == OP_NOP_IN and p.itt == 0xffffffff):
                self.exp_stat_sn = (stat_sn + 1) & 0xffffffff
            self.max_cmd_sn = p.u32(32)
        return p

    def next_itt(self):
        self.itt = (self.itt + 1) & 0xffffffff
        if self.itt == 0xffffffff:
            self.itt = 1
        return self.itt

    # ---- login ----
    def login(self, target, initiator="iqn.2026-12.org.strix:test", keys=None,
              chap=None, discovery=False, header_digest="None", data_digest="None"):
        """Security-less (or CHAP) login straight to Full Feature Phase."""
        itt = self.next_itt()
        isid = self.isid.to_bytes(6, "big")
        base = [("InitiatorName", initiator)]
        if discovery:
            base.append(("SessionType", "Discovery"))
        else:
            base += [("TargetName", target), ("SessionType", "Normal")]
        if chap:
            sec = base + [("AuthMethod", "CHAP,None")]
            rsp = self._login_pdu(itt, isid, 0, 0, sec, transit=False)
            k = parse_keys(rsp.data)
            if k.get("AuthMethod") == "CHAP":
                rsp = self._login_pdu(itt, isid, 0, 0, [("CHAP_A", "5")], transit=False)
                k = parse_keys(rsp.data)
                import hashlib
                ident = int(k["CHAP_I"])
                chal = bytes.fromhex(k["CHAP_C"][2:])
                user, secret = chap
                resp = hashlib.md5(bytes([ident]) + secret.encode() + chal).hexdigest()
                rsp = self._login_pdu(itt, isid, 0, 1, [("CHAP_N", user), ("CHAP_R", "0x" + resp)],
                                      transit=True)
            csg = 1
        else:
            base.append(("AuthMethod", "None"))
            rsp = self._login_pdu(itt, isid, 0, 1, base, transit=True)
            csg = 1
        op = [("HeaderDigest", header_digest), ("DataDigest", data_digest),
              ("MaxRecvDataSegmentLength", "262144"), ("InitialR2T", "No"),
              ("ImmediateData", "Yes"), ("MaxBurstLength", "1048576"),
              ("FirstBurstLength", "65536"), ("MaxOutstandingR2T", "1"),
              ("ErrorRecoveryLevel", "0"), ("MaxConnections", "1"),
              ("DataPDUInOrder", "Yes"), ("DataSequenceInOrder", "Yes"),
              ("DefaultTime2Wait", "2"), ("DefaultTime2Retain", "0")]
        if discovery:
            op = [("HeaderDigest", header_digest), ("DataDigest", data_digest),
                  ("MaxRecvDataSegmentLength", "262144")]
        if keys:
            op += list(keys)
        got = {}
        if csg == 1:
            rsp = self._login_pdu(itt, isid, 1, 3, op, transit=True)
            got.update(parse_keys(rsp.data))
            while not (rsp.flags & 0x80 and (rsp.flags & 3) == 3):
                rsp = self._login_pdu(itt, isid, 1, 3, [], transit=True)
                got.update(parse_keys(rsp.data))
        self.params = got
        self.tsih = struct.unpack_from(">H", rsp.bhs, 14)[0]
        self.hd = got.get("HeaderDigest") == "CRC32C"
        self.dd = got.get("DataDigest") == "CRC32C"
        self.max_xmit = int(got.get("MaxRecvDataSegmentLength", "8192"))
        self.first_burst = int(got.get("FirstBurstLength", "65536"))
        self.immediate = got.get("ImmediateData", "No") == "Yes"
        self.initial_r2t = got.get("InitialR2T", "Yes") == "Yes"
        self.cmd_sn = rsp.u32(28)
        return got

    def _login_pdu(self, itt, isid, csg, nsg, keys, transit):
        flags = (0x80 if transit else 0) | (csg << 2) | (nsg if transit else 0)
        data = text_keys(keys)
        b = bytearray(BHS)
        b[0] = OP_LOGIN | 0x40
        b[1] = flags
        b[2] = b[3] = 0
        b[5:8] = len(data).to_bytes(3, "big")
        b[8:14] = isid
        struct.pack_into(">H", b, 14, self.tsih)
        struct.pack_into(">I", b, 16, itt)
        struct.pack_into(">H", b, 20, self.cid)
        struct.pack_into(">I", b, 24, self.cmd_sn)
        struct.pack_into(">I", b, 28, self.exp_stat_sn)
        self.send_pdu(b, data, hd=False, dd=False)
        rsp = self.recv_pdu()
        if rsp.opcode != OP_LOGIN_RSP:
            raise IscsiError("expected a Login Response, got %r" % rsp)
        if rsp.bhs[36] or rsp.bhs[37]:
            raise IscsiError("login failed: status 0x%02x%02x" % (rsp.bhs[36], rsp.bhs[37]))
        return rsp

    # ---- full feature phase ----
    def scsi(self, cdb, data_out=b"", read_len=0, lun=0, immediate_data=True, attr=1):
        """One command; returns (status, data_in, sense, response pdu)."""
        itt = self.next_itt()
        cdb = bytes(cdb)
        flags = 0x80 | attr
        exp_len = len(data_out) if data_out else read_len
        if data_out:
            flags |= 0x20
        if read_len:
            flags |= 0x40
        imm = b""
        unsol = 0
        if data_out:
            if self.immediate and immediate_data:
                imm = data_out[:min(self.first_burst, self.max_xmit)]
            unsol = len(imm)
            if not self.initial_r2t:
                unsol = min(self.first_burst, len(data_out))
                if unsol > len(imm):
                    flags &= ~0x80
        rest = struct.pack(">III", exp_len, self.cmd_sn, self.exp_stat_sn) + cdb[:16].ljust(16, b"\0")
        b = bhs(OP_SCSI_CMD, flags, dsl=len(imm), lun=lun << 48 if lun < 256 else lun,
                itt=itt, rest=rest)
        self.cmd_sn = (self.cmd_sn + 1) & 0xffffffff
        self.send_pdu(b, imm)
        # unsolicited Data-Out
        off = len(imm)
        dsn = 0
        while off < unsol:
            n = min(self.max_xmit, unsol - off)
            self._data_out(itt, 0xffffffff, dsn, off, data_out[off:off + n],
                           final=off + n == unsol, lun=lun)
            off += n
            dsn += 1
        data_in = bytearray(read_len)
        got = 0
        while True:
            p = self.recv_pdu()
            if p.opcode == OP_R2T:
                ttt = p.u32(20)
                r_off = p.u32(40)
                r_len = p.u32(44)
                dsn = 0
                o = r_off
                while o < r_off + r_len:
                    n = min(self.max_xmit, r_off + r_len - o)
                    self._data_out(itt, ttt, dsn, o, data_out[o:o + n],
                                   final=o + n == r_off + r_len, lun=lun)
                    o += n
                    dsn += 1
            elif p.opcode == OP_DATA_IN:
                off_in = p.u32(40)
                data_in[off_in:off_in + len(p.data)] = p.data
                got = max(got, off_in + len(p.data))
                if p.flags & 1:
                    return p.bhs[3], bytes(data_in[:got]), b"", p
            elif p.opcode == OP_SCSI_RSP:
                sense = b""
                if p.data:
                    sl = struct.unpack_from(">H", p.data, 0)[0]
                    sense = p.data[2:2 + sl]
                return p.bhs[3], bytes(data_in[:got]), sense, p
            elif p.opcode == OP_NOP_IN and p.itt == 0xffffffff:
                self.answer_ping(p)
            elif p.opcode == OP_ASYNC:
                self.async_msgs.append(p)
            else:
                raise IscsiError("unexpected %r" % p)

    def _data_out(self, itt, ttt, dsn, off, data, final, lun=0):
        b = bhs(OP_DATA_OUT, 0x80 if final else 0, dsl=len(data), lun=lun << 48, itt=itt)
        struct.pack_into(">I", b, 20, ttt)
        struct.pack_into(">I", b, 28, self.exp_stat_sn)
        struct.pack_into(">I", b, 36, dsn)
        struct.pack_into(">I", b, 40, off)
        self.send_pdu(b, data)

    def answer_ping(self, p):
        b = bhs(OP_NOP_OUT, 0x80, immediate=True, itt=0xffffffff)
        struct.pack_into(">I", b, 20, p.u32(20))
        struct.pack_into(">I", b, 24, self.cmd_sn)
        struct.pack_into(">I", b, 28, self.exp_stat_sn)
        self.send_pdu(b)

    def nop(self, data=b""):
        itt = self.next_itt()
        b = bhs(OP_NOP_OUT, 0x80, immediate=True, dsl=len(data), itt=itt)
        struct.pack_into(">I", b, 20, 0xffffffff)
        struct.pack_into(">I", b, 24, self.cmd_sn)
        struct.pack_into(">I", b, 28, self.exp_stat_sn)
        self.send_pdu(b, data)
        while True:
            p = self.recv_pdu()
            if p.opcode == OP_NOP_IN and p.itt == itt:
                return p
            if p.opcode == OP_NOP_IN:
                self.answer_ping(p)
                continue
            raise IscsiError("unexpected %r" % p)

    def text(self, keys):
        itt = self.next_itt()
        data = text_keys(keys)
        b = bhs(OP_TEXT, 0x80, immediate=True, dsl=len(data), itt=itt)
        struct.pack_into(">I", b, 20, 0xffffffff)
        struct.pack_into(">I", b, 24, self.cmd_sn)
        struct.pack_into(">I", b, 28, self.exp_stat_sn)
        self.send_pdu(b, data)
        p = self.recv_pdu()
        if p.opcode != OP_TEXT_RSP:
            raise IscsiError("unexpected %r" % p)
        return p

    def tmf(self, function, ref_itt=0xffffffff, lun=0):
        itt = self.next_itt()
        b = bhs(OP_TMF, 0x80 | function, immediate=True, lun=lun << 48, itt=itt)
        struct.pack_into(">I", b, 20, ref_itt)
        struct.pack_into(">I", b, 24, self.cmd_sn)
        struct.pack_into(">I", b, 28, self.exp_stat_sn)
        self.send_pdu(b)
        return itt

    def logout(self, reason=0):
        itt = self.next_itt()
        b = bhs(OP_LOGOUT, 0x80 | reason, immediate=True, itt=itt)
        struct.pack_into(">H", b, 20, self.cid)
        struct.pack_into(">I", b, 24, self.cmd_sn)
        struct.pack_into(">I", b, 28, self.exp_stat_sn)
        self.send_pdu(b)
        while True:
            p = self.recv_pdu()
            if p.opcode == OP_LOGOUT_RSP:
                return p.bhs[2]
            if p.opcode == OP_NOP_IN:
                continue

    def expect_closed(self, timeout=10.0):
        """True when the target closes the connection within timeout."""
        self.sock.settimeout(timeout)
        end = time.monotonic() + timeout
        try:
            while time.monotonic() < end:
                if not self.sock.recv(65536):
                    return True
        except (ConnectionError, OSError):
            return True
        return False

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


# ---- generic netlink: the strix_iscsi family, for tests of its checks ----

NETLINK_GENERIC = 16
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
CTRL_ATTR_MCAST_GROUPS = 7
CTRL_ATTR_MCAST_GRP_NAME, CTRL_ATTR_MCAST_GRP_ID = 1, 2
SOL_NETLINK, NETLINK_ADD_MEMBERSHIP = 270, 1
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLMSG_ERROR = 2

A = dict(FD=1, TARGET=2, INITIATOR=3, INITIATOR_ALIAS=4, ISID=5, TSIH=6, CID=7,
         CMD_SN=8, LOGIN_RSP=9, HEADER_DIGEST=10, DATA_DIGEST=11, MAX_RECV_DSL=12,
         MAX_XMIT_DSL=13, MAX_BURST=14, FIRST_BURST=15, INITIAL_R2T=16,
         IMMEDIATE_DATA=17, MAX_OUTSTANDING_R2T=18, DATA_PDU_IN_ORDER=19,
         DATA_SEQ_IN_ORDER=20, ERL=21, TIME2WAIT=22, TIME2RETAIN=23, REASON=24,
         ATTR=25)
CMD_CONN_ADD = 1
EVENT_CONN_CLOSED, EVENT_TARGET_ADDED, EVENT_TARGET_REMOVED, EVENT_ATTR_CHANGED = 2, 3, 4, 5


def messages(data):
    """The netlink messages in one datagram: (type, payload) each."""
    off = 0
    while off < len(data):
        ln, t, _fl, _sq, _pid = struct.unpack_from("=IHHII", data, off)
        yield t, data[off + 16:off + ln]
        off += (ln + 3) & ~3


def nla(t, payload):
    n = 4 + len(payload)
    return struct.pack("=HH", n, t) + payload + b"\0" * pad4(n)


class Genl:
    def __init__(self):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
        self.s.bind((0, 0))
        self.seq = 1
        self.family = self._resolve("strix_iscsi")

    def _req(self, typ, cmd, attrs, version=1):
        payload = struct.pack("=BBH", cmd, version, 0) + b"".join(attrs)
        hdr = struct.pack("=IHHII", 16 + len(payload), typ, NLM_F_REQUEST | NLM_F_ACK,
                          self.seq, 0)
        self.seq += 1
        self.s.send(hdr + payload)
        replies = []
        while True:
            for t, body in messages(self.s.recv(65536)):
                if t == NLMSG_ERROR:
                    err = struct.unpack_from("=i", body, 0)[0]
                    return err, replies
                replies.append(body)

    def _resolve(self, name):
        err, replies = self._req(GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
                                 [nla(CTRL_ATTR_FAMILY_NAME, name.encode() + b"\0")])
        if err:
            raise OSError(-err, "genl family %s" % name)
        attrs = parse_attrs(replies[0][4:])
        self.mcast = {}
        groups = parse_attrs(attrs.get(CTRL_ATTR_MCAST_GROUPS, b""))
        for nest in groups.values():
            g = parse_attrs(nest)
            self.mcast[g[CTRL_ATTR_MCAST_GRP_NAME].rstrip(b"\0").decode()] = \
                struct.unpack("=I", g[CTRL_ATTR_MCAST_GRP_ID][:4])[0]
        return struct.unpack("=H", attrs[CTRL_ATTR_FAMILY_ID][:2])[0]

    def join_events(self):
        """Receive the family's events from now on (its own socket)."""
        self.ev = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
        self.ev.bind((0, 0))
        self.ev.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, self.mcast["events"])

    def events(self, timeout=2.0):
        """The events that came within @timeout of the last one: a list of
        (command, {attribute: str or bytes})."""
        out = []
        self.ev.settimeout(timeout)
        while True:
            try:
                data = self.ev.recv(65536)
            except socket.timeout:
                return out
            for t, body in messages(data):
                if t == self.family:
                    attrs = {k: (v.rstrip(b"\0").decode() if k in (A["TARGET"], A["ATTR"],
                                                                    A["REASON"]) else v)
                             for k, v in parse_attrs(body[4:]).items()}
                    out.append((body[0], attrs))

    def conn_add(self, attrs):
        """attrs: list of nla() strings.  Returns (errno or 0, reply attrs)."""
        err, replies = self._req(self.family, CMD_CONN_ADD, attrs)
        got = parse_attrs(replies[0][4:]) if replies else {}
        return -err if err else 0, got


def parse_attrs(data):
    out = {}
    off = 0
    while off + 4 <= len(data):
        ln, t = struct.unpack_from("=HH", data, off)
        if ln < 4:
            break
        out[t & 0x3fff] = data[off + 4:off + ln]
        off += (ln + 3) & ~3
    return out


def u8(t, v):
    return nla(t, struct.pack("=B", v))


def u16(t, v):
    return nla(t, struct.pack("=H", v))


def u32(t, v):
    return nla(t, struct.pack("=I", v))


def u64(t, v):
    return nla(t, struct.pack("=Q", v))


def string(t, v):
    return nla(t, v.encode() + b"\0")


def final_login_rsp(itt, isid, stat_sn, keys):
    data = text_keys(keys)
    b = bytearray(BHS)
    b[0] = OP_LOGIN_RSP
    b[1] = 0x80 | (1 << 2) | 3
    b[5:8] = len(data).to_bytes(3, "big")
    b[8:14] = isid.to_bytes(6, "big")
    struct.pack_into(">I", b, 16, itt)
    struct.pack_into(">I", b, 24, stat_sn)
    return bytes(b) + data + b"\0" * pad4(len(data))


def conn_add_attrs(fd, target, initiator, isid, cmd_sn, login_rsp, tsih=0, cid=1,
                   hd=0, dd=0, max_recv=262144, max_xmit=262144, max_burst=1048576,
                   first_burst=65536, initial_r2t=0, immediate=1, max_r2t=1):
    return [u32(A["FD"], fd), string(A["TARGET"], target), string(A["INITIATOR"], initiator),
            u64(A["ISID"], isid), u16(A["TSIH"], tsih), u16(A["CID"], cid),
            u32(A["CMD_SN"], cmd_sn), nla(A["LOGIN_RSP"], login_rsp),
            u8(A["HEADER_DIGEST"], hd), u8(A["DATA_DIGEST"], dd),
            u32(A["MAX_RECV_DSL"], max_recv), u32(A["MAX_XMIT_DSL"], max_xmit),
            u32(A["MAX_BURST"], max_burst), u32(A["FIRST_BURST"], first_burst),
            u8(A["INITIAL_R2T"], initial_r2t), u8(A["IMMEDIATE_DATA"], immediate),
            u32(A["MAX_OUTSTANDING_R2T"], max_r2t), u8(A["DATA_PDU_IN_ORDER"], 1),
            u8(A["DATA_SEQ_IN_ORDER"], 1), u8(A["ERL"], 0)]
