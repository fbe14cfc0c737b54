// Running strixctl in-process for unit tests, on a TreeFixture.
#ifndef STRIX_USR_TESTING_CLI_RUNNER_H
#define STRIX_USR_TESTING_CLI_RUNNER_H

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli.h"
#include "testing/tree_fixture.h"

namespace strix::testing {

struct CliResult {
	int code;
	std::string out;
	std::string err;
};

// strixctl with these arguments (argv[0] is added).
inline CliResult run_cli(const std::vector<std::string> &args)
{
	std::vector<const char *> argv{"strixctl"};
	for (const auto &arg : args)
		argv.push_back(arg.c_str());
	std::ostringstream out, err;
	const int code = cli::run(argv, out, err);
	return {code, out.str(), err.str()};
}

class CliFixture : public TreeFixture {
protected:
	// strixctl --root <fixture> args...
	CliResult strixctl(std::vector<std::string> args) const
	{
		args.insert(args.begin(), {"--root", root_.string()});
		return run_cli(args);
	}

	// A file outside the tree (in the temp directory); returns its path.
	std::string write_outside(const std::string &name, const std::string &content) const
	{
		const auto path = base_ / name;
		std::filesystem::create_directories(path.parent_path());
		std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
		return path.string();
	}

	std::string read_outside(const std::string &name) const
	{
		std::ifstream f(base_ / name, std::ios::binary);
		return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
	}

	// What the last write to a (maybe write-only) file left there.
	std::string written(const std::string &rel) const
	{
		namespace fs = std::filesystem;
		fs::permissions(root_ / rel, fs::perms::owner_read, fs::perm_options::add);
		return read_file(rel);
	}

	// The fixture plus a target with a LUN, a group and a session:
	//   targets/scst_local/{mgmt, t1/{enabled 1, rel_tgt_id 1, luns/0 -> disk1,
	//     ini_groups/esx/{luns/0 -> disk1 (read_only), initiators/iqn.esx},
	//     sessions/host1/{initiator_name, active_commands, luns -> ../../luns}}}
	//   targets/iscsi/{mgmt, enabled 0, iqn.2024-01.com.example:t2/}
	void populate() const
	{
		write_file("devices/disk1/size_mb", "100\n");
		write_file("devices/disk1/blocksize", "512\n");
		write_file("targets/scst_local/mgmt", "");
		const std::string t = "targets/scst_local/t1/";
		write_file(t + "enabled", "1\n");
		write_file(t + "rel_tgt_id", "1\n");
		write_file(t + "luns/mgmt", "");
		write_file(t + "luns/0/read_only", "0\n");
		make_link(t + "luns/0/device", "../../../../../devices/disk1");
		write_file(t + "ini_groups/mgmt", "");
		write_file(t + "ini_groups/esx/luns/mgmt", "");
		write_file(t + "ini_groups/esx/luns/0/read_only", "1\n");
		make_link(t + "ini_groups/esx/luns/0/device", "../../../../../../../devices/disk1");
		write_file(t + "ini_groups/esx/initiators/mgmt", "");
		write_file(t + "ini_groups/esx/initiators/iqn.esx", "iqn.esx\n");
		write_file(t + "sessions/host1/initiator_name", "host1\n");
		write_file(t + "sessions/host1/commands", "12\n");
		write_file(t + "sessions/host1/active_commands", "0\n");
		make_link(t + "sessions/host1/luns", "../../luns");
		write_file("targets/iscsi/mgmt", "");
		write_file("targets/iscsi/enabled", "0\n");
		write_file("targets/iscsi/iqn.2024-01.com.example:t2/enabled", "0\n");
		make_dir("targets/iscsi/iqn.2024-01.com.example:t2/luns");
		write_file("targets/iscsi/iqn.2024-01.com.example:t2/luns/mgmt", "");
	}
};

} // namespace strix::testing

#endif // STRIX_USR_TESTING_CLI_RUNNER_H
