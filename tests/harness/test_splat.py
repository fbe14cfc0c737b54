"""The harness catches kernel reports: a WARNING during a test is found."""
import pytest

import strixtest


@pytest.fixture
def splat_module():
    strixtest.insmod("strix_splat")
    yield
    strixtest.rmmod("strix_splat")


def test_warning_is_detected(kernel_log, splat_module):
    # Intentional: the markers tell the host's console scan to pass over it.
    kernel_log.mark("strix-vm: expected splat begin")
    with open("/sys/module/strix_splat/parameters/warn_now", "w") as f:
        f.write("1\n")
    kernel_log.mark("strix-vm: expected splat end")
    found = strixtest.splat.find_splats(kernel_log.text(), skip_expected=False)
    assert found, "a WARNING was raised but the scan found nothing"
    assert any("strix_splat" in s for s in found)
    # With the markers honoured, the same log is clean: the per-test check
    # that runs after this test must not fail on the intentional report.
    assert kernel_log.splats() == []


def test_clean_log_has_no_reports(kernel_log, splat_module):
    with open("/sys/module/strix_splat/parameters/warn_now", "w") as f:
        f.write("0\n")
    assert kernel_log.splats() == []
