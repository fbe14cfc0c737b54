// What the files of strixctl share (cli.cc, cli_read.cc, cli_edit.cc,
// cli_apply.cc, cli_import.cc, cli_events.cc).  Not installed; only cli.h is the interface.
//
// Every subcommand is a Command {name, description, configure, handler} in
// one of the tables below; cli.cc registers them with CLI11 and runs the
// one that was parsed.  A handler returns the exit code or throws
// strix::Error; run() is the one place that reports an error.
#ifndef STRIX_USR_CLI_INTERNAL_H
#define STRIX_USR_CLI_INTERNAL_H

#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli.h"
#include "error.h"
#include "sysfs.h"

namespace strix::cli {

inline constexpr std::string_view program = "strixctl";
inline constexpr std::string_view default_config = "/etc/strix/strix.conf";

// Everything the command line can set; CLI11 binds straight into it.
struct Options {
	std::string root; // empty: $STRIX_SYSFS_ROOT or the default root
	bool json = false;
	std::string color = "auto"; // auto, always, never
	std::string sub;            // the nested subcommand (add/del: "device", ...)

	std::string path; // tree
	bool raw = false; // tree
	std::string kind; // list
	std::string object; // show, set

	// add / del
	std::string name;
	std::string handler;
	std::string driver;
	std::string target;
	std::string lun;
	std::string device;
	std::string group;
	std::string initiator;
	std::vector<std::string> params; // key=value

	// apply, diff, save, import, boot
	std::string file;
	bool dry_run = false;
	bool prune = false;
	std::string only_target;
	std::string output;
	std::string from_scst;
	std::string from_targetcli;
	double wait = 60;
	std::string modprobe = "modprobe";
	bool no_modules = false;

	// events
	unsigned count = 0;   // 0: no limit
	double timeout = 0;   // seconds; 0: none
};

struct Context {
	const Options &opts;
	const sysfs::Tree &tree;
	std::ostream &out;
	std::ostream &err;
	bool color = false; // ANSI colour on out
};

using Handler = int (*)(const Context &ctx);

struct Command {
	std::string_view name;
	std::string_view description;
	void (*configure)(CLI::App &sub, Options &opts); // may be null
	Handler handler;
	// With --json stdout is a stream, one object per line (events), and
	// an error is one more line.
	bool json_lines = false;
};

// An Error that ends strixctl with another exit code than exit_failure;
// run() reports it like any other.
class ExitError : public Error {
public:
	ExitError(Error e, int exit_code) : Error(std::move(e)), exit_code_(exit_code) {}
	int exit_code() const noexcept { return exit_code_; }

private:
	int exit_code_;
};

std::span<const Command> read_commands();   // cli_read.cc: version, tree, list, show
std::span<const Command> edit_commands();   // cli_edit.cc: add, del, set, enable, disable
std::span<const Command> apply_commands();  // cli_apply.cc: apply, diff, save, boot
std::span<const Command> import_commands(); // cli_import.cc: import
std::span<const Command> events_commands(); // cli_events.cc: events

// One JSON document on out (invalid UTF-8 replaced, never fatal).
void print_json(std::ostream &out, const nlohmann::json &j);
// The same on one line, flushed: an object of a JSON-lines stream.
void print_json_line(std::ostream &out, const nlohmann::json &j);

// "key=value" -> (key, value); a usage error (EINVAL) otherwise.
std::pair<std::string, std::string> split_param(std::string_view kv);

// A CLI11 validator: value must be one of names; the error suggests the
// closest one ("unknown kind 'devises': did you mean 'devices'?").
CLI::Validator one_of(std::vector<std::string> names, std::string what);

// An exclusive flock on the tree's root, held while the object lives, so
// that two strixctl runs that change the tree do one after the other.
class TreeLock {
public:
	explicit TreeLock(const sysfs::Tree &tree);
	~TreeLock();
	TreeLock(const TreeLock &) = delete;
	TreeLock &operator=(const TreeLock &) = delete;

private:
	int fd_ = -1;
};

} // namespace strix::cli



namespace strix::cli {

// A target named on the command line: "DRIVER/TARGET", or a target name
// that only one driver has.
struct TargetRef {
	std::string driver;
	std::string name;
	std::string id() const { return driver + "/" + name; }
	std::string path() const { return "targets/" + driver + "/" + name; }
};

// Throws ENOENT (with a suggestion) or EINVAL (ambiguous).
TargetRef resolve_target(const sysfs::Tree &tree, std::string_view spec);

// Any object `show` and `set` take: root, device/D, handler/H, driver/DRV,
// target/[DRV/]T, group/[DRV/]T/G, lun/[DRV/]T[/G]/N, session/[DRV/]T/S,
// device_group/DG, or a bare name that is exactly one device, target,
// handler, driver or device group.
struct ObjectRef {
	std::string kind;  // "root", "device", ...
	std::string name;  // as shown: "disk1", "scst_local/t1", "scst_local/t1 esx"
	std::string path;  // relative to the root ("" for the root)
};

ObjectRef resolve_object(const sysfs::Tree &tree, std::string_view spec);

} // namespace strix::cli
#endif // STRIX_USR_CLI_INTERNAL_H
