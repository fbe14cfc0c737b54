"""What in a kernel log fails a test run.

One list, used by the host harness (scripts/vm/run) on the guest's console
log and by the guest test suite (tests/conftest.py) around every test.
"""
import re

# Each pattern is the first line of a report the kernel prints.
PATTERNS = [
    r"\bOops\b",
    r"\bBUG[: ]",                       # BUG:, kernel BUG at, KASAN BUG:
    r"WARNING:",                        # WARN(), lockdep headers
    r"\bKASAN\b",
    r"\bUBSAN\b",
    r"possible circular locking",
    r"inconsistent lock state",
    r"possible recursive locking",
    r"DEBUG_LOCKS_WARN_ON",
    r"suspected memory leak",           # kmemleak, in the kernel log
    r"unreferenced object 0x",          # kmemleak, its report file
    r"rcu.*detected stalls?",
    r"blocked for more than \d+ seconds",
    r"general protection fault",
    r"Kernel panic",
    r"list_(add|del) corruption",
    r"stack-protector",
]

SPLAT = re.compile("|".join(PATTERNS))


# A test that raises a report on purpose (the harness self-test) writes these
# around it; reports between them are expected and passed over.
EXPECTED_BEGIN = "strix-vm: expected splat begin"
EXPECTED_END = "strix-vm: expected splat end"

# The harness powers the guest off with sysrq once the command, the final
# kmemleak scan and the log dump are done; what the kernel prints after
# that (a PID 1 that faults on a torn-down 9p mount while the machine goes
# down) is the harness's shutdown, not the run's.
POWER_OFF = "sysrq: Power Off"


def find_splats(text, context=12, skip_expected=True):
    """Return the report excerpts in text (a list of strings)."""
    lines = text.splitlines()
    found = []
    expected = False
    i = 0
    while i < len(lines):
        line = lines[i]
        if POWER_OFF in line:
            break
        if EXPECTED_BEGIN in line:
            expected = True
        elif EXPECTED_END in line:
            expected = False
        elif SPLAT.search(line) and not (expected and skip_expected):
            found.append("\n".join(lines[i:i + context]))
            i += context
            continue
        i += 1
    return found
