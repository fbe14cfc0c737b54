#include "plan.h"

#include "model.h"

#include <algorithm>
#include <array>
#include <map>
#include <system_error>

#include <nlohmann/json.hpp>

namespace strix::plan {

namespace {

using config::Attrs;
using config::Config;
using config::Device;
using config::Driver;
using config::Group;
using config::Lun;
using config::Luns;
using config::Target;
using config::get;

using NameSet = std::set<std::string, std::less<>>;

const NameSet fileio_params{
	"filename",     "blocksize",      "read_only",          "nv_cache",
	"write_through", "o_direct",      "async",              "thin_provisioned",
	"rotational",   "removable",      "t10_dev_id",         "numa_node_id",
	"dif_type",     "dif_mode",       "dif_filename",       "dif_static_app_tag",
	"cluster_mode", "active",         "tst",
};
const NameSet blockio_params = [] {
	NameSet s = fileio_params;
	s.erase("o_direct");
	s.erase("async");
	return s;
}();
const NameSet nullio_params{
	"size",       "size_mb",  "blocksize", "read_only",          "dummy",
	"rotational", "removable", "t10_dev_id", "thin_provisioned", "dif_type",
	"dif_mode", "dif_filename", "dif_static_app_tag",
};
const NameSet vcdrom_params{"tst"};
const NameSet no_params{};

// Attributes that hold several values, added and removed one by one.
bool is_dynamic(std::string_view name)
{
	return name == "IncomingUser" || name == "OutgoingUser" || name == "allowed_portal";
}

std::string join_path(std::string_view dir, std::string_view name)
{
	return dir.empty() ? std::string(name) : fmt::format("{}/{}", dir, name);
}

Error plan_error(std::string subject, std::string problem, std::string detail = {})
{
	return Error(std::make_error_code(std::errc::invalid_argument), std::move(subject),
		     std::move(problem), std::move(detail));
}

// A word of a mgmt command line must not split or end it.
void check_word(const std::string &object, std::string_view what, std::string_view w)
{
	if (w.empty() || w.find_first_of(" \t\r\n\f\v;") != std::string_view::npos)
		throw plan_error(object, fmt::format("{} {} cannot be written to mgmt", what,
						     config::quote(w)),
				 "names in mgmt commands must not be empty or contain blanks or ';'");
}

void check_param(const std::string &object, std::string_view name, std::string_view v)
{
	if (v.find_first_of(";\n") != std::string_view::npos || v.empty() ||
	    v.front() == ' ' || v.back() == ' ')
		throw plan_error(object,
				 fmt::format("parameter {}={} cannot be passed", name, config::quote(v)),
				 "parameter values must be non-empty, without ';', newlines or "
				 "surrounding blanks");
}

enum Phase {
	disable_drivers,
	disable_targets,
	del_sessions,
	del_device_groups,
	del_luns,
	del_initiators,
	del_groups,
	del_attrs,
	del_targets,
	del_devices,
	root_attrs,
	add_devices,
	add_targets,
	device_attrs,
	driver_attrs,
	target_attrs,
	add_groups,
	initiators,
	add_luns,
	add_sessions,
	add_device_groups,
	enable_targets,
	enable_drivers,
	phase_count,
};

struct DevRef {
	std::string handler;
	const Device *dev = nullptr;
};

std::map<std::string, DevRef> devices_of(const Config &c)
{
	std::map<std::string, DevRef> out;
	for (const auto &[hname, h] : c.handlers)
		for (const auto &[dname, d] : h.devices)
			out[dname] = DevRef{hname, &d};
	return out;
}

bool is_pass_through(std::string_view handler)
{
	return handler.starts_with("dev_");
}

bool is_creation_param(std::string_view handler, std::string_view attr)
{
	const NameSet *p = creation_params(handler);
	return p ? p->contains(attr) : true;
}

// Where a target's things live.
struct TargetPaths {
	std::string driver, target;
	std::string label() const { return fmt::format("{}/{}", driver, target); }
	std::string dir() const { return fmt::format("targets/{}/{}", driver, target); }
	std::string driver_mgmt() const { return fmt::format("targets/{}/mgmt", driver); }
	std::string groups_mgmt() const { return dir() + "/ini_groups/mgmt"; }
	std::string group_dir(std::string_view g) const
	{
		return fmt::format("{}/ini_groups/{}", dir(), g);
	}
	std::string initiators_mgmt(std::string_view g) const
	{
		return group_dir(g) + "/initiators/mgmt";
	}
	// g empty: the target's default LUNs.
	std::string luns_mgmt(std::string_view g) const
	{
		return (g.empty() ? dir() : group_dir(g)) + "/luns/mgmt";
	}
	std::string lun_label(std::uint64_t nr, std::string_view g) const
	{
		return g.empty() ? fmt::format("LUN {} of {}", nr, label())
				 : fmt::format("LUN {} of {} group {}", nr, label(), g);
	}
};

// "p=v; q=w", or "" without parameters.
std::string params_text(const std::string &object, const Attrs &attrs,
			const std::function<bool(std::string_view)> &take)
{
	std::string s;
	for (const auto &[name, values] : attrs) {
		if (!take(name))
			continue;
		if (values.size() != 1)
			throw plan_error(object, fmt::format("parameter {} has {} values", name,
							     values.size()),
					 "a creation parameter takes one value");
		const std::string &v = *values.begin();
		check_param(object, name, v);
		s += fmt::format("{}{}={}", s.empty() ? "" : "; ", name, v);
	}
	return s;
}

std::string with_params(std::string line, const std::string &params)
{
	return params.empty() ? line : line + ' ' + params;
}

// LUN parameters compare without a read_only of 0 (the default).
Attrs lun_params(const Attrs &a)
{
	Attrs out = a;
	if (get(out, "read_only") == "0")
		out.erase("read_only");
	return out;
}

class Planner {
public:
	Planner(const Config &have, const Config &want, const Options &opts)
		: have_(have), want_(want), opts_(opts), have_devs_(devices_of(have)),
		  want_devs_(devices_of(want))
	{
	}

	Plan run()
	{
		resolve_filter();
		plan_devices();
		check_lun_devices();
		plan_drivers();
		if (!filtered_) {
			attrs(Scope{"root", "", {}, {}, {}, false, root_attrs}, have_.attrs,
			      want_.attrs, {});
			plan_handler_attrs();
			plan_device_groups();
		}
		for (auto &phase : phases_)
			for (auto &s : phase)
				plan_.steps.push_back(std::move(s));
		return std::move(plan_);
	}

private:
	struct Scope {
		std::string object;
		std::string dir;
		std::string dyn_mgmt; // "" : no dynamic attributes here
		std::string dyn_add, dyn_del;
		bool fresh = false; // created by this plan
		Phase phase;
	};

	void push(Phase p, Step s) { phases_[p].push_back(std::move(s)); }

	void extra(std::string what) { plan_.extra.push_back(std::move(what)); }

	bool in_scope(const std::string &driver, const std::string &target) const
	{
		return !filtered_ || (driver == fdriver_ && target == ftarget_);
	}

	// The current value of an attribute the running model has not saved.
	std::optional<std::string> current(const Attrs &have, const std::string &name,
					   const std::string &path, bool fresh) const
	{
		if (fresh)
			return std::nullopt;
		if (auto v = get(have, name))
			return v;
		if (opts_.read_current)
			return opts_.read_current(path);
		return std::nullopt;
	}

	// --- the target filter ---------------------------------------------

	void resolve_filter()
	{
		if (opts_.target.empty())
			return;
		filtered_ = true;
		const std::string &t = opts_.target;
		if (const auto slash = t.find('/'); slash != std::string::npos) {
			fdriver_ = t.substr(0, slash);
			ftarget_ = t.substr(slash + 1);
			if (!has_target(want_, fdriver_, ftarget_) &&
			    !has_target(have_, fdriver_, ftarget_))
				throw plan_error(fmt::format("target {}", t), "no such target",
						 "neither the file nor the running configuration has it");
			return;
		}
		std::set<std::string> drivers;
		for (const Config *c : {&want_, &have_})
			for (const auto &[dname, d] : c->drivers)
				if (d.targets.contains(t))
					drivers.insert(dname);
		if (drivers.empty())
			throw plan_error(fmt::format("target {}", t), "no such target",
					 "neither the file nor the running configuration has it");
		if (drivers.size() > 1)
			throw plan_error(fmt::format("target {}", t), "ambiguous target name",
					 fmt::format("drivers {} have it; write DRIVER/{}",
						     fmt::join(drivers, ", "), t));
		fdriver_ = *drivers.begin();
		ftarget_ = t;
	}

	static bool has_target(const Config &c, const std::string &d, const std::string &t)
	{
		const auto it = c.drivers.find(d);
		return it != c.drivers.end() && it->second.targets.contains(t);
	}

	// --- devices -------------------------------------------------------

	std::string add_device_line(const std::string &name, const DevRef &ref) const
	{
		const std::string object = fmt::format("device {}", name);
		check_word(object, "device name", name);
		if (is_pass_through(ref.handler))
			return fmt::format("add_device {}", name);
		return with_params(fmt::format("add_device {}", name),
				   params_text(object, ref.dev->attrs, [&](std::string_view a) {
					   return is_creation_param(ref.handler, a);
				   }));
	}

	void create_device(const std::string &name, const DevRef &ref, const std::string &reason)
	{
		const std::string object = fmt::format("device {}", name);
		const std::string mgmt = fmt::format("handlers/{}/mgmt", ref.handler);
		push(add_devices, Step{object, Action::create, {mgmt, add_device_line(name, ref)},
				       {{mgmt, fmt::format("del_device {}", name)}}, false, {},
				       reason});
		Attrs runtime;
		for (const auto &[a, v] : ref.dev->attrs)
			if (is_pass_through(ref.handler) || !is_creation_param(ref.handler, a))
				runtime[a] = v;
		attrs(Scope{object, fmt::format("devices/{}", name), {}, {}, {}, true, device_attrs},
		      {}, runtime, {});
	}

	void remove_device(const std::string &name, const DevRef &ref, const std::string &reason)
	{
		const std::string object = fmt::format("device {}", name);
		const std::string mgmt = fmt::format("handlers/{}/mgmt", ref.handler);
		std::vector<Write> undo{{mgmt, add_device_line(name, ref)}};
		for (const auto &[a, values] : ref.dev->attrs)
			if (is_pass_through(ref.handler) || !is_creation_param(ref.handler, a))
				for (const auto &v : values)
					undo.push_back({fmt::format("devices/{}/{}", name, a), v});
		push(del_devices, Step{object, Action::remove, {mgmt, fmt::format("del_device {}", name)},
				       std::move(undo), false, {}, reason});
	}

	// Why the device must be recreated, or "".
	std::string recreate_reason(const std::string &name, const DevRef &h, const DevRef &w) const
	{
		if (h.handler != w.handler)
			return fmt::format("recreate: handler {} -> {}", h.handler, w.handler);
		if (is_pass_through(w.handler))
			return {};
		std::vector<std::string> diffs;
		NameSet names;
		for (const auto &[a, v] : w.dev->attrs)
			if (is_creation_param(w.handler, a))
				names.insert(a);
		for (const auto &[a, v] : h.dev->attrs)
			if (is_creation_param(w.handler, a))
				names.insert(a);
		for (const auto &a : names) {
			const auto want = get(w.dev->attrs, a);
			const bool saved = h.dev->attrs.contains(a);
			const auto have = current(h.dev->attrs, a,
						  fmt::format("devices/{}/{}", name, a), false);
			// A value the file leaves out is the default: it differs from
			// a saved ([key]) one only.
			if (!want && !saved)
				continue;
			if (want != have)
				diffs.push_back(fmt::format("{} {} -> {}", a, have.value_or("(unset)"),
							    want.value_or("(default)")));
		}
		if (diffs.empty())
			return {};
		return fmt::format("recreate: {}", fmt::join(diffs, ", "));
	}

	// Devices the filtered target's LUNs use.
	std::set<std::string> filtered_devices() const
	{
		std::set<std::string> out;
		const auto d = want_.drivers.find(fdriver_);
		if (d == want_.drivers.end())
			return out;
		const auto t = d->second.targets.find(ftarget_);
		if (t == d->second.targets.end())
			return out;
		for (const auto &[nr, l] : t->second.luns)
			out.insert(l.device);
		for (const auto &[gname, g] : t->second.groups)
			for (const auto &[nr, l] : g.luns)
				out.insert(l.device);
		return out;
	}

	void plan_devices()
	{
		if (filtered_) {
			for (const auto &name : filtered_devices()) {
				const auto w = want_devs_.find(name);
				const auto h = have_devs_.find(name);
				if (w != want_devs_.end() && h == have_devs_.end())
					create_device(name, w->second, "needed by target " + opts_.target);
				else if (w != want_devs_.end() && h != have_devs_.end()) {
					const std::string why = recreate_reason(name, h->second, w->second);
					if (!why.empty())
						plan_.notes.push_back(fmt::format(
							"device {} differs ({}); not recreated with a target filter",
							name, why));
				}
			}
			return;
		}
		for (const auto &[name, w] : want_devs_) {
			const auto h = have_devs_.find(name);
			if (h == have_devs_.end()) {
				create_device(name, w, {});
				continue;
			}
			const std::string why = recreate_reason(name, h->second, w);
			if (!why.empty()) {
				remove_device(name, h->second, why);
				create_device(name, w, why);
				recreated_.insert(name);
				continue;
			}
			Attrs hrt, wrt;
			for (const auto &[a, v] : h->second.dev->attrs)
				if (is_pass_through(w.handler) || !is_creation_param(w.handler, a))
					hrt[a] = v;
			for (const auto &[a, v] : w.dev->attrs)
				if (is_pass_through(w.handler) || !is_creation_param(w.handler, a))
					wrt[a] = v;
			attrs(Scope{fmt::format("device {}", name), fmt::format("devices/{}", name), {},
				    {}, {}, false, device_attrs},
			      hrt, wrt, {});
		}
		for (const auto &[name, h] : have_devs_) {
			if (want_devs_.contains(name))
				continue;
			if (opts_.prune) {
				remove_device(name, h, {});
				removed_.insert(name);
			} else {
				extra(fmt::format("device {} (handler {})", name, h.handler));
			}
		}
	}

	void check_lun_devices() const
	{
		const auto check = [&](const TargetPaths &tp, const Luns &luns, const std::string &g) {
			for (const auto &[nr, l] : luns) {
				const bool ok = want_devs_.contains(l.device) ||
						(have_devs_.contains(l.device) && !removed_.contains(l.device));
				if (!ok)
					throw plan_error(tp.lun_label(nr, g),
							 fmt::format("no device {}", l.device),
							 "the file does not define it and the tree does not have it");
			}
		};
		for (const auto &[dname, d] : want_.drivers)
			for (const auto &[tname, t] : d.targets) {
				if (!in_scope(dname, tname))
					continue;
				const TargetPaths tp{dname, tname};
				check(tp, t.luns, {});
				for (const auto &[gname, g] : t.groups)
					check(tp, g.luns, gname);
			}
	}

	void plan_handler_attrs()
	{
		NameSet names;
		for (const auto &[h, x] : want_.handlers)
			names.insert(h);
		for (const auto &[h, x] : have_.handlers)
			names.insert(h);
		static const config::Handler none;
		for (const auto &h : names) {
			const auto hi = have_.handlers.find(h);
			const auto wi = want_.handlers.find(h);
			attrs(Scope{fmt::format("handler {}", h), fmt::format("handlers/{}", h), {}, {},
				    {}, false, device_attrs},
			      hi == have_.handlers.end() ? none.attrs : hi->second.attrs,
			      wi == want_.handlers.end() ? none.attrs : wi->second.attrs, {});
		}
	}

	// --- attributes ----------------------------------------------------

	// Writes that make the attributes `want` of scope, skipping the names in
	// skip.  Dynamic (multi-valued) attributes are added and removed a value
	// at a time through scope.dyn_mgmt.
	void attrs(const Scope &s, const Attrs &have, const Attrs &want, const NameSet &skip)
	{
		NameSet names;
		for (const auto &[a, v] : want)
			names.insert(a);
		for (const auto &[a, v] : have)
			names.insert(a);
		static const std::set<std::string> empty;
		for (const auto &a : names) {
			if (skip.contains(a))
				continue;
			const auto wi = want.find(a);
			const auto hi = have.find(a);
			const auto &wv = wi == want.end() ? empty : wi->second;
			const auto &hv = hi == have.end() ? empty : hi->second;
			const std::string object = fmt::format("attribute {} of {}", a, s.object);
			if (is_dynamic(a) || wv.size() > 1 || hv.size() > 1) {
				if (s.dyn_mgmt.empty())
					throw plan_error(object,
							 fmt::format("{} values", std::max(wv.size(), hv.size())),
							 "this attribute takes one value");
				for (const auto &v : wv)
					if (v.find('\n') != std::string::npos)
						throw plan_error(object,
								 fmt::format("value {} cannot be written to mgmt",
									     config::quote(v)),
								 "a value added through mgmt must be one line");
				for (const auto &v : wv)
					if (!hv.contains(v))
						push(s.phase, Step{object, Action::add,
								   {s.dyn_mgmt, fmt::format("{} {} {}", s.dyn_add, a, v)},
								   {{s.dyn_mgmt, fmt::format("{} {} {}", s.dyn_del, a, v)}},
								   false, {}, {}});
				for (const auto &v : hv) {
					if (wv.contains(v))
						continue;
					if (!opts_.prune) {
						extra(fmt::format("{} {}", object, config::quote(v)));
						continue;
					}
					push(del_attrs, Step{object, Action::del,
							     {s.dyn_mgmt, fmt::format("{} {} {}", s.dyn_del, a, v)},
							     {{s.dyn_mgmt, fmt::format("{} {} {}", s.dyn_add, a, v)}},
							     false, {}, {}});
				}
				continue;
			}
			const std::string path = join_path(s.dir, a);
			if (wv.empty()) {
				extra(fmt::format("{} = {}", object, config::quote(*hv.begin())));
				continue;
			}
			const std::string &w = *wv.begin();
			const auto h = current(have, a, path, s.fresh);
			if (h == w)
				continue;
			Step step{object, Action::set, {path, w}, {}, false, {}, {}};
			if (s.fresh)
				step.parent = s.object;
			else if (h)
				step.undo = {{path, *h}};
			else
				step.undo_reads_old = true;
			push(s.phase, std::move(step));
		}
	}

	// --- targets -------------------------------------------------------

	void plan_drivers()
	{
		NameSet names;
		for (const auto &[d, x] : want_.drivers)
			names.insert(d);
		for (const auto &[d, x] : have_.drivers)
			names.insert(d);
		static const Driver none;
		for (const auto &dname : names) {
			if (filtered_ && dname != fdriver_)
				continue;
			const auto wi = want_.drivers.find(dname);
			const auto hi = have_.drivers.find(dname);
			const bool in_file = wi != want_.drivers.end();
			const Driver &w = in_file ? wi->second : none;
			const Driver &h = hi == have_.drivers.end() ? none : hi->second;
			plan_targets(dname, h, w);
			if (filtered_)
				continue;
			const std::string dir = fmt::format("targets/{}", dname);
			if (in_file)
				attrs(Scope{fmt::format("driver {}", dname), dir, dir + "/mgmt",
					    "add_attribute", "del_attribute", false, driver_attrs},
				      h.attrs, w.attrs, {"enabled"});
			enabled(fmt::format("driver {}", dname), dir, h.attrs, w.attrs,
				in_file || opts_.prune, disable_drivers, enable_drivers);
		}
	}

	// enabled of a driver or target; absent means 0.  May disable only if
	// the file has the object (or with prune).
	void enabled(const std::string &object, const std::string &dir, const Attrs &have,
		     const Attrs &want, bool may_disable, Phase off, Phase on)
	{
		const bool h = get(have, "enabled") == "1";
		const bool w = get(want, "enabled") == "1";
		const std::string path = dir + "/enabled";
		if (w && !h)
			push(on, Step{object, Action::enable, {path, "1"}, {{path, "0"}}, false, {}, {}});
		else if (h && !w && may_disable)
			push(off, Step{object, Action::disable, {path, "0"}, {{path, "1"}}, false, {}, {}});
	}

	void plan_targets(const std::string &dname, const Driver &h, const Driver &w)
	{
		NameSet names;
		for (const auto &[t, x] : w.targets)
			names.insert(t);
		for (const auto &[t, x] : h.targets)
			names.insert(t);
		for (const auto &tname : names) {
			if (!in_scope(dname, tname))
				continue;
			const TargetPaths tp{dname, tname};
			const auto wi = w.targets.find(tname);
			const auto hi = h.targets.find(tname);
			if (wi != w.targets.end() && hi == h.targets.end()) {
				if (wi->second.hw)
					throw plan_error(fmt::format("target {}", tp.label()),
							 "hardware target not present",
							 "a hardware target appears with its port; it cannot be created");
				create_target(tp, wi->second);
			} else if (wi != w.targets.end()) {
				sync_target(tp, hi->second, wi->second, false);
			} else if (opts_.prune) {
				remove_target(tp, hi->second);
			} else {
				extra(fmt::format("target {}", tp.label()));
				// Kept, but LUNs on a recreated device must let go of it.
				luns_of_kept(tp, hi->second);
			}
		}
	}

	void luns_of_kept(const TargetPaths &tp, const Target &h)
	{
		if (recreated_.empty())
			return;
		const auto quiet = [&](const std::string &g, const Luns &l) {
			const std::size_t n = plan_.extra.size();
			luns(tp, g, l, l);
			plan_.extra.resize(n);
		};
		quiet({}, h.luns);
		for (const auto &[g, grp] : h.groups)
			quiet(g, grp.luns);
	}

	// A target is created bare: no driver takes add_target parameters that
	// the plan uses (scst_local's session_name is made with add_session
	// instead: a target may have several, and one can come or go without
	// recreating the target; see sessions()).
	std::string add_target_line(const TargetPaths &tp) const
	{
		check_word(fmt::format("target {}", tp.label()), "target name", tp.target);
		return fmt::format("add_target {}", tp.target);
	}

	Scope target_scope(const TargetPaths &tp, bool fresh) const
	{
		return Scope{fmt::format("target {}", tp.label()),
			     tp.dir(),
			     tp.driver_mgmt(),
			     fmt::format("add_target_attribute {}", tp.target),
			     fmt::format("del_target_attribute {}", tp.target),
			     fresh,
			     target_attrs};
	}

	void create_target(const TargetPaths &tp, const Target &w)
	{
		const std::string object = fmt::format("target {}", tp.label());
		push(add_targets, Step{object, Action::create, {tp.driver_mgmt(), add_target_line(tp)},
				       {{tp.driver_mgmt(), fmt::format("del_target {}", tp.target)}},
				       false, {}, {}});
		static const Target none;
		sync_target(tp, none, w, true);
	}

	// Everything of a target but its creation: attributes, groups,
	// initiators, LUNs, enabled.  fresh: the target is created by this plan.
	void sync_target(const TargetPaths &tp, const Target &h, const Target &w, bool fresh)
	{
		const std::string object = fmt::format("target {}", tp.label());
		NameSet skip{"enabled"};
		if (const auto sa = model::session_attribute(tp.driver)) {
			skip.insert(std::string(*sa));
			sessions(tp, *sa, fresh ? Attrs{} : h.attrs, w.attrs);
		}
		attrs(target_scope(tp, fresh), h.attrs, w.attrs, skip);

		NameSet groups;
		for (const auto &[g, x] : w.groups)
			groups.insert(g);
		for (const auto &[g, x] : h.groups)
			groups.insert(g);
		std::set<std::string> removed_groups;
		static const Group none;
		for (const auto &g : groups) {
			const auto wi = w.groups.find(g);
			const auto hi = h.groups.find(g);
			const std::string gobject = fmt::format("group {} of {}", g, tp.label());
			if (wi != w.groups.end() && hi == h.groups.end()) {
				check_word(gobject, "group name", g);
				push(add_groups, Step{gobject, Action::create,
						      {tp.groups_mgmt(), fmt::format("create {}", g)},
						      {{tp.groups_mgmt(), fmt::format("del {}", g)}}, false, {},
						      {}});
				attrs(Scope{gobject, tp.group_dir(g), {}, {}, {}, true, target_attrs}, {},
				      wi->second.attrs, {});
				luns(tp, g, none.luns, wi->second.luns);
			} else if (wi != w.groups.end()) {
				attrs(Scope{gobject, tp.group_dir(g), {}, {}, {}, false, target_attrs},
				      hi->second.attrs, wi->second.attrs, {});
				luns(tp, g, hi->second.luns, wi->second.luns);
			} else if (opts_.prune) {
				remove_group(tp, g, hi->second);
				removed_groups.insert(g);
			} else {
				extra(gobject);
				// Its LUNs still use devices that may be recreated.
				luns(tp, g, hi->second.luns, hi->second.luns);
			}
		}
		luns(tp, {}, h.luns, w.luns);
		initiator_moves(tp, h, w, removed_groups);
		// Always enabled (scst_local): nothing to plan, whatever the file says.
		if (!model::targets_always_enabled(tp.driver))
			enabled(object, tp.dir(), fresh ? Attrs{} : h.attrs, w.attrs, true,
				disable_targets, enable_targets);
	}

	// Sessions a driver makes on command (scst_local), named by the
	// values of attribute sa.  Added after the LUNs, so that the new
	// SCSI host finds them in its first scan; deleted before anything else
	// of the target.
	void sessions(const TargetPaths &tp, std::string_view sa, const Attrs &h, const Attrs &w)
	{
		static const std::set<std::string> empty;
		const auto values = [&](const Attrs &a) -> const std::set<std::string> & {
			const auto it = a.find(std::string(sa));
			return it == a.end() ? empty : it->second;
		};
		const auto &hv = values(h);
		const auto &wv = values(w);
		for (const auto &s : wv) {
			const std::string object = fmt::format("session {} of {}", s, tp.label());
			check_word(object, "session name", s);
			if (s.find('/') != std::string::npos)
				throw plan_error(object, "session name with '/'",
						 "a session name is a directory name in sysfs");
			if (hv.contains(s))
				continue;
			push(add_sessions, Step{object, Action::add,
						{tp.driver_mgmt(), fmt::format("add_session {} {}", tp.target, s)},
						{{tp.driver_mgmt(), fmt::format("del_session {} {}", tp.target, s)}},
						false, {}, {}});
		}
		for (const auto &s : hv) {
			if (wv.contains(s))
				continue;
			const std::string object = fmt::format("session {} of {}", s, tp.label());
			if (!opts_.prune) {
				extra(object);
				continue;
			}
			push(del_sessions, Step{object, Action::del,
						{tp.driver_mgmt(), fmt::format("del_session {} {}", tp.target, s)},
						{{tp.driver_mgmt(), fmt::format("add_session {} {}", tp.target, s)}},
						false, {}, {}});
		}
	}

	void initiator_moves(const TargetPaths &tp, const Target &h, const Target &w,
			     const std::set<std::string> &removed_groups)
	{
		std::map<std::string, std::string> hmap, wmap; // initiator -> group
		for (const auto &[g, grp] : h.groups)
			for (const auto &i : grp.initiators)
				hmap[i] = g;
		for (const auto &[g, grp] : w.groups)
			for (const auto &i : grp.initiators)
				wmap[i] = g;
		for (const auto &[i, g] : wmap) {
			const std::string object = fmt::format("initiator {} of {}", i, tp.label());
			check_word(object, "initiator", i);
			const auto hi = hmap.find(i);
			if (hi != hmap.end() && hi->second == g)
				continue;
			if (hi != hmap.end() && !removed_groups.contains(hi->second)) {
				push(initiators, Step{object, Action::move,
						      {tp.initiators_mgmt(hi->second), fmt::format("move {} {}", i, g)},
						      {{tp.initiators_mgmt(g), fmt::format("move {} {}", i, hi->second)}},
						      false, {}, fmt::format("group {} -> {}", hi->second, g)});
				continue;
			}
			push(initiators, Step{object, Action::add,
					      {tp.initiators_mgmt(g), fmt::format("add {}", i)},
					      {{tp.initiators_mgmt(g), fmt::format("del {}", i)}}, false, {},
					      fmt::format("into group {}", g)});
		}
		for (const auto &[i, g] : hmap) {
			if (wmap.contains(i) || removed_groups.contains(g))
				continue;
			const std::string object = fmt::format("initiator {} of {}", i, tp.label());
			if (!opts_.prune) {
				extra(fmt::format("{} (group {})", object, g));
				continue;
			}
			push(del_initiators, Step{object, Action::del,
						  {tp.initiators_mgmt(g), fmt::format("del {}", i)},
						  {{tp.initiators_mgmt(g), fmt::format("add {}", i)}}, false, {},
						  fmt::format("from group {}", g)});
		}
	}

	std::string lun_line(std::string_view verb, const std::string &object, const Lun &l,
			     std::uint64_t nr) const
	{
		check_word(object, "device name", l.device);
		return with_params(fmt::format("{} {} {}", verb, l.device, nr),
				   params_text(object, lun_params(l.attrs),
					       [](std::string_view) { return true; }));
	}

	Step lun_add(const TargetPaths &tp, const std::string &g, std::uint64_t nr, const Lun &l,
		     std::string reason) const
	{
		const std::string mgmt = tp.luns_mgmt(g);
		const std::string object = tp.lun_label(nr, g);
		return Step{object, Action::add, {mgmt, lun_line("add", object, l, nr)},
			    {{mgmt, fmt::format("del {}", nr)}}, false, {}, std::move(reason)};
	}

	Step lun_del(const TargetPaths &tp, const std::string &g, std::uint64_t nr, const Lun &l,
		     std::string reason) const
	{
		const std::string mgmt = tp.luns_mgmt(g);
		const std::string object = tp.lun_label(nr, g);
		return Step{object, Action::del, {mgmt, fmt::format("del {}", nr)},
			    {{mgmt, lun_line("add", object, l, nr)}}, false, {}, std::move(reason)};
	}

	// g empty: the default group.
	void luns(const TargetPaths &tp, const std::string &g, const Luns &h, const Luns &w)
	{
		for (const auto &[nr, wl] : w) {
			const auto hi = h.find(nr);
			if (hi == h.end()) {
				push(add_luns, lun_add(tp, g, nr, wl, {}));
				continue;
			}
			const Lun &hl = hi->second;
			if (recreated_.contains(hl.device)) {
				const std::string why = fmt::format("device {} is recreated", hl.device);
				push(del_luns, lun_del(tp, g, nr, hl, why));
				push(add_luns, lun_add(tp, g, nr, wl, why));
			} else if (hl.device != wl.device) {
				const std::string mgmt = tp.luns_mgmt(g);
				const std::string object = tp.lun_label(nr, g);
				push(add_luns, Step{object, Action::replace,
						    {mgmt, lun_line("replace", object, wl, nr)},
						    {{mgmt, lun_line("replace", object, hl, nr)}}, false, {},
						    fmt::format("device {} -> {}", hl.device, wl.device)});
			} else if (lun_params(hl.attrs) != lun_params(wl.attrs)) {
				const std::string why = "its parameters change: deleted and added again";
				push(del_luns, lun_del(tp, g, nr, hl, why));
				push(add_luns, lun_add(tp, g, nr, wl, why));
			}
		}
		for (const auto &[nr, hl] : h) {
			if (w.contains(nr))
				continue;
			if (opts_.prune) {
				push(del_luns, lun_del(tp, g, nr, hl, {}));
			} else if (recreated_.contains(hl.device)) {
				// Kept, but its device goes away for a moment.
				const std::string why = fmt::format("device {} is recreated", hl.device);
				push(del_luns, lun_del(tp, g, nr, hl, why));
				push(add_luns, lun_add(tp, g, nr, hl, why));
				extra(tp.lun_label(nr, g));
			} else {
				extra(tp.lun_label(nr, g));
			}
		}
	}

	void remove_group(const TargetPaths &tp, const std::string &g, const Group &hg)
	{
		const std::string gobject = fmt::format("group {} of {}", g, tp.label());
		for (const auto &[nr, l] : hg.luns)
			push(del_luns, lun_del(tp, g, nr, l, {}));
		for (const auto &i : hg.initiators)
			push(del_initiators,
			     Step{fmt::format("initiator {} of {}", i, tp.label()), Action::del,
				  {tp.initiators_mgmt(g), fmt::format("del {}", i)},
				  {{tp.initiators_mgmt(g), fmt::format("add {}", i)}}, false, {},
				  fmt::format("from group {}", g)});
		std::vector<Write> undo{{tp.groups_mgmt(), fmt::format("create {}", g)}};
		for (const auto &[a, values] : hg.attrs)
			for (const auto &v : values)
				undo.push_back({join_path(tp.group_dir(g), a), v});
		push(del_groups, Step{gobject, Action::remove, {tp.groups_mgmt(), fmt::format("del {}", g)},
				      std::move(undo), false, {}, {}});
	}

	void remove_target(const TargetPaths &tp, const Target &h)
	{
		const std::string object = fmt::format("target {}", tp.label());
		if (get(h.attrs, "enabled") == "1")
			push(disable_targets, Step{object, Action::disable, {tp.dir() + "/enabled", "0"},
						   {{tp.dir() + "/enabled", "1"}}, false, {}, {}});
		for (const auto &[g, grp] : h.groups)
			remove_group(tp, g, grp);
		for (const auto &[nr, l] : h.luns)
			push(del_luns, lun_del(tp, {}, nr, l, {}));
		if (h.hw) {
			plan_.notes.push_back(fmt::format(
				"hardware target {} stays: its LUNs and groups are removed, it is disabled",
				tp.label()));
			return;
		}
		// Undo: the target again, with its attributes.
		std::vector<Write> undo{{tp.driver_mgmt(), add_target_line(tp)}};
		const auto sa = model::session_attribute(tp.driver);
		for (const auto &[a, values] : h.attrs) {
			if (a == "enabled")
				continue;
			if (sa && a == *sa) {
				for (const auto &v : values)
					undo.push_back({tp.driver_mgmt(),
							fmt::format("add_session {} {}", tp.target, v)});
				continue;
			}
			for (const auto &v : values)
				if (is_dynamic(a) || values.size() > 1)
					undo.push_back({tp.driver_mgmt(),
							fmt::format("add_target_attribute {} {} {}", tp.target, a, v)});
				else
					undo.push_back({join_path(tp.dir(), a), v});
		}
		push(del_targets, Step{object, Action::remove,
				       {tp.driver_mgmt(), fmt::format("del_target {}", tp.target)},
				       std::move(undo), false, {}, {}});
	}

	// --- device groups (ALUA) ------------------------------------------

	void plan_device_groups()
	{
		NameSet names;
		for (const auto &[n, x] : want_.device_groups)
			names.insert(n);
		for (const auto &[n, x] : have_.device_groups)
			names.insert(n);
		static const config::DeviceGroup none;
		for (const auto &dg : names) {
			const auto wi = want_.device_groups.find(dg);
			const auto hi = have_.device_groups.find(dg);
			const std::string object = fmt::format("device group {}", dg);
			if (wi == want_.device_groups.end()) {
				if (opts_.prune)
					remove_device_group(dg, hi->second);
				else
					extra(object);
				continue;
			}
			const bool fresh = hi == have_.device_groups.end();
			if (fresh) {
				check_word(object, "device group name", dg);
				push(add_device_groups, Step{object, Action::create,
							     {"device_groups/mgmt", fmt::format("create {}", dg)},
							     {{"device_groups/mgmt", fmt::format("del {}", dg)}},
							     false, {}, {}});
			}
			sync_device_group(dg, fresh ? none : hi->second, wi->second, fresh);
		}
	}

	void sync_device_group(const std::string &dg, const config::DeviceGroup &h,
			       const config::DeviceGroup &w, bool fresh)
	{
		const std::string object = fmt::format("device group {}", dg);
		const std::string dir = fmt::format("device_groups/{}", dg);
		attrs(Scope{object, dir, {}, {}, {}, fresh, add_device_groups}, h.attrs, w.attrs, {});
		const std::string devs = dir + "/devices/mgmt";
		for (const auto &d : w.devices)
			if (!h.devices.contains(d))
				push(add_device_groups,
				     Step{fmt::format("device {} in {}", d, object), Action::add,
					  {devs, fmt::format("add {}", d)}, {{devs, fmt::format("del {}", d)}},
					  false, {}, {}});
		for (const auto &d : h.devices)
			if (!w.devices.contains(d)) {
				if (opts_.prune)
					push(del_device_groups,
					     Step{fmt::format("device {} in {}", d, object), Action::del,
						  {devs, fmt::format("del {}", d)},
						  {{devs, fmt::format("add {}", d)}}, false, {}, {}});
				else
					extra(fmt::format("device {} in {}", d, object));
			}
		const std::string tgs = dir + "/target_groups";
		NameSet names;
		for (const auto &[n, x] : w.target_groups)
			names.insert(n);
		for (const auto &[n, x] : h.target_groups)
			names.insert(n);
		static const config::TargetGroup none;
		for (const auto &tg : names) {
			const auto wi = w.target_groups.find(tg);
			const auto hi = h.target_groups.find(tg);
			const std::string tobject = fmt::format("target group {} of {}", tg, object);
			const std::string tdir = fmt::format("{}/{}", tgs, tg);
			if (wi == w.target_groups.end()) {
				if (opts_.prune)
					remove_target_group(tgs, tg, tobject, hi->second);
				else
					extra(tobject);
				continue;
			}
			const bool tfresh = hi == h.target_groups.end();
			if (tfresh)
				push(add_device_groups,
				     Step{tobject, Action::create, {tgs + "/mgmt", fmt::format("create {}", tg)},
					  {{tgs + "/mgmt", fmt::format("del {}", tg)}}, false, {}, {}});
			const config::TargetGroup &ht = tfresh ? none : hi->second;
			attrs(Scope{tobject, tdir, {}, {}, {}, tfresh, add_device_groups}, ht.attrs,
			      wi->second.attrs, {});
			for (const auto &[t, a] : wi->second.targets) {
				const std::string o = fmt::format("target {} in {}", t, tobject);
				const bool nfresh = !ht.targets.contains(t);
				if (nfresh) {
					check_word(o, "target name", t);
					push(add_device_groups,
					     Step{o, Action::add, {tdir + "/mgmt", fmt::format("add {}", t)},
						  {{tdir + "/mgmt", fmt::format("del {}", t)}}, false, {}, {}});
				}
				static const Attrs noattrs;
				attrs(Scope{o, fmt::format("{}/{}", tdir, t), {}, {}, {}, nfresh,
					    add_device_groups},
				      nfresh ? noattrs : ht.targets.at(t), a, {});
			}
			for (const auto &[t, a] : ht.targets) {
				if (wi->second.targets.contains(t))
					continue;
				const std::string o = fmt::format("target {} in {}", t, tobject);
				if (opts_.prune)
					push(del_device_groups,
					     Step{o, Action::del, {tdir + "/mgmt", fmt::format("del {}", t)},
						  {{tdir + "/mgmt", fmt::format("add {}", t)}}, false, {}, {}});
				else
					extra(o);
			}
		}
	}

	void remove_target_group(const std::string &tgs, const std::string &tg,
				 const std::string &tobject, const config::TargetGroup &h)
	{
		const std::string tdir = fmt::format("{}/{}", tgs, tg);
		for (const auto &[t, a] : h.targets)
			push(del_device_groups,
			     Step{fmt::format("target {} in {}", t, tobject), Action::del,
				  {tdir + "/mgmt", fmt::format("del {}", t)},
				  {{tdir + "/mgmt", fmt::format("add {}", t)}}, false, {}, {}});
		std::vector<Write> undo{{tgs + "/mgmt", fmt::format("create {}", tg)}};
		for (const auto &[a, values] : h.attrs)
			for (const auto &v : values)
				undo.push_back({join_path(tdir, a), v});
		push(del_device_groups, Step{tobject, Action::remove,
					     {tgs + "/mgmt", fmt::format("del {}", tg)}, std::move(undo),
					     false, {}, {}});
	}

	void remove_device_group(const std::string &dg, const config::DeviceGroup &h)
	{
		const std::string object = fmt::format("device group {}", dg);
		const std::string dir = fmt::format("device_groups/{}", dg);
		for (const auto &[tg, t] : h.target_groups)
			remove_target_group(dir + "/target_groups", tg,
					    fmt::format("target group {} of {}", tg, object), t);
		for (const auto &d : h.devices)
			push(del_device_groups,
			     Step{fmt::format("device {} in {}", d, object), Action::del,
				  {dir + "/devices/mgmt", fmt::format("del {}", d)},
				  {{dir + "/devices/mgmt", fmt::format("add {}", d)}}, false, {}, {}});
		push(del_device_groups, Step{object, Action::remove,
					     {"device_groups/mgmt", fmt::format("del {}", dg)},
					     {{"device_groups/mgmt", fmt::format("create {}", dg)}}, false,
					     {}, {}});
	}

	const Config &have_;
	const Config &want_;
	const Options &opts_;
	std::map<std::string, DevRef> have_devs_, want_devs_;
	bool filtered_ = false;
	std::string fdriver_, ftarget_;
	std::set<std::string> recreated_, removed_;
	std::array<std::vector<Step>, phase_count> phases_;
	Plan plan_;
};

} // namespace

std::string_view to_string(Action a) noexcept
{
	switch (a) {
	case Action::create:
		return "create";
	case Action::remove:
		return "remove";
	case Action::set:
		return "set";
	case Action::add:
		return "add";
	case Action::del:
		return "del";
	case Action::replace:
		return "replace";
	case Action::move:
		return "move";
	case Action::enable:
		return "enable";
	case Action::disable:
		return "disable";
	}
	return "?";
}

std::string_view to_string(StepState s) noexcept
{
	switch (s) {
	case StepState::pending:
		return "pending";
	case StepState::done:
		return "done";
	case StepState::failed:
		return "failed";
	case StepState::undone:
		return "undone";
	case StepState::undo_failed:
		return "undo failed";
	case StepState::kept:
		return "kept";
	}
	return "?";
}

const std::set<std::string, std::less<>> *creation_params(std::string_view handler)
{
	if (handler == "vdisk_fileio")
		return &fileio_params;
	if (handler == "vdisk_blockio")
		return &blockio_params;
	if (handler == "vdisk_nullio")
		return &nullio_params;
	if (handler == "vcdrom")
		return &vcdrom_params;
	if (is_pass_through(handler))
		return &no_params;
	return nullptr;
}

Reader tree_reader(const sysfs::Tree &tree)
{
	return [tree](const std::string &path) -> std::optional<std::string> {
		try {
			return tree.read(path).value();
		} catch (const Error &) {
			return std::nullopt;
		}
	};
}

Expected<Plan> make(const Config &running, const Config &wanted, const Options &opts)
{
	try {
		return Planner(running, wanted, opts).run();
	} catch (const Error &e) {
		return unexpected(e);
	}
}

std::string describe(const Step &step)
{
	std::string s = fmt::format("{} {}: {} <- \"{}\"", step.action, step.object,
				    step.write.path, step.write.line);
	if (!step.reason.empty())
		s += fmt::format(" ({})", step.reason);
	return s;
}

std::string format(const Plan &plan)
{
	std::string s;
	if (plan.steps.empty())
		s += "nothing to do\n";
	for (std::size_t i = 0; i < plan.steps.size(); i++)
		s += fmt::format("{:>4}. {}\n", i + 1, describe(plan.steps[i]));
	if (!plan.extra.empty()) {
		s += "not in the file, kept (prune removes them):\n";
		for (const auto &e : plan.extra)
			s += fmt::format("      {}\n", e);
	}
	for (const auto &n : plan.notes)
		s += fmt::format("note: {}\n", n);
	return s;
}

std::vector<std::size_t> Report::in(StepState s) const
{
	std::vector<std::size_t> out;
	for (std::size_t i = 0; i < states.size(); i++)
		if (states[i] == s)
			out.push_back(i);
	return out;
}

std::vector<std::size_t> Report::left() const
{
	std::vector<std::size_t> out;
	for (std::size_t i = 0; i < states.size(); i++)
		if (states[i] == StepState::done || states[i] == StepState::kept ||
		    states[i] == StepState::undo_failed)
			out.push_back(i);
	return out;
}

std::string Report::summary(const Plan &plan) const
{
	const auto list = [&](std::string_view title, const std::vector<std::size_t> &idx) {
		std::string s;
		if (idx.empty())
			return s;
		s += fmt::format("{}:\n", title);
		for (const auto i : idx)
			s += fmt::format("{:>4}. {}\n", i + 1, describe(plan.steps[i]));
		return s;
	};
	if (ok())
		return fmt::format("applied {} step{}\n", states.size(), states.size() == 1 ? "" : "s");
	std::string s = fmt::format("step {} failed: {}\n", *failed + 1,
				    error ? error->what() : "unknown error");
	s += fmt::format("{:>4}. {}\n", *failed + 1, describe(plan.steps[*failed]));
	const auto ran = [&] {
		std::vector<std::size_t> v;
		for (std::size_t i = 0; i < *failed; i++)
			v.push_back(i);
		return v;
	}();
	s += list("ran before it", ran);
	s += list("undone", in(StepState::undone));
	for (const auto &[i, e] : undo_errors)
		s += fmt::format("undo of step {} failed: {}\n", i + 1, e.what());
	const auto l = left();
	s += l.empty() ? std::string("left in the tree: nothing, the tree is as before\n")
		       : list("left in the tree", l);
	const auto p = in(StepState::pending);
	if (!p.empty())
		s += fmt::format("not run: {} step{}\n", p.size(), p.size() == 1 ? "" : "s");
	return s;
}

Report execute(const sysfs::Tree &tree, const Plan &plan, const ExecOptions &opts)
{
	const std::size_t n = plan.steps.size();
	Report r;
	r.states.assign(n, StepState::pending);
	std::vector<std::vector<Write>> undo(n);

	for (std::size_t i = 0; i < n; i++) {
		const Step &step = plan.steps[i];
		undo[i] = step.undo;
		if (step.undo_reads_old) {
			try {
				undo[i] = {{step.write.path, tree.read(step.write.path).value()}};
			} catch (const Error &) {
				// Unreadable: the step cannot be undone.
			}
		}
		try {
			tree.write(step.write.path, step.write.line);
			r.states[i] = StepState::done;
		} catch (const Error &e) {
			r.states[i] = StepState::failed;
			r.failed = i;
			r.error = e;
			break;
		}
	}
	if (r.ok() || !opts.rollback)
		return r;

	// The creating step of each object, for steps undone with their parent.
	std::map<std::string, std::size_t> creator;
	for (std::size_t i = 0; i < *r.failed; i++)
		if (plan.steps[i].action == Action::create || plan.steps[i].action == Action::add)
			creator.emplace(plan.steps[i].object, i);

	for (std::size_t j = *r.failed; j-- > 0;) {
		const Step &step = plan.steps[j];
		if (!step.parent.empty())
			continue; // decided below, once its parent is rolled back
		if (undo[j].empty()) {
			r.states[j] = StepState::kept;
			continue;
		}
		try {
			for (const Write &w : undo[j])
				tree.write(w.path, w.line);
			r.states[j] = StepState::undone;
		} catch (const Error &e) {
			r.states[j] = StepState::undo_failed;
			r.undo_errors.emplace_back(j, e);
		}
	}
	for (std::size_t j = 0; j < *r.failed; j++) {
		const Step &step = plan.steps[j];
		if (step.parent.empty())
			continue;
		const auto c = creator.find(step.parent);
		r.states[j] = c != creator.end() && r.states[c->second] == StepState::undone
				      ? StepState::undone
				      : StepState::kept;
	}
	return r;
}

void to_json(nlohmann::json &j, const Write &w)
{
	j = nlohmann::json{{"path", w.path}, {"line", w.line}};
}

void to_json(nlohmann::json &j, const Step &s)
{
	j = nlohmann::json{
		{"object", s.object},
		{"action", to_string(s.action)},
		{"path", s.write.path},
		{"line", s.write.line},
		{"undo", s.undo},
		{"undo_reads_old", s.undo_reads_old},
		{"parent", s.parent},
		{"reason", s.reason},
	};
}

void to_json(nlohmann::json &j, const Plan &p)
{
	j = nlohmann::json{{"steps", p.steps}, {"extra", p.extra}, {"notes", p.notes}};
}

void to_json(nlohmann::json &j, const Report &r)
{
	auto steps = nlohmann::json::array();
	for (std::size_t i = 0; i < r.states.size(); i++)
		steps.push_back({{"index", i}, {"state", to_string(r.states[i])}});
	auto undo_errors = nlohmann::json::array();
	for (const auto &[i, e] : r.undo_errors)
		undo_errors.push_back({{"index", i}, {"error", e}});
	j = nlohmann::json{
		{"ok", r.ok()},
		{"failed", r.failed ? nlohmann::json(*r.failed) : nlohmann::json(nullptr)},
		{"error", r.error ? nlohmann::json(*r.error) : nlohmann::json(nullptr)},
		{"steps", std::move(steps)},
		{"left", r.left()},
		{"undo_errors", std::move(undo_errors)},
	};
}

} // namespace strix::plan
