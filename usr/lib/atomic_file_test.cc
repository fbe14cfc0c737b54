#include "atomic_file.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <gtest/gtest.h>

#include "error.h"
#include "testing/tree_fixture.h"

namespace strix {
namespace {

namespace fs = std::filesystem;

class AtomicFile : public testing::TreeFixture {
protected:
	std::string slurp(const fs::path &p) const
	{
		std::ifstream f(p, std::ios::binary);
		return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
	}
	// Names in dir, to see that no temp file is left.
	std::vector<std::string> names(const fs::path &dir) const
	{
		std::vector<std::string> v;
		for (const auto &e : fs::directory_iterator(dir))
			v.push_back(e.path().filename().string());
		std::ranges::sort(v);
		return v;
	}
};

TEST_F(AtomicFile, WritesANewFileAndItsDirectory)
{
	const fs::path file = base_ / "etc/strix/strix.conf";
	const AtomicWrite w = write_atomically(file, "setup_id 1\n");
	EXPECT_EQ(slurp(file), "setup_id 1\n");
	EXPECT_FALSE(w.backup);
	EXPECT_EQ(names(file.parent_path()), std::vector<std::string>{"strix.conf"});
	EXPECT_EQ(fs::status(file).permissions() & fs::perms::all,
		  fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
			  fs::perms::others_read);
}

TEST_F(AtomicFile, KeepsThePreviousVersion)
{
	const fs::path file = base_ / "strix.conf";
	write_atomically(file, "one\n");
	const AtomicWrite w = write_atomically(file, "two\n");
	ASSERT_TRUE(w.backup);
	EXPECT_EQ(*w.backup, base_ / "strix.conf.bak");
	EXPECT_EQ(slurp(file), "two\n");
	EXPECT_EQ(slurp(*w.backup), "one\n");
	write_atomically(file, "three\n");
	EXPECT_EQ(slurp(*w.backup), "two\n");
	EXPECT_EQ(names(base_), (std::vector<std::string>{"scst_tgt", "strix.conf",
							  "strix.conf.bak"}));
}

TEST_F(AtomicFile, KeepsTheMode)
{
	const fs::path file = base_ / "secret.conf";
	write_atomically(file, "one\n");
	fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write);
	write_atomically(file, "two\n");
	EXPECT_EQ(fs::status(file).permissions() & fs::perms::all,
		  fs::perms::owner_read | fs::perms::owner_write);
}

TEST_F(AtomicFile, NoBackupWhenNotAsked)
{
	const fs::path file = base_ / "f";
	write_atomically(file, "one\n");
	EXPECT_FALSE(write_atomically(file, "two\n", false).backup);
	EXPECT_FALSE(fs::exists(base_ / "f.bak"));
}

TEST_F(AtomicFile, FailureLeavesTheOldFileAndNoTemp)
{
	// A directory where the file should be: refused before anything moves.
	fs::create_directories(base_ / "d/strix.conf");
	EXPECT_THROW(write_atomically(base_ / "d/strix.conf", "x\n"), Error);
	EXPECT_EQ(names(base_ / "d"), std::vector<std::string>{"strix.conf"});

	// An unwritable directory (as root, a read-only bind is not available
	// here: use a path below a regular file instead).
	std::ofstream(base_ / "plain") << "x";
	try {
		write_atomically(base_ / "plain/strix.conf", "x\n");
		FAIL() << "no error";
	} catch (const Error &e) {
		EXPECT_EQ(e.subject(), (base_ / "plain").string());
	}
	EXPECT_EQ(slurp(base_ / "plain"), "x");
}

} // namespace
} // namespace strix
