#include "iscsi/config.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <system_error>

#include <fmt/format.h>

#include "error.h"
#include "sysfs.h"

namespace strix::iscsi {

namespace fs = std::filesystem;

namespace {

std::string_view trim(std::string_view s) noexcept
{
	while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
		s.remove_prefix(1);
	while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
		s.remove_suffix(1);
	return s;
}

bool iequal(std::string_view a, std::string_view b) noexcept
{
	return a.size() == b.size() &&
	       std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
		       return std::tolower(static_cast<unsigned char>(x)) ==
			      std::tolower(static_cast<unsigned char>(y));
	       });
}

class Reader {
public:
	explicit Reader(std::vector<std::string> &warnings) : warnings_(warnings) {}

	// The first line of an attribute, trimmed; nullopt if absent.
	std::optional<std::string> line(const fs::path &path) const
	{
		try {
			const auto a = sysfs::read_attribute(path);
			if (a.lines.empty())
				return std::string();
			return std::string(trim(a.lines.front()));
		} catch (const Error &e) {
			if (e.errnum() != ENOENT)
				warnings_.push_back(e.what());
			return std::nullopt;
		}
	}

	bool boolean(const fs::path &path, bool dflt) const
	{
		const auto v = line(path);
		if (!v)
			return dflt;
		if (*v == "1" || *v == "Yes")
			return true;
		if (*v == "0" || *v == "No")
			return false;
		warn(path, *v, "expected 0/1 or Yes/No");
		return dflt;
	}

	void number(const fs::path &path, std::uint32_t &field, std::uint32_t lo,
		    std::uint32_t hi) const
	{
		const auto v = line(path);
		if (!v)
			return;
		const auto n = parse_number(*v);
		if (!n || *n < lo || *n > hi) {
			warn(path, *v, fmt::format("expected a number {}..{}", lo, hi));
			return;
		}
		field = static_cast<std::uint32_t>(*n);
	}

	void digests(const fs::path &path, std::vector<Digest> &field) const
	{
		const auto v = line(path);
		if (!v)
			return;
		std::vector<Digest> list;
		for (const auto item : split_list(*v)) {
			const auto d = parse_digest(trim(item));
			if (!d) {
				warn(path, *v, "expected a list of CRC32C and None");
				return;
			}
			list.push_back(*d);
		}
		field = std::move(list);
	}

	std::vector<ChapUser> users(const fs::path &dir, std::string_view base) const
	{
		std::vector<ChapUser> out;
		for (const auto &name : numbered(dir, base))
			if (const auto v = line(dir / name))
				if (auto u = parse_chap_user(*v))
					out.push_back(std::move(*u));
		return out;
	}

	std::vector<std::string> lines(const fs::path &dir, std::string_view base) const
	{
		std::vector<std::string> out;
		for (const auto &name : numbered(dir, base))
			if (auto v = line(dir / name); v && !v->empty())
				out.push_back(std::move(*v));
		return out;
	}

	void warn(const fs::path &path, std::string_view value, std::string_view what) const
	{
		warnings_.push_back(fmt::format("{}: ignored \"{}\": {}", path.string(), value, what));
	}

private:
	// base, base1, base2, ... as present, in that order.
	static std::vector<std::string> numbered(const fs::path &dir, std::string_view base)
	{
		std::vector<std::pair<unsigned long, std::string>> found;
		std::error_code ec;
		for (const auto &e : fs::directory_iterator(dir, ec)) {
			const std::string n = e.path().filename().string();
			if (!n.starts_with(base))
				continue;
			const std::string_view rest = std::string_view(n).substr(base.size());
			if (!std::all_of(rest.begin(), rest.end(),
					 [](char c) { return c >= '0' && c <= '9'; }) ||
			    rest.size() > 6)
				continue;
			found.emplace_back(rest.empty() ? 0 : std::stoul(std::string(rest)) + 1, n);
		}
		std::sort(found.begin(), found.end());
		std::vector<std::string> out;
		for (auto &f : found)
			out.push_back(std::move(f.second));
		return out;
	}

	std::vector<std::string> &warnings_;
};

std::vector<std::vector<std::string>> read_groups(const fs::path &dir)
{
	std::vector<std::vector<std::string>> groups;
	std::error_code ec;
	std::vector<fs::path> names;
	for (const auto &g : fs::directory_iterator(dir / "ini_groups", ec))
		if (g.is_directory())
			names.push_back(g.path());
	std::sort(names.begin(), names.end());
	for (const auto &g : names) {
		std::vector<std::string> patterns;
		std::error_code ec2;
		for (const auto &i : fs::directory_iterator(g / "initiators", ec2)) {
			const std::string n = i.path().filename().string();
			if (n != "mgmt")
				patterns.push_back(n);
		}
		std::sort(patterns.begin(), patterns.end());
		groups.push_back(std::move(patterns));
	}
	return groups;
}

TargetConfig read_target(const Reader &r, const fs::path &dir)
{
	TargetConfig t;
	t.name = dir.filename().string();
	t.enabled = r.boolean(dir / "enabled", false);
	std::uint32_t tid = 0;
	if (fs::exists(dir / "tid")) {
		r.number(dir / "tid", tid, 0, 0xffffffff);
		t.tid = tid;
	}
	t.incoming = r.users(dir, "IncomingUser");
	if (const auto v = r.line(dir / "OutgoingUser"))
		t.outgoing = parse_chap_user(*v);
	t.allowed_portals = r.lines(dir, "allowed_portal");
	t.per_portal_acl = r.boolean(dir / "per_portal_acl", false);
	t.initiator_groups = read_groups(dir);

	Limits &l = t.limits;
	l.initial_r2t = r.boolean(dir / "InitialR2T", l.initial_r2t);
	l.immediate_data = r.boolean(dir / "ImmediateData", l.immediate_data);
	r.number(dir / "MaxRecvDataSegmentLength", l.max_recv_dsl, 512, 16777215);
	r.number(dir / "MaxXmitDataSegmentLength", l.max_xmit_dsl, 512, 16777215);
	r.number(dir / "MaxBurstLength", l.max_burst, 512, 16777215);
	r.number(dir / "FirstBurstLength", l.first_burst, 512, 16777215);
	r.number(dir / "MaxOutstandingR2T", l.max_outstanding_r2t, 1, 65535);
	r.digests(dir / "HeaderDigest", l.header_digest);
	r.digests(dir / "DataDigest", l.data_digest);
	if (l.first_burst > l.max_burst) {
		r.warn(dir / "FirstBurstLength", std::to_string(l.first_burst),
		       "larger than MaxBurstLength, using MaxBurstLength");
		l.first_burst = l.max_burst;
	}
	t.alias = r.line(dir / "alias").value_or("");
	return t;
}

std::string_view unbracket(std::string_view s) noexcept
{
	if (s.size() >= 2 && s.front() == '[' && s.back() == ']')
		return s.substr(1, s.size() - 2);
	return s;
}

} // namespace

std::optional<ChapUser> parse_chap_user(std::string_view line)
{
	line = trim(line);
	if (line.empty())
		return std::nullopt;
	const auto blank = line.find_first_of(" \t");
	if (blank == std::string_view::npos)
		return ChapUser{std::string(line), {}};
	return ChapUser{std::string(line.substr(0, blank)), std::string(trim(line.substr(blank)))};
}

bool wildcard_match(std::string_view p, std::string_view s) noexcept
{
	// Iterative matcher with one backtrack point for the last '*'.
	std::size_t pi = 0, si = 0, star = std::string_view::npos, mark = 0;
	while (si < s.size()) {
		if (pi < p.size() && (p[pi] == '?' || p[pi] == s[si])) {
			pi++;
			si++;
		} else if (pi < p.size() && p[pi] == '*') {
			star = pi++;
			mark = si;
		} else if (star != std::string_view::npos) {
			pi = star + 1;
			si = ++mark;
		} else {
			return false;
		}
	}
	while (pi < p.size() && p[pi] == '*')
		pi++;
	return pi == p.size();
}

bool portal_allowed(const TargetConfig &t, std::string_view local_address)
{
	if (t.allowed_portals.empty())
		return true;
	const auto addr = unbracket(local_address);
	return std::any_of(t.allowed_portals.begin(), t.allowed_portals.end(),
			   [&](const std::string &p) { return wildcard_match(unbracket(p), addr); });
}

bool group_admits(const std::vector<std::string> &patterns, std::string_view name)
{
	bool any_plain = false, plain_match = false;
	for (const auto &p : patterns) {
		if (p.starts_with('!')) {
			if (wildcard_match(std::string_view(p).substr(1), name))
				return false;
		} else {
			any_plain = true;
			plain_match = plain_match || wildcard_match(p, name);
		}
	}
	return any_plain ? plain_match : !patterns.empty();
}

bool initiator_allowed(const TargetConfig &t, std::string_view initiator,
		       std::string_view local_address)
{
	if (!t.per_portal_acl)
		return true;
	const std::string per_portal =
		fmt::format("{}#{}", initiator, unbracket(local_address));
	return std::any_of(t.initiator_groups.begin(), t.initiator_groups.end(),
			   [&](const std::vector<std::string> &g) {
				   return group_admits(g, initiator) || group_admits(g, per_portal);
			   });
}

std::vector<const TargetConfig *> visible_targets(const Snapshot &s, std::string_view initiator,
						  std::string_view local_address)
{
	std::vector<const TargetConfig *> out;
	for (const auto &t : s.targets)
		if (t.enabled && portal_allowed(t, local_address) &&
		    initiator_allowed(t, initiator, local_address))
			out.push_back(&t);
	return out;
}

const TargetConfig *Snapshot::find(std::string_view name) const noexcept
{
	for (const auto &t : targets)
		if (t.name == name)
			return &t;
	for (const auto &t : targets)
		if (iequal(t.name, name))
			return &t;
	return nullptr;
}

Expected<Snapshot> read_snapshot(const fs::path &root)
{
	const fs::path dir = root / driver_dir;
	std::error_code ec;
	if (!fs::is_directory(dir, ec))
		return unexpected(Error::from_errno(ENOENT, dir.string(),
						    "cannot read (is strix_iscsi loaded?)"));
	Snapshot s;
	Reader r(s.warnings);
	s.driver.enabled = r.boolean(dir / "enabled", true);
	s.driver.incoming = r.users(dir, "IncomingUser");
	if (const auto v = r.line(dir / "OutgoingUser"))
		s.driver.outgoing = parse_chap_user(*v);
	std::vector<fs::path> targets;
	for (const auto &e : fs::directory_iterator(dir, ec))
		if (e.is_directory() && !e.is_symlink())
			targets.push_back(e.path());
	std::sort(targets.begin(), targets.end());
	for (const auto &t : targets)
		s.targets.push_back(read_target(r, t));
	return s;
}

} // namespace strix::iscsi
