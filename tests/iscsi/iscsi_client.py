"""A small iSCSI initiator for the login phase and discovery sessions.

Standard library only, written from RFC 7143 for the tests of strix-iscsid:
it logs in the way open-iscsi does (security stage, then operational keys
in one PDU, T=1 NSG=3), does CHAP one-way and mutual with MD5, SHA-1,
SHA-256 and SHA3-256, sends SendTargets and logs out.  Also usable by hand:

    python3 iscsi_client.py 127.0.0.1:3260 [--chap USER SECRET]
"""
import hashlib
import os
import socket
import struct
import sys

LOGIN_REQ, TEXT_REQ, LOGOUT_REQ = 0x03, 0x04, 0x06
LOGIN_RSP, TEXT_RSP, LOGOUT_RSP, REJECT = 0x23, 0x24, 0x26, 0x3F
CHAP_HASH = {5: "md5", 6: "sha1", 7: "sha256", 8: "sha3_256"}


class LoginFailed(Exception):
    def __init__(self, status, keys=None):
        super().__init__("login failed: status 0x%04x" % status)
        self.status = status
        self.keys = keys or {}


class ProtocolError(Exception):
    pass


def encode_text(pairs):
    return b"".join(("%s=%s" % (k, v)).encode() + b"\0" for k, v in pairs)


def decode_text(data):
    out = []
    for item in data.split(b"\0"):
        if not item:
            continue
        k, _, v = item.decode().partition("=")
        out.append((k, v))
    return out


def chap_response(alg, ident, secret, challenge):
    h = hashlib.new(CHAP_HASH[alg])
    h.update(bytes([ident]) + secret.encode() + challenge)
    return h.digest()


def decode_binary(v):
    if v[:2] in ("0x", "0X"):
        return bytes.fromhex(v[2:] if len(v) % 2 == 0 else "0" + v[2:])
    if v[:2] in ("0b", "0B"):
        import base64
        return base64.b64decode(v[2:])
    raise ProtocolError("not a binary value: %r" % v)


class Pdu:
    def __init__(self, bhs, data=b""):
        self.bhs = bhs
        self.data = data

    @property
    def opcode(self):
        return self.bhs[0] & 0x3F

    def u32(self, off):
        return struct.unpack(">I", self.bhs[off:off + 4])[0]


class Client:
    def __init__(self, host, port, timeout=30.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.isid = os.urandom(6)
        self.isid = bytes([0x80 | (self.isid[0] & 0x3F)]) + self.isid[1:]  # random qualifier
        self.itt = 1
        self.cmdsn = 1
        self.exp_statsn = 0
        self.stage = 0
        self.tsih = 0
        self.keys = {}        # every key the target sent during login
        self.last_status = None

    def close(self):
        self.sock.close()

    # -- raw PDUs -------------------------------------------------------
    def send_raw(self, data):
        self.sock.sendall(data)

    def send(self, bhs, data=b""):
        bhs = bytearray(bhs)
        bhs[5:8] = len(data).to_bytes(3, "big")
        pad = b"\0" * (-len(data) % 4)
        self.sock.sendall(bytes(bhs) + data + pad)

    def recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("connection closed by the target")
            buf += chunk
        return buf

    def recv(self):
        bhs = self.recv_exact(48)
        ahs = bhs[4] * 4
        dlen = int.from_bytes(bhs[5:8], "big")
        if ahs:
            self.recv_exact(ahs)
        data = self.recv_exact(dlen + (-dlen % 4))[:dlen]
        pdu = Pdu(bhs, data)
        if pdu.opcode in (LOGIN_RSP, TEXT_RSP, LOGOUT_RSP):
            self.exp_statsn = (pdu.u32(24) + 1) & 0xFFFFFFFF
        return pdu

    def closed(self):
        """True if the target closed the connection (EOF)."""
        try:
            return self.sock.recv(1) == b""
        except (ConnectionError, socket.timeout):
            return True

    # -- login ----------------------------------------------------------
    def login_pdu(self, pairs, transit, csg, nsg, cont=False, version_min=0):
        bhs = bytearray(48)
        bhs[0] = 0x40 | LOGIN_REQ
        bhs[1] = (0x80 if transit else 0) | (0x40 if cont else 0) | (csg << 2) | nsg
        bhs[2] = 0
        bhs[3] = version_min
        bhs[8:14] = self.isid
        bhs[14:16] = struct.pack(">H", self.tsih)
        bhs[16:20] = struct.pack(">I", self.itt)
        bhs[20:22] = struct.pack(">H", 0)
        bhs[24:28] = struct.pack(">I", self.cmdsn)
        bhs[28:32] = struct.pack(">I", self.exp_statsn)
        data = pairs if isinstance(pairs, bytes) else encode_text(pairs)
        self.send(bhs, data)

    def exchange(self, pairs, transit, nsg):
        """One Login Request in the current stage; returns the keys sent back."""
        self.login_pdu(pairs, transit, self.stage, nsg)
        rsp = self.recv()
        if rsp.opcode != LOGIN_RSP:
            raise ProtocolError("expected a Login Response, got opcode 0x%02x" % rsp.opcode)
        status = rsp.bhs[36] << 8 | rsp.bhs[37]
        self.last_status = status
        keys = dict(decode_text(rsp.data))
        self.keys.update(keys)
        if status:
            raise LoginFailed(status, keys)
        self.tsih = struct.unpack(">H", rsp.bhs[14:16])[0]
        if rsp.bhs[1] & 0x80:
            self.stage = rsp.bhs[1] & 3
        return keys

    def login(self, initiator, target=None, chap=None, mutual=None, chap_a="5",
              operational=None, header_digest="None", data_digest="None"):
        """Log in (a discovery session without target).  chap and mutual are
        (user, secret) pairs.  Returns the negotiated operational keys."""
        first = [("InitiatorName", initiator), ("InitiatorAlias", "strix-test")]
        if target:
            first += [("TargetName", target), ("SessionType", "Normal")]
        else:
            first += [("SessionType", "Discovery")]
        if chap:
            keys = self.exchange(first + [("AuthMethod", "CHAP,None")], False, 1)
            if keys.get("AuthMethod") != "CHAP":
                raise ProtocolError("target answered AuthMethod=%s" % keys.get("AuthMethod"))
            keys = self.exchange([("CHAP_A", chap_a)], False, 1)
            alg = int(keys["CHAP_A"])
            ident = int(keys["CHAP_I"])
            challenge = decode_binary(keys["CHAP_C"])
            resp = [("CHAP_N", chap[0]),
                    ("CHAP_R", "0x" + chap_response(alg, ident, chap[1], challenge).hex())]
            my_ident, my_chal = None, None
            if mutual:
                my_ident = 17
                my_chal = mutual[2] if len(mutual) > 2 else os.urandom(16)
                resp += [("CHAP_I", str(my_ident)), ("CHAP_C", "0x" + my_chal.hex())]
            keys = self.exchange(resp, True, 1)
            if mutual:
                want = chap_response(alg, my_ident, mutual[1], my_chal)
                if keys.get("CHAP_N") != mutual[0] or decode_binary(keys["CHAP_R"]) != want:
                    raise ProtocolError("the target failed mutual authentication")
            while self.stage == 0:
                self.exchange([], True, 1)
        else:
            self.exchange(first + [("AuthMethod", "None")], True, 1)
        if self.stage != 1:
            raise ProtocolError("target did not move to the operational stage")
        ops = [("HeaderDigest", header_digest), ("DataDigest", data_digest),
               ("DefaultTime2Wait", "2"), ("DefaultTime2Retain", "0"),
               ("IFMarker", "No"), ("OFMarker", "No"), ("ErrorRecoveryLevel", "0")]
        if target:
            ops += [("InitialR2T", "No"), ("ImmediateData", "Yes"),
                    ("MaxBurstLength", "16776192"), ("FirstBurstLength", "262144"),
                    ("MaxOutstandingR2T", "1"), ("MaxConnections", "1"),
                    ("DataPDUInOrder", "Yes"), ("DataSequenceInOrder", "Yes")]
        ops += [("MaxRecvDataSegmentLength", "32768")]
        ops += list(operational or [])
        negotiated = {}
        while self.stage != 3:
            negotiated.update(self.exchange(ops, True, 3))
            ops = []
        return negotiated

    # -- full feature phase of a discovery session ------------------------
    def text(self, pairs):
        """A Text Request; follows continuations; returns the key list."""
        out = b""
        ttt = 0xFFFFFFFF
        data = encode_text(pairs)
        while True:
            bhs = bytearray(48)
            bhs[0] = TEXT_REQ
            bhs[1] = 0x80
            bhs[16:20] = struct.pack(">I", self.itt)
            bhs[20:24] = struct.pack(">I", ttt)
            bhs[24:28] = struct.pack(">I", self.cmdsn)
            bhs[28:32] = struct.pack(">I", self.exp_statsn)
            self.send(bhs, data)
            self.cmdsn += 1
            rsp = self.recv()
            if rsp.opcode != TEXT_RSP:
                raise ProtocolError("expected a Text Response, got 0x%02x" % rsp.opcode)
            out += rsp.data
            if rsp.bhs[1] & 0x80:
                return decode_text(out)
            ttt = rsp.u32(20)
            data = b""

    def send_targets(self, value="All"):
        targets = []
        for k, v in self.text([("SendTargets", value)]):
            if k == "TargetName":
                targets.append((v, []))
            elif k == "TargetAddress":
                targets[-1][1].append(v)
        return targets

    def logout(self):
        bhs = bytearray(48)
        bhs[0] = 0x40 | LOGOUT_REQ
        bhs[1] = 0x80
        bhs[16:20] = struct.pack(">I", self.itt + 1)
        bhs[24:28] = struct.pack(">I", self.cmdsn)
        bhs[28:32] = struct.pack(">I", self.exp_statsn)
        self.send(bhs)
        rsp = self.recv()
        if rsp.opcode != LOGOUT_RSP or rsp.bhs[2] != 0:
            raise ProtocolError("logout refused")
        return rsp


def discover(host, port, initiator="iqn.2024-01.org.strix:test-client", chap=None, mutual=None,
             chap_a="5"):
    c = Client(host, port)
    try:
        c.login(initiator, chap=chap, mutual=mutual, chap_a=chap_a)
        targets = c.send_targets()
        c.logout()
        return targets
    finally:
        c.close()


def main(argv):
    host, _, port = argv[1].rpartition(":")
    chap = None
    if len(argv) > 4 and argv[2] == "--chap":
        chap = (argv[3], argv[4])
    for name, addrs in discover(host.strip("[]"), int(port or 3260), chap=chap):
        for a in addrs:
            print(a, name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
