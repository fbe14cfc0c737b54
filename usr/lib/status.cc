#include "status.h"

#include <algorithm>
#include <charconv>
#include <string_view>

#include <nlohmann/json.hpp>

namespace strix::status {

namespace {

using sysfs::Node;
using sysfs::NodeType;

const Node *child(const Node &dir, std::string_view name)
{
	return dir.type == NodeType::directory ? dir.find(name) : nullptr;
}

std::optional<std::string> first_line(const Node &dir, std::string_view name)
{
	const Node *n = child(dir, name);
	if (!n || n->type != NodeType::attribute || !n->value)
		return std::nullopt;
	return n->value->lines.empty() ? std::string() : n->value->lines.front();
}

std::optional<std::uint64_t> number(const Node &dir, std::string_view name)
{
	const auto s = first_line(dir, name);
	if (!s)
		return std::nullopt;
	std::uint64_t v = 0;
	const auto [p, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
	if (ec != std::errc() || p != s->data() + s->size())
		return std::nullopt;
	return v;
}

std::optional<bool> flag(const Node &dir, std::string_view name)
{
	const auto s = first_line(dir, name);
	if (!s)
		return std::nullopt;
	return *s == "1";
}

std::string link_name(const Node &link)
{
	return link.target.filename().string();
}

std::vector<Lun> read_luns(const Node *dir)
{
	std::vector<Lun> out;
	if (!dir)
		return out;
	for (const Node &n : dir->children) {
		if (n.type != NodeType::directory)
			continue;
		Lun l;
		const auto [p, ec] = std::from_chars(n.name.data(), n.name.data() + n.name.size(), l.lun);
		if (ec != std::errc() || p != n.name.data() + n.name.size())
			continue;
		if (const Node *dev = child(n, "device"); dev && dev->type == NodeType::symlink)
			l.device = link_name(*dev);
		l.read_only = flag(n, "read_only").value_or(false);
		out.push_back(std::move(l));
	}
	std::ranges::sort(out, {}, &Lun::lun);
	return out;
}

Target read_target(const std::string &driver, const Node &dir)
{
	Target t;
	t.driver = driver;
	t.name = dir.name;
	t.hw = child(dir, "hw_target") != nullptr;
	t.enabled = flag(dir, "enabled");
	t.rel_tgt_id = first_line(dir, "rel_tgt_id");
	t.luns = read_luns(child(dir, "luns"));
	if (const Node *groups = child(dir, "ini_groups")) {
		for (const Node &g : groups->children) {
			if (g.type != NodeType::directory)
				continue;
			Group group;
			group.name = g.name;
			group.luns = read_luns(child(g, "luns"));
			if (const Node *inis = child(g, "initiators"))
				for (const Node &i : inis->children)
					if (i.type == NodeType::attribute && i.name != "mgmt")
						group.initiators.push_back(i.name);
			t.groups.push_back(std::move(group));
		}
	}
	if (const Node *sessions = child(dir, "sessions")) {
		for (const Node &s : sessions->children) {
			if (s.type != NodeType::directory)
				continue;
			Session sess;
			sess.name = s.name;
			sess.initiator = first_line(s, "initiator_name").value_or(s.name);
			sess.commands = number(s, "commands");
			sess.active_commands = number(s, "active_commands");
			// luns -> ../../luns or ../../ini_groups/<group>/luns
			if (const Node *luns = child(s, "luns"); luns && luns->type == NodeType::symlink) {
				std::string group;
				bool next = false;
				for (const auto &part : luns->target) {
					if (next) {
						group = part.string();
						break;
					}
					next = part == "ini_groups";
				}
				if (group.empty()) {
					sess.luns = t.luns.size();
				} else {
					for (const Group &g : t.groups)
						if (g.name == group)
							sess.luns = g.luns.size();
				}
			}
			t.sessions.push_back(std::move(sess));
		}
	}
	return t;
}

} // namespace

const Target *Status::find_target(std::string_view driver, std::string_view name) const
{
	for (const Target &t : targets)
		if (t.driver == driver && t.name == name)
			return &t;
	return nullptr;
}

const Device *Status::find_device(std::string_view name) const
{
	for (const Device &d : devices)
		if (d.name == name)
			return &d;
	return nullptr;
}

Status read(const sysfs::Tree &tree)
{
	tree.require();
	const Node root = tree.walk();
	Status st;
	st.root = tree.root().string();
	for (const Node &n : root.children)
		if (n.type == NodeType::attribute && n.value && n.name != "mgmt" &&
		    n.name != "version")
			st.attrs[n.name] = n.value->lines.empty() ? "" : n.value->lines.front();

	if (const Node *handlers = child(root, "handlers")) {
		for (const Node &h : handlers->children) {
			if (h.type != NodeType::directory)
				continue;
			st.handlers.push_back({h.name, {}});
		}
	}
	if (const Node *devices = child(root, "devices")) {
		for (const Node &d : devices->children) {
			if (d.type != NodeType::directory)
				continue;
			Device dev;
			dev.name = d.name;
			if (const Node *l = child(d, "handler"); l && l->type == NodeType::symlink)
				dev.handler = link_name(*l);
			for (const Node &a : d.children)
				if (a.type == NodeType::attribute && a.value && a.name != "mgmt")
					dev.attrs[a.name] = a.value->lines.empty() ? "" : a.value->lines.front();
			for (Handler &h : st.handlers)
				if (h.name == dev.handler)
					h.devices.push_back(dev.name);
			st.devices.push_back(std::move(dev));
		}
	}
	if (const Node *targets = child(root, "targets")) {
		for (const Node &drv : targets->children) {
			if (drv.type != NodeType::directory)
				continue;
			Driver driver;
			driver.name = drv.name;
			driver.enabled = flag(drv, "enabled");
			for (const Node &t : drv.children) {
				if (t.type != NodeType::directory)
					continue;
				driver.targets.push_back(t.name);
				st.targets.push_back(read_target(drv.name, t));
			}
			st.drivers.push_back(std::move(driver));
		}
	}
	for (const Target &t : st.targets) {
		const auto add = [&](const std::string &group, const Lun &l) {
			for (Device &d : st.devices)
				if (d.name == l.device)
					d.exports.push_back({t.id(), group, l.lun});
		};
		for (const Lun &l : t.luns)
			add("", l);
		for (const Group &g : t.groups)
			for (const Lun &l : g.luns)
				add(g.name, l);
	}
	if (const Node *dgs = child(root, "device_groups")) {
		for (const Node &dg : dgs->children) {
			if (dg.type != NodeType::directory)
				continue;
			DeviceGroup group;
			group.name = dg.name;
			if (const Node *devs = child(dg, "devices"))
				for (const Node &d : devs->children)
					if (d.type == NodeType::symlink)
						group.devices.push_back(d.name);
			if (const Node *tgs = child(dg, "target_groups")) {
				for (const Node &tg : tgs->children) {
					if (tg.type != NodeType::directory)
						continue;
					TargetGroup tgroup;
					tgroup.name = tg.name;
					for (const Node &a : tg.children) {
						if (a.type == NodeType::attribute && a.value && a.name != "mgmt")
							tgroup.attrs[a.name] = a.value->lines.empty()
										       ? ""
										       : a.value->lines.front();
						else if (a.type == NodeType::directory)
							tgroup.targets.push_back(a.name);
					}
					group.target_groups.push_back(std::move(tgroup));
				}
			}
			st.device_groups.push_back(std::move(group));
		}
	}
	return st;
}

namespace {

template <typename T>
nlohmann::json opt(const std::optional<T> &v)
{
	return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

nlohmann::json luns_json(const std::vector<Lun> &luns)
{
	auto a = nlohmann::json::array();
	for (const Lun &l : luns)
		a.push_back(to_json(l));
	return a;
}

} // namespace

nlohmann::json to_json(const Lun &l)
{
	return {{"lun", l.lun}, {"device", l.device}, {"read_only", l.read_only}};
}

nlohmann::json to_json(const Target &t, const Group &g)
{
	return {{"target", t.id()},
		{"name", g.name},
		{"luns", luns_json(g.luns)},
		{"initiators", g.initiators}};
}

nlohmann::json to_json(const Target &t, const Session &s)
{
	return {{"target", t.id()},
		{"name", s.name},
		{"initiator", s.initiator},
		{"luns", s.luns},
		{"commands", opt(s.commands)},
		{"active_commands", opt(s.active_commands)}};
}

nlohmann::json to_json(const Target &t)
{
	auto groups = nlohmann::json::array();
	for (const Group &g : t.groups)
		groups.push_back(to_json(t, g));
	auto sessions = nlohmann::json::array();
	for (const Session &s : t.sessions)
		sessions.push_back(to_json(t, s));
	return {{"id", t.id()},
		{"driver", t.driver},
		{"name", t.name},
		{"hw", t.hw},
		{"enabled", opt(t.enabled)},
		{"rel_tgt_id", opt(t.rel_tgt_id)},
		{"luns", luns_json(t.luns)},
		{"groups", std::move(groups)},
		{"sessions", std::move(sessions)}};
}

nlohmann::json to_json(const Device &d)
{
	auto exports = nlohmann::json::array();
	for (const Export &e : d.exports)
		exports.push_back({{"target", e.target},
				   {"group", e.group.empty() ? nlohmann::json(nullptr)
							     : nlohmann::json(e.group)},
				   {"lun", e.lun}});
	return {{"name", d.name},
		{"handler", d.handler},
		{"attributes", d.attrs},
		{"exports", std::move(exports)}};
}

nlohmann::json to_json(const Handler &h)
{
	return {{"name", h.name}, {"devices", h.devices}};
}

nlohmann::json to_json(const Driver &d)
{
	return {{"name", d.name}, {"enabled", opt(d.enabled)}, {"targets", d.targets}};
}

nlohmann::json to_json(const DeviceGroup &dg)
{
	auto tgs = nlohmann::json::array();
	for (const TargetGroup &tg : dg.target_groups)
		tgs.push_back({{"name", tg.name}, {"attributes", tg.attrs}, {"targets", tg.targets}});
	return {{"name", dg.name}, {"devices", dg.devices}, {"target_groups", std::move(tgs)}};
}

nlohmann::json to_json(const Status &s)
{
	const auto all = [](const auto &v) {
		auto a = nlohmann::json::array();
		for (const auto &x : v)
			a.push_back(to_json(x));
		return a;
	};
	return {{"root", s.root},
		{"attributes", s.attrs},
		{"handlers", all(s.handlers)},
		{"devices", all(s.devices)},
		{"drivers", all(s.drivers)},
		{"targets", all(s.targets)},
		{"device_groups", all(s.device_groups)}};
}

} // namespace strix::status
