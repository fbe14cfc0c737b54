#include "testing/tree_fixture.h"

#include <stdlib.h>

#include <fstream>
#include <iterator>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>

#include "version.h"

namespace strix::testing {

namespace fs = std::filesystem;

void TreeFixture::SetUp()
{
	std::string tmpl = (fs::temp_directory_path() / "strix-test-XXXXXX").string();
	if (!::mkdtemp(tmpl.data()))
		throw std::system_error(errno, std::generic_category(), "mkdtemp");
	base_ = tmpl;
	root_ = base_ / "scst_tgt";

	for (const char *dir : {"handlers/vdisk_fileio", "devices/disk1", "targets",
				"device_groups"})
		fs::create_directories(root_ / dir);
	write_file("version", fmt::format("{}\nSYNC_MGMT\n", user_version()));
	write_file("setup_id", "0x2a\n[key]\n");
	write_file("handlers/vdisk_fileio/mgmt", "", fs::perms::owner_write);
	write_file("handlers/vdisk_fileio/type", "0 - Direct-access block device\n");
	write_file("devices/disk1/filename", "/var/lib/strix/disk1.img\n[key]\n");
	fs::create_symlink("../../handlers/vdisk_fileio", root_ / "devices/disk1/handler");
}

void TreeFixture::TearDown()
{
	std::error_code ec;
	if (!base_.empty())
		fs::remove_all(base_, ec);
}

void TreeFixture::write_file(std::string_view rel, std::string_view content,
			     fs::perms perms) const
{
	const fs::path path = root_ / rel;
	fs::create_directories(path.parent_path());
	{
		std::ofstream f(path, std::ios::binary | std::ios::trunc);
		f << content;
		if (!f)
			throw std::runtime_error("cannot write " + path.string());
	}
	fs::permissions(path, perms);
}

void TreeFixture::make_dir(std::string_view rel) const
{
	fs::create_directories(root_ / rel);
}

void TreeFixture::make_link(std::string_view rel, std::string_view target) const
{
	fs::create_directories((root_ / rel).parent_path());
	fs::create_symlink(fs::path(target), root_ / rel);
}

void TreeFixture::refuse_writes(std::string_view rel) const
{
	const fs::path path = root_ / rel;
	std::error_code ec;
	fs::remove(path, ec);
	fs::create_directories(path);
}

std::string TreeFixture::read_file(std::string_view rel) const
{
	std::ifstream f(root_ / rel, std::ios::binary);
	return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

} // namespace strix::testing
