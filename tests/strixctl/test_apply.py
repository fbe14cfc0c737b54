"""strixctl apply / save / diff against the real modules.

What Documentation/strixctl.md promises: apply is idempotent (a saved
configuration applies as an empty plan), --target touches nothing but its
target, a failed apply leaves the tree as it was, concurrent runs do not
corrupt each other."""
import os
import re
import stat
import subprocess
import time

import pytest

import strixtest
from strixtest import sh, udev_settle


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return str(path)


def base_conf(tmp_path):
    img = tmp_path / "d1.img"
    sh("truncate -s 64M %s" % img)
    return """
HANDLER vdisk_fileio {
	DEVICE d1 { filename %s }
}
HANDLER vdisk_nullio {
	DEVICE n1 { size_mb 32 }
}
TARGET_DRIVER scst_local {
	TARGET t1 {
		enabled 1
		LUN 0 d1
		LUN 1 n1 { read_only 1 }
		GROUP hosts {
			LUN 0 n1
			INITIATOR iqn.2024-01.org.example:host*
		}
	}
}
""" % img


def config_snapshot(stack):
    """The tree's snapshot, with each device's exported/export<N> links as
    one set: N counts the order in which LUNs were added, which a rollback
    that adds them back in reverse order changes without changing what is
    exported."""
    snap, exports = {}, {}
    for k, v in stack.snapshot().items():
        m = re.match(r"(devices/[^/]+/exported)/export\d+$", k)
        if m:
            exports.setdefault(m.group(1), set()).add(v)
        else:
            snap[k] = v
    snap.update({k: sorted(v) for k, v in exports.items()})
    return snap


def steps(doc):
    return doc["plan"]["steps"]


def test_apply_save_apply_is_a_noop(stack, strixctl, tmp_path):
    conf = write(tmp_path / "a.conf", base_conf(tmp_path))
    out = strixctl.json("apply", conf)
    assert out["report"]["ok"] and steps(out), out
    assert os.path.isdir(stack.path("targets/scst_local/t1/ini_groups/hosts"))
    assert stack.value("targets/scst_local/t1/enabled") == "1"

    saved = str(tmp_path / "etc" / "strix.conf")
    strixctl.json("save", saved)
    again = strixctl.json("apply", saved)
    assert steps(again) == [], "applying the saved file plans: %s" % steps(again)
    assert steps(strixctl.json("apply", conf)) == [], "applying the file twice plans"
    strixctl.run("diff", saved)
    strixctl.run("diff", conf)

    # saved again: the previous version is the backup, the file the same
    strixctl.json("save", saved)
    with open(saved) as a, open(saved + ".bak") as b:
        assert a.read() == b.read()


@pytest.mark.heavy
def test_thousand_luns(stack, strixctl, tmp_path):
    n = 1000
    devices = "".join("\tDEVICE n%d { size_mb 1 }\n" % i for i in range(n))
    luns = "".join("\t\tLUN %d n%d\n" % (i, i) for i in range(n))
    conf = write(tmp_path / "big.conf",
                 "HANDLER vdisk_nullio {\n%s}\nTARGET_DRIVER scst_local {\n"
                 "\tTARGET big {\n\t\tenabled 1\n%s\t}\n}\n" % (devices, luns))
    start = time.time()
    out = strixctl.json("apply", conf)
    print("apply of %d LUNs: %.1f s" % (n, time.time() - start))
    assert out["report"]["ok"]
    assert len(steps(out)) == 2 * n + 1  # devices, the target, LUNs (local: always enabled)
    assert len(os.listdir(stack.path("targets/scst_local/big/luns"))) == n + 1  # + mgmt
    saved = str(tmp_path / "saved.conf")
    strixctl.json("save", saved)
    start = time.time()
    diff = strixctl.json("diff", saved)
    print("diff of %d LUNs: %.1f s" % (n, time.time() - start))
    assert diff["differs"] is False, diff["plan"]
    strixctl.run("diff", conf)


def disk_of(stack, target, session, lun=0):
    host = stack.add_session(target, session)
    disks = udev_settle(lambda: strixtest.scsi_disks_of_host(host))
    assert lun in disks, "no disk for LUN %d on host%d: %s" % (lun, host, disks)
    dev = disks[lun]
    assert udev_settle(lambda: os.path.exists(dev) and stat.S_ISBLK(os.stat(dev).st_mode))
    return dev


@pytest.mark.heavy
def test_target_leaves_other_sessions_alone(stack, strixctl, tmp_path):
    conf = base_conf(tmp_path)
    strixctl.json("apply", write(tmp_path / "a.conf", conf))
    dev = disk_of(stack, "t1", "host1")
    before = {k: v for k, v in stack.snapshot().items()
              if k.startswith("targets/scst_local/t1/")}

    # The new file adds t2 and would also change t1 (another LUN): with
    # --target t2 only t2's part may happen.
    more = conf.replace("\t\tLUN 1 n1 { read_only 1 }\n",
                        "\t\tLUN 1 n1 { read_only 1 }\n\t\tLUN 2 n2\n")
    more += """
HANDLER vdisk_nullio { DEVICE n2 { size_mb 16 } }
TARGET_DRIVER scst_local {
	TARGET t2 {
		enabled 1
		LUN 0 n2
	}
}
"""
    two = write(tmp_path / "b.conf", more)
    fio = subprocess.Popen(
        "fio --name=verify --filename=%s --direct=1 --ioengine=libaio --iodepth=16 "
        "--rw=randwrite --bs=4k --size=32M --verify=crc32c --verify_fatal=1 --do_verify=1 "
        "--randrepeat=0 --verify_state_save=0 --allow_file_create=0" % dev,
        shell=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        time.sleep(1)
        assert fio.poll() is None, "fio ended before the apply:\n" + fio.stdout.read()
        out = strixctl.json("apply", two, "--target", "t2")
        assert out["report"]["ok"]
        for s in steps(out):
            assert "/t1/" not in s["path"] and s["object"] != "device d1", s
        assert fio.poll() is None, "fio ended during the apply: the test proves nothing"
    finally:
        text, _ = fio.communicate(timeout=900)
        print(text)
    assert fio.returncode == 0, "fio failed on t1 while t2 was applied"
    after = {k: v for k, v in stack.snapshot().items()
             if k.startswith("targets/scst_local/t1/")}
    assert after == before, "t1 changed: %s" % sorted(
        set(after.items()) ^ set(before.items()))
    assert os.path.isdir(stack.path("targets/scst_local/t1/sessions/host1"))
    assert os.path.isdir(stack.path("targets/scst_local/t2/luns/0"))
    # the rest of the file is still to do: t1's LUN 2
    assert strixctl.json("diff", two, rc=3)["differs"]


def test_failed_apply_rolls_back(stack, strixctl, tmp_path):
    conf = base_conf(tmp_path)
    strixctl.json("apply", write(tmp_path / "a.conf", conf))
    before = config_snapshot(stack)

    # With --prune: the LUNs on n1 and n1 itself go first (removals), then
    # the new device's backing file is missing.  (Not setup_id: the kernel
    # refuses to change it while devices exist, EBUSY.)
    broken = (conf.replace("\t\tLUN 1 n1 { read_only 1 }\n", "")
                  .replace("\t\t\tLUN 0 n1\n", "")
                  .replace("\tDEVICE n1 { size_mb 32 }\n", "")
                  .replace("HANDLER vdisk_fileio {\n",
                           "HANDLER vdisk_fileio {\n\tDEVICE gone { filename %s }\n"
                           % (tmp_path / "missing.img")))
    out = strixctl.json("apply", "--prune", write(tmp_path / "broken.conf", broken), rc=1)
    report = out["report"]
    assert report["ok"] is False
    failed = steps(out)[report["failed"]]
    assert failed["object"] == "device gone", failed
    assert out["error"]["errno_name"] in ("ENOENT", "EINVAL"), out["error"]
    assert report["failed"] >= 3, "nothing ran before the failure: %s" % steps(out)
    assert report["left"] == [], report
    assert config_snapshot(stack) == before, "the tree differs after the rollback"


def test_concurrent_applies_of_different_targets(stack, strixctl, tmp_path):
    def conf(t, k):
        devs = "".join("\tDEVICE %s%d { size_mb 1 }\n" % (t, i) for i in range(k))
        luns = "".join("\t\tLUN %d %s%d\n" % (i, t, i) for i in range(k))
        return ("HANDLER vdisk_nullio {\n%s}\nTARGET_DRIVER scst_local {\n"
                "\tTARGET %s {\n\t\tenabled 1\n%s\t}\n}\n" % (devs, t, luns))
    a = write(tmp_path / "a.conf", conf("ta", 40))
    b = write(tmp_path / "b.conf", conf("tb", 40))
    runs = [strixctl.popen("apply", a, "--target", "ta"),
            strixctl.popen("apply", b, "--target", "tb")]
    for p in runs:
        text, _ = p.communicate(timeout=600)
        print(text)
    assert [p.returncode for p in runs] == [0, 0]
    both = write(tmp_path / "both.conf", conf("ta", 40) + conf("tb", 40))
    assert strixctl.json("diff", both)["differs"] is False
    for t in ("ta", "tb"):
        assert len(os.listdir(stack.path("targets/scst_local/%s/luns" % t))) == 41
        assert stack.value("targets/scst_local/%s/enabled" % t) == "1"


def test_read_commands_on_the_real_tree(stack, strixctl, tmp_path):
    strixctl.json("apply", write(tmp_path / "a.conf", base_conf(tmp_path)))
    disk_of(stack, "t1", "host1")
    tree = strixctl.json("tree")
    t1 = [t for t in tree["targets"] if t["id"] == "scst_local/t1"][0]
    assert t1["enabled"] is True
    assert [s["name"] for s in t1["sessions"]] == ["host1"]
    assert t1["sessions"][0]["luns"] == 2
    assert [d["name"] for d in strixctl.json("list", "devices")["devices"]] == ["d1", "n1"]
    assert strixctl.json("list", "sessions")["sessions"][0]["initiator"] == "host1"
    assert strixctl.json("show", "lun/t1/1")["attributes"]["read_only"]["value"] == "1"
    text = strixctl.run("tree").stdout
    assert "host1" in text and "enabled" in text and "\033[" not in text
    err = strixctl.json("add", "lun", "t1", "0", "n1", rc=1)["error"]
    assert err["errno_name"] == "EEXIST", err
    assert "LUN 0 of scst_local/t1" in err["message"]


def test_local_targets_cannot_be_disabled(stack, strixctl, tmp_path):
    """scst_local has nothing to stop: disable fails with the kernel's
    EOPNOTSUPP and changes nothing; enable is a no-op; save writes no
    `enabled` for it (as SCST's own files), and that file applies clean."""
    strixctl.json("apply", write(tmp_path / "a.conf", base_conf(tmp_path)))
    err = strixctl.json("disable", "t1", rc=1)["error"]
    assert err["errno_name"] == "EOPNOTSUPP", err
    assert stack.value("targets/scst_local/t1/enabled") == "1"
    strixctl.run("enable", "t1")
    assert stack.value("targets/scst_local/t1/enabled") == "1"
    saved = tmp_path / "saved.conf"
    strixctl.run("save", str(saved))
    assert "enabled" not in saved.read_text().split("TARGET_DRIVER scst_local")[1]
    assert strixctl.json("apply", "--dry-run", str(saved))["plan"]["steps"] == []


ALUA_CONF = """
HANDLER vdisk_fileio {
	DEVICE d1 { filename %s }
}
TARGET_DRIVER scst_local {
	TARGET t1 { LUN 0 d1 }
	TARGET t2 { LUN 0 d1 }
}
DEVICE_GROUP dg1 {
	DEVICE d1
	TARGET_GROUP tgA {
		group_id 1
		state %s
		preferred 1
		TARGET t1
	}
	TARGET_GROUP tgB {
		group_id 2
		state %s
		TARGET t2
		TARGET node2:t2 { rel_tgt_id 7 }
	}
}
"""


def test_device_groups_round_trip(stack, strixctl, tmp_path):
    """DEVICE_GROUP applies to device_groups/, saves back, applies as an
    empty plan; a changed state is a difference and one step; --prune
    removes the group and leaves the targets and the device."""
    img = tmp_path / "d1.img"
    sh("truncate -s 16M %s" % img)
    conf = write(tmp_path / "alua.conf", ALUA_CONF % (img, "active", "standby"))
    out = strixctl.json("apply", conf)
    assert out["report"]["ok"], out
    tgs = "device_groups/dg1/target_groups/"
    assert os.path.islink(stack.path("device_groups/dg1/devices/d1"))
    assert [stack.value(tgs + "tgA/" + a) for a in ("group_id", "state", "preferred")] \
        == ["1", "active", "1"]
    assert [stack.value(tgs + "tgB/" + a) for a in ("group_id", "state", "preferred")] \
        == ["2", "standby", "0"]
    assert stack.value(tgs + "tgA/t1/rel_tgt_id") == stack.value("targets/scst_local/t1/rel_tgt_id")
    assert stack.value(tgs + "tgB/node2:t2/rel_tgt_id") == "7"

    saved = str(tmp_path / "saved.conf")
    strixctl.json("save", saved)
    with open(saved) as f:
        text = f.read()
    assert re.search(r"^DEVICE_GROUP dg1 \{", text, re.M), text
    assert steps(strixctl.json("apply", saved)) == []
    assert steps(strixctl.json("apply", conf)) == []
    strixctl.run("diff", conf)

    # the cluster agent moved tgB to active/non-optimized: the file differs
    stack.do(tgs + "tgB/state", "nonoptimized")
    strixctl.run("diff", conf, rc=3)
    changed = strixctl.json("apply", conf)
    assert len(steps(changed)) == 1, steps(changed)
    assert stack.value(tgs + "tgB/state") == "standby"

    # a file without the group, pruned: the group goes, the rest stays
    write(conf, ALUA_CONF.split("DEVICE_GROUP")[0] % img)
    pruned = strixctl.json("apply", "--prune", conf)
    assert pruned["report"]["ok"], pruned
    assert os.listdir(stack.path("device_groups")) == ["mgmt"]
    for t in ("t1", "t2"):
        lun = stack.path("targets/scst_local/%s/luns/0/device" % t)
        assert os.path.basename(os.readlink(lun)) == "d1"
