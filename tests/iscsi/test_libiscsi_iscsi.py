"""libiscsi's iscsi-test-cu over iSCSI (its own initiator, through
strix-iscsid and strix_iscsi.ko): the iSCSI suites and every SCSI suite
the core covers, each in its own process, with both of its initiator
names allowed (the reservation suites log in as both)."""
import pytest

import initiator
from iscsi_wire import TARGET
from libiscsi_cu import (ATOMIC_SUITES, DATA_SUITES, LATER, NOT_READ_ONLY, NOT_REMOVABLE, NOT_THIN,
                         ONE_LB_PER_PB, PR_SUITES, SPC4_XCOPY, THIN_SUITES, XCOPY_SUITES,
                         check_suite)

URL = "iscsi://127.0.0.1:3260/%s/0" % TARGET
INITIATORS = ["-i", "iqn.2007-10.com.github:sahlberg:libiscsi:iscsi-test",
              "-I", "iqn.2007-10.com.github:sahlberg:libiscsi:iscsi-test-2"]

ISCSI_SUITES = ["iSCSIcmdsn", "iSCSIdatasn", "iSCSIResiduals", "iSCSITMF"]
# With a real iSCSI session the suites that need nexus loss, logout or a
# second initiator run too: no "only supported for iSCSI backends" skips.
ALLOWED = ([s for s in LATER if "iSCSI backends" not in s] + NOT_THIN + NOT_REMOVABLE +
           NOT_READ_ONLY + SPC4_XCOPY)


@pytest.fixture
def thin_lun(iscsi_stack, tmp_path):
    """LUN 1 of the target: a thin-provisioned fileio disk in tmpfs (holes
    punched on UNMAP, SEEK_HOLE/SEEK_DATA for GET LBA STATUS)."""
    img = tmp_path / "thin.img"
    with open(img, "wb") as f:
        f.truncate(31 << 20)
    iscsi_stack.add_device("vdisk_fileio", "thin1", "filename=%s; thin_provisioned=1" % img)
    iscsi_stack.add_lun(TARGET, "thin1", 1, driver="iscsi")
    return "iscsi://127.0.0.1:3260/%s/1" % TARGET


@pytest.fixture
def daemon(iscsi_stack):
    d = initiator.Daemon("127.0.0.1:3260")
    yield d
    d.stop()


# Known gaps, each failing for a stated reason (strict: a fix shows up as
# XPASS and must remove the entry).  libiscsi's own defects are judged in
# libiscsi_cu.LIBISCSI_DEFECTS instead.
KNOWN = {}


def suites(names):
    return [pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=KNOWN[n]))
            if n in KNOWN else n for n in names]


@pytest.mark.parametrize("suite", suites(ISCSI_SUITES))
def test_iscsi_suites(daemon, suite):
    check_suite(URL, suite, ALLOWED, INITIATORS)


# The reservation suites need two initiators and nexus loss: iSCSI's own.
@pytest.mark.heavy
@pytest.mark.parametrize("suite", suites(PR_SUITES))
def test_scsi_suites(daemon, suite):
    check_suite(URL, suite, ALLOWED, INITIATORS)


# Thin provisioning over iSCSI (UNMAP's and WRITE SAME's Data-Out): nothing
# may skip as "fully provisioned".  heavy for time on the debug kernel,
# where the local driver's thin suites and sg3_utils cases run the commands.
@pytest.mark.heavy
@pytest.mark.parametrize("suite", THIN_SUITES)
def test_thin_suites(thin_lun, daemon, suite):
    check_suite(thin_lun, suite, LATER + NOT_REMOVABLE + NOT_READ_ONLY + ONE_LB_PER_PB,
                INITIATORS)


# The suites of the offload commands (compare and write, ORWRITE, WRITE
# ATOMIC, third-party copy, VERIFY, WRITE AND VERIFY, MODE SENSE and REPORT
# SUPPORTED OPERATION CODES) over iSCSI in every make check on the stock
# kernel (heavy: the debug kernel runs them through the local driver, the
# same core).  (Over iSCSI every process is a new session: the copy status
# of one suite is never seen by the next.)
OFFLOAD_SUITES = ATOMIC_SUITES + XCOPY_SUITES + [
    s for s in DATA_SUITES if s.startswith(("Verify", "WriteVerify")) or
    s in ("ModeSense6", "ReportSupportedOpcodes")]


@pytest.mark.heavy
@pytest.mark.parametrize("suite", suites(OFFLOAD_SUITES))
def test_offload_suites(daemon, suite):
    check_suite(URL, suite, ALLOWED, INITIATORS)


# The other data suites run through the local driver in every make check;
# over iSCSI they are make check-full's (marker `full`), for CI's time.
@pytest.mark.heavy
@pytest.mark.full
@pytest.mark.parametrize("suite", suites([s for s in DATA_SUITES if s not in OFFLOAD_SUITES]))
def test_scsi_data_suites(daemon, suite):
    check_suite(URL, suite, ALLOWED, INITIATORS)
