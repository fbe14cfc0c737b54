"""APTPL registrations survive a guest reboot: the state directory is on
a disk image that outlives the guest (scripts/vm/run --disk).  The first
boot registers and reserves with APTPL and powers off without unmounting;
the second adds the device again and finds the same reservation
(tests/host/aptpl_guest.py is the guest half)."""
import os
import subprocess

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def boot(img, phase):
    res = subprocess.run([os.path.join(TOP, "scripts", "vm", "run"), "--kernel", "6.1",
                          "--timeout", "400", "--disk", str(img), "--",
                          "/usr/bin/python3", os.path.join(TOP, "tests", "host", "aptpl_guest.py"),
                          phase], cwd=TOP, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, timeout=500)
    print(res.stdout)
    assert res.returncode == 0, "guest %s phase failed" % phase
    return res.stdout


def test_aptpl_survives_guest_reboot(tmp_path):
    img = tmp_path / "state.img"
    subprocess.run(["truncate", "-s", "64M", str(img)], check=True)
    subprocess.run(["/usr/sbin/mkfs.ext4", "-q", "-F", str(img)], check=True)
    assert "saved; powering off" in boot(img, "save")
    assert "restored after reboot" in boot(img, "check")
