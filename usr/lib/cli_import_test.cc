// import --from-scst and --from-targetcli on realistic inputs
// (testdata/scst.conf, testdata/saveconfig.json).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli.h"
#include "config.h"
#include "import.h"
#include "testing/cli_runner.h"

namespace strix {
namespace {

using nlohmann::json;

std::string testdata(const std::string &name)
{
	return std::string(STRIX_TESTDATA) + "/" + name;
}

std::string slurp(const std::string &path)
{
	std::ifstream f(path, std::ios::binary);
	return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

bool has(const std::vector<std::string> &notes, const std::string &text)
{
	return std::ranges::any_of(notes,
				   [&](const auto &n) { return n.find(text) != std::string::npos; });
}

const std::string iqn1 = "iqn.2003-01.org.linux-iscsi.storage1.x8664:sn.5a3c2b1d9e8f";
const std::string iqn2 = "iqn.2003-01.org.linux-iscsi.storage1.x8664:sn.scratch";

// --- targetcli ----------------------------------------------------------------------

class Targetcli : public ::testing::Test {
protected:
	void SetUp() override
	{
		auto r = import::from_targetcli(slurp(testdata("saveconfig.json")));
		ASSERT_TRUE(r) << r.error().what();
		result = std::move(r).value();
	}
	const config::Target &target(const std::string &drv, const std::string &name)
	{
		return result.config.drivers.at(drv).targets.at(name);
	}
	import::Result result;
};

TEST_F(Targetcli, StorageObjectsBecomeDevices)
{
	const auto &h = result.config.handlers;
	ASSERT_EQ(h.size(), 3u);
	const config::Attrs fileio{{"filename", {"/srv/iscsi/vm-images.img"}},
				   {"blocksize", {"4096"}},
				   {"rotational", {"0"}}};
	EXPECT_EQ(h.at("vdisk_fileio").devices.at("vmimages").attrs, fileio);
	const config::Attrs block{{"filename", {"/dev/vg0/db"}},
				  {"thin_provisioned", {"1"}},
				  {"write_through", {"1"}}};
	EXPECT_EQ(h.at("vdisk_blockio").devices.at("db").attrs, block);
	EXPECT_EQ(h.at("vdisk_nullio").devices.at("scratch").attrs,
		  (config::Attrs{{"size", {"1073741824"}}}));
	EXPECT_TRUE(has(result.unmapped, "storage object pscsi/tape0: pass-through of /dev/sg3"));
	EXPECT_TRUE(has(result.unmapped, "storage object user/vol1: no Strix handler"));
	EXPECT_TRUE(has(result.unmapped, "ramdisk/scratch: a RAM disk keeps data"));
	EXPECT_TRUE(has(result.unmapped, "block/db: attributes without a Strix equivalent: "
					 "max_unmap_block_desc_count=1, max_unmap_lba_count=8388607"));
	// Attributes at LIO's defaults and read-only hw_* ones are not noise.
	EXPECT_FALSE(has(result.unmapped, "hw_block_size"));
	EXPECT_FALSE(has(result.unmapped, "emulate_3pc"));
}

TEST_F(Targetcli, AclsBecomeGroupsWithTheirMappedLuns)
{
	const config::Target &t = target("iscsi", iqn1);
	EXPECT_TRUE(t.luns.empty()) << "generate_node_acls 0: nobody else sees LUNs";
	ASSERT_EQ(t.groups.size(), 2u);
	const config::Group &esx = t.groups.at("iqn.1998-01.com.vmware:esx1-4f2a1b3c");
	EXPECT_EQ(esx.initiators, std::set<std::string>{"iqn.1998-01.com.vmware:esx1-4f2a1b3c"});
	ASSERT_EQ(esx.luns.size(), 2u);
	EXPECT_EQ(esx.luns.at(0).device, "vmimages");
	EXPECT_TRUE(esx.luns.at(0).attrs.empty());
	EXPECT_EQ(esx.luns.at(1).device, "db");
	EXPECT_EQ(esx.luns.at(1).attrs, (config::Attrs{{"read_only", {"1"}}}));
	const config::Group &backup = t.groups.at("iqn.1994-05.com.redhat:backup01");
	EXPECT_EQ(backup.luns.at(5).device, "db"); // mapped LUN 5 -> TPG LUN 1
	EXPECT_TRUE(has(result.unmapped, "LUN 2: storage object /backstores/pscsi/tape0 not "
					 "converted"));
}

TEST_F(Targetcli, ChapBecomesIncomingAndOutgoingUser)
{
	const config::Attrs &a = target("iscsi", iqn1).attrs;
	EXPECT_EQ(a.at("IncomingUser"),
		  (std::set<std::string>{"esx1 esx1secret12", "backup backupsecret1"}));
	EXPECT_EQ(a.at("OutgoingUser"), std::set<std::string>{"target targetsecret1"});
	EXPECT_TRUE(has(result.unmapped, "Strix checks CHAP per target, not per initiator"));
	EXPECT_EQ(result.config.drivers.at("iscsi").attrs.at("IncomingUser"),
		  std::set<std::string>{"discovery disc0secret"});
	// AuthMethod CHAP is what IncomingUser means: not reported.
	EXPECT_FALSE(has(result.unmapped, "AuthMethod"));
}

TEST_F(Targetcli, TpgParametersPortalsAndState)
{
	const config::Attrs &a = target("iscsi", iqn1).attrs;
	EXPECT_EQ(a.at("enabled"), std::set<std::string>{"1"});
	EXPECT_EQ(a.at("HeaderDigest"), std::set<std::string>{"CRC32C,None"});
	EXPECT_EQ(a.at("MaxBurstLength"), std::set<std::string>{"262144"});
	EXPECT_EQ(a.at("allowed_portal"), (std::set<std::string>{"192.168.10.5", "10.0.0.5"}));
	EXPECT_FALSE(a.contains("alias")) << "LIO's default alias is not carried over";
	EXPECT_FALSE(a.contains("DefaultTime2Wait"));
	EXPECT_TRUE(has(result.unmapped, "portal 10.0.0.5:3261: the port is a setting"));
	EXPECT_TRUE(has(result.unmapped, iqn1 + " tpg 2: Strix targets have one portal group"));
	EXPECT_TRUE(has(result.unmapped, "nopin_timeout=60"));
}

TEST_F(Targetcli, DemoModeTargetsShareTheirLuns)
{
	const config::Target &t = target("iscsi", iqn2);
	ASSERT_EQ(t.luns.size(), 1u);
	EXPECT_EQ(t.luns.at(0).device, "scratch");
	EXPECT_TRUE(t.luns.at(0).attrs.empty()) << "demo_mode_write_protect 0";
	EXPECT_EQ(t.attrs.at("alias"), std::set<std::string>{"scratch space"});
	EXPECT_FALSE(t.attrs.contains("allowed_portal")) << "0.0.0.0 is every address";
	EXPECT_TRUE(has(result.unmapped, "TPG attributes without a Strix name: "
					 "cache_dynamic_acls=1"));
}

TEST_F(Targetcli, LoopbackBecomesScstLocalAndOtherFabricsAreReported)
{
	const config::Target &t = target("scst_local", "naa.50014056e4a1b2c3");
	EXPECT_EQ(t.luns.at(0).device, "db");
	EXPECT_EQ(t.attrs.at("session_name"), std::set<std::string>{"naa.5001405c2f6a3b1d"});
	EXPECT_TRUE(has(result.unmapped, "target vhost/naa.5001405112233445: no Strix target "
					 "driver"));
	EXPECT_EQ(result.config.drivers.size(), 2u);
}

TEST_F(Targetcli, OutputParsesBack)
{
	const std::string text = config::print(result.config);
	const auto back = config::parse(text);
	ASSERT_TRUE(back) << back.error().message();
	EXPECT_EQ(*back, result.config);
}

TEST(TargetcliErrors, Malformed)
{
	EXPECT_FALSE(import::from_targetcli("{"));
	EXPECT_FALSE(import::from_targetcli("[]"));
	EXPECT_FALSE(import::from_targetcli(R"({"targets": [{"fabric": "iscsi", "wwn": "iqn.x",
		"tpgs": [{"attributes": {"generate_node_acls": 1},
		"luns": [{"index": "x", "storage_object": "/backstores/fileio/a"}]}]}],
		"storage_objects": [{"plugin": "fileio", "name": "a", "dev": "/a"}]})"));
	const auto empty = import::from_targetcli("{}");
	ASSERT_TRUE(empty);
	EXPECT_EQ(empty->config, config::Config{});
}

TEST(TargetcliNames, ClashingStorageObjectNamesAreRenamed)
{
	const auto r = import::from_targetcli(R"({"storage_objects": [
		{"plugin": "fileio", "name": "disk", "dev": "/a"},
		{"plugin": "block", "name": "disk", "dev": "/dev/b"}]})");
	ASSERT_TRUE(r);
	EXPECT_TRUE(r->config.handlers.at("vdisk_blockio").devices.contains("block_disk"));
	EXPECT_TRUE(has(r->unmapped, "storage object block/disk: renamed to device block_disk"));
}

// --- scst.conf ----------------------------------------------------------------------

TEST(Scst, KeepsWhatStrixHasAndReportsTheRest)
{
	const auto r = import::from_scst(slurp(testdata("scst.conf")));
	ASSERT_TRUE(r) << r.error().what();
	const config::Config &c = r->config;
	EXPECT_EQ(config::get(c.attrs, "setup_id"), "0x5a3c");
	const auto &vm1 = c.handlers.at("vdisk_fileio").devices.at("vm1").attrs;
	EXPECT_EQ(config::get(vm1, "prod_id"), "VM store");
	EXPECT_FALSE(vm1.contains("exec_cmd_timeout"));
	EXPECT_FALSE(c.handlers.contains("dev_disk_perf"));
	EXPECT_FALSE(c.drivers.contains("copy_manager"));
	EXPECT_FALSE(c.drivers.contains("fcst"));
	const auto &tgt = c.drivers.at("iscsi").targets.at("iqn.2006-10.net.vlnb:tgt1");
	EXPECT_FALSE(tgt.luns.contains(7)) << "its device was left out";
	EXPECT_EQ(tgt.luns.at(1).attrs, (config::Attrs{{"read_only", {"1"}}}));
	EXPECT_EQ(tgt.attrs.at("IncomingUser").size(), 2u);
	EXPECT_EQ(config::get(tgt.groups.at("esx").attrs, "io_grouping_type"), "auto");
	EXPECT_TRUE(c.drivers.at("qla2x00t").targets.at("21:00:00:24:ff:5a:3c:2b").hw);
	EXPECT_EQ(c.device_groups.at("dg1").devices, (std::set<std::string>{"vm1", "db"}));

	const std::vector<std::string> expected{
		"device 3:0:0:0: handler dev_disk_perf has no Strix equivalent: left out, with its "
		"LUNs",
		"device vm1: attribute exec_cmd_timeout (30) has no Strix equivalent: left out",
		"target driver copy_manager: SCST's internal EXTENDED COPY target; Strix manages it "
		"itself: left out",
		"target driver fcst: no Strix equivalent: left out, with its 1 target",
		"target driver iscsi: attribute link_local (0) has no Strix equivalent: left out",
		"target iscsi/iqn.2006-10.net.vlnb:tgt1: attribute forward_dst_tgt (0) has no Strix "
		"equivalent: left out",
		"LUN 7 of target iscsi/iqn.2006-10.net.vlnb:tgt1: device 3:0:0:0 left out: LUN left "
		"out",
		"target qla2x00t/21:00:00:24:ff:5a:3c:2b: attribute explicit_confirmation (0) has no "
		"Strix equivalent: left out",
	};
	EXPECT_EQ(r->unmapped, expected);
}

TEST(Scst, ParseErrorsKeepTheirPosition)
{
	const auto r = import::from_scst("HANDLER vdisk_fileio {\n\tDEVICE d {\n", "old.conf");
	ASSERT_FALSE(r);
	EXPECT_EQ(std::string(r.error().what()).substr(0, 9), "old.conf:");
}

// --- the command ---------------------------------------------------------------------

class ImportCommand : public testing::CliFixture {};

TEST_F(ImportCommand, ToStdoutWithNotesOnStderr)
{
	const auto r = strixctl({"import", "--from-targetcli", testdata("saveconfig.json")});
	ASSERT_EQ(r.code, cli::exit_ok) << r.err;
	EXPECT_EQ(r.out.substr(0, 2), "# ");
	const auto back = config::parse(r.out);
	ASSERT_TRUE(back) << back.error().message();
	EXPECT_EQ(back->drivers.at("iscsi").targets.size(), 2u);
	EXPECT_NE(r.err.find("strixctl: import: storage object pscsi/tape0"), std::string::npos)
		<< r.err;
}

TEST_F(ImportCommand, ToAFileAndJson)
{
	const std::string out = (base_ / "strix.conf").string();
	const auto r = strixctl({"import", "--from-scst", testdata("scst.conf"), "-o", out, "--json"});
	ASSERT_EQ(r.code, cli::exit_ok) << r.err;
	const json j = json::parse(r.out);
	EXPECT_EQ(j["input"], testdata("scst.conf"));
	EXPECT_EQ(j["output"], out);
	EXPECT_EQ(j["unmapped"].size(), 8u);
	EXPECT_EQ(j["config"], slurp(out));
	EXPECT_TRUE(config::parse(slurp(out)));
}

TEST_F(ImportCommand, NeedsExactlyOneSource)
{
	EXPECT_EQ(strixctl({"import"}).code, cli::exit_failure);
	EXPECT_EQ(strixctl({"import", "--from-scst", "a", "--from-targetcli", "b"}).code,
		  cli::exit_usage);
	const auto r = strixctl({"import", "--from-scst", (base_ / "none").string()});
	EXPECT_EQ(r.code, cli::exit_failure);
	EXPECT_NE(r.err.find("cannot read"), std::string::npos);
}

} // namespace
} // namespace strix
