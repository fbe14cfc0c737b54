#include "model.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <initializer_list>
#include <set>
#include <string>
#include <string_view>
#include <system_error>

namespace strix::model {

namespace {

using config::Attrs;
using sysfs::Node;
using sysfs::NodeType;

// Attributes that may exist several times as Name, Name1, Name2, ...
constexpr std::array multi_valued{
	std::string_view("IncomingUser"),
	std::string_view("OutgoingUser"),
	std::string_view("allowed_portal"),
};

const Node *child(const Node &dir, std::string_view name)
{
	return dir.type == NodeType::directory ? dir.find(name) : nullptr;
}

bool is_attribute(const Node &n)
{
	return n.type == NodeType::attribute && n.value.has_value();
}

// "IncomingUser1" -> "IncomingUser" when that is a multi-valued name or a
// sibling attribute of that name exists; otherwise the name itself.
std::string folded_name(const Node &dir, const std::string &name)
{
	std::size_t end = name.size();
	while (end > 0 && std::isdigit(static_cast<unsigned char>(name[end - 1])))
		end--;
	if (end == name.size() || end == 0)
		return name;
	const std::string base = name.substr(0, end);
	if (std::ranges::find(multi_valued, base) != multi_valued.end())
		return base;
	const Node *sib = child(dir, base);
	return sib && is_attribute(*sib) && sib->value->key ? base : name;
}

// The [key] attributes of dir, plus those named in always (saved whatever
// their marker) and in when_one (saved when their value is 1).
void saved_attrs(const Node &dir, Attrs &out,
		 std::initializer_list<std::string_view> always = {},
		 std::initializer_list<std::string_view> when_one = {})
{
	for (const Node &n : dir.children) {
		if (n.type == NodeType::attribute && n.readable && n.error)
			throw Error(n.error, n.path.string(), "cannot read");
		if (!is_attribute(n) || n.name == "mgmt")
			continue;
		const std::string value = n.value->value();
		const bool keep = n.value->key ||
				  std::ranges::find(always, n.name) != always.end() ||
				  (value == "1" &&
				   std::ranges::find(when_one, n.name) != when_one.end());
		if (keep)
			out[folded_name(dir, n.name)].insert(value);
	}
}

// The last component of a symlink's target: "../../devices/disk1" -> "disk1".
std::string link_name(const Node &link)
{
	return link.target.filename().string();
}

[[noreturn]] void broken(const Node &n, std::string problem, std::string detail)
{
	throw Error(std::make_error_code(std::errc::io_error), n.path.string(),
		    std::move(problem), std::move(detail));
}

// A directory whose listing failed would read as empty: refuse it.
const Node &listed(const Node &dir)
{
	if (dir.error)
		throw Error(dir.error, dir.path.string(), "cannot list");
	return dir;
}

void read_luns(const Node &luns_dir, config::Luns &out)
{
	for (const Node &n : listed(luns_dir).children) {
		if (n.type != NodeType::directory)
			continue;
		std::uint64_t nr = 0;
		const auto [p, ec] = std::from_chars(n.name.data(), n.name.data() + n.name.size(), nr);
		if (ec != std::errc() || p != n.name.data() + n.name.size())
			continue;
		const Node *dev = child(n, "device");
		if (!dev || dev->type != NodeType::symlink)
			broken(n, "LUN without a device link", "expected a symlink 'device' to the device");
		config::Lun &lun = out[nr];
		lun.device = link_name(*dev);
		saved_attrs(n, lun.attrs, {}, {"read_only"});
		lun.attrs.erase("device");
	}
}

void read_target(const Node &dir, config::Target &t, std::string_view driver)
{
	const bool always_enabled = targets_always_enabled(driver);
	t.hw = child(dir, "hw_target") != nullptr;
	if (always_enabled) {
		saved_attrs(dir, t.attrs);
		t.attrs.erase("enabled");
	} else {
		saved_attrs(dir, t.attrs, {}, {"enabled"});
	}
	t.attrs.erase("hw_target");
	if (const auto attr = session_attribute(driver)) {
		t.attrs.erase(std::string(*attr));
		if (const Node *sessions = child(dir, "sessions"))
			for (const Node &s : listed(*sessions).children)
				if (s.type == NodeType::directory)
					t.attrs[std::string(*attr)].insert(s.name);
	}
	if (const Node *luns = child(dir, "luns"))
		read_luns(*luns, t.luns);
	const Node *groups = child(dir, "ini_groups");
	if (!groups)
		return;
	for (const Node &g : listed(*groups).children) {
		if (g.type != NodeType::directory)
			continue;
		config::Group &group = t.groups[g.name];
		saved_attrs(g, group.attrs);
		if (const Node *luns = child(g, "luns"))
			read_luns(*luns, group.luns);
		if (const Node *inis = child(g, "initiators"))
			for (const Node &i : listed(*inis).children)
				if (i.type == NodeType::attribute && i.name != "mgmt")
					group.initiators.insert(i.name);
	}
}

void read_handlers_and_devices(const Node &root, config::Config &cfg)
{
	if (const Node *handlers = child(root, "handlers")) {
		for (const Node &h : listed(*handlers).children) {
			if (h.type != NodeType::directory)
				continue;
			Attrs attrs;
			saved_attrs(h, attrs);
			if (!attrs.empty())
				cfg.handlers[h.name].attrs = std::move(attrs);
		}
	}
	const Node *devices = child(root, "devices");
	if (!devices)
		return;
	for (const Node &d : listed(*devices).children) {
		if (d.type != NodeType::directory)
			continue;
		std::string handler;
		if (const Node *link = child(d, "handler"); link && link->type == NodeType::symlink)
			handler = link_name(*link);
		else if (const Node *handlers = child(root, "handlers"))
			for (const Node &h : handlers->children)
				if (const Node *l = child(h, d.name); l && l->type == NodeType::symlink)
					handler = h.name;
		if (handler.empty())
			broken(d, "device without a handler link",
			       "expected a symlink 'handler' to the handler");
		config::Device &dev = cfg.handlers[handler].devices[d.name];
		saved_attrs(d, dev.attrs);
	}
}

void read_targets(const Node &root, config::Config &cfg)
{
	const Node *targets = child(root, "targets");
	if (!targets)
		return;
	for (const Node &drv : listed(*targets).children) {
		if (drv.type != NodeType::directory)
			continue;
		config::Driver driver;
		saved_attrs(drv, driver.attrs, {}, {"enabled"});
		for (const Node &t : listed(drv).children)
			if (t.type == NodeType::directory)
				read_target(t, driver.targets[t.name], drv.name);
		if (!driver.attrs.empty() || !driver.targets.empty())
			cfg.drivers[drv.name] = std::move(driver);
	}
}

void read_device_groups(const Node &root, config::Config &cfg)
{
	const Node *dgs = child(root, "device_groups");
	if (!dgs)
		return;
	std::set<std::string, std::less<>> local;
	for (const auto &[name, driver] : cfg.drivers)
		for (const auto &[target, _] : driver.targets)
			local.insert(target);
	for (const Node &dg : listed(*dgs).children) {
		if (dg.type != NodeType::directory)
			continue;
		config::DeviceGroup &group = cfg.device_groups[dg.name];
		saved_attrs(dg, group.attrs);
		if (const Node *devs = child(dg, "devices"))
			for (const Node &d : listed(*devs).children)
				if (d.type == NodeType::symlink)
					group.devices.insert(d.name);
		const Node *tgs = child(dg, "target_groups");
		if (!tgs)
			continue;
		for (const Node &tg : listed(*tgs).children) {
			if (tg.type != NodeType::directory)
				continue;
			config::TargetGroup &tgroup = group.target_groups[tg.name];
			saved_attrs(tg, tgroup.attrs, {"group_id", "state"});
			for (const Node &t : listed(tg).children) {
				if (t.type != NodeType::directory)
					continue;
				// A local target's id is its own (saved with the
				// target); only a remote one's is the member's.
				Attrs &attrs = tgroup.targets[t.name];
				if (local.contains(t.name))
					saved_attrs(t, attrs);
				else
					saved_attrs(t, attrs, {"rel_tgt_id"});
				if (auto id = attrs.find("rel_tgt_id");
				    id != attrs.end() && id->second.contains("0"))
					attrs.erase(id);
			}
		}
	}
}

} // namespace

Expected<config::Config> read(const sysfs::Tree &tree)
{
	try {
		tree.require();
		const Node root = tree.walk();
		config::Config cfg;
		saved_attrs(listed(root), cfg.attrs);
		read_handlers_and_devices(root, cfg);
		read_targets(root, cfg);
		read_device_groups(root, cfg);
		return cfg;
	} catch (const Error &e) {
		return unexpected(e);
	}
}

bool targets_always_enabled(std::string_view driver)
{
	return driver == "scst_local";
}

std::optional<std::string_view> session_attribute(std::string_view driver)
{
	if (driver == "scst_local")
		return "session_name";
	return std::nullopt;
}

} // namespace strix::model
