#include "import.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <iterator>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "plan.h"

namespace strix::import {

namespace {

using config::Attrs;
using nlohmann::json;
using Names = std::set<std::string, std::less<>>;

// --- what sysfs-abi.md names ---------------------------------------------------

const Names handlers{"vdisk_fileio", "vdisk_blockio", "vdisk_nullio", "vcdrom",
		     "dev_disk",     "dev_tape",      "dev_cdrom",    "dev_changer",
		     "dev_modisk",   "dev_processor", "dev_raid"};
// tas and qerr are Strix's (the control mode page's TAS and QErr).
const Names device_common{"threads_num", "threads_pool_type", "max_tgt_dev_commands",
			  "pr_file_name", "tas", "qerr"};
const Names vdisk_runtime{"size",    "size_mb",    "t10_vend_id",      "vend_specific_id",
			  "prod_id", "prod_rev_lvl", "usn",            "eui64_id",
			  "naa_id",  "scsi_device_name", "lb_per_pb_exp", "opt_trans_len",
			  "expl_alua"};
const Names drivers{"iscsi", "scst_local", "ib_srpt", "qla2x00t"};
const Names target_common{"enabled",  "rel_tgt_id", "comment",  "addr_method",
			  "io_grouping_type", "cpu_mask", "black_hole"};
const Names iscsi_keys{"InitialR2T",        "ImmediateData",
		       "MaxRecvDataSegmentLength", "MaxXmitDataSegmentLength",
		       "MaxBurstLength",    "FirstBurstLength",
		       "MaxOutstandingR2T", "HeaderDigest",
		       "DataDigest",        "QueuedCommands",
		       "MaxSessions",       "NopInInterval",
		       "NopInTimeout",      "RspTimeout",
		       "alias"};
const Names iscsi_target{"IncomingUser", "OutgoingUser", "allowed_portal", "per_portal_acl",
			 "redirect"};
const Names iscsi_driver{"enabled", "IncomingUser", "OutgoingUser", "iSNSServer",
			 "isns_entity_name"};
const Names group_attrs{"addr_method", "io_grouping_type", "cpu_mask"};

bool device_attr_known(const std::string &handler, const std::string &attr)
{
	if (device_common.contains(attr))
		return true;
	if (handler.starts_with("dev_"))
		return false;
	if (const auto *p = plan::creation_params(handler); p && p->contains(attr))
		return true;
	if (handler == "vdisk_nullio" && attr == "read_zero")
		return true;
	if (handler == "vcdrom")
		return attr == "filename";
	return vdisk_runtime.contains(attr);
}

bool target_attr_known(const std::string &driver, const std::string &attr)
{
	if (target_common.contains(attr))
		return true;
	if (driver == "iscsi")
		return iscsi_keys.contains(attr) || iscsi_target.contains(attr);
	if (driver == "scst_local")
		return attr == "session_name";
	return false;
}

std::string values(const std::set<std::string> &v)
{
	return fmt::format("{}", fmt::join(v, ", "));
}

// Drop the attributes known() refuses, each reported.
void filter(Attrs &attrs, const std::string &subject, std::vector<std::string> &notes,
	    const std::function<bool(const std::string &)> &known)
{
	for (auto it = attrs.begin(); it != attrs.end();) {
		if (known(it->first)) {
			++it;
			continue;
		}
		notes.push_back(fmt::format("{}: attribute {} ({}) has no Strix equivalent: left out",
					    subject, it->first, values(it->second)));
		it = attrs.erase(it);
	}
}

} // namespace

Expected<Result> from_scst(std::string_view text, std::string_view source)
{
	auto parsed = config::parse(text, source);
	if (!parsed)
		return unexpected(parsed.error().to_error());
	Result r;
	r.config = std::move(parsed).value();
	auto &notes = r.unmapped;
	config::Config &cfg = r.config;

	std::set<std::string> dropped_devices;
	for (auto it = cfg.handlers.begin(); it != cfg.handlers.end();) {
		const std::string &h = it->first;
		if (!handlers.contains(h)) {
			for (const auto &[d, dev] : it->second.devices) {
				dropped_devices.insert(d);
				notes.push_back(fmt::format("device {}: handler {} has no Strix equivalent: "
							    "left out, with its LUNs",
							    d, h));
			}
			if (it->second.devices.empty())
				notes.push_back(fmt::format("handler {}: no Strix equivalent: left out", h));
			it = cfg.handlers.erase(it);
			continue;
		}
		filter(it->second.attrs, "handler " + h, notes, [](const std::string &) { return false; });
		for (auto &[d, dev] : it->second.devices)
			filter(dev.attrs, "device " + d, notes,
			       [&](const std::string &a) { return device_attr_known(h, a); });
		++it;
	}

	for (auto it = cfg.drivers.begin(); it != cfg.drivers.end();) {
		const std::string &drv = it->first;
		if (drv == "copy_manager") {
			notes.push_back("target driver copy_manager: SCST's internal EXTENDED COPY "
					"target; Strix manages it itself: left out");
			it = cfg.drivers.erase(it);
			continue;
		}
		if (!drivers.contains(drv)) {
			notes.push_back(fmt::format("target driver {}: no Strix equivalent: left out, "
						    "with its {} target{}",
						    drv, it->second.targets.size(),
						    it->second.targets.size() == 1 ? "" : "s"));
			it = cfg.drivers.erase(it);
			continue;
		}
		filter(it->second.attrs, "target driver " + drv, notes, [&](const std::string &a) {
			return a == "enabled" || (drv == "iscsi" && iscsi_driver.contains(a));
		});
		for (auto &[tname, t] : it->second.targets) {
			const std::string subject = fmt::format("target {}/{}", drv, tname);
			filter(t.attrs, subject, notes,
			       [&](const std::string &a) { return target_attr_known(drv, a); });
			const auto drop_luns = [&](config::Luns &luns, const std::string &where) {
				for (auto l = luns.begin(); l != luns.end();) {
					if (!dropped_devices.contains(l->second.device)) {
						filter(l->second.attrs,
						       fmt::format("LUN {} of {}{}", l->first, subject, where),
						       notes,
						       [](const std::string &a) { return a == "read_only"; });
						++l;
						continue;
					}
					notes.push_back(fmt::format("LUN {} of {}{}: device {} left out: "
								    "LUN left out",
								    l->first, subject, where,
								    l->second.device));
					l = luns.erase(l);
				}
			};
			drop_luns(t.luns, "");
			for (auto &[gname, g] : t.groups) {
				drop_luns(g.luns, " group " + gname);
				filter(g.attrs, fmt::format("group {} of {}", gname, subject), notes,
				       [](const std::string &a) { return group_attrs.contains(a); });
			}
		}
		++it;
	}
	for (auto &[dgname, dg] : cfg.device_groups)
		for (const auto &d : dropped_devices)
			dg.devices.erase(d);
	return r;
}

// --- targetcli --------------------------------------------------------------------------

namespace {

// LIO's storage object attributes at their defaults (rtslib dumps them
// all); only other values are worth a report.  hw_* are read-only.
const std::map<std::string, std::string, std::less<>> lio_so_defaults{
	{"alua_support", "1"},          {"block_size", "512"},
	{"emulate_3pc", "1"},           {"emulate_caw", "1"},
	{"emulate_dpo", "1"},           {"emulate_fua_read", "1"},
	{"emulate_fua_write", "1"},     {"emulate_model_alias", "1"},
	{"emulate_pr", "1"},            {"emulate_rest_reord", "0"},
	{"emulate_tas", "1"},           {"emulate_tpu", "0"},
	{"emulate_tpws", "0"},          {"emulate_ua_intlck_ctrl", "0"},
	{"emulate_write_cache", "0"},   {"enforce_pr_isids", "1"},
	{"force_pr_aptpl", "0"},        {"is_nonrot", "0"},
	{"max_unmap_block_desc_count", "0"}, {"max_unmap_lba_count", "0"},
	{"max_write_same_len", "65535"}, {"optimal_sectors", "16384"},
	{"pgr_support", "1"},           {"pi_prot_format", "0"},
	{"pi_prot_type", "0"},          {"pi_prot_verify", "0"},
	{"queue_depth", "128"},         {"unmap_granularity", "1"},
	{"unmap_granularity_alignment", "0"}, {"unmap_zeroes_data", "0"},
};

// TPG attributes and parameters at their defaults.
const std::map<std::string, std::string, std::less<>> lio_tpg_defaults{
	{"authentication", "0"},      {"cache_dynamic_acls", "0"},
	{"default_cmdsn_depth", "64"}, {"default_erl", "0"},
	{"demo_mode_discovery", "1"},  {"demo_mode_write_protect", "1"},
	{"fabric_prot_type", "0"},     {"generate_node_acls", "0"},
	{"login_keys_workaround", "1"}, {"login_timeout", "15"},
	{"netif_timeout", "2"},        {"prod_mode_write_protect", "0"},
	{"t10_pi", "0"},               {"tpg_enabled_sendtargets", "1"},
	// parameters (RFC 3720 defaults, as LIO has them)
	{"AuthMethod", "CHAP,None"},   {"DataPDUInOrder", "Yes"},
	{"DataSequenceInOrder", "Yes"}, {"DefaultTime2Retain", "20"},
	{"DefaultTime2Wait", "2"},     {"ErrorRecoveryLevel", "0"},
	{"IFMarkInt", "2048~65535"},   {"IFMarker", "No"},
	{"MaxConnections", "1"},       {"OFMarkInt", "2048~65535"},
	{"OFMarker", "No"},            {"TargetAlias", "LIO Target"},
	{"iSERHCA", "No"},             {"RDMAExtensions", "No"},
	{"InitiatorRecvDataSegmentLength", "8192"},
	{"TargetRecvDataSegmentLength", "8192"},
};

std::string scalar(const json &v)
{
	if (v.is_string())
		return v.get<std::string>();
	if (v.is_boolean())
		return v.get<bool>() ? "1" : "0";
	if (v.is_number_integer())
		return std::to_string(v.get<long long>());
	return v.dump();
}

bool truthy(const json &obj, const char *key, bool dflt = false)
{
	if (!obj.is_object() || !obj.contains(key) || obj[key].is_null())
		return dflt;
	const json &v = obj[key];
	if (v.is_boolean())
		return v.get<bool>();
	if (v.is_number())
		return v.get<double>() != 0;
	const std::string s = scalar(v);
	return s == "1" || s == "true" || s == "True" || s == "yes";
}

std::optional<std::string> str(const json &obj, std::initializer_list<const char *> keys)
{
	if (!obj.is_object())
		return std::nullopt;
	for (const char *k : keys)
		if (obj.contains(k) && !obj[k].is_null()) {
			std::string s = scalar(obj[k]);
			if (!s.empty())
				return s;
		}
	return std::nullopt;
}

bool valid_name(std::string_view n)
{
	if (n.empty() || n.size() >= 64 || n.front() == '.')
		return false;
	return std::ranges::all_of(n, [](char c) {
		return std::isalnum(static_cast<unsigned char>(c)) ||
		       std::string_view("._-:@").find(c) != std::string_view::npos;
	});
}

std::string sanitized(std::string_view n)
{
	std::string s;
	for (char c : n)
		s += std::isalnum(static_cast<unsigned char>(c)) ||
				     std::string_view("._-:@").find(c) != std::string_view::npos
			     ? c
			     : '_';
	if (s.empty() || s.front() == '.')
		s.insert(s.begin(), '_');
	return s.substr(0, 63);
}

// "name=value, ..." of what differs from defaults in attrs, minus skip.
std::string leftovers(const json &attrs, const std::map<std::string, std::string, std::less<>> &defaults,
		      const Names &skip)
{
	std::vector<std::string> out;
	if (!attrs.is_object())
		return {};
	for (const auto &[k, v] : attrs.items()) {
		if (skip.contains(k) || k.starts_with("hw_"))
			continue;
		const std::string val = scalar(v);
		const auto d = defaults.find(k);
		if (d != defaults.end() && d->second == val)
			continue;
		out.push_back(k + "=" + val);
	}
	return fmt::format("{}", fmt::join(out, ", "));
}

class Lio {
public:
	Result r;

	void storage_objects(const json &sos)
	{
		if (!sos.is_array())
			return;
		for (const json &so : sos) {
			const std::string plugin = str(so, {"plugin"}).value_or("?");
			const std::string name = str(so, {"name"}).value_or("?");
			const std::string subject = fmt::format("storage object {}/{}", plugin, name);
			const std::map<std::string, std::string> to_handler{
				{"fileio", "vdisk_fileio"},
				{"block", "vdisk_blockio"},
				{"ramdisk", "vdisk_nullio"},
				{"rd_mcp", "vdisk_nullio"}};
			const auto h = to_handler.find(plugin);
			if (h == to_handler.end()) {
				note(subject, plugin == "pscsi"
						      ? fmt::format("pass-through of {} (Strix's dev_disk "
								    "takes H:C:I:L): left out",
								    str(so, {"dev"}).value_or("?"))
						      : "no Strix handler for this plugin: left out");
				continue;
			}
			std::string dev_name = valid_name(name) ? name : sanitized(name);
			if (taken_.contains(dev_name))
				dev_name = sanitized(plugin + "_" + name);
			if (dev_name != name)
				note(subject, fmt::format("renamed to device {} (names are unique across "
							  "handlers and use letters, digits and ._-:@)",
							  dev_name));
			taken_.insert(dev_name);
			devices_["/backstores/" + plugin + "/" + name] = dev_name;

			config::Device dev;
			Attrs &a = dev.attrs;
			const json attrs = so.value("attributes", json::object());
			Names used{"block_size", "emulate_write_cache"};
			if (plugin == "fileio" || plugin == "block") {
				if (const auto f = str(so, {"dev"}))
					a["filename"].insert(*f);
				if (!truthy(so, "write_back", plugin == "fileio"))
					a["write_through"].insert("1");
				if (truthy(so, "readonly"))
					a["read_only"].insert("1");
				if (truthy(attrs, "emulate_tpu") || truthy(attrs, "emulate_tpws")) {
					a["thin_provisioned"].insert("1");
					used.insert({"emulate_tpu", "emulate_tpws"});
				}
				if (plugin == "fileio" && so.contains("size"))
					note(subject, fmt::format("size {}: vdisk_fileio takes the size of "
								  "the file; create it first if it does "
								  "not exist",
								  scalar(so["size"])));
			} else {
				if (so.contains("size"))
					a["size"].insert(scalar(so["size"]));
				if (!truthy(so, "nullio"))
					note(subject, "a RAM disk keeps data; vdisk_nullio does not "
						      "(reads return zeros)");
			}
			if (truthy(attrs, "is_nonrot")) {
				a["rotational"].insert("0");
				used.insert("is_nonrot");
			}
			if (const auto bs = str(attrs, {"block_size"}); bs && *bs != "512")
				a["blocksize"].insert(*bs);
			if (const auto wwn = str(so, {"wwn"}))
				note(subject, fmt::format("unit serial (wwn) {}: no Strix equivalent yet "
							  "(identifiers derive from setup_id and the "
							  "name): left out",
							  *wwn));
			if (const std::string rest = leftovers(attrs, lio_so_defaults, used); !rest.empty())
				note(subject, fmt::format("attributes without a Strix equivalent: {}: "
							  "left out",
							  rest));
			r.config.handlers[h->second].devices[dev_name] = std::move(dev);
		}
	}

	void fabric_modules(const json &fms)
	{
		if (!fms.is_array())
			return;
		for (const json &fm : fms) {
			const std::string name = str(fm, {"name"}).value_or("?");
			if (name != "iscsi") {
				if (fm.size() > 1)
					note("fabric module " + name, "settings left out");
				continue;
			}
			if (!truthy(fm, "discovery_enable_auth", true))
				continue;
			Attrs &a = r.config.drivers["iscsi"].attrs;
			if (const auto u = str(fm, {"discovery_userid", "userid"}))
				a["IncomingUser"].insert(
					*u + " " + str(fm, {"discovery_password", "password"}).value_or(""));
			if (const auto u = str(fm, {"discovery_mutual_userid", "mutual_userid"}))
				a["OutgoingUser"].insert(
					*u + " " +
					str(fm, {"discovery_mutual_password", "mutual_password"}).value_or(""));
		}
	}

	void targets(const json &ts)
	{
		if (!ts.is_array())
			return;
		for (const json &t : ts)
			target(t);
	}

private:
	std::set<std::string> taken_;
	std::map<std::string, std::string> devices_; // /backstores/p/n -> device

	void note(const std::string &subject, const std::string &what)
	{
		r.unmapped.push_back(subject + ": " + what);
	}

	void chap(const json &obj, Attrs &a)
	{
		if (const auto u = str(obj, {"chap_userid", "userid"}))
			a["IncomingUser"].insert(*u + " " +
						 str(obj, {"chap_password", "password"}).value_or(""));
		if (const auto u = str(obj, {"chap_mutual_userid", "mutual_userid"}))
			a["OutgoingUser"].insert(
				*u + " " + str(obj, {"chap_mutual_password", "mutual_password"}).value_or(""));
	}

	static bool tpg_or_acl_chap(const json &tpg)
	{
		if (str(tpg, {"chap_userid", "userid"}))
			return true;
		for (const json &acl : tpg.value("node_acls", json::array()))
			if (str(acl, {"chap_userid", "userid"}))
				return true;
		return false;
	}

	void target(const json &t)
	{
		const std::string fabric = str(t, {"fabric"}).value_or("?");
		const std::string wwn = str(t, {"wwn"}).value_or("?");
		const std::string subject = fmt::format("target {}/{}", fabric, wwn);
		const std::map<std::string, std::string> to_driver{{"iscsi", "iscsi"},
								   {"loopback", "scst_local"},
								   {"srpt", "ib_srpt"},
								   {"qla2xxx", "qla2x00t"}};
		const auto d = to_driver.find(fabric);
		if (d == to_driver.end()) {
			note(subject, "no Strix target driver for this fabric: left out");
			return;
		}
		const std::string &driver = d->second;
		if (!valid_name(wwn)) {
			note(subject, "the name is not a valid Strix target name: left out");
			return;
		}
		const json tpgs = t.value("tpgs", json::array());
		if (tpgs.empty()) {
			note(subject, "no TPG: left out");
			return;
		}
		for (std::size_t i = 1; i < tpgs.size(); i++)
			note(fmt::format("{} tpg {}", subject, scalar(tpgs[i].value("tag", json(i + 1)))),
			     "Strix targets have one portal group: left out");
		const json &tpg = tpgs[0];

		config::Target target;
		target.hw = driver == "qla2x00t";
		Attrs &a = target.attrs;
		if (truthy(tpg, "enable", true))
			a["enabled"].insert("1");
		chap(tpg, a);

		const json attrs = tpg.value("attributes", json::object());
		const json params = tpg.value("parameters", json::object());
		Names used{"generate_node_acls", "demo_mode_write_protect", "authentication"};
		if (driver == "iscsi") {
			for (const auto &[k, v] : params.items()) {
				if (iscsi_keys.contains(k)) {
					a[k].insert(scalar(v));
					used.insert(k);
				}
			}
			if (const auto alias = str(params, {"TargetAlias"}); alias && *alias != "LIO Target") {
				a["alias"].insert(*alias);
			}
			used.insert("TargetAlias");
			for (const json &p : tpg.value("portals", json::array())) {
				const std::string ip = str(p, {"ip_address"}).value_or("0.0.0.0");
				const std::string port = str(p, {"port"}).value_or("3260");
				if (ip != "0.0.0.0" && ip != "::" && ip != "[::]")
					a["allowed_portal"].insert(ip);
				if (port != "3260")
					note(subject, fmt::format("portal {}:{}: the port is a setting of the "
								  "iSCSI daemon, not of a target",
								  ip, port));
				if (truthy(p, "iser"))
					note(subject, fmt::format("portal {}:{}: no iSER in Strix yet", ip, port));
			}
		}
		// CHAP only: what an IncomingUser on the target means to Strix.
		if (str(params, {"AuthMethod"}) == "CHAP" && tpg_or_acl_chap(tpg))
			used.insert("AuthMethod");
		if (const std::string rest = leftovers(attrs, lio_tpg_defaults, used); !rest.empty())
			note(subject, fmt::format("TPG attributes without a Strix name: {}: left out", rest));
		if (const std::string rest = leftovers(params, lio_tpg_defaults, used); !rest.empty())
			note(subject, fmt::format("TPG parameters without a Strix name: {}: left out", rest));
		if (fabric == "loopback")
			if (const auto nexus = str(tpg, {"nexus"}))
				a["session_name"].insert(sanitized(*nexus));

		// tpg LUN index -> device
		std::map<std::string, std::string> tpg_luns;
		for (const json &l : tpg.value("luns", json::array())) {
			const std::string index = str(l, {"index"}).value_or("?");
			const std::string so = str(l, {"storage_object"}).value_or("?");
			const auto dev = devices_.find(so);
			if (dev == devices_.end()) {
				note(fmt::format("{} LUN {}", subject, index),
				     fmt::format("storage object {} not converted: left out", so));
				continue;
			}
			tpg_luns[index] = dev->second;
		}

		const bool acls = fabric != "loopback";
		const bool demo = !acls || truthy(attrs, "generate_node_acls");
		if (demo) {
			const bool ro = acls && truthy(attrs, "demo_mode_write_protect", true);
			for (const auto &[index, dev] : tpg_luns) {
				config::Lun &lun = target.luns[std::stoull(index)];
				lun.device = dev;
				if (ro)
					lun.attrs["read_only"].insert("1");
			}
		}
		std::size_t n = 0;
		for (const json &acl : tpg.value("node_acls", json::array())) {
			n++;
			const std::string ini = str(acl, {"node_wwn"}).value_or("");
			const std::string acl_subject = fmt::format("{} ACL {}", subject, ini);
			if (ini.empty()) {
				note(acl_subject, "no node_wwn: left out");
				continue;
			}
			const std::string gname = valid_name(ini) ? ini : fmt::format("acl{}", n);
			config::Group &g = target.groups[gname];
			g.initiators.insert(ini);
			for (const json &m : acl.value("mapped_luns", json::array())) {
				const std::string tl = str(m, {"tpg_lun"}).value_or("?");
				const auto dev = tpg_luns.find(tl);
				if (dev == tpg_luns.end()) {
					note(acl_subject, fmt::format("mapped LUN of TPG LUN {} that was not "
								      "converted: left out",
								      tl));
					continue;
				}
				config::Lun &lun = g.luns[std::stoull(str(m, {"index"}).value_or("0"))];
				lun.device = dev->second;
				if (truthy(m, "write_protect"))
					lun.attrs["read_only"].insert("1");
			}
			const std::size_t before = a["IncomingUser"].size() + a["OutgoingUser"].size();
			chap(acl, a);
			if (a["IncomingUser"].size() + a["OutgoingUser"].size() != before)
				note(acl_subject, "its CHAP credentials became the target's IncomingUser/"
						  "OutgoingUser: Strix checks CHAP per target, not per "
						  "initiator");
			if (const std::string rest =
				    leftovers(acl.value("attributes", json::object()),
					      {{"dataout_timeout", "3"},
					       {"dataout_timeout_retries", "5"},
					       {"default_erl", "0"},
					       {"nopin_response_timeout", "30"},
					       {"nopin_timeout", "15"},
					       {"random_datain_pdu_offsets", "0"},
					       {"random_datain_seq_offsets", "0"},
					       {"random_r2t_offsets", "0"}},
					      {});
			    !rest.empty())
				note(acl_subject, fmt::format("attributes without a Strix name: {}: left out",
							      rest));
			if (const auto q = str(acl, {"tcq_depth"}); q && *q != "16" && *q != "128")
				note(acl_subject, fmt::format("tcq_depth {}: left out", *q));
		}
		for (auto it = a.begin(); it != a.end();)
			it = it->second.empty() ? a.erase(it) : std::next(it);
		r.config.drivers[driver].targets[wwn] = std::move(target);
	}
};

} // namespace

Expected<Result> from_targetcli(std::string_view json_text, std::string_view source)
{
	json j;
	try {
		j = json::parse(json_text);
	} catch (const json::parse_error &e) {
		return unexpected(Error(std::make_error_code(std::errc::invalid_argument),
					std::string(source), "not JSON", e.what()));
	}
	if (!j.is_object())
		return unexpected(Error(std::make_error_code(std::errc::invalid_argument),
					std::string(source), "not a saveconfig.json",
					"expected an object with storage_objects and targets"));
	try {
		Lio lio;
		lio.storage_objects(j.value("storage_objects", json::array()));
		lio.fabric_modules(j.value("fabric_modules", json::array()));
		lio.targets(j.value("targets", json::array()));
		return std::move(lio.r);
	} catch (const json::exception &e) {
		return unexpected(Error(std::make_error_code(std::errc::invalid_argument),
					std::string(source), "malformed saveconfig.json", e.what()));
	} catch (const std::logic_error &e) { // stoull
		return unexpected(Error(std::make_error_code(std::errc::invalid_argument),
					std::string(source), "malformed saveconfig.json", e.what()));
	}
}

} // namespace strix::import
