// apply, diff, save and boot on fixture trees.
#include <chrono>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli.h"
#include "config.h"
#include "model.h"
#include "testing/cli_runner.h"

namespace strix::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// What the fixture's tree holds, as a file.
const std::string running_conf = R"(setup_id 0x2a

HANDLER vdisk_fileio {
	DEVICE disk1 {
		filename /var/lib/strix/disk1.img
	}
}
)";

// disk1 as it is, a new disk2, and two local targets.
const std::string wanted_conf = R"(setup_id 0x2a
HANDLER vdisk_fileio {
	DEVICE disk1 { filename /var/lib/strix/disk1.img }
	DEVICE disk2 { filename /srv/disk2.img }
}
TARGET_DRIVER iscsi {
	TARGET t1 {
		LUN 0 disk1
		enabled 1
	}
	TARGET t2 {
		LUN 0 disk2
	}
}
)";

class Apply : public testing::CliFixture {
protected:
	void SetUp() override
	{
		CliFixture::SetUp();
		write_file("targets/iscsi/mgmt", "");
	}
	// A directory the kernel would create when the plan creates its
	// object: a symlink to a directory outside the tree, so that writes
	// through it land, but the model (which never follows links) does not
	// see the object as there already.
	void kernel_dir(const std::string &rel) const
	{
		const fs::path real = base_ / "kernel" / rel;
		fs::create_directories(real);
		fs::create_directories((root_ / rel).parent_path());
		if (!fs::exists(root_ / rel))
			fs::create_directory_symlink(real, root_ / rel);
	}
	void kernel_target(const std::string &name) const
	{
		kernel_dir("targets/iscsi/" + name);
		write_file("targets/iscsi/" + name + "/luns/mgmt", "");
		write_file("targets/iscsi/" + name + "/enabled", "0\n");
	}
	std::vector<std::string> lines(const json &plan) const
	{
		std::vector<std::string> v;
		for (const auto &s : plan["steps"])
			v.push_back(s["path"].get<std::string>() + " <- " + s["line"].get<std::string>());
		return v;
	}
};

using Strings = std::vector<std::string>;

TEST_F(Apply, DryRunPrintsThePlanAndWritesNothing)
{
	const auto file = write_outside("s.conf", wanted_conf);
	const auto r = strixctl({"apply", file, "--dry-run", "--json"});
	ASSERT_EQ(r.code, exit_ok) << r.err;
	const json j = json::parse(r.out);
	EXPECT_EQ(j["dry_run"], true);
	EXPECT_EQ(j["report"], nullptr);
	EXPECT_EQ(lines(j["plan"]), (Strings{
		"handlers/vdisk_fileio/mgmt <- add_device disk2 filename=/srv/disk2.img",
		"targets/iscsi/mgmt <- add_target t1",
		"targets/iscsi/mgmt <- add_target t2",
		"targets/iscsi/t1/luns/mgmt <- add disk1 0",
		"targets/iscsi/t2/luns/mgmt <- add disk2 0",
		"targets/iscsi/t1/enabled <- 1",
	}));
	EXPECT_EQ(written("handlers/vdisk_fileio/mgmt"), "");
	EXPECT_EQ(read_file("targets/iscsi/mgmt"), "");

	const auto text = strixctl({"apply", file, "-n"});
	EXPECT_EQ(text.code, exit_ok);
	EXPECT_EQ(text.out.substr(0, text.out.find('\n')), "plan for " + file + ":");
	EXPECT_NE(text.out.find("   1. create device disk2: handlers/vdisk_fileio/mgmt <- "
				"\"add_device disk2 filename=/srv/disk2.img\""),
		  std::string::npos)
		<< text.out;
}

TEST_F(Apply, RunsThePlan)
{
	kernel_target("t1");
	kernel_target("t2");
	const auto file = write_outside("s.conf", wanted_conf);
	const auto r = strixctl({"apply", file, "--json"});
	ASSERT_EQ(r.code, exit_ok) << r.err << r.out;
	const json j = json::parse(r.out);
	EXPECT_EQ(j["report"]["ok"], true);
	EXPECT_EQ(j["report"]["left"].size(), 6u);
	EXPECT_EQ(written("handlers/vdisk_fileio/mgmt"), "add_device disk2 filename=/srv/disk2.img\n");
	EXPECT_EQ(read_file("targets/iscsi/mgmt"), "add_target t2\n"); // the last write
	EXPECT_EQ(read_file("targets/iscsi/t1/enabled"), "1\n");

	const auto text = strixctl({"apply", file});
	EXPECT_NE(text.out.find("applied 6 steps\n"), std::string::npos) << text.out;
}

TEST_F(Apply, AFailureRollsBackAndExitsOne)
{
	kernel_target("t1");
	kernel_target("t2");
	refuse_writes("targets/iscsi/t2/luns/mgmt");
	const auto file = write_outside("s.conf", wanted_conf);
	const auto r = strixctl({"apply", file, "--json"});
	EXPECT_EQ(r.code, exit_failure);
	const json j = json::parse(r.out);
	EXPECT_EQ(j["report"]["ok"], false);
	EXPECT_EQ(j["report"]["failed"], 4);
	EXPECT_EQ(j["report"]["left"], json::array());
	EXPECT_EQ(j["error"]["errno_name"], "EISDIR");
	EXPECT_EQ(j["error"]["message"].get<std::string>().substr(0, 40),
		  fmt::format("apply {}: step 5 failed: ", file).substr(0, 40));
	// Undone in reverse: the LUN, the targets, the device.
	EXPECT_EQ(read_file("targets/iscsi/t1/luns/mgmt"), "del 0\n");
	EXPECT_EQ(read_file("targets/iscsi/mgmt"), "del_target t1\n");
	EXPECT_EQ(written("handlers/vdisk_fileio/mgmt"), "del_device disk2\n");
	EXPECT_NE(r.err.find("step 5 failed: LUN 0 of iscsi/t2"), std::string::npos) << r.err;

	const auto text = strixctl({"apply", file});
	EXPECT_EQ(text.code, exit_failure);
	EXPECT_NE(text.out.find("left in the tree: nothing, the tree is as before"),
		  std::string::npos)
		<< text.out;
}

TEST_F(Apply, PruneRemovesWhatTheFileLacks)
{
	const auto file = write_outside("empty.conf", "setup_id 0x2a\n");
	auto r = strixctl({"apply", file, "--dry-run", "--json"});
	ASSERT_EQ(r.code, exit_ok) << r.err;
	json j = json::parse(r.out);
	EXPECT_TRUE(j["plan"]["steps"].empty());
	EXPECT_EQ(j["plan"]["extra"], json::array({"device disk1 (handler vdisk_fileio)"}));

	r = strixctl({"apply", file, "--dry-run", "--prune", "--json"});
	j = json::parse(r.out);
	EXPECT_EQ(lines(j["plan"]), Strings{"handlers/vdisk_fileio/mgmt <- del_device disk1"});
}

TEST_F(Apply, TargetAppliesOneTargetsPart)
{
	const auto file = write_outside("s.conf", wanted_conf);
	const auto r = strixctl({"apply", file, "--dry-run", "--target", "t2", "--json"});
	ASSERT_EQ(r.code, exit_ok) << r.err;
	EXPECT_EQ(lines(json::parse(r.out)["plan"]), (Strings{
		"handlers/vdisk_fileio/mgmt <- add_device disk2 filename=/srv/disk2.img",
		"targets/iscsi/mgmt <- add_target t2",
		"targets/iscsi/t2/luns/mgmt <- add disk2 0",
	}));
	const auto bad = strixctl({"apply", file, "-n", "--target", "t9"});
	EXPECT_EQ(bad.code, exit_failure);
}

TEST_F(Apply, ParseErrorsHaveLineAndColumn)
{
	const auto file = write_outside("bad.conf", "HANDLER vdisk_fileio {\n\tDEVICE d {\n}\n}\n}\n");
	const auto r = strixctl({"apply", file, "--json"});
	EXPECT_EQ(r.code, exit_failure);
	const std::string msg = json::parse(r.out)["error"]["message"];
	EXPECT_EQ(msg.substr(0, file.size() + 3), file + ":5:") << msg;
	EXPECT_EQ(strixctl({"apply", (base_ / "missing.conf").string()}).code, exit_failure);
}

TEST_F(Apply, EmptyPlanWritesNothing)
{
	const auto file = write_outside("same.conf", running_conf);
	const auto r = strixctl({"apply", file});
	EXPECT_EQ(r.code, exit_ok) << r.err;
	EXPECT_EQ(r.out, "plan for " + file + ":\nnothing to do\n");
}

// --- diff --------------------------------------------------------------------------

TEST_F(Apply, DiffExitCodes)
{
	const auto same = write_outside("same.conf", running_conf);
	auto r = strixctl({"diff", same});
	EXPECT_EQ(r.code, exit_ok);
	EXPECT_EQ(r.out, "no differences\n");
	r = strixctl({"diff", same, "--json"});
	EXPECT_EQ(json::parse(r.out)["differs"], false);

	const auto other = write_outside("other.conf", wanted_conf);
	r = strixctl({"diff", other});
	EXPECT_EQ(r.code, exit_differs);
	EXPECT_NE(r.out.find("apply --prune would:"), std::string::npos) << r.out;
	r = strixctl({"diff", other, "--json"});
	EXPECT_EQ(r.code, exit_differs);
	const json j = json::parse(r.out);
	EXPECT_EQ(j["differs"], true);
	EXPECT_EQ(j["plan"]["steps"].size(), 6u);

	// Only in the tree is a difference too.
	const auto less = write_outside("less.conf", "setup_id 0x2a\n");
	EXPECT_EQ(strixctl({"diff", less}).code, exit_differs);
	EXPECT_EQ(written("handlers/vdisk_fileio/mgmt"), ""); // diff never writes
}

// --- save ----------------------------------------------------------------------------

TEST_F(Apply, SaveWritesWhatApplyReadsBack)
{
	const std::string file = (base_ / "etc/strix/strix.conf").string();
	auto r = strixctl({"save", file, "--json"});
	ASSERT_EQ(r.code, exit_ok) << r.err;
	json j = json::parse(r.out);
	EXPECT_EQ(j["file"], file);
	EXPECT_EQ(j["backup"], nullptr);
	const std::string text = read_outside("etc/strix/strix.conf");
	EXPECT_EQ(j["bytes"], text.size());
	const auto parsed = config::parse(text);
	ASSERT_TRUE(parsed) << parsed.error().message();
	EXPECT_EQ(*parsed, model::read(sysfs::Tree(root_)).value());
	EXPECT_NE(text.find(running_conf), std::string::npos) << text;
	EXPECT_EQ(strixctl({"diff", file}).code, exit_ok);

	// Again, after a change: the first version is the backup.
	write_file("setup_id", "0x7\n[key]\n");
	r = strixctl({"save", file});
	ASSERT_EQ(r.code, exit_ok) << r.err;
	EXPECT_EQ(r.out, fmt::format("saved {} (previous version: {}.bak)\n", file, file));
	EXPECT_EQ(read_outside("etc/strix/strix.conf.bak"), text);
	EXPECT_NE(read_outside("etc/strix/strix.conf").find("setup_id 0x7\n"), std::string::npos);
	std::vector<std::string> names;
	for (const auto &e : fs::directory_iterator(base_ / "etc/strix"))
		names.push_back(e.path().filename().string());
	std::ranges::sort(names);
	EXPECT_EQ(names, (std::vector<std::string>{"strix.conf", "strix.conf.bak"}));
}

TEST_F(Apply, SaveFailureLeavesTheOldFile)
{
	fs::create_directories(base_ / "etc/strix.conf"); // a directory in the way
	const auto r = strixctl({"save", (base_ / "etc/strix.conf").string(), "--json"});
	EXPECT_EQ(r.code, exit_failure);
	EXPECT_EQ(json::parse(r.out)["error"]["problem"], "cannot replace");
}

// --- boot ----------------------------------------------------------------------------

class Boot : public Apply {
protected:
	// A fake modprobe: "-n -q M" succeeds for installed modules; every
	// call is logged.
	std::string fake_modprobe(const std::string &installed)
	{
		const std::string log = (base_ / "modprobe.log").string();
		const std::string script = write_outside(
			"modprobe", fmt::format("#!/bin/sh\necho \"$*\" >> {}\n"
						"if [ \"$1\" = -n ]; then\n"
						"  for m in {}; do [ \"$3\" = $m ] && exit 0; done\n"
						"  exit 1\nfi\nexit 0\n",
						log, installed));
		fs::permissions(script, fs::perms::owner_all);
		return script;
	}
	std::string conf_with_backing(const std::string &backing)
	{
		return write_outside("strix.conf",
				     running_conf + fmt::format("HANDLER vdisk_blockio {{\n"
								"\tDEVICE zvol1 {{ filename {} }}\n}}\n"
								"TARGET_DRIVER iscsi {{\n"
								"\tTARGET t1 {{ LUN 0 zvol1 }}\n}}\n",
								backing));
	}
};

TEST_F(Boot, LoadsInstalledModulesAndApplies)
{
	const auto modprobe = fake_modprobe("strix strix_vdisk strix_local");
	const auto file = conf_with_backing(base_.string()); // exists
	make_dir("handlers/vdisk_blockio");
	write_file("handlers/vdisk_blockio/mgmt", "");
	kernel_target("t1");
	const auto r = strixctl({"boot", "--config", file, "--modprobe", modprobe, "--json"});
	ASSERT_EQ(r.code, exit_ok) << r.err << r.out;
	const json j = json::parse(r.out);
	EXPECT_EQ(j["modules"]["loaded"], json::array({"strix", "strix_vdisk", "strix_local"}));
	EXPECT_EQ(j["modules"]["not_installed"],
		  json::array({"strix_dev", "strix_iscsi", "strix_srpt", "strix_qla2x"}));
	EXPECT_EQ(j["waited"], json::array());
	EXPECT_EQ(j["report"]["ok"], true);
	EXPECT_EQ(read_file("handlers/vdisk_blockio/mgmt"),
		  fmt::format("add_device zvol1 filename={}\n", base_.string()));
	const std::string log = read_outside("modprobe.log");
	EXPECT_NE(log.find("\nstrix\n"), std::string::npos) << log;
	EXPECT_EQ(log.find("\nstrix_iscsi\n"), std::string::npos) << log;
}

TEST_F(Boot, WaitsForABackingDeviceThatComesLate)
{
	const std::string late = (base_ / "late-device").string();
	const auto file = conf_with_backing(late);
	make_dir("handlers/vdisk_blockio");
	write_file("handlers/vdisk_blockio/mgmt", "");
	kernel_target("t1");
	std::thread maker([&] {
		std::this_thread::sleep_for(std::chrono::milliseconds(400));
		std::ofstream(late) << "";
	});
	const auto r = strixctl({"boot", "--config", file, "--no-modules", "--wait", "10"});
	maker.join();
	ASSERT_EQ(r.code, exit_ok) << r.err << r.out;
	EXPECT_NE(r.out.find(fmt::format("waiting up to 10 s for {} (device zvol1)", late)),
		  std::string::npos)
		<< r.out;
	EXPECT_NE(r.out.find(fmt::format("found {} (device zvol1) after ", late)), std::string::npos)
		<< r.out;
	EXPECT_EQ(read_file("handlers/vdisk_blockio/mgmt"),
		  fmt::format("add_device zvol1 filename={}\n", late));
}

TEST_F(Boot, LeavesOutWhatNeverCameAndSaysSo)
{
	const std::string never = (base_ / "never").string();
	const auto file = conf_with_backing(never);
	const auto r = strixctl({"boot", "--config", file, "--no-modules", "--wait", "0.3", "--json"});
	EXPECT_EQ(r.code, exit_failure);
	const json j = json::parse(r.out);
	EXPECT_EQ(j["dropped"], json::array({"zvol1"}));
	EXPECT_EQ(j["waited"][0]["found"], false);
	EXPECT_EQ(j["waited"][0]["path"], never);
	// The rest is applied: the target without the LUN on the missing device.
	EXPECT_EQ(lines(j["plan"]), Strings{"targets/iscsi/mgmt <- add_target t1"});
	EXPECT_EQ(j["report"]["ok"], true);
	EXPECT_NE(r.err.find("left out device with missing backing: zvol1"), std::string::npos)
		<< r.err;
}

} // namespace
} // namespace strix::cli
