// The iSCSI part of the management tree as the daemon sees it at one
// login: a Snapshot read from <root>/targets/iscsi/ (driver switches and
// discovery CHAP users; per target: enabled, CHAP users, allowed portals,
// initiator groups, negotiation limits, alias).
//
// Reading is tolerant: a missing attribute takes its default, a malformed
// one too, with a warning in Snapshot::warnings.  Only a missing
// targets/iscsi directory is an error (the module is not loaded).
#ifndef STRIX_USR_ISCSI_CONFIG_H
#define STRIX_USR_ISCSI_CONFIG_H

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "expected.h"
#include "iscsi/chap.h"
#include "iscsi/negotiate.h"

namespace strix::iscsi {

// The path of the iSCSI driver below the sysfs root.
inline constexpr std::string_view driver_dir = "targets/iscsi";

struct TargetConfig {
	std::string name;
	bool enabled = false;               // absent: disabled
	std::optional<std::uint32_t> tid;
	std::vector<ChapUser> incoming;     // IncomingUser, IncomingUser1, ...
	std::optional<ChapUser> outgoing;   // OutgoingUser
	std::vector<std::string> allowed_portals; // none: every portal
	bool per_portal_acl = false;
	// ini_groups/<group>/initiators/<pattern>, one vector per group.
	std::vector<std::vector<std::string>> initiator_groups;
	Limits limits;
	std::string alias;
};

struct DriverConfig {
	bool enabled = true;                // absent: enabled
	std::vector<ChapUser> incoming;     // discovery CHAP
	std::optional<ChapUser> outgoing;
};

struct Snapshot {
	DriverConfig driver;
	std::vector<TargetConfig> targets; // sorted by name
	std::vector<std::string> warnings;

	// Exact name first, then ASCII case-insensitively (iSCSI names are
	// case-folded by their stringprep profile).
	const TargetConfig *find(std::string_view name) const noexcept;
};

// Read <root>/targets/iscsi.  Error: the directory is missing (ENOENT).
Expected<Snapshot> read_snapshot(const std::filesystem::path &root);

// "user secret" -> {user, secret}; nullopt for an empty line.  The secret
// is the rest of the line after the first run of blanks.
std::optional<ChapUser> parse_chap_user(std::string_view line);

// Shell-like match with '*' (any run) and '?' (one character) only.
bool wildcard_match(std::string_view pattern, std::string_view s) noexcept;

// allowed_portal*: does one pattern admit the local address (no pattern:
// yes)?  Patterns may be written with brackets ("[::1]"), which are
// ignored, like the address's.
bool portal_allowed(const TargetConfig &t, std::string_view local_address);

// A group admits a name if one of its plain patterns matches it and none
// of its "!" patterns does (a group of "!" patterns only admits everything
// else).
bool group_admits(const std::vector<std::string> &patterns, std::string_view name);

// per_portal_acl: with it set, an initiator must be admitted by one of the
// target's groups, by its name or by "<name>#<portal address>" (SCST's
// per-portal initiator name); without it, every initiator is.
bool initiator_allowed(const TargetConfig &t, std::string_view initiator,
		       std::string_view local_address);

// What SendTargets lists for an initiator on a portal: enabled targets
// whose allowed_portal admits the portal and that admit the initiator.
std::vector<const TargetConfig *> visible_targets(const Snapshot &s,
						  std::string_view initiator,
						  std::string_view local_address);

} // namespace strix::iscsi

#endif // STRIX_USR_ISCSI_CONFIG_H
