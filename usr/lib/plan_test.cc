#include "plan.h"

#include <cerrno>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "config.h"
#include "model.h"
#include "testing/tree_fixture.h"

namespace strix::plan {
namespace {

using config::Config;
using Writes = std::vector<std::pair<std::string, std::string>>;

Config cfg(std::string_view text)
{
	auto r = config::parse(text);
	if (!r)
		ADD_FAILURE() << r.error().message();
	return r ? *r : Config{};
}

Plan plan_ok(const Config &have, const Config &want, const Options &opts = {})
{
	auto r = make(have, want, opts);
	if (!r)
		ADD_FAILURE() << r.error().what();
	return r ? *r : Plan{};
}

Writes writes(const Plan &p)
{
	Writes w;
	for (const auto &s : p.steps)
		w.emplace_back(s.write.path, s.write.line);
	return w;
}

// A reader over a fixed map of current values.
Reader reader(std::map<std::string, std::string> values)
{
	return [values = std::move(values)](const std::string &path) -> std::optional<std::string> {
		const auto it = values.find(path);
		if (it == values.end())
			return std::nullopt;
		return it->second;
	};
}

Options pruning()
{
	Options o;
	o.prune = true;
	return o;
}

Options only(std::string target)
{
	Options o;
	o.target = std::move(target);
	return o;
}

Options reading(Reader r)
{
	Options o;
	o.read_current = std::move(r);
	return o;
}

const Step *find_step(const Plan &p, std::string_view object, Action a)
{
	for (const auto &s : p.steps)
		if (s.object == object && s.action == a)
			return &s;
	return nullptr;
}

// --- planning ------------------------------------------------------------

constexpr std::string_view box = R"(
HANDLER vdisk_fileio {
	DEVICE disk1 {
		filename /d1
		nv_cache 1
	}
	DEVICE disk2 { filename /d2 }
}
TARGET_DRIVER iscsi {
	enabled 1
	TARGET t1 {
		enabled 1
		LUN 0 disk1
		GROUP a { LUN 0 disk2; INITIATOR iqn.x; INITIATOR iqn.y }
		GROUP b { INITIATOR iqn.z }
	}
}
)";

TEST(Plan, SameConfigurationPlansNothing)
{
	const Plan p = plan_ok(cfg(box), cfg(box));
	EXPECT_TRUE(p.empty()) << format(p);
	EXPECT_TRUE(p.extra.empty());
	EXPECT_EQ(format(p), "nothing to do\n");
}

TEST(Plan, LocalTargetsNeedNoEnableOrDisable)
{
	// an scst.conf from SCST (no enabled) and one from an older save
	// (enabled 1) both match a running local target, and create none
	const Config have = cfg("TARGET_DRIVER scst_local { TARGET t1 }");
	for (const char *want : {"TARGET_DRIVER scst_local { TARGET t1 }",
				 "TARGET_DRIVER scst_local { TARGET t1 { enabled 1 } }"}) {
		EXPECT_TRUE(plan_ok(have, cfg(want)).empty()) << want;
		const Plan fresh = plan_ok(Config{}, cfg(want));
		ASSERT_EQ(fresh.steps.size(), 1u) << format(fresh);
		EXPECT_EQ(fresh.steps[0].action, Action::create);
	}
	// with prune, a file without the target deletes it, it does not disable it
	const Plan gone = plan_ok(have, Config{}, pruning());
	for (const Step &s : gone.steps)
		EXPECT_NE(s.action, Action::disable) << format(gone);
}

TEST(Plan, LocalSessionsAreAddedAndDeletedNotRecreated)
{
	const Config have = cfg("HANDLER vdisk_nullio { DEVICE n1 { size_mb 1 } }\n"
				"TARGET_DRIVER scst_local { TARGET t1 { session_name h1; LUN 0 n1 } }");
	// the same sessions: nothing to do
	EXPECT_TRUE(plan_ok(have, have).empty());

	// a new target: created, its LUN, then its sessions (the new SCSI host
	// sees the LUN in its first scan)
	const Plan fresh = plan_ok(Config{}, have);
	EXPECT_EQ(writes(fresh), (Writes{
		{"handlers/vdisk_nullio/mgmt", "add_device n1 size_mb=1"},
		{"targets/scst_local/mgmt", "add_target t1"},
		{"targets/scst_local/t1/luns/mgmt", "add n1 0"},
		{"targets/scst_local/mgmt", "add_session t1 h1"},
	})) << format(fresh);

	// another session: added, the target and its first session stay
	const Config two = cfg("HANDLER vdisk_nullio { DEVICE n1 { size_mb 1 } }\n"
			       "TARGET_DRIVER scst_local { TARGET t1 {\n"
			       "session_name h1\nsession_name h2\nLUN 0 n1 } }");
	const Plan more = plan_ok(have, two);
	EXPECT_EQ(writes(more), (Writes{{"targets/scst_local/mgmt", "add_session t1 h2"}}))
		<< format(more);
	const Step *add = find_step(more, "session h2 of scst_local/t1", Action::add);
	ASSERT_TRUE(add) << format(more);
	EXPECT_EQ(add->undo, (std::vector<Write>{{"targets/scst_local/mgmt", "del_session t1 h2"}}));

	// a session the file lacks: reported, deleted only with prune, first
	const Plan kept = plan_ok(two, have);
	EXPECT_TRUE(kept.empty()) << format(kept);
	EXPECT_EQ(kept.extra, std::vector<std::string>{"session h2 of scst_local/t1"});
	const Plan fewer = plan_ok(two, have, pruning());
	EXPECT_EQ(writes(fewer), (Writes{{"targets/scst_local/mgmt", "del_session t1 h2"}}));

	// a pruned target comes back with its sessions on rollback
	const Plan gone = plan_ok(two, cfg("HANDLER vdisk_nullio { DEVICE n1 { size_mb 1 } }"),
				  pruning());
	const Step *del = find_step(gone, "target scst_local/t1", Action::remove);
	ASSERT_TRUE(del) << format(gone);
	EXPECT_EQ(del->undo, (std::vector<Write>{
		{"targets/scst_local/mgmt", "add_target t1"},
		{"targets/scst_local/mgmt", "add_session t1 h1"},
		{"targets/scst_local/mgmt", "add_session t1 h2"},
	}));

	// a name that cannot be a session directory is refused, naming it
	const auto bad = make(Config{}, cfg("TARGET_DRIVER scst_local { TARGET t1 { session_name a/b } }"),
			      {});
	ASSERT_FALSE(bad);
	EXPECT_NE(std::string(bad.error().what()).find("session a/b of scst_local/t1"),
		  std::string::npos) << bad.error().what();
}

TEST(Plan, BringUpOrderFromNothing)
{
	const Config want = cfg(R"(
setup_id 0x10
HANDLER vdisk_fileio {
	DEVICE disk1 {
		filename /d1
		nv_cache 1
		t10_vend_id STRIX
	}
}
TARGET_DRIVER iscsi {
	enabled 1
	TARGET t1 {
		IncomingUser "joe 12charsecret"
		HeaderDigest CRC32C
		enabled 1
		LUN 0 disk1
		GROUP g {
			LUN 1 disk1 { read_only 1 }
			INITIATOR iqn.a
		}
	}
}
)");
	const Plan p = plan_ok(Config{}, want);
	EXPECT_EQ(writes(p),
		  (Writes{
			  {"setup_id", "0x10"},
			  {"handlers/vdisk_fileio/mgmt", "add_device disk1 filename=/d1; nv_cache=1"},
			  {"targets/iscsi/mgmt", "add_target t1"},
			  {"devices/disk1/t10_vend_id", "STRIX"},
			  {"targets/iscsi/t1/HeaderDigest", "CRC32C"},
			  {"targets/iscsi/mgmt", "add_target_attribute t1 IncomingUser joe 12charsecret"},
			  {"targets/iscsi/t1/ini_groups/mgmt", "create g"},
			  {"targets/iscsi/t1/ini_groups/g/initiators/mgmt", "add iqn.a"},
			  {"targets/iscsi/t1/ini_groups/g/luns/mgmt", "add disk1 1 read_only=1"},
			  {"targets/iscsi/t1/luns/mgmt", "add disk1 0"},
			  {"targets/iscsi/t1/enabled", "1"},
			  {"targets/iscsi/enabled", "1"},
		  }))
		<< format(p);
	const Step *dev = find_step(p, "device disk1", Action::create);
	ASSERT_TRUE(dev);
	EXPECT_EQ(dev->undo, (std::vector<Write>{{"handlers/vdisk_fileio/mgmt", "del_device disk1"}}));
	const Step *attr = find_step(p, "attribute t10_vend_id of device disk1", Action::set);
	ASSERT_TRUE(attr);
	EXPECT_EQ(attr->parent, "device disk1");
	const Step *root = find_step(p, "attribute setup_id of root", Action::set);
	ASSERT_TRUE(root);
	EXPECT_TRUE(root->undo_reads_old);
}

TEST(Plan, WithoutPruneExtrasAreOnlyReported)
{
	Config have = cfg(box);
	have.handlers["vdisk_nullio"].devices["spare"] = {};
	auto &iscsi = have.drivers["iscsi"];
	iscsi.targets["t9"].luns[0] = config::Lun{"spare", {}};
	auto &t1 = iscsi.targets["t1"];
	t1.attrs["IncomingUser"] = {"old pass"};
	t1.luns[5] = config::Lun{"spare", {}};
	t1.groups["c"].initiators = {"iqn.w"};
	const Plan p = plan_ok(have, cfg(box));
	EXPECT_TRUE(p.empty()) << format(p);
	EXPECT_EQ(p.extra, (std::vector<std::string>{
				   "device spare (handler vdisk_nullio)",
				   "attribute IncomingUser of target iscsi/t1 \"old pass\"",
				   "group c of iscsi/t1",
				   "LUN 5 of iscsi/t1",
				   "initiator iqn.w of iscsi/t1 (group c)",
				   "target iscsi/t9",
			   }));
	EXPECT_NE(format(p).find("not in the file, kept"), std::string::npos);
}

TEST(Plan, PruneRemovesInReverseOrder)
{
	Config have = cfg(box);
	have.handlers["vdisk_nullio"].devices["spare"].attrs["size_mb"] = {"10"};
	auto &t9 = have.drivers["iscsi"].targets["t9"];
	t9.attrs["enabled"] = {"1"};
	t9.luns[0] = config::Lun{"spare", {}};
	t9.groups["h"].luns[1] = config::Lun{"spare", {}};
	t9.groups["h"].initiators = {"iqn.h"};
	have.drivers["iscsi"].targets["t1"].attrs["IncomingUser"] = {"old pass"};
	const Plan p = plan_ok(have, cfg(box), pruning());
	EXPECT_EQ(writes(p),
		  (Writes{
			  {"targets/iscsi/t9/enabled", "0"},
			  {"targets/iscsi/t9/ini_groups/h/luns/mgmt", "del 1"},
			  {"targets/iscsi/t9/luns/mgmt", "del 0"},
			  {"targets/iscsi/t9/ini_groups/h/initiators/mgmt", "del iqn.h"},
			  {"targets/iscsi/t9/ini_groups/mgmt", "del h"},
			  {"targets/iscsi/mgmt", "del_target_attribute t1 IncomingUser old pass"},
			  {"targets/iscsi/mgmt", "del_target t9"},
			  {"handlers/vdisk_nullio/mgmt", "del_device spare"},
		  }))
		<< format(p);
	EXPECT_TRUE(p.extra.empty());
	const Step *dev = find_step(p, "device spare", Action::remove);
	ASSERT_TRUE(dev);
	EXPECT_EQ(dev->undo,
		  (std::vector<Write>{{"handlers/vdisk_nullio/mgmt", "add_device spare size_mb=10"}}));
	const Step *lun = find_step(p, "LUN 1 of iscsi/t9 group h", Action::del);
	ASSERT_TRUE(lun);
	EXPECT_EQ(lun->undo, (std::vector<Write>{{"targets/iscsi/t9/ini_groups/h/luns/mgmt",
						  "add spare 1"}}));
}

TEST(Plan, CreationOnlyAttributeMeansRecreate)
{
	Config want = cfg(box);
	want.handlers["vdisk_fileio"].devices["disk1"].attrs["filename"] = {"/new"};
	want.handlers["vdisk_fileio"].devices["disk1"].attrs["t10_vend_id"] = {"ACME"};
	const Plan p = plan_ok(cfg(box), want,
			       reading(reader({{"devices/disk1/t10_vend_id", "STRIX"}})));
	EXPECT_EQ(writes(p),
		  (Writes{
			  {"targets/iscsi/t1/luns/mgmt", "del 0"},
			  {"handlers/vdisk_fileio/mgmt", "del_device disk1"},
			  {"handlers/vdisk_fileio/mgmt", "add_device disk1 filename=/new; nv_cache=1"},
			  {"devices/disk1/t10_vend_id", "ACME"},
			  {"targets/iscsi/t1/luns/mgmt", "add disk1 0"},
		  }))
		<< format(p);
	const Step *del = find_step(p, "device disk1", Action::remove);
	ASSERT_TRUE(del);
	EXPECT_EQ(del->reason, "recreate: filename /d1 -> /new");
	EXPECT_EQ(find_step(p, "device disk1", Action::create)->reason, del->reason);
	EXPECT_EQ(find_step(p, "LUN 0 of iscsi/t1", Action::del)->reason,
		  "device disk1 is recreated");
}

TEST(Plan, RecreateLetsGoOfLunsOfTargetsTheFileLacks)
{
	Config have = cfg(box);
	have.drivers["iscsi"].targets["old"].luns[4] = config::Lun{"disk1", {}};
	Config want = cfg(box);
	want.handlers["vdisk_fileio"].devices["disk1"].attrs["blocksize"] = {"4096"};
	const Plan p = plan_ok(have, want);
	EXPECT_EQ(writes(p),
		  (Writes{
			  {"targets/iscsi/old/luns/mgmt", "del 4"},
			  {"targets/iscsi/t1/luns/mgmt", "del 0"},
			  {"handlers/vdisk_fileio/mgmt", "del_device disk1"},
			  {"handlers/vdisk_fileio/mgmt",
			   "add_device disk1 blocksize=4096; filename=/d1; nv_cache=1"},
			  {"targets/iscsi/old/luns/mgmt", "add disk1 4"},
			  {"targets/iscsi/t1/luns/mgmt", "add disk1 0"},
		  }))
		<< format(p);
	EXPECT_EQ(p.extra, std::vector<std::string>{"target iscsi/old"});
}

TEST(Plan, RunTimeAttributeIsWrittenInPlace)
{
	Config have = cfg(box), want = cfg(box);
	have.handlers["vdisk_fileio"].devices["disk2"].attrs["prod_id"] = {"OLD"};
	want.handlers["vdisk_fileio"].devices["disk2"].attrs["prod_id"] = {"NEW"};
	const Plan p = plan_ok(have, want);
	EXPECT_EQ(writes(p), (Writes{{"devices/disk2/prod_id", "NEW"}}));
	EXPECT_EQ(p.steps[0].undo, (std::vector<Write>{{"devices/disk2/prod_id", "OLD"}}));
	EXPECT_FALSE(p.steps[0].undo_reads_old);
}

TEST(Plan, DefaultValuesAreComparedWithTheTree)
{
	// blocksize 512 is the default: the running model does not save it.
	const Config want = cfg("HANDLER vdisk_fileio { DEVICE disk2 { filename /d2; blocksize 512;"
				" prod_id STRIX } }");
	const Config have = cfg("HANDLER vdisk_fileio { DEVICE disk2 { filename /d2 } }");
	const Plan same = plan_ok(have, want, reading(reader({
						      {"devices/disk2/blocksize", "512"},
						      {"devices/disk2/prod_id", "STRIX"},
					      })));
	EXPECT_TRUE(same.empty()) << format(same);
	// Without the tree's values, they count as different.
	const Plan blind = plan_ok(have, want);
	ASSERT_FALSE(blind.empty());
	EXPECT_EQ(blind.steps[0].reason, "recreate: blocksize (unset) -> 512");
	// A saved value the file leaves out differs from the default.
	const Plan dropped = plan_ok(cfg("HANDLER vdisk_fileio { DEVICE d { filename /d; nv_cache 1 } }"),
				     cfg("HANDLER vdisk_fileio { DEVICE d { filename /d } }"));
	ASSERT_FALSE(dropped.empty());
	EXPECT_EQ(dropped.steps[0].reason, "recreate: nv_cache 1 -> (default)");
}

TEST(Plan, HandlerChangeMeansRecreate)
{
	Config want = cfg(box);
	auto node = want.handlers["vdisk_fileio"].devices.extract("disk2");
	want.handlers["vdisk_blockio"].devices.insert(std::move(node));
	const Plan p = plan_ok(cfg(box), want);
	EXPECT_EQ(writes(p),
		  (Writes{
			  {"targets/iscsi/t1/ini_groups/a/luns/mgmt", "del 0"},
			  {"handlers/vdisk_fileio/mgmt", "del_device disk2"},
			  {"handlers/vdisk_blockio/mgmt", "add_device disk2 filename=/d2"},
			  {"targets/iscsi/t1/ini_groups/a/luns/mgmt", "add disk2 0"},
		  }))
		<< format(p);
	EXPECT_EQ(p.steps[1].reason, "recreate: handler vdisk_fileio -> vdisk_blockio");
}

TEST(Plan, MoveAnInitiator)
{
	Config want = cfg(box);
	auto &t1 = want.drivers["iscsi"].targets["t1"];
	t1.groups["a"].initiators.erase("iqn.y");
	t1.groups["b"].initiators.insert("iqn.y");
	const Plan p = plan_ok(cfg(box), want);
	ASSERT_EQ(p.steps.size(), 1u) << format(p);
	const Step &s = p.steps[0];
	EXPECT_EQ(s.action, Action::move);
	EXPECT_EQ(s.object, "initiator iqn.y of iscsi/t1");
	EXPECT_EQ(s.write, (Write{"targets/iscsi/t1/ini_groups/a/initiators/mgmt", "move iqn.y b"}));
	EXPECT_EQ(s.undo, (std::vector<Write>{
				  {"targets/iscsi/t1/ini_groups/b/initiators/mgmt", "move iqn.y a"}}));
	EXPECT_EQ(s.reason, "group a -> b");
}

TEST(Plan, InitiatorOfAPrunedGroupIsAddedToItsNewGroup)
{
	Config want = cfg(box);
	auto &t1 = want.drivers["iscsi"].targets["t1"];
	t1.groups.erase("a");
	t1.groups["b"].initiators.insert("iqn.x");
	const Plan p = plan_ok(cfg(box), want, pruning());
	EXPECT_EQ(writes(p),
		  (Writes{
			  {"targets/iscsi/t1/ini_groups/a/luns/mgmt", "del 0"},
			  {"targets/iscsi/t1/ini_groups/a/initiators/mgmt", "del iqn.x"},
			  {"targets/iscsi/t1/ini_groups/a/initiators/mgmt", "del iqn.y"},
			  {"targets/iscsi/t1/ini_groups/mgmt", "del a"},
			  {"targets/iscsi/t1/ini_groups/b/initiators/mgmt", "add iqn.x"},
		  }))
		<< format(p);
}

TEST(Plan, EnableLastDisableFirst)
{
	Config want = cfg(box);
	want.drivers["iscsi"].targets["t2"].attrs["enabled"] = {"1"};
	want.drivers["iscsi"].targets["t2"].luns[0] = config::Lun{"disk2", {}};
	// t1 loses enabled (absent means 0) and a LUN.
	want.drivers["iscsi"].targets["t1"].attrs.erase("enabled");
	want.drivers["iscsi"].targets["t1"].luns.clear();
	Config have = cfg(box);
	have.drivers["iscsi"].attrs.erase("enabled");
	const Plan p = plan_ok(have, want, pruning());
	EXPECT_EQ(writes(p),
		  (Writes{
			  {"targets/iscsi/t1/enabled", "0"},
			  {"targets/iscsi/t1/luns/mgmt", "del 0"},
			  {"targets/iscsi/mgmt", "add_target t2"},
			  {"targets/iscsi/t2/luns/mgmt", "add disk2 0"},
			  {"targets/iscsi/t2/enabled", "1"},
			  {"targets/iscsi/enabled", "1"},
		  }))
		<< format(p);
	EXPECT_EQ(p.steps.back().action, Action::enable);
	EXPECT_EQ(p.steps.front().action, Action::disable);
}

TEST(Plan, LunOnAnotherDeviceIsReplaced)
{
	Config want = cfg(box);
	want.drivers["iscsi"].targets["t1"].luns[0].device = "disk2";
	const Plan p = plan_ok(cfg(box), want);
	ASSERT_EQ(p.steps.size(), 1u) << format(p);
	EXPECT_EQ(p.steps[0].action, Action::replace);
	EXPECT_EQ(p.steps[0].write, (Write{"targets/iscsi/t1/luns/mgmt", "replace disk2 0"}));
	EXPECT_EQ(p.steps[0].undo,
		  (std::vector<Write>{{"targets/iscsi/t1/luns/mgmt", "replace disk1 0"}}));
}

TEST(Plan, ReadOnlyChangeReaddsTheLun)
{
	Config want = cfg(box);
	want.drivers["iscsi"].targets["t1"].luns[0].attrs["read_only"] = {"1"};
	const Plan p = plan_ok(cfg(box), want);
	EXPECT_EQ(writes(p), (Writes{{"targets/iscsi/t1/luns/mgmt", "del 0"},
				     {"targets/iscsi/t1/luns/mgmt", "add disk1 0 read_only=1"}}));
	// read_only 0 is the default.
	Config zero = cfg(box);
	zero.drivers["iscsi"].targets["t1"].luns[0].attrs["read_only"] = {"0"};
	EXPECT_TRUE(plan_ok(cfg(box), zero).empty());
}

TEST(Plan, TargetFilterTouchesOnlyThatTarget)
{
	Config have = cfg(box);
	have.drivers["scst_local"].targets["t1"] = {};
	Config want = cfg(std::string(box) + R"(
setup_id 9
HANDLER vdisk_fileio {
	DEVICE disk3 { filename /d3 }
	DEVICE disk4 { filename /d4 }
}
TARGET_DRIVER iscsi {
	IncomingUser "disc secret"
	TARGET t2 { LUN 0 disk4 }
}
)");
	want.handlers["vdisk_fileio"].devices["disk1"].attrs["filename"] = {"/moved"};
	auto &t1 = want.drivers["iscsi"].targets["t1"];
	t1.luns[1] = config::Lun{"disk3", {}};
	t1.luns[2] = config::Lun{"disk1", {}};
	t1.attrs["HeaderDigest"] = {"CRC32C"};

	const Plan p = plan_ok(have, want, only("iscsi/t1"));
	EXPECT_EQ(writes(p),
		  (Writes{
			  {"handlers/vdisk_fileio/mgmt", "add_device disk3 filename=/d3"},
			  {"targets/iscsi/t1/HeaderDigest", "CRC32C"},
			  {"targets/iscsi/t1/luns/mgmt", "add disk3 1"},
			  {"targets/iscsi/t1/luns/mgmt", "add disk1 2"},
		  }))
		<< format(p);
	ASSERT_EQ(p.notes.size(), 1u);
	EXPECT_NE(p.notes[0].find("device disk1 differs"), std::string::npos);

	// A bare name must be unique across drivers.
	const auto ambiguous = make(have, want, only("t1"));
	ASSERT_FALSE(ambiguous);
	EXPECT_EQ(ambiguous.error().problem(), "ambiguous target name");
	EXPECT_EQ(std::string(ambiguous.error().what()),
		  "target t1: ambiguous target name: drivers iscsi, scst_local have it; write "
		  "DRIVER/t1");
	const auto t2 = plan_ok(have, want, only("t2"));
	EXPECT_EQ(writes(t2), (Writes{{"handlers/vdisk_fileio/mgmt", "add_device disk4 filename=/d4"},
				      {"targets/iscsi/mgmt", "add_target t2"},
				      {"targets/iscsi/t2/luns/mgmt", "add disk4 0"}}));
	const auto missing = make(have, want, only("nope"));
	ASSERT_FALSE(missing);
	EXPECT_EQ(missing.error().subject(), "target nope");
}

TEST(Plan, DeviceGroups)
{
	const Config want = cfg(std::string(box) + R"(
DEVICE_GROUP dg1 {
	DEVICE disk1
	TARGET_GROUP tg1 {
		group_id 1
		state active
		TARGET t1 { rel_tgt_id 1 }
	}
}
)");
	const Plan p = plan_ok(cfg(box), want);
	EXPECT_EQ(writes(p),
		  (Writes{
			  {"device_groups/mgmt", "create dg1"},
			  {"device_groups/dg1/devices/mgmt", "add disk1"},
			  {"device_groups/dg1/target_groups/mgmt", "create tg1"},
			  {"device_groups/dg1/target_groups/tg1/group_id", "1"},
			  {"device_groups/dg1/target_groups/tg1/state", "active"},
			  {"device_groups/dg1/target_groups/tg1/mgmt", "add t1"},
			  {"device_groups/dg1/target_groups/tg1/t1/rel_tgt_id", "1"},
		  }))
		<< format(p);
	const Plan back = plan_ok(want, cfg(box), pruning());
	EXPECT_EQ(writes(back),
		  (Writes{
			  {"device_groups/dg1/target_groups/tg1/mgmt", "del t1"},
			  {"device_groups/dg1/target_groups/mgmt", "del tg1"},
			  {"device_groups/dg1/devices/mgmt", "del disk1"},
			  {"device_groups/mgmt", "del dg1"},
		  }))
		<< format(back);
}

TEST(Plan, ErrorsNameTheObject)
{
	const auto lun = make(Config{}, cfg("TARGET_DRIVER iscsi { TARGET t { LUN 3 ghost } }"));
	ASSERT_FALSE(lun);
	EXPECT_EQ(std::string(lun.error().what()),
		  "LUN 3 of iscsi/t: no device ghost: the file does not define it and the tree "
		  "does not have it");

	const auto hw = make(Config{}, cfg("TARGET_DRIVER qla2x00t { TARGET 50:01 { HW_TARGET } }"));
	ASSERT_FALSE(hw);
	EXPECT_EQ(hw.error().subject(), "target qla2x00t/50:01");
	EXPECT_EQ(hw.error().problem(), "hardware target not present");

	const auto semi = make(Config{}, cfg("HANDLER vdisk_fileio { DEVICE d { filename \"/a;b\" } }"));
	ASSERT_FALSE(semi);
	EXPECT_EQ(semi.error().subject(), "device d");

	// A device that pruning would remove cannot carry a LUN of the file.
	const auto pruned = make(cfg(box), cfg("TARGET_DRIVER iscsi { TARGET t1 { LUN 0 disk1 } }"),
				 pruning());
	ASSERT_FALSE(pruned);
	EXPECT_EQ(pruned.error().subject(), "LUN 0 of iscsi/t1");
}

TEST(Plan, HardwareTargetIsNeverDeleted)
{
	const Config have = cfg("HANDLER vdisk_nullio { DEVICE n }\n"
				"TARGET_DRIVER qla2x00t { TARGET 50:01 { HW_TARGET; enabled 1; LUN 0 n } }");
	const Plan p = plan_ok(have, cfg("HANDLER vdisk_nullio { DEVICE n }"), pruning());
	EXPECT_EQ(writes(p), (Writes{{"targets/qla2x00t/50:01/enabled", "0"},
				     {"targets/qla2x00t/50:01/luns/mgmt", "del 0"}}))
		<< format(p);
	ASSERT_EQ(p.notes.size(), 1u);
}

TEST(Plan, DescribeAndFormat)
{
	const Plan p = plan_ok(Config{}, cfg("HANDLER vdisk_nullio { DEVICE n }"));
	ASSERT_EQ(p.steps.size(), 1u);
	EXPECT_EQ(describe(p.steps[0]),
		  "create device n: handlers/vdisk_nullio/mgmt <- \"add_device n\"");
	EXPECT_EQ(format(p), "   1. create device n: handlers/vdisk_nullio/mgmt <- \"add_device n\"\n");
}

// --- executing against a fixture tree --------------------------------------

class PlanExecute : public strix::testing::TreeFixture {
protected:
	void SetUp() override
	{
		TreeFixture::SetUp();
		write_file("targets/iscsi/mgmt", "");
		write_file("targets/iscsi/t1/luns/mgmt", "");
		write_file("targets/iscsi/t1/enabled", "0\n");
		write_file("targets/iscsi/t1/ini_groups/mgmt", "");
		write_file("targets/iscsi/t1/ini_groups/a/initiators/mgmt", "");
		write_file("targets/iscsi/t1/ini_groups/b/initiators/mgmt", "");
		write_file("devices/disk2/prod_id", "OLD\n");
	}

	// disk2 is created, t1 too, with a LUN and enabled.
	Plan bring_up() const
	{
		return plan_ok(cfg("HANDLER vdisk_fileio { DEVICE disk1 { filename "
				   "/var/lib/strix/disk1.img } }"),
			       cfg(R"(
HANDLER vdisk_fileio {
	DEVICE disk1 { filename /var/lib/strix/disk1.img }
	DEVICE disk2 { filename /d2; prod_id NEW }
}
TARGET_DRIVER iscsi { TARGET t1 { enabled 1; LUN 0 disk2 } }
)"));
	}
};

TEST_F(PlanExecute, AllStepsRun)
{
	const Plan p = bring_up();
	ASSERT_EQ(p.steps.size(), 5u) << format(p);
	const Report r = execute(sysfs::Tree(root_), p);
	EXPECT_TRUE(r.ok()) << r.summary(p);
	EXPECT_EQ(r.in(StepState::done).size(), 5u);
	EXPECT_EQ(read_file("handlers/vdisk_fileio/mgmt"), "add_device disk2 filename=/d2\n");
	EXPECT_EQ(read_file("targets/iscsi/mgmt"), "add_target t1\n");
	EXPECT_EQ(read_file("devices/disk2/prod_id"), "NEW\n");
	EXPECT_EQ(read_file("targets/iscsi/t1/luns/mgmt"), "add disk2 0\n");
	EXPECT_EQ(read_file("targets/iscsi/t1/enabled"), "1\n");
	EXPECT_EQ(r.summary(p), "applied 5 steps\n");
}

TEST_F(PlanExecute, FailureRollsBackWhatRan)
{
	refuse_writes("targets/iscsi/t1/luns/mgmt");
	const Plan p = bring_up();
	const Report r = execute(sysfs::Tree(root_), p);
	ASSERT_FALSE(r.ok());
	ASSERT_TRUE(r.failed);
	EXPECT_EQ(p.steps[*r.failed].object, "LUN 0 of iscsi/t1");
	ASSERT_TRUE(r.error);
	EXPECT_EQ(r.error->errnum(), EISDIR);
	EXPECT_EQ(r.states, (std::vector<StepState>{StepState::undone, StepState::undone,
						    StepState::undone, StepState::failed,
						    StepState::pending}));
	EXPECT_TRUE(r.left().empty());
	// The undo lines were the last ones written.
	EXPECT_EQ(read_file("targets/iscsi/mgmt"), "del_target t1\n");
	EXPECT_EQ(read_file("handlers/vdisk_fileio/mgmt"), "del_device disk2\n");
	const std::string s = r.summary(p);
	EXPECT_NE(s.find("step 4 failed: "), std::string::npos) << s;
	EXPECT_NE(s.find("Is a directory"), std::string::npos) << s;
	EXPECT_NE(s.find("left in the tree: nothing"), std::string::npos) << s;
	EXPECT_NE(s.find("not run: 1 step"), std::string::npos) << s;
}

TEST_F(PlanExecute, PlanAndReportAsJson)
{
	refuse_writes("targets/iscsi/t1/luns/mgmt");
	const Plan p = bring_up();
	const nlohmann::json jp = p;
	ASSERT_EQ(jp["steps"].size(), 5u);
	EXPECT_EQ(jp["steps"][0]["action"], "create");
	EXPECT_EQ(jp["steps"][0]["object"], "device disk2");
	EXPECT_EQ(jp["steps"][0]["undo"][0]["line"], "del_device disk2");
	EXPECT_EQ(jp["steps"][2]["parent"], "device disk2");
	const nlohmann::json jr = execute(sysfs::Tree(root_), p);
	EXPECT_EQ(jr["ok"], false);
	EXPECT_EQ(jr["failed"], 3);
	EXPECT_EQ(jr["error"]["errno_name"], "EISDIR");
	EXPECT_EQ(jr["steps"][0]["state"], "undone");
	EXPECT_EQ(jr["steps"][4]["state"], "pending");
	EXPECT_TRUE(jr["left"].empty());
}

TEST_F(PlanExecute, UndoRestoresTheValueReadBefore)
{
	// prod_id is not saved, so the plan reads the old value at run time.
	Config want = cfg("HANDLER vdisk_fileio { DEVICE disk2 { filename /d2; prod_id NEW } }\n"
			  "TARGET_DRIVER iscsi { TARGET t1 { LUN 0 disk2 } }");
	Config have = cfg("HANDLER vdisk_fileio { DEVICE disk2 { filename /d2 } }\n"
			  "TARGET_DRIVER iscsi { TARGET t1 }");
	refuse_writes("targets/iscsi/t1/luns/mgmt");
	const Plan p = plan_ok(have, want);
	ASSERT_EQ(p.steps.size(), 2u) << format(p);
	EXPECT_TRUE(p.steps[0].undo_reads_old);
	const Report r = execute(sysfs::Tree(root_), p);
	EXPECT_EQ(r.states, (std::vector<StepState>{StepState::undone, StepState::failed}));
	EXPECT_EQ(read_file("devices/disk2/prod_id"), "OLD\n");
}

TEST_F(PlanExecute, ReportsWhatIsLeftWhenAnUndoFails)
{
	// Step 1 moves iqn.y a -> b; its undo writes to group b's mgmt, which
	// refuses; then step 2 fails.
	Config have = cfg("TARGET_DRIVER iscsi { TARGET t1 {\n"
			  "GROUP a { INITIATOR iqn.y }\nGROUP b\n} }");
	Config want = cfg("TARGET_DRIVER iscsi { TARGET t1 {\n"
			  "GROUP a\nGROUP b { INITIATOR iqn.y }\nenabled 1\n} }");
	const Plan p = plan_ok(have, want);
	ASSERT_EQ(p.steps.size(), 2u) << format(p);
	refuse_writes("targets/iscsi/t1/ini_groups/b/initiators/mgmt");
	refuse_writes("targets/iscsi/t1/enabled");
	const Report r = execute(sysfs::Tree(root_), p);
	EXPECT_EQ(r.states, (std::vector<StepState>{StepState::undo_failed, StepState::failed}));
	ASSERT_EQ(r.undo_errors.size(), 1u);
	EXPECT_EQ(r.undo_errors[0].first, 0u);
	EXPECT_EQ(r.left(), (std::vector<std::size_t>{0}));
	const std::string s = r.summary(p);
	EXPECT_NE(s.find("undo of step 1 failed"), std::string::npos) << s;
	EXPECT_NE(s.find("left in the tree:\n   1. move initiator iqn.y"), std::string::npos) << s;
}

TEST_F(PlanExecute, WithoutRollbackDoneStepsStay)
{
	refuse_writes("targets/iscsi/t1/luns/mgmt");
	const Plan p = bring_up();
	const Report r = execute(sysfs::Tree(root_), p, ExecOptions{.rollback = false});
	EXPECT_EQ(r.in(StepState::done), (std::vector<std::size_t>{0, 1, 2}));
	EXPECT_EQ(r.left(), (std::vector<std::size_t>{0, 1, 2}));
	EXPECT_EQ(read_file("targets/iscsi/mgmt"), "add_target t1\n");
}

TEST_F(PlanExecute, ApplyThenReadThenPlanIsEmpty)
{
	// The fixture as the kernel would leave it after applying the file:
	// the model of that tree, planned against the file, is a no-op.
	std::filesystem::remove_all(root_ / "devices/disk2");
	write_file("devices/disk1/blocksize", "512\n");
	const Config want = cfg("setup_id 0x2a\n"
				"HANDLER vdisk_fileio { DEVICE disk1 {\n"
				"filename /var/lib/strix/disk1.img; blocksize 512 } }\n");
	const sysfs::Tree tree(root_);
	auto running = model::read(tree);
	ASSERT_TRUE(running) << running.error().what();
	const Plan p = plan_ok(*running, want, reading(tree_reader(tree)));
	EXPECT_TRUE(p.empty()) << format(p);
}

} // namespace
} // namespace strix::plan
