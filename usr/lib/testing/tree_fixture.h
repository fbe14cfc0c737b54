// A temp directory that mimics the management tree, for unit tests:
//
//   <tmp>/scst_tgt/
//     version                      "<user_version()>\nSYNC_MGMT\n"
//     setup_id                     "0x2a\n[key]\n"
//     handlers/vdisk_fileio/
//       mgmt                       write-only (0200)
//       type                       "0 - Direct-access block device\n"
//     devices/disk1/
//       handler -> ../../handlers/vdisk_fileio
//       filename                   "/var/lib/strix/disk1.img\n[key]\n"
//     targets/
//     device_groups/
#ifndef STRIX_USR_TESTING_TREE_FIXTURE_H
#define STRIX_USR_TESTING_TREE_FIXTURE_H

#include <filesystem>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

namespace strix::testing {

class TreeFixture : public ::testing::Test {
protected:
	void SetUp() override;
	void TearDown() override;

	// Create or replace a file below the root (and its directories).
	void write_file(std::string_view rel, std::string_view content,
			std::filesystem::perms perms = std::filesystem::perms::owner_read |
						       std::filesystem::perms::owner_write |
						       std::filesystem::perms::group_read |
						       std::filesystem::perms::others_read) const;
	std::string read_file(std::string_view rel) const;
	// Create a directory (and its parents) below the root.
	void make_dir(std::string_view rel) const;
	// Create a symlink at rel pointing to target (taken literally).
	void make_link(std::string_view rel, std::string_view target) const;
	// Make writes to rel fail the way a refusing kernel would: the file is
	// replaced by a directory, so open(O_WRONLY) fails with EISDIR (file
	// modes do not stop root, who runs the tests in the guest).
	void refuse_writes(std::string_view rel) const;

	std::filesystem::path base_; // the temp directory, removed afterwards
	std::filesystem::path root_; // base_/scst_tgt
};

} // namespace strix::testing

#endif // STRIX_USR_TESTING_TREE_FIXTURE_H
