"""make demo's script (scripts/demo.sh) as an admin runs it: a guest boots,
Strix exports a disk over iSCSI with CHAP and the guest's own initiator
makes ext4 on it, writes a file and reads it back; the unload leaves no
tree.  Each line checked is one the demo promises to show."""
import os
import re
import subprocess

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_demo_exports_a_disk_the_initiator_uses():
    res = subprocess.run([os.path.join(TOP, "scripts", "demo.sh")], cwd=TOP,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         timeout=1200)
    print(res.stdout)
    assert res.returncode == 0, "make demo failed"
    out = res.stdout
    for want in ("Login to [iface: default, target: iqn.2026-12.org.example:demo",
                 "written through Strix over iSCSI",
                 "sysfs root removed"):
        assert want in out, "the demo did not show %r" % want
    assert any(line.split()[1:3] == ["STRIX", "disk1"] for line in out.splitlines()
               if line.startswith("sd") and len(line.split()) > 3), "no STRIX disk1 in lsblk"
    # fsck -n ran clean (the demo runs under set -e) and said so
    assert re.search(r"^/dev/sd\w+: \d+/\d+ files", out, re.M), "no fsck summary"
