"""The README's "Export a disk over iSCSI" blocks, run as written in the
guest: the server block with the real modprobe (our modules installed
where a DKMS install puts them), strix-iscsid from the build tree on PATH
(it detaches, as the README says); then the initiator block against
SERVER=127.0.0.1 with open-iscsi.  The test checks the disk it promises
(data written and read back through it) and that CHAP is in force: a login
without it is refused."""
import os
import re
import subprocess

import pytest

import initiator
import strixtest
from strixtest import SYSFS_ROOT

README = os.path.join(strixtest.TOP, "README.md")
ISCSID_DIR = os.path.join(strixtest.TOP, "build", "usr", "iscsid")
MODULES = ("strix", "strix_vdisk", "strix_iscsi")
TARGET = "iqn.2026-12.org.example:disk1"


def block(name):
    text = open(README).read()
    m = re.search(r"<!-- %s: begin -->\n```sh\n(.*?)```\n<!-- %s: end -->" % (name, name),
                  text, re.S)
    assert m, "README.md has no %s block between the markers" % name
    return m.group(1)


def run(script, **env):
    """The block with bash -e.  Its output goes to a file, not a pipe: the
    daemon it starts detaches but keeps stderr, so a pipe would never end."""
    print("+ bash -e <<README\n%sREADME" % script)
    with open("/tmp/readme-block.log", "w+") as log:
        r = subprocess.run(["bash", "-e", "-c", script], stdout=log, stderr=subprocess.STDOUT,
                           env=dict(os.environ, **env), timeout=300)
        log.seek(0)
        out = log.read()
    print(out)
    assert r.returncode == 0, "README block failed: exit %d\n%s" % (r.returncode, out)


def unload():
    for m in reversed(MODULES):
        if strixtest.loaded(m):
            strixtest.rmmod(m)


@pytest.fixture
def installed():
    if not os.access(os.path.join(ISCSID_DIR, "strix-iscsid"), os.X_OK):
        pytest.skip("strix-iscsid not built (make usr)")
    unload()
    dest = strixtest.install_modules(MODULES, "strix-readme-iscsi")
    oi = initiator.OpenIscsi(None)
    yield oi
    oi.stop()
    subprocess.run(["pkill", "-x", "strix-iscsid"])
    subprocess.run("while pgrep -x strix-iscsid; do sleep 0.2; done", shell=True, timeout=30)
    if os.path.isdir(SYSFS_ROOT):
        strixtest.Tree().clear()
    unload()
    strixtest.uninstall_modules(dest)
    if os.path.exists("/srv/disk1.img"):
        os.unlink("/srv/disk1.img")


def test_readme_iscsi_with_chap(installed):
    oi = installed
    path = ISCSID_DIR + ":" + os.environ["PATH"]
    run(block("iscsi-target"), PATH=path)
    initiator.wait_port("127.0.0.1", 3260)
    run(block("iscsi-initiator"), SERVER="127.0.0.1")
    (disk,) = oi.disks(TARGET)      # the scan may finish after lsblk ran
    model = open("/sys/block/%s/device/model" % os.path.basename(disk)).read().strip()
    assert model == "disk1", "the disk is %r, not STRIX disk1" % model
    initiator.dd_verify(disk, 1)
    # CHAP is what let it in: without it the target refuses the login
    # (a fresh node record: open-iscsi still does CHAP with authmethod None
    # when a username and password are set)
    oi.logout()
    oi.adm("-m node -T %s -o delete" % TARGET)
    assert oi.discover("127.0.0.1") == [TARGET]
    r = oi.adm("-m node -T %s --login" % TARGET, check=False)
    assert r.returncode != 0, "a login without CHAP was accepted"
