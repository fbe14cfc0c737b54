// strixctl's read and write commands on a fixture tree: output, JSON shapes,
// the exact mgmt lines written, errors, "did you mean".
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli.h"
#include "suggest.h"
#include "testing/cli_runner.h"

namespace strix::cli {
namespace {

using nlohmann::json;
using testing::run_cli;

class Commands : public testing::CliFixture {
protected:
	void SetUp() override
	{
		CliFixture::SetUp();
		populate();
	}
	std::vector<std::string> keys(const json &j) const
	{
		std::vector<std::string> k;
		for (const auto &[key, value] : j.items())
			k.push_back(key);
		return k;
	}
	const std::string t2 = "iqn.2024-01.com.example:t2";
};

using Strings = std::vector<std::string>;

// --- tree ------------------------------------------------------------------------

TEST_F(Commands, TreeShowsSessionsAndState)
{
	const auto r = strixctl({"tree"});
	ASSERT_EQ(r.code, exit_ok) << r.err;
	EXPECT_EQ(r.out, root_.string() + "  setup_id 0x2a\n"
		  "handlers/\n"
		  "  vdisk_fileio/\n"
		  "    disk1  /var/lib/strix/disk1.img, 100 MB, blocksize 512, 2 LUNs\n"
		  "targets/\n"
		  "  iscsi/  disabled\n"
		  "    " + t2 + "  disabled\n"
		  "      luns/ (none)\n"
		  "      sessions/ (none)\n"
		  "  scst_local/\n"
		  "    t1  enabled\n"
		  "      luns/\n"
		  "        0  disk1\n"
		  "      ini_groups/\n"
		  "        esx/\n"
		  "          luns/\n"
		  "            0  disk1  read-only\n"
		  "          initiators/\n"
		  "            iqn.esx\n"
		  "      sessions/\n"
		  "        host1  1 LUN, 0 active\n"
		  "device_groups/\n");
}

TEST_F(Commands, TreeColourOnlyWhenAsked)
{
	// Not a terminal (a string stream): plain, even with --color auto.
	EXPECT_EQ(strixctl({"tree"}).out.find('\033'), std::string::npos);
	EXPECT_EQ(strixctl({"--color", "never", "tree"}).out.find('\033'), std::string::npos);
	const auto r = strixctl({"--color", "always", "tree"});
	EXPECT_NE(r.out.find("\033[32menabled\033[0m"), std::string::npos) << r.out;
	EXPECT_EQ(strixctl({"--color", "sometimes", "tree"}).code, exit_usage);
}

TEST_F(Commands, TreeJson)
{
	const auto r = strixctl({"tree", "--json"});
	ASSERT_EQ(r.code, exit_ok) << r.err;
	const json j = json::parse(r.out);
	EXPECT_EQ(keys(j), (Strings{"attributes", "device_groups", "devices", "drivers", "handlers",
				    "root", "targets"}));
	EXPECT_EQ(j["attributes"]["setup_id"], "0x2a");
	ASSERT_EQ(j["targets"].size(), 2u);
	const json &t1 = j["targets"][1];
	EXPECT_EQ(keys(t1), (Strings{"driver", "enabled", "groups", "hw", "id", "luns", "name",
				     "rel_tgt_id", "sessions"}));
	EXPECT_EQ(t1["id"], "scst_local/t1");
	EXPECT_EQ(t1["enabled"], true);
	EXPECT_EQ(t1["luns"], json::parse(R"([{"lun":0,"device":"disk1","read_only":false}])"));
	EXPECT_EQ(t1["sessions"][0],
		  json::parse(R"({"target":"scst_local/t1","name":"host1","initiator":"host1",
				  "luns":1,"commands":12,"active_commands":0})"));
	EXPECT_EQ(t1["groups"][0]["initiators"], json::array({"iqn.esx"}));
	EXPECT_EQ(j["targets"][0]["enabled"], false);
	EXPECT_EQ(j["drivers"][1], json::parse(R"({"name":"scst_local","enabled":null,
						    "targets":["t1"]})"));
}

// --- list ------------------------------------------------------------------------

TEST_F(Commands, ListText)
{
	EXPECT_EQ(strixctl({"list", "devices"}).out,
		  "DEVICE  HANDLER       SIZE_MB  FILENAME                  EXPORTS\n"
		  "disk1   vdisk_fileio  100      /var/lib/strix/disk1.img  "
		  "scst_local/t1:0,scst_local/t1/esx:0\n");
	const std::size_t w = 6 + t2.size(); // "iscsi/" + t2, the widest
	EXPECT_EQ(strixctl({"list", "targets"}).out,
		  fmt::format("{:<{}}  STATE     LUNS  GROUPS  SESSIONS\n", "TARGET", w) +
			  fmt::format("{:<{}}  disabled  0     0       0\n", "iscsi/" + t2, w) +
			  fmt::format("{:<{}}  enabled   1     1       1\n", "scst_local/t1", w));
	EXPECT_EQ(strixctl({"list", "sessions"}).out,
		  "TARGET         SESSION  INITIATOR  LUNS  ACTIVE\n"
		  "scst_local/t1  host1    host1      1     0\n");
	EXPECT_EQ(strixctl({"list", "groups"}).out,
		  "TARGET         GROUP  LUNS  INITIATORS\n"
		  "scst_local/t1  esx    1     iqn.esx\n");
	EXPECT_EQ(strixctl({"list", "handlers"}).out, "HANDLER       DEVICES\nvdisk_fileio  disk1\n");
	EXPECT_EQ(strixctl({"list", "drivers"}).out,
		  "DRIVER      STATE     TARGETS\n"
		  "iscsi       disabled  1\n"
		  "scst_local  -         1\n");
}

TEST_F(Commands, ListJsonShapes)
{
	const auto list = [&](const std::string &kind) {
		const auto r = strixctl({"list", kind, "--json"});
		EXPECT_EQ(r.code, exit_ok) << r.err;
		const json j = json::parse(r.out);
		EXPECT_EQ(keys(j), Strings{kind});
		return j[kind];
	};
	const json devices = list("devices");
	ASSERT_EQ(devices.size(), 1u);
	EXPECT_EQ(keys(devices[0]), (Strings{"attributes", "exports", "handler", "name"}));
	EXPECT_EQ(devices[0]["attributes"]["filename"], "/var/lib/strix/disk1.img");
	EXPECT_EQ(devices[0]["exports"],
		  json::parse(R"([{"target":"scst_local/t1","group":null,"lun":0},
				  {"target":"scst_local/t1","group":"esx","lun":0}])"));
	EXPECT_EQ(list("targets").size(), 2u);
	EXPECT_EQ(keys(list("sessions")[0]),
		  (Strings{"active_commands", "commands", "initiator", "luns", "name", "target"}));
	EXPECT_EQ(list("groups")[0],
		  json::parse(R"({"target":"scst_local/t1","name":"esx","initiators":["iqn.esx"],
				  "luns":[{"lun":0,"device":"disk1","read_only":true}]})"));
	EXPECT_EQ(list("handlers"), json::parse(R"([{"name":"vdisk_fileio","devices":["disk1"]}])"));
	EXPECT_EQ(list("drivers")[0], json::parse(R"({"name":"iscsi","enabled":false,
						       "targets":["iqn.2024-01.com.example:t2"]})"));
}

TEST_F(Commands, ListUnknownKindSuggests)
{
	const auto r = strixctl({"list", "devises"});
	EXPECT_EQ(r.code, exit_usage);
	EXPECT_NE(r.err.find("unknown kind 'devises': did you mean 'devices'?"), std::string::npos)
		<< r.err;
}

// --- show ------------------------------------------------------------------------

TEST_F(Commands, ShowDevice)
{
	const auto r = strixctl({"show", "disk1"});
	ASSERT_EQ(r.code, exit_ok) << r.err;
	EXPECT_EQ(r.out, "device disk1  (" + (root_ / "devices/disk1").string() + ")\n"
		  "  blocksize = 512\n"
		  "  filename = /var/lib/strix/disk1.img [key]\n"
		  "  handler -> ../../handlers/vdisk_fileio\n"
		  "  size_mb = 100\n");
}

TEST_F(Commands, ShowJson)
{
	const auto r = strixctl({"show", "target/t1", "--json"});
	ASSERT_EQ(r.code, exit_ok) << r.err;
	const json j = json::parse(r.out);
	EXPECT_EQ(keys(j), (Strings{"attributes", "children", "kind", "links", "name", "path"}));
	EXPECT_EQ(j["kind"], "target");
	EXPECT_EQ(j["name"], "scst_local/t1");
	EXPECT_EQ(j["path"], "targets/scst_local/t1");
	EXPECT_EQ(j["attributes"]["enabled"],
		  json::parse(R"({"value":"1","key":false,"writable":true})"));
	EXPECT_EQ(j["children"], json::array({"ini_groups", "luns", "sessions"}));
}

TEST_F(Commands, ShowEveryKindOfObject)
{
	const auto path = [&](const std::string &spec) {
		const auto r = strixctl({"show", spec, "--json"});
		EXPECT_EQ(r.code, exit_ok) << spec << ": " << r.err;
		return r.code == exit_ok ? json::parse(r.out)["path"].get<std::string>() : "";
	};
	EXPECT_EQ(path("root"), "");
	EXPECT_EQ(path("device/disk1"), "devices/disk1");
	EXPECT_EQ(path("handler/vdisk_fileio"), "handlers/vdisk_fileio");
	EXPECT_EQ(path("driver/iscsi"), "targets/iscsi");
	EXPECT_EQ(path("target/scst_local/t1"), "targets/scst_local/t1");
	EXPECT_EQ(path(t2), "targets/iscsi/" + t2);
	EXPECT_EQ(path("group/t1/esx"), "targets/scst_local/t1/ini_groups/esx");
	EXPECT_EQ(path("lun/t1/0"), "targets/scst_local/t1/luns/0");
	EXPECT_EQ(path("lun/scst_local/t1/0"), "targets/scst_local/t1/luns/0");
	EXPECT_EQ(path("lun/t1/esx/0"), "targets/scst_local/t1/ini_groups/esx/luns/0");
	EXPECT_EQ(path("session/t1/host1"), "targets/scst_local/t1/sessions/host1");
}

TEST_F(Commands, ShowNotFoundSuggests)
{
	const auto r = strixctl({"show", "disc1", "--json"});
	EXPECT_EQ(r.code, exit_failure);
	const json e = json::parse(r.out)["error"];
	EXPECT_EQ(e["message"], "object disc1: not found: did you mean 'disk1'?");
	EXPECT_EQ(e["errno_name"], "ENOENT");
	EXPECT_EQ(r.err, "strixctl: object disc1: not found: did you mean 'disk1'?\n");
}

TEST_F(Commands, ShowAmbiguousName)
{
	make_dir("targets/iscsi/disk1");
	const auto r = strixctl({"show", "disk1"});
	EXPECT_EQ(r.code, exit_failure);
	EXPECT_EQ(r.err, "strixctl: object disk1: ambiguous: name it as one of: device/disk1, "
			 "target/iscsi/disk1\n");
}

// --- add / del -----------------------------------------------------------------------

TEST_F(Commands, AddDeviceWritesAddDevice)
{
	const auto r = strixctl({"add", "device", "disk2", "--handler", "vdisk_fileio",
				 "filename=/srv/d2.img", "blocksize=4096", "--json"});
	ASSERT_EQ(r.code, exit_ok) << r.err;
	EXPECT_EQ(written("handlers/vdisk_fileio/mgmt"),
		  "add_device disk2 filename=/srv/d2.img; blocksize=4096\n");
	EXPECT_EQ(json::parse(r.out), json::parse(R"({"ok":true,"object":"device disk2","writes":[
		{"path":"handlers/vdisk_fileio/mgmt",
		 "line":"add_device disk2 filename=/srv/d2.img; blocksize=4096"}]})"));
	EXPECT_EQ(strixctl({"add", "device", "disk2", "-H", "vdisk_fileio"}).out,
		  "device disk2: added\n");
}

TEST_F(Commands, AddDeviceWritesOtherAttributesAfter)
{
	write_file("devices/disk2/prod_id", ""); // what the kernel would create
	const auto r = strixctl({"add", "device", "disk2", "-H", "vdisk_fileio", "filename=/x",
				 "prod_id=STRIX", "--json"});
	ASSERT_EQ(r.code, exit_ok) << r.err;
	EXPECT_EQ(written("handlers/vdisk_fileio/mgmt"), "add_device disk2 filename=/x\n");
	EXPECT_EQ(read_file("devices/disk2/prod_id"), "STRIX\n");
	EXPECT_EQ(json::parse(r.out)["writes"].size(), 2u);
}

TEST_F(Commands, AddDeviceUndoneWhenAnAttributeIsRefused)
{
	const auto r = strixctl({"add", "device", "disk2", "-H", "vdisk_fileio", "prod_id=X"});
	EXPECT_EQ(r.code, exit_failure);
	EXPECT_EQ(written("handlers/vdisk_fileio/mgmt"), "del_device disk2\n");
	EXPECT_NE(r.err.find("device disk2: cannot set prod_id"), std::string::npos) << r.err;
}

TEST_F(Commands, AddRefusedCarriesTheKernelsErrno)
{
	refuse_writes("handlers/vdisk_fileio/mgmt");
	const auto r = strixctl({"add", "device", "disk2", "-H", "vdisk_fileio", "--json"});
	EXPECT_EQ(r.code, exit_failure);
	const json e = json::parse(r.out)["error"];
	EXPECT_EQ(e["errno_name"], "EISDIR");
	EXPECT_EQ(e["subject"], "device disk2");
	EXPECT_EQ(e["problem"],
		  "cannot add: handlers/vdisk_fileio/mgmt <- \"add_device disk2\"");
}

TEST_F(Commands, AddRefusesWordsThatWouldSplitTheLine)
{
	EXPECT_EQ(strixctl({"add", "device", "a;b", "-H", "vdisk_fileio"}).code, exit_failure);
	EXPECT_EQ(strixctl({"add", "device", "d", "-H", "vdisk_fileio", "filename"}).code,
		  exit_failure);
	EXPECT_EQ(strixctl({"add", "device", "d", "-H", "vdisk_fileio", "filename=a;b"}).code,
		  exit_failure);
	EXPECT_EQ(written("handlers/vdisk_fileio/mgmt"), "");
}

TEST_F(Commands, AddTarget)
{
	ASSERT_EQ(strixctl({"add", "target", "scst_local", "t3", "session_name=h3"}).code, exit_ok);
	EXPECT_EQ(read_file("targets/scst_local/mgmt"), "add_target t3 session_name=h3\n");
	ASSERT_EQ(strixctl({"add", "target", "iscsi", "iqn.x:y"}).code, exit_ok);
	EXPECT_EQ(read_file("targets/iscsi/mgmt"), "add_target iqn.x:y\n");
}

TEST_F(Commands, AddLunGroupInitiator)
{
	ASSERT_EQ(strixctl({"add", "lun", "t1", "1", "disk1", "read_only=1"}).code, exit_ok);
	EXPECT_EQ(read_file("targets/scst_local/t1/luns/mgmt"), "add disk1 1 read_only=1\n");
	ASSERT_EQ(strixctl({"add", "lun", "scst_local/t1", "2", "disk1", "--group", "esx"}).code,
		  exit_ok);
	EXPECT_EQ(read_file("targets/scst_local/t1/ini_groups/esx/luns/mgmt"), "add disk1 2\n");
	ASSERT_EQ(strixctl({"add", "group", "t1", "linux"}).code, exit_ok);
	EXPECT_EQ(read_file("targets/scst_local/t1/ini_groups/mgmt"), "create linux\n");
	ASSERT_EQ(strixctl({"add", "initiator", "t1", "esx", "iqn.1998-01.com.vmware:*"}).code,
		  exit_ok);
	EXPECT_EQ(read_file("targets/scst_local/t1/ini_groups/esx/initiators/mgmt"),
		  "add iqn.1998-01.com.vmware:*\n");
}

TEST_F(Commands, AddLunNeedsANumberAndAKnownTarget)
{
	EXPECT_EQ(strixctl({"add", "lun", "t1", "x", "disk1"}).code, exit_failure);
	const auto r = strixctl({"add", "lun", "t9", "0", "disk1"});
	EXPECT_EQ(r.code, exit_failure);
	EXPECT_EQ(r.err, "strixctl: target t9: not found: did you mean 't1'?\n");
}

TEST_F(Commands, Del)
{
	ASSERT_EQ(strixctl({"del", "device", "disk1"}).code, exit_ok);
	EXPECT_EQ(written("handlers/vdisk_fileio/mgmt"), "del_device disk1\n");
	ASSERT_EQ(strixctl({"del", "target", t2}).code, exit_ok);
	EXPECT_EQ(read_file("targets/iscsi/mgmt"), "del_target " + t2 + "\n");
	ASSERT_EQ(strixctl({"del", "lun", "t1", "0"}).code, exit_ok);
	EXPECT_EQ(read_file("targets/scst_local/t1/luns/mgmt"), "del 0\n");
	ASSERT_EQ(strixctl({"del", "lun", "t1", "0", "-g", "esx"}).code, exit_ok);
	EXPECT_EQ(read_file("targets/scst_local/t1/ini_groups/esx/luns/mgmt"), "del 0\n");
	ASSERT_EQ(strixctl({"del", "initiator", "t1", "esx", "iqn.esx"}).code, exit_ok);
	EXPECT_EQ(read_file("targets/scst_local/t1/ini_groups/esx/initiators/mgmt"),
		  "del iqn.esx\n");
	ASSERT_EQ(strixctl({"del", "group", "t1", "esx"}).code, exit_ok);
	EXPECT_EQ(read_file("targets/scst_local/t1/ini_groups/mgmt"), "del esx\n");
}

TEST_F(Commands, DelUnknownDevice)
{
	const auto r = strixctl({"del", "device", "disk9", "--json"});
	EXPECT_EQ(r.code, exit_failure);
	EXPECT_EQ(json::parse(r.out)["error"]["subject"], "device disk9");
	EXPECT_EQ(json::parse(r.out)["error"]["errno_name"], "ENOENT");
}

// --- set, enable, disable --------------------------------------------------------------

TEST_F(Commands, Set)
{
	write_file("devices/disk1/prod_id", "");
	write_file("devices/disk1/t10_vend_id", "");
	const auto r = strixctl({"set", "device/disk1", "prod_id=STRIX", "t10_vend_id=ACME", "--json"});
	ASSERT_EQ(r.code, exit_ok) << r.err;
	EXPECT_EQ(read_file("devices/disk1/prod_id"), "STRIX\n");
	EXPECT_EQ(read_file("devices/disk1/t10_vend_id"), "ACME\n");
	EXPECT_EQ(json::parse(r.out)["writes"][1],
		  json::parse(R"({"path":"devices/disk1/t10_vend_id","line":"ACME"})"));
	ASSERT_EQ(strixctl({"set", "root", "setup_id=0x7"}).code, exit_ok);
	EXPECT_EQ(read_file("setup_id"), "0x7\n");
	ASSERT_EQ(strixctl({"set", "lun/t1/0", "read_only=1"}).code, exit_ok);
	EXPECT_EQ(read_file("targets/scst_local/t1/luns/0/read_only"), "1\n");
	EXPECT_EQ(strixctl({"set", "disk1", "mgmt=x"}).code, exit_failure);
	EXPECT_EQ(strixctl({"set", "disk1", "../setup_id=x"}).code, exit_failure);
	EXPECT_EQ(strixctl({"set", "disk1", "noequals"}).code, exit_failure);
}

TEST_F(Commands, EnableDisable)
{
	ASSERT_EQ(strixctl({"disable", "t1"}).code, exit_ok);
	EXPECT_EQ(read_file("targets/scst_local/t1/enabled"), "0\n");
	const auto r = strixctl({"enable", "iscsi/" + t2, "--json"});
	ASSERT_EQ(r.code, exit_ok) << r.err;
	EXPECT_EQ(read_file("targets/iscsi/" + t2 + "/enabled"), "1\n");
	EXPECT_EQ(json::parse(r.out)["object"], "target iscsi/" + t2);
}

TEST_F(Commands, AmbiguousTarget)
{
	make_dir("targets/iscsi/t1");
	const auto r = strixctl({"enable", "t1"});
	EXPECT_EQ(r.code, exit_failure);
	EXPECT_EQ(r.err, "strixctl: target t1: ambiguous: name it as DRIVER/TARGET: iscsi/t1, "
			 "scst_local/t1\n");
}

// --- did you mean -----------------------------------------------------------------------

TEST(DidYouMean, UnknownCommand)
{
	auto r = run_cli({"aply", "x.conf"});
	EXPECT_EQ(r.code, exit_usage);
	EXPECT_NE(r.err.find("unknown command 'aply': did you mean 'apply'?"), std::string::npos)
		<< r.err;
	r = run_cli({"--root", "/nonexistent", "lsit", "devices"});
	EXPECT_NE(r.err.find("did you mean 'list'?"), std::string::npos) << r.err;
	r = run_cli({"frobnicate"});
	EXPECT_NE(r.err.find("unknown command 'frobnicate': one of "), std::string::npos) << r.err;
}

TEST(DidYouMean, UnknownNestedCommand)
{
	const auto r = run_cli({"add", "devise", "d", "-H", "vdisk_fileio"});
	EXPECT_EQ(r.code, exit_usage);
	EXPECT_NE(r.err.find("unknown 'add' command 'devise': did you mean 'device'?"),
		  std::string::npos)
		<< r.err;
}

TEST(DidYouMean, UsageErrorsInJson)
{
	const auto r = run_cli({"--json", "aply"});
	EXPECT_EQ(r.code, exit_usage);
	const json e = json::parse(r.out)["error"];
	EXPECT_EQ(e["problem"], "usage");
	EXPECT_EQ(e["message"], "unknown command 'aply': did you mean 'apply'?");
}

TEST(Suggest, EditDistance)
{
	EXPECT_EQ(edit_distance("", ""), 0u);
	EXPECT_EQ(edit_distance("apply", "apply"), 0u);
	EXPECT_EQ(edit_distance("aply", "apply"), 1u);
	EXPECT_EQ(edit_distance("lsit", "list"), 1u); // a transposition
	EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
	EXPECT_EQ(edit_distance("", "abc"), 3u);
}

TEST(Suggest, Candidates)
{
	const std::vector<std::string> c{"apply", "add", "diff", "del", "devices"};
	EXPECT_EQ(suggest("aply", c), "apply");
	EXPECT_EQ(suggest("dif", c), "diff");
	EXPECT_EQ(suggest("devic", c), "devices"); // distance 2
	EXPECT_EQ(suggest("xyzzy", c), std::nullopt);
	EXPECT_EQ(suggest("ap", c), "apply"); // the only one it starts
	EXPECT_EQ(suggest("", c), std::nullopt);
}

} // namespace
} // namespace strix::cli
