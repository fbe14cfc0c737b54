"""The guest harness itself: exit status, output streaming, kernel-report
detection and the hard timeout.  Each case boots Debian's 6.1 kernel."""
import os
import subprocess

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUN = os.path.join(TOP, "scripts", "vm", "run")


def vm(command, timeout=300):
    cmd = [RUN, "--kernel", "6.1", "--timeout", str(timeout), "--", command]
    print("+ " + " ".join(cmd))
    res = subprocess.run(cmd, cwd=TOP, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, timeout=timeout + 120)
    print(res.stdout)
    print(res.stderr)
    return res


def splat_module():
    """strix_splat.ko built for the Debian 6.1 kernel vm() boots: the newest
    6.1.*-amd64 build (build/kernel/ also holds the debug kernel's 6.1.N
    build, whose modules that kernel refuses)."""
    import glob
    import re
    found = glob.glob(os.path.join(TOP, "build/kernel/6.1.*-amd64/testing/strix_splat.ko"))
    assert found, "strix_splat.ko not built for 6.1: run scripts/build-modules.sh 6.1"
    key = lambda p: [int(x) for x in re.findall(r"\d+", p.split("/")[-3])]
    return sorted(found, key=key)[-1]


def test_reports_after_power_off_are_the_harness_s():
    """What the kernel prints once the harness has powered the guest off
    is not the run's (a shutdown race); before that, everything counts."""
    import sys
    sys.path.insert(0, os.path.join(TOP, "scripts", "vm"))
    import splat
    before = "[ 1.0] WARNING: CPU: 1 PID: 7 at x.c:1 f+0x1/0x2\n"
    after = ("[ 9.0] sysrq: Power Off\n"
             "[ 9.1] Kernel panic - not syncing: Attempted to kill init!\n")
    assert splat.find_splats(after) == []
    assert len(splat.find_splats(before + after)) == 1
    assert splat.find_splats(before + after)[0].startswith("[ 1.0] WARNING")


def test_exit_status_and_output():
    res = vm("echo hello from $(uname -r); test -w %s; exit 7" % TOP)
    assert res.returncode == 7
    assert "hello from 6.1." in res.stdout


def test_warning_fails_the_run():
    # A module that WARNs while loading; the command itself succeeds.
    res = vm("insmod %s warn_on_load=1 && rmmod strix_splat" % splat_module())
    assert res.returncode == 3, "a kernel WARNING did not fail the run"
    assert "WARNING" in res.stderr and "strix_splat" in res.stderr


def test_hard_timeout_powers_off():
    res = vm("sleep 100000", timeout=20)
    assert res.returncode == 124
    assert "no result" in res.stderr
