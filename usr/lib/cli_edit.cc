// strixctl's write commands: add, del, set, enable, disable.  Each is one or
// a few writes of sysfs-abi.md's mgmt commands; a refusal surfaces as a
// strix::Error that names the object and carries the kernel's errno.
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <nlohmann/json.hpp>

#include "cli_internal.h"
#include "error.h"
#include "plan.h"
#include "sysfs.h"

namespace strix::cli {

namespace {

Error usage_error(std::string subject, std::string problem, std::string detail = {})
{
	return Error(std::make_error_code(std::errc::invalid_argument), std::move(subject),
		     std::move(problem), std::move(detail));
}

// A name or value that would split or end a mgmt line.
void check_word(const std::string &object, std::string_view what, std::string_view w)
{
	if (w.empty() || w.find_first_of(" \t\r\n\f\v;") != std::string_view::npos)
		throw usage_error(object, fmt::format("{} '{}' cannot be written to mgmt", what, w),
				  "names must not be empty or contain blanks or ';'");
}

void check_value(const std::string &object, std::string_view name, std::string_view v)
{
	if (v.empty() || v.find_first_of(";\n") != std::string_view::npos || v.front() == ' ' ||
	    v.back() == ' ')
		throw usage_error(object, fmt::format("parameter {}={} cannot be passed", name, v),
				  "values must be non-empty, without ';', newlines or surrounding "
				  "blanks");
}

// The writes one command makes, done in order; the first refusal stops it.
class Writer {
public:
	Writer(const Context &ctx, std::string object) : ctx_(ctx), object_(std::move(object)) {}

	void write(const std::string &path, const std::string &line, std::string_view verb)
	{
		try {
			ctx_.tree.write(path, line);
		} catch (const Error &e) {
			throw Error(e.code(), object_,
				    fmt::format("cannot {}: {} <- \"{}\"", verb, path, line), e.detail());
		}
		done_.push_back({path, line});
	}
	void mgmt(const std::string &dir, const std::string &line, std::string_view verb)
	{
		write(dir + "/mgmt", line, verb);
	}

	int finish(std::string_view what)
	{
		if (ctx_.opts.json) {
			auto writes = nlohmann::json::array();
			for (const auto &w : done_)
				writes.push_back(w);
			print_json(ctx_.out,
				   {{"ok", true}, {"object", object_}, {"writes", std::move(writes)}});
		} else {
			fmt::print(ctx_.out, "{}: {}\n", object_, what);
		}
		return exit_ok;
	}

	const std::string &object() const { return object_; }
	std::vector<plan::Write> &done() { return done_; }

private:
	const Context &ctx_;
	std::string object_;
	std::vector<plan::Write> done_;
};

using Params = std::vector<std::pair<std::string, std::string>>;

Params parse_params(const std::string &object, const std::vector<std::string> &kvs)
{
	Params out;
	for (const auto &kv : kvs) {
		auto p = split_param(kv);
		check_word(object, "parameter name", p.first);
		check_value(object, p.first, p.second);
		out.push_back(std::move(p));
	}
	return out;
}

std::string with_params(std::string line, const Params &params)
{
	std::string s;
	for (const auto &[k, v] : params)
		s += fmt::format("{}{}={}", s.empty() ? "" : "; ", k, v);
	return s.empty() ? line : line + " " + s;
}

std::string lun_dir(const TargetRef &t, const std::string &group)
{
	return t.path() + (group.empty() ? "" : "/ini_groups/" + group) + "/luns";
}

std::string lun_object(const TargetRef &t, const std::string &group, const std::string &lun)
{
	return group.empty() ? fmt::format("LUN {} of {}", lun, t.id())
			     : fmt::format("LUN {} of {} group {}", lun, t.id(), group);
}

void check_lun(const std::string &object, const std::string &lun)
{
	if (lun.empty() || lun.find_first_not_of("0123456789") != std::string::npos)
		throw usage_error(object, fmt::format("LUN '{}' is not a number", lun));
}

// --- add -----------------------------------------------------------------------

void add_configure(CLI::App &sub, Options &opts)
{
	sub.require_subcommand(1);
	const auto on = [&opts](CLI::App *s, const char *name) {
		s->callback([&opts, name] { opts.sub = name; });
	};
	CLI::App *dev = sub.add_subcommand("device", "Create a device: add_device on its handler");
	dev->add_option("name", opts.name, "Device name")->required();
	dev->add_option("--handler,-H", opts.handler, "Handler (vdisk_fileio, vdisk_blockio, ...)")
		->required();
	dev->add_option("params", opts.params,
			"key=value: add_device parameters; other attributes are written after")
		->type_name("KEY=VALUE");
	on(dev, "device");

	CLI::App *tgt = sub.add_subcommand("target", "Create a target: add_target on its driver");
	tgt->add_option("driver", opts.driver, "Target driver (iscsi, scst_local, ...)")->required();
	tgt->add_option("name", opts.name, "Target name")->required();
	tgt->add_option("params", opts.params, "key=value: add_target parameters")
		->type_name("KEY=VALUE");
	on(tgt, "target");

	CLI::App *lun = sub.add_subcommand("lun", "Add a LUN to a target (or --group)");
	lun->add_option("target", opts.target, "[DRIVER/]TARGET")->required();
	lun->add_option("lun", opts.lun, "LUN number")->required();
	lun->add_option("device", opts.device, "Device")->required();
	lun->add_option("params", opts.params, "read_only=1")->type_name("KEY=VALUE");
	lun->add_option("--group,-g", opts.group, "Initiator group (default: the target's LUNs)");
	on(lun, "lun");

	CLI::App *grp = sub.add_subcommand("group", "Create an initiator group in a target");
	grp->add_option("target", opts.target, "[DRIVER/]TARGET")->required();
	grp->add_option("group", opts.group, "Group name")->required();
	on(grp, "group");

	CLI::App *ini = sub.add_subcommand("initiator", "Add an initiator name or pattern to a group");
	ini->add_option("target", opts.target, "[DRIVER/]TARGET")->required();
	ini->add_option("group", opts.group, "Group name")->required();
	ini->add_option("name", opts.initiator, "Initiator name or pattern (*, ?, leading !)")
		->required();
	on(ini, "initiator");
}

int add_handler(const Context &ctx)
{
	const Options &o = ctx.opts;
	TreeLock lock(ctx.tree);
	if (o.sub == "device") {
		Writer w(ctx, "device " + o.name);
		check_word(w.object(), "device name", o.name);
		check_word(w.object(), "handler name", o.handler);
		const Params params = parse_params(w.object(), o.params);
		const auto *creation = plan::creation_params(o.handler);
		Params create, later;
		for (const auto &p : params)
			(!creation || creation->contains(p.first) ? create : later).push_back(p);
		const std::string hdir = "handlers/" + o.handler;
		w.mgmt(hdir, with_params("add_device " + o.name, create), "add");
		try {
			for (const auto &[k, v] : later)
				w.write("devices/" + o.name + "/" + k, v, "set " + k);
		} catch (const Error &) {
			// Leave nothing half made: the device goes again.
			try {
				ctx.tree.mgmt(hdir, "del_device " + o.name);
			} catch (const Error &) {
			}
			throw;
		}
		return w.finish("added");
	}
	if (o.sub == "target") {
		Writer w(ctx, fmt::format("target {}/{}", o.driver, o.name));
		check_word(w.object(), "driver name", o.driver);
		check_word(w.object(), "target name", o.name);
		const Params params = parse_params(w.object(), o.params);
		w.mgmt("targets/" + o.driver, with_params("add_target " + o.name, params), "add");
		return w.finish("added");
	}
	const TargetRef t = resolve_target(ctx.tree, o.target);
	if (o.sub == "lun") {
		Writer w(ctx, lun_object(t, o.group, o.lun));
		check_lun(w.object(), o.lun);
		check_word(w.object(), "device name", o.device);
		const Params params = parse_params(w.object(), o.params);
		w.mgmt(lun_dir(t, o.group), with_params(fmt::format("add {} {}", o.device, o.lun), params),
		       "add");
		return w.finish("added");
	}
	if (o.sub == "group") {
		Writer w(ctx, fmt::format("group {} of {}", o.group, t.id()));
		check_word(w.object(), "group name", o.group);
		w.mgmt(t.path() + "/ini_groups", "create " + o.group, "create");
		return w.finish("created");
	}
	// initiator
	Writer w(ctx, fmt::format("initiator {} in {} group {}", o.initiator, t.id(), o.group));
	check_word(w.object(), "initiator", o.initiator);
	w.mgmt(t.path() + "/ini_groups/" + o.group + "/initiators", "add " + o.initiator, "add");
	return w.finish("added");
}

// --- del -----------------------------------------------------------------------

void del_configure(CLI::App &sub, Options &opts)
{
	sub.require_subcommand(1);
	const auto on = [&opts](CLI::App *s, const char *name) {
		s->callback([&opts, name] { opts.sub = name; });
	};
	CLI::App *dev = sub.add_subcommand("device", "Delete a device (del_device on its handler)");
	dev->add_option("name", opts.name, "Device name")->required();
	on(dev, "device");

	CLI::App *tgt = sub.add_subcommand("target", "Delete a target (closes its sessions)");
	tgt->add_option("target", opts.target, "[DRIVER/]TARGET")->required();
	on(tgt, "target");

	CLI::App *lun = sub.add_subcommand("lun", "Delete a LUN of a target (or --group)");
	lun->add_option("target", opts.target, "[DRIVER/]TARGET")->required();
	lun->add_option("lun", opts.lun, "LUN number")->required();
	lun->add_option("--group,-g", opts.group, "Initiator group (default: the target's LUNs)");
	on(lun, "lun");

	CLI::App *grp = sub.add_subcommand("group", "Delete an initiator group");
	grp->add_option("target", opts.target, "[DRIVER/]TARGET")->required();
	grp->add_option("group", opts.group, "Group name")->required();
	on(grp, "group");

	CLI::App *ini = sub.add_subcommand("initiator", "Remove an initiator from a group");
	ini->add_option("target", opts.target, "[DRIVER/]TARGET")->required();
	ini->add_option("group", opts.group, "Group name")->required();
	ini->add_option("name", opts.initiator, "Initiator name or pattern")->required();
	on(ini, "initiator");
}

int del_handler(const Context &ctx)
{
	const Options &o = ctx.opts;
	TreeLock lock(ctx.tree);
	if (o.sub == "device") {
		Writer w(ctx, "device " + o.name);
		check_word(w.object(), "device name", o.name);
		std::string handler;
		try {
			handler = ctx.tree.walk("devices/" + o.name + "/handler").target.filename().string();
		} catch (const Error &e) {
			throw Error(e.code(), w.object(), "not found", e.detail());
		}
		w.mgmt("handlers/" + handler, "del_device " + o.name, "delete");
		return w.finish("deleted");
	}
	const TargetRef t = resolve_target(ctx.tree, o.target);
	if (o.sub == "target") {
		Writer w(ctx, "target " + t.id());
		w.mgmt("targets/" + t.driver, "del_target " + t.name, "delete");
		return w.finish("deleted");
	}
	if (o.sub == "lun") {
		Writer w(ctx, lun_object(t, o.group, o.lun));
		check_lun(w.object(), o.lun);
		w.mgmt(lun_dir(t, o.group), "del " + o.lun, "delete");
		return w.finish("deleted");
	}
	if (o.sub == "group") {
		Writer w(ctx, fmt::format("group {} of {}", o.group, t.id()));
		check_word(w.object(), "group name", o.group);
		w.mgmt(t.path() + "/ini_groups", "del " + o.group, "delete");
		return w.finish("deleted");
	}
	Writer w(ctx, fmt::format("initiator {} in {} group {}", o.initiator, t.id(), o.group));
	check_word(w.object(), "initiator", o.initiator);
	w.mgmt(t.path() + "/ini_groups/" + o.group + "/initiators", "del " + o.initiator, "remove");
	return w.finish("removed");
}

// --- set, enable, disable ----------------------------------------------------------

void set_configure(CLI::App &sub, Options &opts)
{
	sub.add_option("object", opts.object, "The object (as for show)")->required();
	sub.add_option("params", opts.params, "key=value: attributes to write, in order")
		->required()
		->type_name("KEY=VALUE");
}

int set_handler(const Context &ctx)
{
	TreeLock lock(ctx.tree);
	const ObjectRef obj = resolve_object(ctx.tree, ctx.opts.object);
	Writer w(ctx, obj.kind == "root" ? std::string("root") : obj.kind + " " + obj.name);
	for (const auto &kv : ctx.opts.params) {
		const auto [k, v] = split_param(kv);
		check_word(w.object(), "attribute name", k);
		if (k == "mgmt" || k.find('/') != std::string::npos)
			throw usage_error(w.object(), fmt::format("'{}' is not an attribute", k));
		if (v.find('\n') != std::string::npos)
			throw usage_error(w.object(), fmt::format("value of {} has a newline", k));
		w.write(obj.path.empty() ? k : obj.path + "/" + k, v, "set " + k);
	}
	return w.finish("set");
}

void target_configure(CLI::App &sub, Options &opts)
{
	sub.add_option("target", opts.target, "[DRIVER/]TARGET")->required();
}

int enable(const Context &ctx, bool on)
{
	TreeLock lock(ctx.tree);
	const TargetRef t = resolve_target(ctx.tree, ctx.opts.target);
	Writer w(ctx, "target " + t.id());
	w.write(t.path() + "/enabled", on ? "1" : "0", on ? "enable" : "disable");
	return w.finish(on ? "enabled" : "disabled");
}

int enable_handler(const Context &ctx)
{
	return enable(ctx, true);
}

int disable_handler(const Context &ctx)
{
	return enable(ctx, false);
}

constexpr std::array commands{
	Command{"add", "Create a device, target, LUN, group or initiator", add_configure,
		add_handler},
	Command{"del", "Delete a device, target, LUN, group or initiator", del_configure,
		del_handler},
	Command{"set", "Write attributes of an object", set_configure, set_handler},
	Command{"enable", "Enable a target", target_configure, enable_handler},
	Command{"disable", "Disable a target", target_configure, disable_handler},
};

} // namespace

std::span<const Command> edit_commands()
{
	return commands;
}

} // namespace strix::cli
