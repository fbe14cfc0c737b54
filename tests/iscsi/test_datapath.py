"""The kernel data path of strix_iscsi, driven over a connection handed to
it through the netlink channel (tests/iscsi/conftest.py plays the login
daemon's part): SCSI commands with every way write data can come, reads,
digests, NOP, Text, task management, logout, sysfs, reinstatement."""
import os
import struct
import threading
import time

import pytest

import initiator
import iscsi_wire
import strixtest
from iscsi_wire import INITIATOR, TARGET

BS = 512


def write10(lba, nblocks):
    return struct.pack(">BBIBHB", 0x2a, 0, lba, 0, nblocks, 0)


def read10(lba, nblocks):
    return struct.pack(">BBIBHB", 0x28, 0, lba, 0, nblocks, 0)


def sess_dir(tree):
    d = tree.path("targets/iscsi/%s/sessions" % TARGET)
    names = os.listdir(d)
    return [os.path.join(d, n) for n in names]


def roundtrip(s, lba, size, **kw):
    data = os.urandom(size)
    st, _, sense, _ = s.scsi(write10(lba, size // BS), data_out=data, **kw)
    assert st == 0, "WRITE: status %#x sense %s" % (st, sense.hex())
    st, back, sense, _ = s.scsi(read10(lba, size // BS), read_len=size)
    assert st == 0, "READ: status %#x sense %s" % (st, sense.hex())
    assert back == data, "read back differs from what was written"


@pytest.mark.smoke
def test_inquiry_and_session_in_sysfs(handover, iscsi_stack):
    s = handover.connect()
    st, data, _, _ = s.scsi(bytes([0x12, 0, 0, 0, 96, 0]), read_len=96)
    assert st == 0 and data[0] == 0 and len(data) >= 36
    (d,) = sess_dir(iscsi_stack)
    assert open(os.path.join(d, "initiator_name")).read().strip() == INITIATOR
    assert open(os.path.join(d, "tsih")).read().strip() == str(s.tsih)
    assert open(os.path.join(d, "MaxBurstLength")).read().strip() == "1048576"
    assert open(os.path.join(d, "peer")).read().startswith("127.0.0.1:")
    assert s.logout() == 0
    assert s.expect_closed()
    strixtest.udev_settle(lambda: not sess_dir(iscsi_stack))


@pytest.mark.parametrize("params", [
    dict(),                                          # immediate + unsolicited, then R2T
    dict(initial_r2t=1),                             # immediate only, then R2T
    dict(initial_r2t=1, immediate=0),                # all by R2T
    dict(max_recv=8192, max_xmit=8192, max_burst=16384, first_burst=8192, max_r2t=4),
    dict(hd=1, dd=1),                                # digests both ways
], ids=["unsolicited", "initial_r2t", "r2t_only", "small_pdus", "digests"])
def test_write_read_verify(handover, params):
    s = handover.connect_ready(**params)
    for lba, size in ((0, 4096), (8, 65536), (1000, 1 << 20), (3000, 300 * BS)):
        roundtrip(s, lba, size)
    roundtrip(s, 0, 256 << 10, immediate_data=False)
    assert s.logout() == 0


def test_check_condition_has_sense(handover):
    s = handover.connect_ready()
    # LBA past the end: ILLEGAL REQUEST, LBA OUT OF RANGE
    st, _, sense, _ = s.scsi(read10(0x7fffffff, 1), read_len=BS)
    assert st == 2 and sense[2] & 0xf == 5 and sense[12] == 0x21
    # a write refused before its data is fetched: unsolicited data still goes
    st, _, sense, _ = s.scsi(write10(0x7fffffff, 128), data_out=os.urandom(128 * BS))
    assert st == 2 and sense[12] == 0x21
    # and the session goes on
    roundtrip(s, 0, 8192)


def test_nop_ping_and_text(handover):
    s = handover.connect()
    p = s.nop(b"hello, target")
    assert p.data == b"hello, target"
    p = s.text([("SendTargets", "All")])
    keys = p.data.split(b"\0")
    assert ("TargetName=" + TARGET).encode() in keys
    assert any(k.startswith(b"TargetAddress=127.0.0.1:") for k in keys)


def test_cmd_sn_window(handover):
    s = handover.connect_ready()
    # MaxCmdSN opens a window of QueuedCommands (128 by default)
    st, _, _, rsp = s.scsi(bytes(6))       # TEST UNIT READY
    assert st == 0
    assert (rsp.u32(32) - rsp.u32(28)) & 0xffffffff == 127
    # a command outside the window is ignored: no answer; the next in
    # order is served
    good = s.cmd_sn
    s.cmd_sn = (good + 1000) & 0xffffffff
    itt = s.itt + 1
    b = iscsi_wire.bhs(iscsi_wire.OP_SCSI_CMD, 0x81, itt=itt,
                       rest=struct.pack(">III", 0, s.cmd_sn, s.exp_stat_sn) + bytes(16))
    s.send_pdu(b)
    s.cmd_sn = good
    s.itt = itt
    st, _, _, rsp = s.scsi(bytes(6))
    assert st == 0 and rsp.itt == itt + 1
    # a command ahead of ExpCmdSN waits for the gap to be filled
    ahead = iscsi_wire.bhs(iscsi_wire.OP_SCSI_CMD, 0x81, itt=0x5000,
                           rest=struct.pack(">III", 0, (s.cmd_sn + 1) & 0xffffffff,
                                            s.exp_stat_sn) + bytes(16))
    s.send_pdu(ahead)
    first = iscsi_wire.bhs(iscsi_wire.OP_SCSI_CMD, 0x81, itt=0x4000,
                           rest=struct.pack(">III", 0, s.cmd_sn, s.exp_stat_sn) + bytes(16))
    s.send_pdu(first)
    got = [s.recv_pdu().itt, s.recv_pdu().itt]
    assert sorted(got) == [0x4000, 0x5000]


def write_waiting_for_r2t(s):
    """A WRITE(10) of 64 blocks without immediate or unsolicited data, left
    waiting after its first R2T; returns its ITT."""
    itt = s.next_itt()
    rest = struct.pack(">III", 64 * BS, s.cmd_sn, s.exp_stat_sn) + write10(0, 64).ljust(16, b"\0")
    s.send_pdu(iscsi_wire.bhs(iscsi_wire.OP_SCSI_CMD, 0xa1, itt=itt, rest=rest))
    s.cmd_sn += 1
    r2t = s.recv_pdu()
    assert r2t.opcode == iscsi_wire.OP_R2T and r2t.itt == itt
    return itt


def test_abort_task_of_a_write_waiting_for_data(handover):
    s = handover.connect_ready(initial_r2t=1, immediate=0)
    itt = write_waiting_for_r2t(s)
    tmf_itt = s.tmf(1, ref_itt=itt)       # ABORT TASK
    p = s.recv_pdu()
    assert p.opcode == iscsi_wire.OP_TMF_RSP and p.itt == tmf_itt
    assert p.bhs[2] == 0, "function complete"
    # ... and the aborted command gets no response; the session goes on
    roundtrip(s, 0, 4096)
    # ABORT TASK of a tag that is not there
    tmf_itt = s.tmf(1, ref_itt=0x12345)
    p = s.recv_pdu()
    assert p.itt == tmf_itt and p.bhs[2] == 1, "task does not exist"
    tmf_itt = s.tmf(5)                     # LOGICAL UNIT RESET
    p = s.recv_pdu()
    assert p.itt == tmf_itt and p.bhs[2] == 0


def test_query_task_and_i_t_nexus_reset(handover, iscsi_stack):
    """The RFC 7144 functions: QUERY TASK and QUERY TASK SET see a write
    that waits for its data, I_T NEXUS RESET aborts it and leaves I_T NEXUS
    LOSS OCCURRED, which QUERY ASYNCHRONOUS EVENT reports until it is
    taken.  "Function succeeded" is response 7."""
    s = handover.connect_ready(initial_r2t=1, immediate=0)
    itt = write_waiting_for_r2t(s)

    def tmf(function, **kw):
        t = s.tmf(function, **kw)
        p = s.recv_pdu()
        assert p.opcode == iscsi_wire.OP_TMF_RSP and p.itt == t, p.opcode
        return p.bhs[2]

    assert tmf(9, ref_itt=itt) == 7, "QUERY TASK: the write is there"
    assert tmf(9, ref_itt=0x12345) == 0, "QUERY TASK: no such task"
    assert tmf(10) == 7, "QUERY TASK SET: a task is there"
    assert tmf(12) == 0, "QUERY ASYNCHRONOUS EVENT: nothing pending"
    assert tmf(11) == 0, "I_T NEXUS RESET"
    assert tmf(10) == 0, "QUERY TASK SET: the reset aborted the write"
    assert tmf(12) == 7, "QUERY ASYNCHRONOUS EVENT: the nexus loss"
    # the aborted write got no response: the next PDU answers this command
    st, _, sense, rsp = s.scsi(bytes(6))
    assert st == 2 and sense[2] & 0xf == 6 and (sense[12], sense[13]) == (0x29, 0x07), \
        sense.hex()
    assert tmf(12) == 0
    roundtrip(s, 0, 4096)
    (d,) = sess_dir(iscsi_stack)
    assert int(open(os.path.join(d, "aborted_commands")).read()) == 1


def test_force_close_and_reinstatement(handover, iscsi_stack):
    s1 = handover.connect_ready()
    roundtrip(s1, 0, 4096)
    # the same initiator and ISID with TSIH 0: the old session goes
    s2 = handover.connect_ready()
    assert s1.expect_closed()
    assert s2.tsih != s1.tsih
    roundtrip(s2, 0, 4096)
    assert len(sess_dir(iscsi_stack)) == 1
    # connection reinstatement: same TSIH and CID
    s3 = handover.connect(tsih=s2.tsih, cmd_sn=s2.cmd_sn)
    assert s2.expect_closed()
    assert s3.tsih == s2.tsih
    roundtrip(s3, 8, 4096)
    # force_close
    (d,) = sess_dir(iscsi_stack)
    with open(os.path.join(d, "force_close"), "w") as f:
        f.write("1")
    assert s3.expect_closed()
    strixtest.udev_settle(lambda: not sess_dir(iscsi_stack))


def test_logout_releases_the_reservation_before_it_answers(handover):
    """An SPC-2 reservation ends with its nexus (I_T nexus loss): once the
    Logout Response is out, another initiator's RESERVE(6) must succeed
    at once, not only when the target has finished tearing down."""
    reserve6 = bytes([0x16, 0, 0, 0, 0, 0])
    a = handover.connect_ready()
    b = handover.connect_ready(initiator=INITIATOR + ":b", isid=0x400001370002)
    st, _, sense, _ = a.scsi(reserve6)
    assert st == 0, "RESERVE(6) from A: %#x %s" % (st, sense.hex())
    st, _, _, _ = b.scsi(reserve6)
    assert st == 0x18, "RESERVE(6) from B while A holds it: %#x" % st
    assert a.logout() == 0
    st, _, sense, _ = b.scsi(reserve6)
    assert st == 0, "RESERVE(6) from B right after A's logout: %#x %s" % (st, sense.hex())
    # ... and now it is B's: A's next session conflicts (after the unit
    # attention of its new nexus; TEST UNIT READY would conflict too)
    assert a.expect_closed()
    c = handover.connect()
    st, _, sense, _ = c.scsi(reserve6)
    if st == 2:
        assert sense[2] & 0xf == 6, "not a unit attention: %s" % sense.hex()
        st, _, _, _ = c.scsi(reserve6)
    assert st == 0x18
    st, _, _, _ = b.scsi(bytes([0x17, 0, 0, 0, 0, 0]))    # RELEASE(6)
    assert st == 0
    st, _, _, _ = c.scsi(reserve6)
    assert st == 0


def del_target_in_thread(tree):
    """del_target TARGET from a thread: the write returns once the
    target's sessions are gone.  Returns the thread and its result."""
    res = {}

    def run():
        res["errno"] = tree.write("targets/iscsi/mgmt", "del_target %s" % TARGET)

    th = threading.Thread(target=run, daemon=True)
    th.start()
    return th, res


def next_async(s):
    """The next Async Message, answering the target's pings meanwhile."""
    while True:
        p = s.recv_pdu()
        if p.opcode == iscsi_wire.OP_NOP_IN and p.itt == 0xffffffff:
            s.answer_ping(p)
            continue
        assert p.opcode == iscsi_wire.OP_ASYNC, "wanted an Async Message: %r" % p
        return p


def test_target_deletion_asks_for_logout(handover, iscsi_stack):
    s = handover.connect_ready()
    roundtrip(s, 0, 4096)
    stat_sn = s.exp_stat_sn
    th, res = del_target_in_thread(iscsi_stack)
    p = next_async(s)
    # AsyncEvent 1, the target requests logout, within Parameter3 seconds
    assert p.bhs[36] == 1, "AsyncEvent %d" % p.bhs[36]
    assert struct.unpack_from(">H", p.bhs, 42)[0] == 3, "Parameter3"
    assert p.u32(24) == stat_sn, "the Async Message takes the next StatSN"
    assert th.is_alive(), "del_target returned before the session was gone"
    assert s.logout() == 0, "logout refused"
    assert s.expect_closed()
    th.join(30)
    assert not th.is_alive() and res["errno"] == 0, res
    assert not os.path.exists(iscsi_stack.path("targets/iscsi/" + TARGET))


def test_target_deletion_drops_a_session_that_does_not_log_out(handover, iscsi_stack,
                                                                kernel_log):
    s = handover.connect_ready()
    th, res = del_target_in_thread(iscsi_stack)
    p = next_async(s)
    assert p.bhs[36] == 1
    # ignore it: the target drops the connection after Parameter3 seconds
    assert s.expect_closed(timeout=20)
    th.join(30)
    assert not th.is_alive() and res["errno"] == 0, res
    assert kernel_log.wait_for(r"closed: no logout after the target asked for one")


def test_conn_add_refusals(handover, iscsi_stack):
    genl = handover.genl
    # unknown target, disabled target, a TSIH of no session, too many CIDs
    handover.connect(target="iqn.2026-12.org.strix:none", expect=2)      # ENOENT
    iscsi_stack.do("targets/iscsi/%s/enabled" % TARGET, "0")
    handover.connect(expect=19)                                           # ENODEV
    iscsi_stack.do("targets/iscsi/%s/enabled" % TARGET, "1")
    handover.connect(tsih=4242, expect=3)                                 # ESRCH
    s = handover.connect_ready()
    handover.connect(tsih=s.tsih, cid=2, expect=31)                       # EMLINK
    iscsi_stack.do("targets/iscsi/%s/MaxSessions" % TARGET, "1")
    handover.connect(isid=0x400001370099, expect=87)                      # EUSERS
    # malformed hand-overs: missing attributes, bad values, not a socket
    rsp = iscsi_wire.final_login_rsp(1, 1, 1, [])
    attrs = iscsi_wire.conn_add_attrs(0, TARGET, INITIATOR, 1, 1, rsp)
    assert genl.conn_add(attrs[1:])[0] == 22                              # no FD
    fd = os.open("/dev/null", os.O_RDONLY)
    assert genl.conn_add(iscsi_wire.conn_add_attrs(fd, TARGET, INITIATOR, 1, 1, rsp))[0] \
        in (88, 22)                                                       # ENOTSOCK
    os.close(fd)
    bad = iscsi_wire.conn_add_attrs(0, TARGET, INITIATOR, 1, 1, rsp[:20])
    assert genl.conn_add(bad)[0] == 22                                    # short PDU
    # the established session is untouched by all of this
    roundtrip(s, 0, 4096)
    assert len(sess_dir(iscsi_stack)) == 1


def test_target_attributes(iscsi_stack):
    t = "targets/iscsi/%s/" % TARGET
    assert iscsi_stack.value(t + "InitialR2T") == "No"
    assert iscsi_stack.write(t + "MaxRecvDataSegmentLength", "100") == 34   # ERANGE
    assert iscsi_stack.write(t + "HeaderDigest", "MD5") == 22
    iscsi_stack.do(t + "HeaderDigest", "CRC32C")
    assert iscsi_stack.read(t + "HeaderDigest") == "CRC32C\n[key]\n"
    mgmt = "targets/iscsi/mgmt"
    iscsi_stack.do(mgmt, "add_target_attribute %s IncomingUser joe secret12chars" % TARGET)
    iscsi_stack.do(mgmt, "add_target_attribute %s IncomingUser ann secret34chars" % TARGET)
    assert iscsi_stack.write(mgmt, "add_target_attribute %s IncomingUser joe other" % TARGET) == 17
    assert iscsi_stack.write(mgmt, "add_target_attribute %s IncomingUser lonely" % TARGET) == 22
    assert iscsi_stack.value(t + "IncomingUser") == "joe secret12chars"
    assert iscsi_stack.value(t + "IncomingUser1") == "ann secret34chars"
    iscsi_stack.do(mgmt, "del_target_attribute %s IncomingUser joe" % TARGET)
    assert not os.path.exists(iscsi_stack.path(t + "IncomingUser"))
    iscsi_stack.do(mgmt, "add_target_attribute %s allowed_portal 127.0.0.*" % TARGET)
    assert iscsi_stack.value(t + "allowed_portal") == "127.0.0.*"
    iscsi_stack.do(mgmt, "add_attribute IncomingUser disc discsecret12")
    assert iscsi_stack.value("targets/iscsi/IncomingUser") == "disc discsecret12"
    iscsi_stack.do(mgmt, "add_attribute OutgoingUser tgt tgtsecret1234")
    assert iscsi_stack.write(mgmt, "add_attribute OutgoingUser tgt2 tgtsecret1234") == 17
    assert iscsi_stack.write(mgmt, "add_attribute allowed_portal 1.2.3.4") == 22
    assert iscsi_stack.write(mgmt, "del_attribute IncomingUser nobody") == 2


def send_cmd(s, cdb, flags, exp_len, imm=b""):
    """A SCSI Command PDU as given (F, R/W and ATTR in @flags); its ITT."""
    itt = s.next_itt()
    rest = struct.pack(">III", exp_len, s.cmd_sn, s.exp_stat_sn) + cdb.ljust(16, b"\0")
    s.send_pdu(iscsi_wire.bhs(iscsi_wire.OP_SCSI_CMD, flags, dsl=len(imm), itt=itt,
                              rest=rest), imm)
    s.cmd_sn += 1
    return itt


def response(s, itt):
    """The SCSI Response of @itt: (status, sense bytes, flags, residual)."""
    p = s.recv_pdu()
    assert p.opcode == iscsi_wire.OP_SCSI_RSP and p.itt == itt, "not its response: %r" % p
    sense = b""
    if p.data:
        sl = struct.unpack_from(">H", p.data, 0)[0]
        sense = p.data[2:2 + sl]
    return p.bhs[3], sense, p.bhs[1], p.u32(44)


def crc_error(st, sense):
    """CHECK CONDITION, ABORTED COMMAND / PROTOCOL SERVICE CRC ERROR."""
    return st == 2 and sense[2] & 0xf == 0xb and sense[12:14] == bytes([0x47, 0x05])


def test_direction_the_cdb_does_not_take(handover):
    """A READ(10) that the header flags as a write (with its data), and a
    WRITE(10) flagged as a read: the initiator expects no data the CDB's
    way, so nothing is read or written; GOOD with an overflow residual of
    the whole length (as for an expected length of 0), and the data that
    came the other way is dropped."""
    s = handover.connect_ready()
    before = os.urandom(BS)
    assert s.scsi(write10(40, 1), data_out=before)[0] == 0
    # READ(10) of one block, W set, the block as immediate data
    itt = send_cmd(s, read10(40, 1), 0xa1, BS, imm=bytes([0xa6]) * BS)
    st, sense, flags, resid = response(s, itt)
    assert st == 0, sense.hex()
    assert flags & 0x04 and resid == BS, "no overflow of one block: %#x %d" % (flags, resid)
    # WRITE(10) of one block, R set, no data
    itt = send_cmd(s, write10(40, 1), 0xc1, BS)
    st, sense, flags, resid = response(s, itt)
    assert st == 0, sense.hex()
    assert flags & 0x04 and resid == BS, "no overflow of one block: %#x %d" % (flags, resid)
    st, back, _, _ = s.scsi(read10(40, 1), read_len=BS)
    assert st == 0 and back == before, "the block changed"
    roundtrip(s, 40, 4096)


@pytest.mark.parametrize("case", ["datasn_gap", "datasn_reversed", "digest", "unsolicited"])
def test_lost_data_out_fails_the_command_not_the_session(handover, case):
    """RFC 7143 7.8/7.9 at ErrorRecoveryLevel 0: a Data-Out whose DataSN is
    out of order (one was lost) or whose data digest is wrong ends its
    command with CHECK CONDITION, PROTOCOL SERVICE CRC ERROR once the
    sequence's last PDU is in (a digest error first gets a Reject); nothing
    is written, and the session goes on."""
    kw = dict(initial_r2t=1, immediate=0)
    if case == "digest":
        kw["dd"] = 1
    if case == "unsolicited":
        kw = dict(initial_r2t=0, immediate=0)
    s = handover.connect_ready(**kw)
    lba, n = 64, 8
    before = os.urandom(n * BS)
    assert s.scsi(write10(lba, n), data_out=before)[0] == 0
    new = os.urandom(n * BS)
    half = n * BS // 2
    if case == "unsolicited":
        itt = send_cmd(s, write10(lba, n), 0x21, n * BS)        # F clear: Data-Out follows
        s._data_out(itt, 0xffffffff, 0, 0, new[:half], final=False)
        s._data_out(itt, 0xffffffff, 7, half, new[half:], final=True)
    else:
        itt = send_cmd(s, write10(lba, n), 0xa1, n * BS)
        r2t = s.recv_pdu()
        assert r2t.opcode == iscsi_wire.OP_R2T and r2t.itt == itt
        ttt = r2t.u32(20)
        if case == "datasn_gap":
            s._data_out(itt, ttt, 27, 0, new, final=True)
        elif case == "datasn_reversed":
            s._data_out(itt, ttt, 1, 0, new[:half], final=False)
            s._data_out(itt, ttt, 0, half, new[half:], final=True)
        else:
            b = iscsi_wire.bhs(iscsi_wire.OP_DATA_OUT, 0x80, dsl=len(new), itt=itt)
            struct.pack_into(">I", b, 20, ttt)
            struct.pack_into(">I", b, 28, s.exp_stat_sn)
            s.send_pdu(b, new, bad_dd=True)
            p = s.recv_pdu()
            assert p.opcode == iscsi_wire.OP_REJECT and p.bhs[2] == 0x02, \
                "no Reject (data digest error): %r" % p
    st, sense, _, _ = response(s, itt)
    assert crc_error(st, sense), "status %#x sense %s" % (st, sense.hex())
    st, back, _, _ = s.scsi(read10(lba, n), read_len=n * BS)
    assert st == 0 and back == before, "a write whose data was lost changed the blocks"
    roundtrip(s, lba, n * BS)


def test_rsp_timeout_drops_an_initiator_that_reads_nothing(handover, iscsi_stack, kernel_log):
    """RspTimeout: an initiator that sends reads and never reads the
    answers (the socket's buffers fill) is dropped once no response has
    made progress for RspTimeout seconds; another session goes on."""
    iscsi_stack.do("targets/iscsi/%s/RspTimeout" % TARGET, "3")
    healthy = handover.connect_ready(isid=0x400001370011)
    s = handover.connect_ready(isid=0x400001370012)
    blocks = (1 << 20) // BS
    for _ in range(64):                       # 64 MiB of Data-In, nobody reads it
        send_cmd(s, read10(0, blocks), 0xc1, blocks * BS)
    assert kernel_log.wait_for(r"closed: no send progress for RspTimeout", timeout=60), \
        "the stalled connection was not dropped"
    roundtrip(healthy, 0, 1 << 20)


@pytest.mark.smoke
def test_malformed_pdus(handover):
    healthy = handover.connect_ready(isid=0x400001370002)
    # an undefined opcode: Reject (command not supported), the session goes on
    s = handover.connect_ready()
    s.send_pdu(iscsi_wire.bhs(0x1e, 0x80, immediate=True, itt=9))
    p = s.recv_pdu()
    assert p.opcode == iscsi_wire.OP_REJECT and p.bhs[2] == 0x05
    roundtrip(s, 0, 4096)
    # Data-Out for an ITT that is not a command: Reject (invalid PDU field)
    b = iscsi_wire.bhs(iscsi_wire.OP_DATA_OUT, 0x80, dsl=512, itt=0xabcdef)
    s.send_pdu(b, bytes(512))
    p = s.recv_pdu()
    assert p.opcode == iscsi_wire.OP_REJECT and p.bhs[2] == 0x09
    roundtrip(s, 0, 4096)
    # a data segment longer than MaxRecvDataSegmentLength: Reject or close
    b = iscsi_wire.bhs(iscsi_wire.OP_NOP_OUT, 0x80, immediate=True, dsl=1 << 20, itt=7)
    s.send_pdu(b)
    try:
        p = s.recv_pdu()
        assert p.opcode == iscsi_wire.OP_REJECT
    except (ConnectionError, OSError):
        pass
    s.close()
    # a bad header digest closes the connection
    s = handover.connect(isid=0x400001370003, hd=1)
    s.send_pdu(iscsi_wire.bhs(iscsi_wire.OP_NOP_OUT, 0x80, immediate=True, itt=5), bad_hd=True)
    assert s.expect_closed()
    # a bad data digest on a NOP-Out: Reject (data digest error)
    s = handover.connect(isid=0x400001370004, dd=1)
    b = iscsi_wire.bhs(iscsi_wire.OP_NOP_OUT, 0x80, immediate=True, dsl=8, itt=5)
    struct.pack_into(">I", b, 20, 0xffffffff)
    s.send_pdu(b, b"pingpong", bad_dd=True)
    p = s.recv_pdu()
    assert p.opcode == iscsi_wire.OP_REJECT and p.bhs[2] == 0x02
    # a Data-Out at the wrong offset closes the connection
    s = handover.connect_ready(isid=0x400001370005, initial_r2t=1, immediate=0)
    itt = s.next_itt()
    rest = struct.pack(">III", 8 * BS, s.cmd_sn, s.exp_stat_sn) + write10(0, 8).ljust(16, b"\0")
    s.send_pdu(iscsi_wire.bhs(iscsi_wire.OP_SCSI_CMD, 0xa1, itt=itt, rest=rest))
    r2t = s.recv_pdu()
    assert r2t.opcode == iscsi_wire.OP_R2T
    s._data_out(itt, r2t.u32(20), 0, 512, bytes(512), final=True)
    assert s.expect_closed()
    # garbage
    s = handover.connect(isid=0x400001370006)
    s.sock.sendall(os.urandom(4096))
    assert s.expect_closed()
    # all the while the healthy session did its I/O
    time.sleep(0.5)
    roundtrip(healthy, 100, 1 << 20)


def test_netlink_events(iscsi_stack):
    """The events group: a target added, its attributes written or added
    through mgmt, enabled, deleted; a driver attribute; each one event,
    in order, with no value in it (IncomingUser holds a secret)."""
    g = iscsi_wire.Genl()
    g.join_events()
    d = initiator.Daemon("127.0.0.1:3260", log_path="/tmp/strix-iscsid-events.log")
    try:
        t2 = "iqn.2026-12.org.strix:events"
        mgmt = "targets/iscsi/mgmt"
        iscsi_stack.do(mgmt, "add_target %s" % t2)
        iscsi_stack.do("targets/iscsi/%s/MaxBurstLength" % t2, "65536")
        iscsi_stack.do(mgmt, "add_target_attribute %s IncomingUser joe secretsecret12" % t2)
        iscsi_stack.do("targets/iscsi/%s/enabled" % t2, "1")
        iscsi_stack.do("targets/iscsi/enabled", "1")
        iscsi_stack.do(mgmt, "del_target %s" % t2)
        got = [(c, a.get(iscsi_wire.A["TARGET"]), a.get(iscsi_wire.A["ATTR"]))
               for c, a in g.events()]
        changed, removed = iscsi_wire.EVENT_ATTR_CHANGED, iscsi_wire.EVENT_TARGET_REMOVED
        want = [(iscsi_wire.EVENT_TARGET_ADDED, t2, None),
                (changed, t2, "MaxBurstLength"),
                (changed, t2, "IncomingUser"),
                (changed, t2, "enabled"),
                (changed, None, "enabled")]
        assert got[:len(want)] == want, got
        # deletion may disable the target first (one more "enabled"), then removes it
        assert got[-1] == (removed, t2, None), got
        assert got[len(want):-1] in ([], [(changed, t2, "enabled")]), got
        time.sleep(0.5)
        log = d.text()
        for line in ("target added: %s" % t2, "target %s: attribute IncomingUser changed" % t2,
                     "driver attribute enabled changed", "target removed: %s" % t2):
            assert line in log, "strix-iscsid did not log %r:\n%s" % (line, log)
        assert "secretsecret12" not in log
    finally:
        d.stop()
