#include "version.h"

#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "error.h"
#include "testing/tree_fixture.h"

namespace strix {
namespace {

using Lines = std::vector<std::string>;

TEST(UserVersion, MatchesTheKernelHeader)
{
	std::ifstream header(STRIX_VERSION_HEADER);
	ASSERT_TRUE(header) << STRIX_VERSION_HEADER;
	std::stringstream text;
	text << header.rdbuf();
	const std::string s = text.str();
	std::smatch m;
	const std::regex define(R"re(#define\s+STRIX_VERSION\s+"([^"]+)")re");
	ASSERT_TRUE(std::regex_search(s, m, define));
	EXPECT_EQ(user_version(), m[1].str());
}

TEST(UserVersion, LooksLikeAVersion)
{
	const std::string v(user_version());
	EXPECT_TRUE(std::regex_match(v, std::regex(R"(\d+\.\d+\.\d+.*)"))) << v;
}

TEST(KernelVersionParse, VersionThenFeatures)
{
	const auto v = KernelVersion::parse(sysfs::Attribute::parse("1.2.3\nSYNC_MGMT\nKUNIT\n"), "v");
	EXPECT_EQ(v.version, "1.2.3");
	EXPECT_EQ(v.features, (Lines{"SYNC_MGMT", "KUNIT"}));
	EXPECT_TRUE(v.has("SYNC_MGMT"));
	EXPECT_TRUE(v.has("KUNIT"));
	EXPECT_FALSE(v.has("KASAN"));
	EXPECT_FALSE(v.has("SYNC"));
}

TEST(KernelVersionParse, NoFeatures)
{
	const auto v = KernelVersion::parse(sysfs::Attribute::parse("2.0.0\n"), "v");
	EXPECT_EQ(v.version, "2.0.0");
	EXPECT_TRUE(v.features.empty());
}

TEST(KernelVersionParse, SkipsBlankLinesAndTrims)
{
	const auto v = KernelVersion::parse(sysfs::Attribute::parse("\n 3.1 \n\nLOCKDEP\r\n"), "v");
	EXPECT_EQ(v.version, "3.1");
	EXPECT_EQ(v.features, Lines{"LOCKDEP"});
}

TEST(KernelVersionParse, EmptyIsMalformed)
{
	try {
		KernelVersion::parse(sysfs::Attribute::parse("\n"), "/x/version");
		FAIL() << "no error";
	} catch (const Error &e) {
		EXPECT_EQ(e.code(), std::errc::bad_message);
		EXPECT_EQ(e.what(), std::string("/x/version: malformed version: empty"));
	}
}

TEST(KernelVersionFormat, FmtAndJson)
{
	const KernelVersion v{"1.2.3", {"SYNC_MGMT", "KUNIT"}};
	EXPECT_EQ(fmt::format("{}", v), "1.2.3 (SYNC_MGMT, KUNIT)");
	EXPECT_EQ(fmt::format("{}", KernelVersion{"1.2.3", {}}), "1.2.3");
	const nlohmann::json j = v;
	EXPECT_EQ(j, nlohmann::json::parse(R"({"version": "1.2.3", "features": ["SYNC_MGMT", "KUNIT"]})"));
}

using KernelVersionRead = testing::TreeFixture;

TEST_F(KernelVersionRead, FromTheRoot)
{
	const auto v = read_kernel_version(sysfs::Tree(root_));
	EXPECT_EQ(v.version, user_version());
	EXPECT_EQ(v.features, Lines{"SYNC_MGMT"});
}

TEST_F(KernelVersionRead, ReadsWhatTheFileSays)
{
	write_file("version", "7.7.7\nKUNIT\nLOCKDEP\n");
	const auto v = read_kernel_version(sysfs::Tree(root_));
	EXPECT_EQ(v.version, "7.7.7");
	EXPECT_EQ(v.features, (Lines{"KUNIT", "LOCKDEP"}));
}

TEST_F(KernelVersionRead, MissingFile)
{
	const auto missing = base_ / "absent";
	try {
		read_kernel_version(sysfs::Tree(missing));
		FAIL() << "no error";
	} catch (const Error &e) {
		EXPECT_EQ(e.what(), (missing / "version").string() +
					    ": cannot read: No such file or directory");
	}
}

} // namespace
} // namespace strix
