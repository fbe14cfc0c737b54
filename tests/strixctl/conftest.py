"""Fixtures for strixctl against the real modules (strix, strix_vdisk,
strix_local): the binary from build/usr and the loaded stack."""
import json
import os
import shlex
import subprocess

import pytest

import strixtest

STRIXCTL = os.path.join(strixtest.TOP, "build", "usr", "strixctl", "strixctl")


class Strixctl:
    """Runs strixctl the way an admin's script would; echoes each command."""

    def __init__(self, path):
        self.path = path

    def cmdline(self, *args):
        return " ".join(shlex.quote(a) for a in (self.path,) + args)

    def run(self, *args, rc=0):
        """Run; check the exit code (None: any); return the result."""
        res = strixtest.sh(self.cmdline(*args), check=False)
        if rc is not None:
            assert res.returncode == rc, "exit %d, expected %d: %s\n%s" % (
                res.returncode, rc, self.cmdline(*args), res.stdout)
        return res

    def json(self, *args, rc=0):
        """Run with --json; stdout only (diagnostics may go to stderr)."""
        cmd = [self.path, "--json"] + list(args)
        print("+ " + self.cmdline(*(["--json"] + list(args))))
        res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if res.stderr:
            print(res.stderr, end="")
        if rc is not None:
            assert res.returncode == rc, "exit %d, expected %d\n%s%s" % (
                res.returncode, rc, res.stdout, res.stderr)
        return json.loads(res.stdout)

    def popen(self, *args):
        print("+ " + self.cmdline(*args) + " &")
        return subprocess.Popen((self.path,) + args, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)


@pytest.fixture
def strixctl():
    if not os.access(STRIXCTL, os.X_OK):
        pytest.skip("strixctl not built (make usr)")
    return Strixctl(STRIXCTL)
