"""libiscsi's iscsi-test-cu over iSCSI (its own initiator, through
strix-iscsid and strix_iscsi.ko): the iSCSI suites and every SCSI suite
the core covers, each in its own process, with both of its initiator
names allowed (the reservation suites log in as both)."""
import pytest

import initiator
from iscsi_wire import TARGET
from libiscsi_cu import (ATOMIC_SUITES, DATA_SUITES, LATER, NOT_READ_ONLY, NOT_REMOVABLE, NOT_THIN,
                         PR_SUITES, SPC4_XCOPY, XCOPY_SUITES, check_suite)

URL = "iscsi://127.0.0.1:3260/%s/0" % TARGET
INITIATORS = ["-i", "iqn.2007-10.com.github:sahlberg:libiscsi:iscsi-test",
              "-I", "iqn.2007-10.com.github:sahlberg:libiscsi:iscsi-test-2"]

ISCSI_SUITES = ["iSCSIcmdsn", "iSCSIdatasn", "iSCSIResiduals", "iSCSITMF"]
# With a real iSCSI session the suites that need nexus loss, logout or a
# second initiator run too: no "only supported for iSCSI backends" skips.
ALLOWED = ([s for s in LATER if "iSCSI backends" not in s] + NOT_THIN + NOT_REMOVABLE +
           NOT_READ_ONLY + SPC4_XCOPY)


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


# The data, atomic and third-party copy suites run through the local
# driver in every make check (the same core); over iSCSI they are make
# check-full's (marker `full`), which keeps make check inside CI's time.
# (Over iSCSI every process is a new session: the copy status of one
# suite is never seen by the next.)
@pytest.mark.heavy
@pytest.mark.full
@pytest.mark.parametrize("suite", suites(DATA_SUITES + ATOMIC_SUITES + XCOPY_SUITES))
def test_scsi_data_suites(daemon, suite):
    check_suite(URL, suite, ALLOWED, INITIATORS)
