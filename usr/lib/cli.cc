#include "cli.h"

#include <array>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ostream.h>
#include <nlohmann/json.hpp>

#include "error.h"
#include "sysfs.h"
#include "version.h"

namespace strix::cli {

namespace {

constexpr std::string_view program = "strixctl";

// Everything the command line can set; CLI11 binds straight into it.
struct Options {
	std::string root; // empty: $STRIX_SYSFS_ROOT or the default root
	bool json = false;
	std::string path; // tree
};

struct Context {
	const Options &opts;
	const sysfs::Tree &tree;
	std::ostream &out;
};

struct Command {
	std::string_view name;
	std::string_view description;
	void (*configure)(CLI::App &sub, Options &opts); // may be null
	void (*handler)(const Context &ctx);
};

void print_json(std::ostream &out, const nlohmann::json &j)
{
	// sysfs values are bytes; never let a stray non-UTF-8 byte abort output.
	out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

// --- version -------------------------------------------------------------

void version_handler(const Context &ctx)
{
	ctx.tree.require();
	const KernelVersion kernel = read_kernel_version(ctx.tree);

	if (ctx.opts.json) {
		print_json(ctx.out, {
			{"strixctl", {{"version", user_version()}}},
			{"kernel", kernel},
		});
		return;
	}
	fmt::print(ctx.out, "strixctl {}\n", user_version());
	fmt::print(ctx.out, "module   {}\n", kernel.version);
	fmt::print(ctx.out, "features {}\n",
		   kernel.features.empty() ? std::string("(none)")
					   : fmt::format("{}", fmt::join(kernel.features, " ")));
}

// --- tree ----------------------------------------------------------------

void tree_configure(CLI::App &sub, Options &opts)
{
	sub.add_option("path", opts.path,
		       "Part of the tree to print, relative to the root (default: all)")
		->type_name("PATH");
}

void print_node(std::ostream &out, const sysfs::Node &node, std::size_t depth,
		std::string_view label)
{
	const std::string indent(2 * depth, ' ');
	const auto failed = [&](std::string_view what) {
		return fmt::format(" ({}: {})", what, node.error.message());
	};

	switch (node.type) {
	case sysfs::NodeType::directory:
		fmt::print(out, "{}{}/{}\n", indent, label,
			   node.error ? failed("cannot list") : std::string());
		for (const auto &child : node.children)
			print_node(out, child, depth + 1, child.name);
		return;
	case sysfs::NodeType::symlink:
		fmt::print(out, "{}{} -> {}\n", indent, label, node.target.string());
		return;
	case sysfs::NodeType::attribute:
		break;
	case sysfs::NodeType::other:
		fmt::print(out, "{}{} (other)\n", indent, label);
		return;
	}

	if (!node.readable) {
		fmt::print(out, "{}{} (write-only)\n", indent, label);
		return;
	}
	if (!node.value) {
		fmt::print(out, "{}{}{}\n", indent, label, failed("cannot read"));
		return;
	}
	// name = first line
	//        further lines aligned under the first [key]
	const auto &attr = *node.value;
	const std::string key = attr.key ? std::string(" ") + std::string(sysfs::key_marker) : "";
	if (attr.lines.empty()) {
		fmt::print(out, "{}{} ={}\n", indent, label, key);
		return;
	}
	const std::string cont(indent.size() + label.size() + 3, ' ');
	for (std::size_t i = 0; i < attr.lines.size(); i++) {
		const bool last = i + 1 == attr.lines.size();
		if (i == 0)
			fmt::print(out, "{}{} = {}", indent, label, attr.lines[i]);
		else
			fmt::print(out, "{}{}", cont, attr.lines[i]);
		fmt::print(out, "{}\n", last ? key : "");
	}
}

void tree_handler(const Context &ctx)
{
	ctx.tree.require();
	const sysfs::Node node = ctx.tree.walk(ctx.opts.path);

	if (ctx.opts.json) {
		print_json(ctx.out, node);
		return;
	}
	print_node(ctx.out, node, 0, node.path.string());
}

// --- the table -----------------------------------------------------------

constexpr std::array commands{
	Command{"version", "Print the user-space and kernel module versions and features",
		nullptr, version_handler},
	Command{"tree", "Print the management tree", tree_configure, tree_handler},
};

// The one fatal path: a line on err, and with --json the error on out too.
int fail(const Options &opts, std::ostream &out, std::ostream &err,
	 std::string_view message, const nlohmann::json &error)
{
	fmt::print(err, "{}: {}\n", program, message);
	if (opts.json)
		print_json(out, {{"error", error}});
	return exit_failure;
}

} // namespace

int run(std::span<const char *const> argv, std::ostream &out, std::ostream &err)
{
	Options opts;
	CLI::App app{"Strix SCSI target administration", std::string(program)};
	app.set_version_flag("--version", std::string(user_version()));
	app.add_option("--root", opts.root,
		       fmt::format("Management tree to use (default: ${} or {})",
				   sysfs::root_env, sysfs::default_root))
		->type_name("DIR");
	app.add_flag("--json", opts.json, "Print JSON on stdout, errors included");
	app.require_subcommand(1);
	// Global options may follow the subcommand: "strixctl version --json".
	app.fallthrough();

	std::vector<std::pair<const CLI::App *, const Command *>> subcommands;
	for (const auto &cmd : commands) {
		CLI::App *sub = app.add_subcommand(std::string(cmd.name),
						   std::string(cmd.description));
		sub->footer("Global options (--root, --json) may also follow the subcommand.");
		if (cmd.configure)
			cmd.configure(*sub, opts);
		subcommands.emplace_back(sub, &cmd);
	}

	try {
		// CLI11 takes the arguments reversed and without argv[0].
		std::vector<std::string> args;
		for (auto it = argv.rbegin(); it != argv.rend() && it + 1 != argv.rend(); ++it)
			args.emplace_back(*it);
		app.parse(args);
	} catch (const CLI::ParseError &e) {
		// --help and --version arrive here too, with exit code 0.
		return app.exit(e, out, err) == 0 ? exit_ok : exit_usage;
	}

	try {
		const sysfs::Tree tree = opts.root.empty() ? sysfs::Tree() : sysfs::Tree(opts.root);
		const Context ctx{opts, tree, out};
		for (const auto &[sub, cmd] : subcommands) {
			if (sub->parsed())
				cmd->handler(ctx);
		}
		return exit_ok;
	} catch (const Error &e) {
		return fail(opts, out, err, e.what(), e);
	} catch (const std::exception &e) {
		return fail(opts, out, err, e.what(), {{"message", e.what()}});
	}
}

} // namespace strix::cli
