"""strixctl's bash completion (usr/strixctl/strixctl.bash-completion),
driven the way bash drives it: bash-completion's library loaded, the words
of a command line in COMP_WORDS, the function called, COMPREPLY read back.
Names come from a management tree given by STRIX_SYSFS_ROOT (a directory
fixture here), as they would from /sys/kernel/scst_tgt."""
import os
import re
import shlex
import subprocess

import pytest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COMPLETION = os.path.join(TOP, "usr", "strixctl", "strixctl.bash-completion")
LIBRARY = "/usr/share/bash-completion/bash_completion"
STRIXCTL = os.path.join(TOP, "build", "usr", "strixctl", "strixctl")


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    root = tmp_path_factory.mktemp("scst_tgt")
    for d in ("devices/disk1", "devices/disk2", "handlers/vdisk_fileio",
              "handlers/vdisk_nullio", "targets/iscsi/iqn.2026-12.org.example:t1",
              "targets/scst_local/t2"):
        os.makedirs(root / d)
    (root / "targets/iscsi/mgmt").write_text("")
    return root


def complete(line, tree=None, cwd=None):
    """The completions bash offers for the last word of line (a trailing
    blank: a new, empty word)."""
    if not os.path.exists(LIBRARY):
        pytest.fail("bash-completion is not installed: scripts/setup.sh installs it")
    words = shlex.split(line) + ([""] if line.endswith(" ") else [])
    script = "\n".join([
        "source %s" % shlex.quote(LIBRARY),
        "source %s" % shlex.quote(COMPLETION),
        "COMP_WORDS=(%s)" % " ".join(shlex.quote(w) for w in words),
        "COMP_CWORD=%d" % (len(words) - 1),
        "COMP_LINE=%s" % shlex.quote(line),
        "COMP_POINT=%d" % len(line),
        "_strixctl strixctl %s %s" % (shlex.quote(words[-1]),
                                      shlex.quote(words[-2] if len(words) > 1 else "")),
        'printf "%s\\n" "${COMPREPLY[@]}"',
    ])
    env = dict(os.environ)
    if tree is not None:
        env["STRIX_SYSFS_ROOT"] = str(tree)
    res = subprocess.run(["bash", "-c", script], env=env, cwd=cwd, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    assert res.returncode == 0 and not res.stderr, res.stderr
    return sorted(w for w in res.stdout.split("\n") if w)


def test_it_registers_for_strixctl():
    res = subprocess.run(["bash", "-c", "source %s; source %s; complete -p strixctl"
                          % (LIBRARY, COMPLETION)], stdout=subprocess.PIPE, text=True)
    assert res.stdout.strip() == "complete -F _strixctl strixctl"


def test_commands_are_strixctl_s_own():
    """The completion's command list is exactly the binary's subcommands."""
    if not os.access(STRIXCTL, os.X_OK):
        pytest.fail("strixctl not built (make usr)")
    out = subprocess.run([STRIXCTL, "--help"], stdout=subprocess.PIPE, text=True).stdout
    subcommands = re.findall(r"^  (\w+) +\S", out.split("Subcommands:")[1], re.M)
    assert len(subcommands) >= 10, out
    assert complete("strixctl ") == sorted(subcommands)


@pytest.mark.parametrize("line,want", [
    ("strixctl a", ["add", "apply"]),
    ("strixctl list s", ["sessions"]),
    ("strixctl add ", ["device", "group", "initiator", "lun", "target"]),
    ("strixctl apply --", ["--color", "--dry-run", "--help", "--json", "--prune", "--root",
                           "--target", "--version"]),
    ("strixctl --color ", ["always", "auto", "never"]),
    ("strixctl boot --", ["--color", "--config", "--help", "--json", "--no-modules", "--root",
                          "--version", "--wait"]),
    ("strixctl events --", ["--color", "--count", "--help", "--json", "--root", "--timeout",
                            "--version"]),
])
def test_words(line, want):
    assert complete(line) == want


def test_names_come_from_the_tree(tree):
    assert complete("strixctl del device ", tree) == ["disk1", "disk2"]
    assert complete("strixctl enable ", tree) == ["iqn.2026-12.org.example:t1", "t2"]
    assert complete("strixctl add target ", tree) == ["iscsi", "scst_local"]
    assert complete("strixctl add device d --handler vdisk_n", tree) == ["vdisk_nullio"]
    assert complete("strixctl apply --target t", tree) == ["t2"]
    # without a tree: nothing, quietly
    assert complete("strixctl del device ", "/nonexistent") == []


def test_files_for_apply(tmp_path):
    (tmp_path / "strix.conf").write_text("")
    (tmp_path / "other").write_text("")
    assert complete("strixctl apply st", cwd=tmp_path) == ["strix.conf"]
