#include "sysfs.h"

#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "error.h"
#include "testing/tree_fixture.h"

namespace strix::sysfs {
namespace {

namespace fs = std::filesystem;
using Lines = std::vector<std::string>;

// --- Attribute::parse ----------------------------------------------------

TEST(AttributeParse, TrailingKeyLineIsStrippedAndNoted)
{
	const auto a = Attribute::parse("0x2a\n[key]\n");
	EXPECT_EQ(a.lines, Lines{"0x2a"});
	EXPECT_TRUE(a.key);
}

TEST(AttributeParse, NoKeyLine)
{
	const auto a = Attribute::parse("0x2a\n");
	EXPECT_EQ(a.lines, Lines{"0x2a"});
	EXPECT_FALSE(a.key);
}

TEST(AttributeParse, KeyOnlyCountsAsTheLastLine)
{
	const auto a = Attribute::parse("a\n[key]\nb\n");
	EXPECT_EQ(a.lines, (Lines{"a", "[key]", "b"}));
	EXPECT_FALSE(a.key);
}

TEST(AttributeParse, KeyMustBeTheWholeLine)
{
	const auto a = Attribute::parse("1 [key]\n");
	EXPECT_EQ(a.lines, Lines{"1 [key]"});
	EXPECT_FALSE(a.key);
}

TEST(AttributeParse, MultiLineWithoutTrailingNewline)
{
	const auto a = Attribute::parse("one\ntwo\n\nfour");
	EXPECT_EQ(a.lines, (Lines{"one", "two", "", "four"}));
	EXPECT_EQ(a.value(), "one\ntwo\n\nfour");
}

TEST(AttributeParse, Empty)
{
	const auto a = Attribute::parse("");
	EXPECT_TRUE(a.lines.empty());
	EXPECT_FALSE(a.key);
	EXPECT_EQ(a.value(), "");
}

TEST(AttributeFormat, ShowsKey)
{
	EXPECT_EQ(fmt::format("{}", Attribute{{"0x2a"}, true}), "0x2a [key]");
	EXPECT_EQ(fmt::format("{}", Attribute{{"0x2a"}, false}), "0x2a");
	EXPECT_EQ(fmt::format("{}", NodeType::symlink), "symlink");
}

// --- Tree: root and paths ------------------------------------------------

class EnvGuard {
public:
	explicit EnvGuard(const char *value)
	{
		if (const char *old = ::getenv(name))
			old_ = old;
		if (value)
			::setenv(name, value, 1);
		else
			::unsetenv(name);
	}
	~EnvGuard()
	{
		if (old_)
			::setenv(name, old_->c_str(), 1);
		else
			::unsetenv(name);
	}

private:
	static constexpr const char *name = "STRIX_SYSFS_ROOT";
	std::optional<std::string> old_;
};

TEST(TreeRoot, DefaultsToSysKernelScstTgt)
{
	EnvGuard env(nullptr);
	EXPECT_EQ(Tree().root(), fs::path("/sys/kernel/scst_tgt"));
}

TEST(TreeRoot, EnvironmentOverridesDefault)
{
	EnvGuard env("/tmp/elsewhere/scst_tgt");
	EXPECT_EQ(Tree().root(), fs::path("/tmp/elsewhere/scst_tgt"));
}

TEST(TreeRoot, EmptyEnvironmentIsIgnored)
{
	EnvGuard env("");
	EXPECT_EQ(Tree().root(), fs::path(default_root));
}

TEST(TreeRoot, ConstructorArgumentWinsAndIsNormalized)
{
	EnvGuard env("/tmp/elsewhere");
	EXPECT_EQ(Tree("/x/./scst_tgt/").root(), fs::path("/x/scst_tgt"));
}

TEST(TreeResolve, RelativeAndAbsoluteInside)
{
	const Tree tree("/r/scst_tgt");
	EXPECT_EQ(tree.resolve(""), fs::path("/r/scst_tgt"));
	EXPECT_EQ(tree.resolve("devices/disk1/"), fs::path("/r/scst_tgt/devices/disk1"));
	EXPECT_EQ(tree.resolve("/r/scst_tgt/targets"), fs::path("/r/scst_tgt/targets"));
	EXPECT_EQ(tree.resolve("devices/../targets"), fs::path("/r/scst_tgt/targets"));
}

TEST(TreeResolve, RefusesPathsOutsideTheTree)
{
	const Tree tree("/r/scst_tgt");
	for (const char *bad : {"..", "../x", "devices/../../x", "/etc/passwd", "/r/scst_tgt2"}) {
		try {
			tree.resolve(bad);
			ADD_FAILURE() << bad << " was accepted";
		} catch (const Error &e) {
			EXPECT_EQ(e.code(), std::errc::invalid_argument) << bad;
			EXPECT_EQ(e.what(), fmt::format("{}: outside the management tree: /r/scst_tgt", bad));
		}
	}
}

// --- Tree on the fixture -------------------------------------------------

using SysfsTree = strix::testing::TreeFixture;

TEST_F(SysfsTree, RequireAcceptsTheFixture)
{
	EXPECT_NO_THROW(Tree(root_).require());
}

TEST_F(SysfsTree, RequireReportsMissingRoot)
{
	const fs::path missing = base_ / "absent";
	try {
		Tree(missing).require();
		FAIL() << "no error";
	} catch (const Error &e) {
		EXPECT_EQ(e.code(), std::errc::no_such_file_or_directory);
		EXPECT_EQ(e.what(), missing.string() + ": not found: is the strix module loaded?");
	}
}

TEST_F(SysfsTree, RequireRefusesAFile)
{
	try {
		Tree(root_ / "version").require();
		FAIL() << "no error";
	} catch (const Error &e) {
		EXPECT_EQ(e.code(), std::errc::not_a_directory);
	}
}

TEST_F(SysfsTree, ReadKeyedAttribute)
{
	EXPECT_EQ(Tree(root_).read("setup_id"), (Attribute{{"0x2a"}, true}));
}

TEST_F(SysfsTree, ReadPlainAttribute)
{
	EXPECT_EQ(Tree(root_).read("handlers/vdisk_fileio/type"),
		  (Attribute{{"0 - Direct-access block device"}, false}));
}

TEST_F(SysfsTree, ReadMissingAttributeCarriesErrno)
{
	try {
		Tree(root_).read("nope");
		FAIL() << "no error";
	} catch (const Error &e) {
		EXPECT_EQ(e.errnum(), ENOENT);
		EXPECT_EQ(e.errno_name(), "ENOENT");
		EXPECT_EQ(e.subject(), (root_ / "nope").string());
		EXPECT_EQ(e.what(), (root_ / "nope").string() +
					    ": cannot read: No such file or directory");
	}
}

TEST_F(SysfsTree, ReadDirectoryFailsWithEISDIR)
{
	try {
		Tree(root_).read("devices");
		FAIL() << "no error";
	} catch (const Error &e) {
		EXPECT_EQ(e.errnum(), EISDIR);
	}
}

TEST_F(SysfsTree, WalkWholeTree)
{
	const Node root = Tree(root_).walk();
	EXPECT_EQ(root.type, NodeType::directory);
	EXPECT_EQ(root.name, "scst_tgt");
	EXPECT_EQ(root.path, root_);
	EXPECT_FALSE(root.error);

	std::vector<std::string> names;
	for (const auto &child : root.children)
		names.push_back(child.name);
	EXPECT_EQ(names, (Lines{"device_groups", "devices", "handlers", "setup_id",
				"targets", "version"}));

	const Node *setup_id = root.find("setup_id");
	ASSERT_NE(setup_id, nullptr);
	EXPECT_EQ(setup_id->type, NodeType::attribute);
	EXPECT_TRUE(setup_id->readable);
	EXPECT_TRUE(setup_id->writable);
	ASSERT_TRUE(setup_id->value);
	EXPECT_EQ(*setup_id->value, (Attribute{{"0x2a"}, true}));

	const Node *version = root.find("version");
	ASSERT_NE(version, nullptr);
	ASSERT_TRUE(version->value);
	EXPECT_FALSE(version->value->key);
	ASSERT_EQ(version->value->lines.size(), 2u);
	EXPECT_EQ(version->value->lines[1], "SYNC_MGMT");

	EXPECT_EQ(root.find("targets")->type, NodeType::directory);
	EXPECT_TRUE(root.find("targets")->children.empty());
	EXPECT_EQ(root.find("absent"), nullptr);
}

TEST_F(SysfsTree, WalkListsSymlinksWithoutFollowing)
{
	const Node disk = Tree(root_).walk("devices/disk1");
	const Node *handler = disk.find("handler");
	ASSERT_NE(handler, nullptr);
	EXPECT_EQ(handler->type, NodeType::symlink);
	EXPECT_EQ(handler->target, fs::path("../../handlers/vdisk_fileio"));
	EXPECT_TRUE(handler->children.empty());
}

TEST_F(SysfsTree, WalkListsWriteOnlyFilesWithoutReading)
{
	// Root could open it, but a write-only attribute is never read.
	write_file("handlers/vdisk_fileio/mgmt", "secret\n", fs::perms::owner_write);
	const Node handler = Tree(root_).walk("handlers/vdisk_fileio");
	const Node *mgmt = handler.find("mgmt");
	ASSERT_NE(mgmt, nullptr);
	EXPECT_EQ(mgmt->type, NodeType::attribute);
	EXPECT_FALSE(mgmt->readable);
	EXPECT_TRUE(mgmt->writable);
	EXPECT_FALSE(mgmt->value);
	EXPECT_FALSE(mgmt->error);
}

TEST_F(SysfsTree, WalkMissingPath)
{
	try {
		Tree(root_).walk("devices/disk9");
		FAIL() << "no error";
	} catch (const Error &e) {
		EXPECT_EQ(e.code(), std::errc::no_such_file_or_directory);
		EXPECT_EQ(e.problem(), "not found");
	}
}

TEST_F(SysfsTree, NodeJson)
{
	const nlohmann::json j = Tree(root_).walk("devices");
	EXPECT_EQ(j["type"], "directory");
	EXPECT_EQ(j["name"], "devices");
	const auto &disk = j["children"].at(0);
	EXPECT_EQ(disk["name"], "disk1");
	const auto &filename = disk["children"].at(0);
	EXPECT_EQ(filename["name"], "filename");
	EXPECT_EQ(filename["type"], "attribute");
	EXPECT_EQ(filename["value"], "/var/lib/strix/disk1.img");
	EXPECT_EQ(filename["key"], true);
	const auto &handler = disk["children"].at(1);
	EXPECT_EQ(handler["type"], "symlink");
	EXPECT_EQ(handler["target"], "../../handlers/vdisk_fileio");
}

TEST_F(SysfsTree, WriteAttribute)
{
	const Tree tree(root_);
	tree.write("setup_id", "0x10");
	EXPECT_EQ(read_file("setup_id"), "0x10\n");
	EXPECT_EQ(tree.read("setup_id"), (Attribute{{"0x10"}, false}));

	tree.write("setup_id", "7\n"); // a newline is not doubled
	EXPECT_EQ(read_file("setup_id"), "7\n");
}

TEST_F(SysfsTree, WriteMgmtCommand)
{
	Tree(root_).mgmt("handlers/vdisk_fileio", "add_device disk2 filename=/tmp/d2");
	EXPECT_EQ(read_file("handlers/vdisk_fileio/mgmt"), "add_device disk2 filename=/tmp/d2\n");
}

TEST_F(SysfsTree, WriteToMissingAttributeCarriesErrno)
{
	// Attributes are never created by a write.
	try {
		Tree(root_).write("devices/disk1/nope", "1");
		FAIL() << "no error";
	} catch (const Error &e) {
		EXPECT_EQ(e.errnum(), ENOENT);
		EXPECT_EQ(e.what(), (root_ / "devices/disk1/nope").string() +
					    ": cannot write \"1\": No such file or directory");
	}
	EXPECT_FALSE(fs::exists(root_ / "devices/disk1/nope"));
}

TEST_F(SysfsTree, WriteToDirectoryCarriesErrno)
{
	try {
		Tree(root_).mgmt("targets", "x");
		FAIL() << "mgmt of a directory without one";
	} catch (const Error &e) {
		EXPECT_EQ(e.errnum(), ENOENT);
	}
	try {
		Tree(root_).write("targets", "x");
		FAIL() << "no error";
	} catch (const Error &e) {
		EXPECT_EQ(e.code(), std::errc::is_a_directory);
		EXPECT_EQ(e.errno_name(), "EISDIR");
	}
}

TEST(SysfsWrite, ErrnoOfTheWriteItselfSurfaces)
{
	// /dev/full opens fine and refuses the write() with ENOSPC, just as
	// the kernel refuses a bad mgmt command with -errno from write().
	if (!fs::is_character_file("/dev/full"))
		GTEST_SKIP() << "no /dev/full";
	try {
		Tree("/dev").write("full", "add_device disk1");
		FAIL() << "no error";
	} catch (const Error &e) {
		EXPECT_EQ(e.errnum(), ENOSPC);
		EXPECT_EQ(e.what(), std::string("/dev/full: cannot write \"add_device disk1\": ") +
					    "No space left on device");
	}
}

} // namespace
} // namespace strix::sysfs
