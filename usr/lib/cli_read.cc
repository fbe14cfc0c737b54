// strixctl's read commands: version, tree, list, show.
#include <algorithm>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <nlohmann/json.hpp>

#include "cli_internal.h"
#include "error.h"
#include "status.h"
#include "suggest.h"
#include "sysfs.h"
#include "version.h"

namespace strix::cli {

namespace {

namespace fs = std::filesystem;

Error not_found(std::string subject, std::vector<std::string> candidates = {})
{
	std::string word = subject.substr(subject.find(' ') + 1);
	std::string detail = "no such object";
	if (const auto s = suggest(word, candidates))
		detail = fmt::format("did you mean '{}'?", *s);
	return Error(std::make_error_code(std::errc::no_such_file_or_directory),
		     std::move(subject), "not found", std::move(detail));
}

bool is_dir(const sysfs::Tree &tree, const std::string &rel)
{
	std::error_code ec;
	return fs::is_directory(tree.resolve(rel), ec);
}

std::vector<std::string> subdirs(const sysfs::Tree &tree, const std::string &rel)
{
	std::vector<std::string> out;
	std::error_code ec;
	const fs::path dir = rel.empty() ? tree.root() : tree.resolve(rel);
	for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
		std::error_code sec;
		if (it->is_directory(sec) && !it->is_symlink(sec))
			out.push_back(it->path().filename().string());
	}
	std::ranges::sort(out);
	return out;
}

std::vector<std::string> split(std::string_view s, char sep)
{
	std::vector<std::string> out;
	std::size_t start = 0;
	for (;;) {
		const auto pos = s.find(sep, start);
		out.emplace_back(s.substr(start, pos - start));
		if (pos == std::string_view::npos)
			return out;
		start = pos + 1;
	}
}

// --- colours ---------------------------------------------------------------

struct Paint {
	bool on;
	std::string operator()(std::string_view code, std::string_view s) const
	{
		return on ? fmt::format("\033[{}m{}\033[0m", code, s) : std::string(s);
	}
	std::string name(std::string_view s) const { return (*this)("1", s); }
	std::string good(std::string_view s) const { return (*this)("32", s); }
	std::string warn(std::string_view s) const { return (*this)("33", s); }
	std::string info(std::string_view s) const { return (*this)("36", s); }
	std::string dim(std::string_view s) const { return (*this)("2", s); }
};

std::string state_word(const Paint &p, const std::optional<bool> &enabled)
{
	if (!enabled)
		return {};
	return *enabled ? p.good("enabled") : p.warn("disabled");
}

// --- version -----------------------------------------------------------------

int version_handler(const Context &ctx)
{
	ctx.tree.require();
	const KernelVersion kernel = read_kernel_version(ctx.tree);

	if (ctx.opts.json) {
		print_json(ctx.out, {
			{"strixctl", {{"version", user_version()}}},
			{"kernel", kernel},
		});
		return exit_ok;
	}
	fmt::print(ctx.out, "strixctl {}\n", user_version());
	fmt::print(ctx.out, "module   {}\n", kernel.version);
	fmt::print(ctx.out, "features {}\n",
		   kernel.features.empty() ? std::string("(none)")
					   : fmt::format("{}", fmt::join(kernel.features, " ")));
	return exit_ok;
}

// --- tree ----------------------------------------------------------------------

void tree_configure(CLI::App &sub, Options &opts)
{
	sub.add_option("path", opts.path,
		       "Print this part of the sysfs tree raw, relative to the root")
		->type_name("PATH");
	sub.add_flag("--raw", opts.raw, "Print the sysfs tree itself (every file and link)");
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

std::string device_summary(const status::Device &d)
{
	std::vector<std::string> parts;
	const auto attr = [&](const char *name) -> const std::string * {
		const auto it = d.attrs.find(name);
		return it == d.attrs.end() ? nullptr : &it->second;
	};
	if (const auto *f = attr("filename"); f && !f->empty())
		parts.push_back(*f);
	if (const auto *mb = attr("size_mb"))
		parts.push_back(*mb + " MB");
	else if (const auto *sz = attr("size"))
		parts.push_back(*sz + " bytes");
	if (const auto *bs = attr("blocksize"))
		parts.push_back("blocksize " + *bs);
	if (const auto *ro = attr("read_only"); ro && *ro == "1")
		parts.push_back("read-only");
	parts.push_back(d.exports.empty() ? std::string("not exported")
		: fmt::format("{} LUN{}", d.exports.size(), d.exports.size() == 1 ? "" : "s"));
	return fmt::format("{}", fmt::join(parts, ", "));
}

void print_luns(std::ostream &out, const Paint &p, const std::vector<status::Lun> &luns,
		const std::string &indent)
{
	fmt::print(out, "{}luns/{}\n", indent, luns.empty() ? p.dim(" (none)") : "");
	for (const auto &l : luns)
		fmt::print(out, "{}  {}  {}{}\n", indent, l.lun, p.name(l.device),
			   l.read_only ? "  read-only" : "");
}

void print_status(const Context &ctx, const status::Status &st)
{
	const Paint p{ctx.color};
	std::ostream &out = ctx.out;
	fmt::print(out, "{}", p.name(st.root));
	for (const auto &[k, v] : st.attrs)
		if (k == "setup_id")
			fmt::print(out, "  setup_id {}", v);
	fmt::print(out, "\n");

	fmt::print(out, "handlers/\n");
	for (const auto &h : st.handlers) {
		fmt::print(out, "  {}/{}\n", h.name, h.devices.empty() ? p.dim(" (no devices)") : "");
		for (const auto &name : h.devices)
			if (const auto *d = st.find_device(name))
				fmt::print(out, "    {}  {}\n", p.name(d->name), device_summary(*d));
	}
	// Devices whose handler is missing from handlers/ (should not happen).
	for (const auto &d : st.devices)
		if (std::ranges::none_of(st.handlers, [&](const auto &h) { return h.name == d.handler; }))
			fmt::print(out, "  ?/{}  {}\n", p.name(d.name), device_summary(d));

	fmt::print(out, "targets/\n");
	for (const auto &drv : st.drivers) {
		const std::string state = state_word(p, drv.enabled);
		fmt::print(out, "  {}/{}{}\n", drv.name, state.empty() ? "" : "  ", state);
		for (const auto &t : st.targets) {
			if (t.driver != drv.name)
				continue;
			const std::string ts = state_word(p, t.enabled);
			fmt::print(out, "    {}{}{}{}\n", p.name(t.name), ts.empty() ? "" : "  ", ts,
				   t.hw ? "  hardware" : "");
			print_luns(out, p, t.luns, "      ");
			if (!t.groups.empty()) {
				fmt::print(out, "      ini_groups/\n");
				for (const auto &g : t.groups) {
					fmt::print(out, "        {}/\n", p.name(g.name));
					print_luns(out, p, g.luns, "          ");
					fmt::print(out, "          initiators/{}\n",
						   g.initiators.empty() ? p.dim(" (none)") : "");
					for (const auto &i : g.initiators)
						fmt::print(out, "            {}\n", i);
				}
			}
			fmt::print(out, "      sessions/{}\n", t.sessions.empty() ? p.dim(" (none)") : "");
			for (const auto &s : t.sessions) {
				std::string extra = fmt::format("{} LUN{}", s.luns, s.luns == 1 ? "" : "s");
				if (s.active_commands)
					extra += fmt::format(", {} active", *s.active_commands);
				fmt::print(out, "        {}  {}{}\n", p.info(s.name),
					   s.initiator == s.name ? "" : "initiator " + s.initiator + ", ",
					   extra);
			}
		}
	}
	fmt::print(out, "device_groups/\n");
	for (const auto &dg : st.device_groups) {
		fmt::print(out, "  {}/  devices: {}\n", p.name(dg.name),
			   dg.devices.empty() ? std::string("none")
					      : fmt::format("{}", fmt::join(dg.devices, ", ")));
		for (const auto &tg : dg.target_groups) {
			std::vector<std::string> a;
			for (const auto &[k, v] : tg.attrs)
				a.push_back(k + " " + v);
			fmt::print(out, "    {}  {}  targets: {}\n", tg.name, fmt::join(a, ", "),
				   fmt::join(tg.targets, ", "));
		}
	}
}

int tree_handler(const Context &ctx)
{
	ctx.tree.require();
	if (ctx.opts.raw || !ctx.opts.path.empty()) {
		const sysfs::Node node = ctx.tree.walk(ctx.opts.path);
		if (ctx.opts.json)
			print_json(ctx.out, node);
		else
			print_node(ctx.out, node, 0, node.path.string());
		return exit_ok;
	}
	const status::Status st = status::read(ctx.tree);
	if (ctx.opts.json)
		print_json(ctx.out, status::to_json(st));
	else
		print_status(ctx, st);
	return exit_ok;
}

// --- list --------------------------------------------------------------------

const std::vector<std::string> list_kinds{"devices", "targets", "sessions",
					  "groups",  "handlers", "drivers"};

void list_configure(CLI::App &sub, Options &opts)
{
	sub.add_option("kind", opts.kind, "What to list")
		->required()
		->check(one_of(list_kinds, "kind"))
		->type_name("devices|targets|sessions|groups|handlers|drivers");
}

// Rows as aligned columns (the last column is not padded).
void print_table(std::ostream &out, const std::vector<std::vector<std::string>> &rows)
{
	std::vector<std::size_t> width;
	for (const auto &r : rows)
		for (std::size_t i = 0; i < r.size(); i++) {
			if (width.size() <= i)
				width.push_back(0);
			width[i] = std::max(width[i], r[i].size());
		}
	for (const auto &r : rows) {
		std::string line;
		for (std::size_t i = 0; i < r.size(); i++)
			line += i + 1 == r.size() ? r[i] : fmt::format("{:<{}}  ", r[i], width[i]);
		while (!line.empty() && line.back() == ' ')
			line.pop_back();
		fmt::print(out, "{}\n", line);
	}
}

std::string or_dash(const std::optional<bool> &b)
{
	return b ? (*b ? "enabled" : "disabled") : "-";
}

int list_handler(const Context &ctx)
{
	const status::Status st = status::read(ctx.tree);
	const std::string &kind = ctx.opts.kind;
	auto arr = nlohmann::json::array();
	std::vector<std::vector<std::string>> rows;

	if (kind == "devices") {
		rows.push_back({"DEVICE", "HANDLER", "SIZE_MB", "FILENAME", "EXPORTS"});
		for (const auto &d : st.devices) {
			arr.push_back(status::to_json(d));
			const auto get = [&](const char *n) {
				const auto it = d.attrs.find(n);
				return it == d.attrs.end() || it->second.empty() ? std::string("-")
										 : it->second;
			};
			std::vector<std::string> ex;
			for (const auto &e : d.exports)
				ex.push_back(fmt::format("{}{}:{}", e.target,
							 e.group.empty() ? "" : "/" + e.group, e.lun));
			rows.push_back({d.name, d.handler, get("size_mb"), get("filename"),
					ex.empty() ? "-" : fmt::format("{}", fmt::join(ex, ","))});
		}
	} else if (kind == "targets") {
		rows.push_back({"TARGET", "STATE", "LUNS", "GROUPS", "SESSIONS"});
		for (const auto &t : st.targets) {
			arr.push_back(status::to_json(t));
			rows.push_back({t.id(), or_dash(t.enabled) + (t.hw ? ",hw" : ""),
					std::to_string(t.luns.size()), std::to_string(t.groups.size()),
					std::to_string(t.sessions.size())});
		}
	} else if (kind == "sessions") {
		rows.push_back({"TARGET", "SESSION", "INITIATOR", "LUNS", "ACTIVE"});
		for (const auto &t : st.targets)
			for (const auto &s : t.sessions) {
				arr.push_back(status::to_json(t, s));
				rows.push_back({t.id(), s.name, s.initiator, std::to_string(s.luns),
						s.active_commands ? std::to_string(*s.active_commands)
								  : "-"});
			}
	} else if (kind == "groups") {
		rows.push_back({"TARGET", "GROUP", "LUNS", "INITIATORS"});
		for (const auto &t : st.targets)
			for (const auto &g : t.groups) {
				arr.push_back(status::to_json(t, g));
				rows.push_back({t.id(), g.name, std::to_string(g.luns.size()),
						g.initiators.empty()
							? "-"
							: fmt::format("{}", fmt::join(g.initiators, ","))});
			}
	} else if (kind == "handlers") {
		rows.push_back({"HANDLER", "DEVICES"});
		for (const auto &h : st.handlers) {
			arr.push_back(status::to_json(h));
			rows.push_back({h.name, h.devices.empty()
							? "-"
							: fmt::format("{}", fmt::join(h.devices, ","))});
		}
	} else { // drivers
		rows.push_back({"DRIVER", "STATE", "TARGETS"});
		for (const auto &d : st.drivers) {
			arr.push_back(status::to_json(d));
			rows.push_back({d.name, or_dash(d.enabled), std::to_string(d.targets.size())});
		}
	}
	if (ctx.opts.json)
		print_json(ctx.out, {{kind, std::move(arr)}});
	else
		print_table(ctx.out, rows);
	return exit_ok;
}

// --- show ----------------------------------------------------------------------

void show_configure(CLI::App &sub, Options &opts)
{
	sub.add_option("object", opts.object,
		       "device/D, target/[DRV/]T, group/[DRV/]T/G, lun/[DRV/]T[/G]/N, "
		       "session/[DRV/]T/S, handler/H, driver/DRV, device_group/DG, root, "
		       "or a unique name")
		->required()
		->type_name("OBJECT");
}

int show_handler(const Context &ctx)
{
	const ObjectRef obj = resolve_object(ctx.tree, ctx.opts.object);
	const sysfs::Node node = ctx.tree.walk(obj.path);

	nlohmann::json attrs = nlohmann::json::object();
	nlohmann::json links = nlohmann::json::object();
	auto dirs = nlohmann::json::array();
	for (const auto &c : node.children) {
		switch (c.type) {
		case sysfs::NodeType::attribute:
			if (c.name == "mgmt")
				break;
			attrs[c.name] = {{"value", c.value ? nlohmann::json(c.value->value())
							   : nlohmann::json(nullptr)},
					 {"key", c.value && c.value->key},
					 {"writable", c.writable}};
			break;
		case sysfs::NodeType::symlink:
			links[c.name] = c.target.string();
			break;
		case sysfs::NodeType::directory:
			dirs.push_back(c.name);
			break;
		case sysfs::NodeType::other:
			break;
		}
	}
	if (ctx.opts.json) {
		print_json(ctx.out, {{"kind", obj.kind},
				     {"name", obj.name},
				     {"path", obj.path},
				     {"attributes", std::move(attrs)},
				     {"links", std::move(links)},
				     {"children", std::move(dirs)}});
		return exit_ok;
	}
	fmt::print(ctx.out, "{} {}  ({})\n", obj.kind, obj.name.empty() ? "/" : obj.name,
		   node.path.string());
	for (const auto &c : node.children)
		if (c.name != "mgmt")
			print_node(ctx.out, c, 1, c.type == sysfs::NodeType::directory
							 ? c.name
							 : c.name);
	return exit_ok;
}

constexpr std::array commands{
	Command{"version", "Print the user-space and kernel module versions and features",
		nullptr, version_handler},
	Command{"tree", "Print the running configuration: devices, targets, LUNs, groups, "
			"sessions and their state (the default command)",
		tree_configure, tree_handler},
	Command{"list", "List devices, targets, sessions, groups, handlers or drivers",
		list_configure, list_handler},
	Command{"show", "Show one object's attributes", show_configure, show_handler},
};

} // namespace

std::span<const Command> read_commands()
{
	return commands;
}

TargetRef resolve_target(const sysfs::Tree &tree, std::string_view spec)
{
	tree.require();
	if (const auto slash = spec.find('/'); slash != std::string_view::npos) {
		TargetRef t{std::string(spec.substr(0, slash)), std::string(spec.substr(slash + 1))};
		if (t.driver.empty() || t.name.empty() || t.name.find('/') != std::string::npos ||
		    !is_dir(tree, t.path())) {
			std::vector<std::string> all;
			for (const auto &d : subdirs(tree, "targets"))
				for (const auto &n : subdirs(tree, "targets/" + d))
					all.push_back(d + "/" + n);
			throw not_found(fmt::format("target {}", spec), all);
		}
		return t;
	}
	std::vector<TargetRef> found;
	std::vector<std::string> all;
	for (const auto &d : subdirs(tree, "targets"))
		for (const auto &n : subdirs(tree, "targets/" + d)) {
			all.push_back(n);
			if (n == spec)
				found.push_back({d, n});
		}
	if (found.empty())
		throw not_found(fmt::format("target {}", spec), all);
	if (found.size() > 1) {
		std::vector<std::string> ids;
		for (const auto &t : found)
			ids.push_back(t.id());
		throw Error(std::make_error_code(std::errc::invalid_argument),
			    fmt::format("target {}", spec), "ambiguous",
			    fmt::format("name it as DRIVER/TARGET: {}", fmt::join(ids, ", ")));
	}
	return found.front();
}

ObjectRef resolve_object(const sysfs::Tree &tree, std::string_view spec)
{
	tree.require();
	if (spec == "root" || spec == "/")
		return {"root", "", ""};
	const auto slash = spec.find('/');
	const std::string kind(spec.substr(0, slash));
	const std::string rest(slash == std::string_view::npos ? "" : spec.substr(slash + 1));
	const auto exists = [&](ObjectRef o) {
		if (!is_dir(tree, o.path))
			throw not_found(fmt::format("{} {}", o.kind, o.name));
		return o;
	};

	if (slash != std::string_view::npos) {
		if (kind == "device")
			return exists({"device", rest, "devices/" + rest});
		if (kind == "handler")
			return exists({"handler", rest, "handlers/" + rest});
		if (kind == "driver")
			return exists({"driver", rest, "targets/" + rest});
		if (kind == "device_group")
			return exists({"device_group", rest, "device_groups/" + rest});
		if (kind == "target") {
			const TargetRef t = resolve_target(tree, rest);
			return {"target", t.id(), t.path()};
		}
		const auto parts = split(rest, '/');
		if (kind == "group" || kind == "session") {
			if (parts.size() < 2 || parts.size() > 3)
				throw Error(std::make_error_code(std::errc::invalid_argument),
					    std::string(spec), "malformed object",
					    fmt::format("expected {}/[DRIVER/]TARGET/NAME", kind));
			const std::string tspec = parts.size() == 3 ? parts[0] + "/" + parts[1] : parts[0];
			const TargetRef t = resolve_target(tree, tspec);
			const std::string &n = parts.back();
			if (kind == "group")
				return exists({"group", t.id() + " " + n, t.path() + "/ini_groups/" + n});
			return exists({"session", t.id() + " " + n, t.path() + "/sessions/" + n});
		}
		if (kind == "lun") {
			if (parts.size() < 2 || parts.size() > 4)
				throw Error(std::make_error_code(std::errc::invalid_argument),
					    std::string(spec), "malformed object",
					    "expected lun/[DRIVER/]TARGET[/GROUP]/N");
			const std::string &n = parts.back();
			std::string tspec, group;
			if (parts.size() == 4) {
				tspec = parts[0] + "/" + parts[1];
				group = parts[2];
			} else if (parts.size() == 3) {
				if (is_dir(tree, "targets/" + parts[0] + "/" + parts[1])) {
					tspec = parts[0] + "/" + parts[1];
				} else {
					tspec = parts[0];
					group = parts[1];
				}
			} else {
				tspec = parts[0];
			}
			const TargetRef t = resolve_target(tree, tspec);
			const std::string dir =
				t.path() + (group.empty() ? "" : "/ini_groups/" + group) + "/luns/" + n;
			return exists({"lun",
				       fmt::format("{}{} {}", t.id(), group.empty() ? "" : " " + group, n),
				       dir});
		}
		throw Error(std::make_error_code(std::errc::invalid_argument), std::string(spec),
			    fmt::format("unknown kind of object '{}'", kind),
			    "one of root, device, handler, driver, target, group, lun, session, "
			    "device_group");
	}

	// A bare name.
	std::vector<ObjectRef> found;
	const std::string name(spec);
	if (is_dir(tree, "devices/" + name))
		found.push_back({"device", name, "devices/" + name});
	if (is_dir(tree, "handlers/" + name))
		found.push_back({"handler", name, "handlers/" + name});
	if (is_dir(tree, "targets/" + name))
		found.push_back({"driver", name, "targets/" + name});
	if (is_dir(tree, "device_groups/" + name))
		found.push_back({"device_group", name, "device_groups/" + name});
	std::vector<std::string> all;
	for (const auto &d : subdirs(tree, "targets"))
		for (const auto &n : subdirs(tree, "targets/" + d)) {
			all.push_back(n);
			if (n == name)
				found.push_back({"target", d + "/" + n, "targets/" + d + "/" + n});
		}
	if (found.size() == 1)
		return found.front();
	if (found.empty()) {
		for (const char *dir : {"devices", "handlers", "targets", "device_groups"})
			for (const auto &n : subdirs(tree, dir))
				all.push_back(n);
		throw not_found(fmt::format("object {}", name), all);
	}
	std::vector<std::string> forms;
	for (const auto &o : found)
		forms.push_back(o.kind + "/" + o.name);
	throw Error(std::make_error_code(std::errc::invalid_argument), fmt::format("object {}", name),
		    "ambiguous", fmt::format("name it as one of: {}", fmt::join(forms, ", ")));
}

} // namespace strix::cli
