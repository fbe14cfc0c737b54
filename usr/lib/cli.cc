// strixctl: registers the subcommand tables with CLI11, runs the parsed one,
// and is the one place that reports errors (text on err; with --json also
// {"error": ...} on out).  The commands themselves are in cli_*.cc.
#include "cli.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ostream.h>
#include <nlohmann/json.hpp>

#include "cli_internal.h"
#include "error.h"
#include "suggest.h"
#include "sysfs.h"
#include "version.h"

namespace strix::cli {

void print_json(std::ostream &out, const nlohmann::json &j)
{
	// sysfs values are bytes; never let a stray non-UTF-8 byte abort output.
	out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

void print_json_line(std::ostream &out, const nlohmann::json &j)
{
	out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n'
	    << std::flush;
}

std::pair<std::string, std::string> split_param(std::string_view kv)
{
	const auto eq = kv.find('=');
	if (eq == std::string_view::npos || eq == 0)
		throw Error(std::make_error_code(std::errc::invalid_argument), std::string(kv),
			    "not a key=value pair", "attributes are given as name=value");
	return {std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1))};
}

CLI::Validator one_of(std::vector<std::string> names, std::string what)
{
	const std::string desc = fmt::format("{{{}}}", fmt::join(names, ","));
	return CLI::Validator(
		[names = std::move(names), what = std::move(what)](std::string &value) -> std::string {
			if (std::ranges::find(names, value) != names.end())
				return {};
			std::string msg = fmt::format("unknown {} '{}'", what, value);
			if (const auto s = suggest(value, names))
				msg += fmt::format(": did you mean '{}'?", *s);
			else
				msg += fmt::format(": one of {}", fmt::join(names, ", "));
			return msg;
		},
		desc);
}

TreeLock::TreeLock(const sysfs::Tree &tree)
{
	tree.require();
	fd_ = ::open(tree.root().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd_ < 0)
		throw Error::from_errno(errno, tree.root().string(), "cannot open to lock");
	while (::flock(fd_, LOCK_EX) < 0) {
		if (errno == EINTR)
			continue;
		// A file system without flock: run unlocked rather than not at all.
		if (errno == EINVAL || errno == ENOLCK || errno == EOPNOTSUPP)
			break;
		const int err = errno;
		::close(fd_);
		throw Error::from_errno(err, tree.root().string(), "cannot lock");
	}
}

TreeLock::~TreeLock()
{
	if (fd_ >= 0)
		::close(fd_); // drops the lock
}

namespace {

// The one fatal path: a line on err, and with --json the error on out too
// (one more line of a command whose output is JSON lines).
int fail(const Options &opts, const Command &cmd, std::ostream &out, std::ostream &err,
	 std::string_view message, const nlohmann::json &error, int code = exit_failure)
{
	fmt::print(err, "{}: {}\n", program, message);
	if (opts.json && cmd.json_lines)
		print_json_line(out, {{"error", error}});
	else if (opts.json)
		print_json(out, {{"error", error}});
	return code;
}

// Options of app (or, as CLI11 falls through, of its parents) that take a
// value, so that the typo scan skips that value.
bool takes_value(const CLI::App *app, const std::string &arg)
{
	if (arg.find('=') != std::string::npos)
		return false;
	for (; app; app = app->get_parent())
		if (const CLI::Option *o = app->get_option_no_throw(arg))
			return o->get_type_size_max() > 0 && o->get_expected_max() > 0;
	return false;
}

// A word where a subcommand was expected that is none: "unknown command
// 'aply': did you mean 'apply'?".
std::optional<std::string> typo_hint(const CLI::App &app, const std::vector<std::string> &args)
{
	const CLI::App *cur = &app;
	for (std::size_t i = 0; i < args.size(); i++) {
		const std::string &arg = args[i];
		if (arg == "--")
			return std::nullopt;
		if (arg.starts_with("-")) {
			if (takes_value(cur, arg))
				i++;
			continue;
		}
		const auto subs = cur->get_subcommands([](const CLI::App *) { return true; });
		if (subs.empty())
			return std::nullopt; // a positional argument
		const auto sub = std::ranges::find_if(subs, [&](const CLI::App *s) {
			return s->check_name(arg);
		});
		if (sub != subs.end()) {
			cur = *sub;
			continue;
		}
		std::vector<std::string> names;
		for (const CLI::App *s : subs)
			names.push_back(s->get_name());
		const std::string where = cur == &app ? std::string("command")
						      : fmt::format("'{}' command", cur->get_name());
		std::string hint = fmt::format("unknown {} '{}'", where, arg);
		if (const auto s = suggest(arg, names))
			hint += fmt::format(": did you mean '{}'?", *s);
		else
			hint += fmt::format(": one of {}", fmt::join(names, ", "));
		return hint;
	}
	return std::nullopt;
}

bool want_color(const std::string &when, const std::ostream &out)
{
	if (when == "always")
		return true;
	if (when == "never")
		return false;
	// auto: only our own stdout, and only a terminal; NO_COLOR wins.
	return &out == &std::cout && ::isatty(STDOUT_FILENO) && !std::getenv("NO_COLOR");
}

} // namespace

int run(std::span<const char *const> argv, std::ostream &out, std::ostream &err)
{
	Options opts;
	CLI::App app{"Strix SCSI target administration.  Without a command: tree.",
		     std::string(program)};
	app.set_version_flag("--version", std::string(user_version()));
	app.add_option("--root", opts.root,
		       fmt::format("Management tree to use (default: ${} or {})",
				   sysfs::root_env, sysfs::default_root))
		->type_name("DIR");
	app.add_flag("--json", opts.json, "Print JSON on stdout, errors included");
	app.add_option("--color", opts.color, "Colour the tree: auto (on a terminal), always, never")
		->check(one_of({"auto", "always", "never"}, "colour mode"))
		->type_name("WHEN");
	app.require_subcommand(0, 1);
	// Global options may follow the subcommand: "strixctl version --json".
	app.fallthrough();
	app.footer("Exit codes: 0 ok, 1 runtime error, 2 usage error (events: timed out),\n"
		   "3 diff found differences.\n"
		   "See strixctl(8) and Documentation/strixctl.md.");

	std::vector<std::pair<const CLI::App *, const Command *>> subcommands;
	const Command *tree_cmd = nullptr;
	for (const auto table : {read_commands(), edit_commands(), apply_commands(),
				 import_commands(), events_commands()}) {
		for (const Command &cmd : table) {
			CLI::App *sub = app.add_subcommand(std::string(cmd.name),
							   std::string(cmd.description));
			sub->footer("Global options (--root, --json, --color) may also follow the "
				    "subcommand.");
			if (cmd.configure)
				cmd.configure(*sub, opts);
			subcommands.emplace_back(sub, &cmd);
			if (cmd.name == "tree")
				tree_cmd = &cmd;
		}
	}

	std::vector<std::string> forward;
	for (std::size_t i = 1; i < argv.size(); i++)
		forward.emplace_back(argv[i]);
	try {
		// CLI11 takes the arguments reversed and without argv[0].
		std::vector<std::string> args(forward.rbegin(), forward.rend());
		app.parse(args);
	} catch (const CLI::ParseError &e) {
		// --help and --version arrive here too, with exit code 0.
		if (e.get_exit_code() == 0)
			return app.exit(e, out, err) == 0 ? exit_ok : exit_usage;
		const bool json = std::ranges::find(forward, "--json") != forward.end();
		const auto hint = typo_hint(app, forward);
		const std::string message = hint ? *hint : std::string(e.what());
		if (json) {
			print_json(out, {{"error",
					  {{"message", message},
					   {"subject", "command line"},
					   {"problem", "usage"},
					   {"detail", e.what()},
					   {"errno", EINVAL},
					   {"errno_name", "EINVAL"}}}});
		}
		fmt::print(err, "{}: {}\n", program, message);
		fmt::print(err, "Run '{} --help' for usage.\n", program);
		return exit_usage;
	}

	const Command *cmd = tree_cmd; // no command: the tree
	for (const auto &[sub, c] : subcommands)
		if (sub->parsed())
			cmd = c;
	try {
		const sysfs::Tree tree = opts.root.empty() ? sysfs::Tree() : sysfs::Tree(opts.root);
		const Context ctx{opts, tree, out, err, want_color(opts.color, out)};
		return cmd->handler(ctx);
	} catch (const ExitError &e) {
		return fail(opts, *cmd, out, err, e.what(), e, e.exit_code());
	} catch (const Error &e) {
		return fail(opts, *cmd, out, err, e.what(), e);
	} catch (const std::exception &e) {
		return fail(opts, *cmd, out, err, e.what(), {{"message", e.what()}});
	}
}

} // namespace strix::cli
