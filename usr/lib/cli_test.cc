#include "cli.h"

#include <stdlib.h>

#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "testing/tree_fixture.h"
#include "version.h"

namespace strix::cli {
namespace {

using nlohmann::json;

struct Result {
	int code;
	std::string out;
	std::string err;
};

// Run strixctl in-process with these arguments (argv[0] is added).
Result run_cli(const std::vector<std::string> &args)
{
	std::vector<const char *> argv{"strixctl"};
	for (const auto &arg : args)
		argv.push_back(arg.c_str());
	std::ostringstream out, err;
	const int code = run(argv, out, err);
	return {code, out.str(), err.str()};
}

class Cli : public testing::TreeFixture {
protected:
	Result strixctl(std::vector<std::string> args) const
	{
		args.insert(args.begin(), {"--root", root_.string()});
		return run_cli(args);
	}
};

// --- version -------------------------------------------------------------

TEST_F(Cli, VersionText)
{
	const auto r = strixctl({"version"});
	EXPECT_EQ(r.code, exit_ok);
	EXPECT_EQ(r.err, "");
	EXPECT_EQ(r.out, fmt::format("strixctl {0}\nmodule   {0}\nfeatures SYNC_MGMT\n",
				     user_version()));
}

TEST_F(Cli, VersionShowsTheKernelsVersionNotOurs)
{
	write_file("version", "7.7.7\nSYNC_MGMT\nKUNIT\n");
	const auto r = strixctl({"version"});
	EXPECT_EQ(r.code, exit_ok);
	EXPECT_NE(r.out.find("module   7.7.7\n"), std::string::npos) << r.out;
	EXPECT_NE(r.out.find("features SYNC_MGMT KUNIT\n"), std::string::npos) << r.out;
}

TEST_F(Cli, VersionJson)
{
	write_file("version", "7.7.7\nSYNC_MGMT\nKUNIT\n");
	const auto r = strixctl({"version", "--json"});
	EXPECT_EQ(r.code, exit_ok);
	EXPECT_EQ(r.err, "");
	const json j = json::parse(r.out);
	EXPECT_EQ(j["strixctl"]["version"], user_version());
	EXPECT_EQ(j["kernel"]["version"], "7.7.7");
	EXPECT_EQ(j["kernel"]["features"], json::array({"SYNC_MGMT", "KUNIT"}));
}

TEST_F(Cli, JsonFlagMayPrecedeTheSubcommand)
{
	const auto r = strixctl({"--json", "version"});
	EXPECT_EQ(r.code, exit_ok);
	EXPECT_EQ(json::parse(r.out)["kernel"]["features"], json::array({"SYNC_MGMT"}));
}

TEST_F(Cli, MissingRoot)
{
	const auto missing = (base_ / "absent").string();
	const auto r = run_cli({"--root", missing, "version"});
	EXPECT_EQ(r.code, exit_failure);
	EXPECT_EQ(r.out, "");
	EXPECT_EQ(r.err, fmt::format("strixctl: {}: not found: is the strix module loaded?\n",
				     missing));
}

TEST_F(Cli, MissingRootJson)
{
	const auto missing = (base_ / "absent").string();
	const auto r = run_cli({"--root", missing, "version", "--json"});
	EXPECT_EQ(r.code, exit_failure);
	const json j = json::parse(r.out);
	ASSERT_TRUE(j.contains("error")) << r.out;
	const auto &e = j["error"];
	EXPECT_EQ(e["message"], missing + ": not found: is the strix module loaded?");
	EXPECT_EQ(e["subject"], missing);
	EXPECT_EQ(e["problem"], "not found");
	EXPECT_EQ(e["detail"], "is the strix module loaded?");
	EXPECT_EQ(e["errno_name"], "ENOENT");
	EXPECT_EQ(r.err, fmt::format("strixctl: {}\n", e["message"].get<std::string>()));
}

TEST_F(Cli, MalformedVersionFails)
{
	write_file("version", "");
	const auto r = strixctl({"version"});
	EXPECT_EQ(r.code, exit_failure);
	EXPECT_EQ(r.err, fmt::format("strixctl: {}: malformed version: empty\n",
				     (root_ / "version").string()));
}

TEST_F(Cli, RootFromTheEnvironment)
{
	::setenv("STRIX_SYSFS_ROOT", root_.c_str(), 1);
	const auto r = run_cli({"version", "--json"});
	::unsetenv("STRIX_SYSFS_ROOT");
	EXPECT_EQ(r.code, exit_ok) << r.err;
	EXPECT_EQ(json::parse(r.out)["kernel"]["version"], user_version());
}

// --- tree ----------------------------------------------------------------

TEST_F(Cli, TreeRawText)
{
	const auto r = strixctl({"tree", "--raw"});
	EXPECT_EQ(r.code, exit_ok);
	EXPECT_EQ(r.err, "");
	const std::string version = fmt::format("{}", user_version());
	EXPECT_EQ(r.out, root_.string() + "/\n" +
				 "  device_groups/\n"
				 "  devices/\n"
				 "    disk1/\n"
				 "      filename = /var/lib/strix/disk1.img [key]\n"
				 "      handler -> ../../handlers/vdisk_fileio\n"
				 "  handlers/\n"
				 "    vdisk_fileio/\n"
				 "      mgmt (write-only)\n"
				 "      type = 0 - Direct-access block device\n"
				 "  setup_id = 0x2a [key]\n"
				 "  targets/\n"
				 "  version = " + version + "\n"
				 "            SYNC_MGMT\n");
}

TEST_F(Cli, TreeOfAPath)
{
	const auto r = strixctl({"tree", "devices/disk1"});
	EXPECT_EQ(r.code, exit_ok);
	EXPECT_EQ(r.out, (root_ / "devices/disk1").string() + "/\n" +
				 "  filename = /var/lib/strix/disk1.img [key]\n"
				 "  handler -> ../../handlers/vdisk_fileio\n");
}

TEST_F(Cli, TreeOfAnAttribute)
{
	const auto r = strixctl({"tree", "setup_id"});
	EXPECT_EQ(r.code, exit_ok);
	EXPECT_EQ(r.out, (root_ / "setup_id").string() + " = 0x2a [key]\n");
}

TEST_F(Cli, TreeRawJson)
{
	const auto r = strixctl({"tree", "--raw", "--json"});
	EXPECT_EQ(r.code, exit_ok);
	const json j = json::parse(r.out);
	EXPECT_EQ(j["type"], "directory");
	EXPECT_EQ(j["path"], root_.string());
	std::vector<std::string> names;
	for (const auto &child : j["children"])
		names.push_back(child["name"]);
	EXPECT_EQ(names, (std::vector<std::string>{"device_groups", "devices", "handlers",
						   "setup_id", "targets", "version"}));

	const auto &setup_id = j["children"][3];
	EXPECT_EQ(setup_id["type"], "attribute");
	EXPECT_EQ(setup_id["lines"], json::array({"0x2a"}));
	EXPECT_EQ(setup_id["key"], true);

	const auto &handler = j["children"][1]["children"][0]["children"][1];
	EXPECT_EQ(handler["name"], "handler");
	EXPECT_EQ(handler["type"], "symlink");
	EXPECT_EQ(handler["target"], "../../handlers/vdisk_fileio");

	const auto &mgmt = j["children"][2]["children"][0]["children"][0];
	EXPECT_EQ(mgmt["name"], "mgmt");
	EXPECT_EQ(mgmt["readable"], false);
	EXPECT_FALSE(mgmt.contains("value"));
}

TEST_F(Cli, TreeMissingPath)
{
	const auto r = strixctl({"tree", "devices/disk9"});
	EXPECT_EQ(r.code, exit_failure);
	EXPECT_EQ(r.out, "");
	EXPECT_EQ(r.err, fmt::format("strixctl: {}: not found: No such file or directory\n",
				     (root_ / "devices/disk9").string()));
}

TEST_F(Cli, TreeRefusesPathsOutsideTheTree)
{
	const auto r = strixctl({"tree", "--json", "../.."});
	EXPECT_EQ(r.code, exit_failure);
	EXPECT_EQ(json::parse(r.out)["error"]["errno_name"], "EINVAL");
}

TEST_F(Cli, TreeMissingRoot)
{
	const auto r = run_cli({"--root", (base_ / "absent").string(), "tree"});
	EXPECT_EQ(r.code, exit_failure);
	EXPECT_NE(r.err.find("is the strix module loaded?"), std::string::npos) << r.err;
}

// --- usage ---------------------------------------------------------------

TEST_F(Cli, NoSubcommandIsTheTree)
{
	const auto r = strixctl({});
	EXPECT_EQ(r.code, exit_ok) << r.err;
	EXPECT_EQ(r.out, strixctl({"tree"}).out);
	EXPECT_NE(r.out.find("disk1"), std::string::npos) << r.out;
}

TEST(CliUsage, UnknownSubcommandOrOption)
{
	EXPECT_EQ(run_cli({"frobnicate"}).code, exit_usage);
	EXPECT_EQ(run_cli({"version", "--frob"}).code, exit_usage);
	EXPECT_EQ(run_cli({"version", "extra"}).code, exit_usage);
	EXPECT_EQ(run_cli({"--root"}).code, exit_usage);
}

TEST(CliUsage, Help)
{
	const auto r = run_cli({"--help"});
	EXPECT_EQ(r.code, exit_ok);
	EXPECT_NE(r.out.find("version"), std::string::npos) << r.out;
	EXPECT_NE(r.out.find("tree"), std::string::npos) << r.out;
	EXPECT_NE(r.out.find("--root"), std::string::npos) << r.out;
}

TEST(CliUsage, VersionFlag)
{
	const auto r = run_cli({"--version"});
	EXPECT_EQ(r.code, exit_ok);
	EXPECT_EQ(r.out, fmt::format("{}\n", user_version()));
}

} // namespace
} // namespace strix::cli
