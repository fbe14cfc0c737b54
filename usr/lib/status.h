// The running state for people and scripts: what `strixctl tree`, `list` and
// `show` print.
//
// model::read() answers "what must be saved"; status::read() answers "what
// is there now": every device with its handler and current attribute
// values, every target with its state, LUNs, groups and live sessions.
// Both read the same tree; neither writes.
#ifndef STRIX_USR_STATUS_H
#define STRIX_USR_STATUS_H

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "sysfs.h"

namespace strix::status {

struct Lun {
	std::uint64_t lun = 0;
	std::string device;
	bool read_only = false;
};

struct Group {
	std::string name;
	std::vector<Lun> luns;
	std::vector<std::string> initiators; // names and patterns
};

struct Session {
	std::string name;      // the directory name (initiator, initiator_1, ...)
	std::string initiator; // initiator_name, or name when unreadable
	std::optional<std::uint64_t> commands;
	std::optional<std::uint64_t> active_commands;
	std::size_t luns = 0; // LUNs the session sees
};

struct Target {
	std::string driver;
	std::string name;
	bool hw = false;
	std::optional<bool> enabled;    // absent when the target has no `enabled`
	std::optional<std::string> rel_tgt_id;
	std::vector<Lun> luns; // the default group
	std::vector<Group> groups;
	std::vector<Session> sessions;

	// "driver/name", how every command names a target without ambiguity.
	std::string id() const { return driver + "/" + name; }
};

// Where a device is used: a LUN of a target's default group or of a group.
struct Export {
	std::string target; // driver/name
	std::string group;  // "" for the default group
	std::uint64_t lun = 0;
};

struct Device {
	std::string name;
	std::string handler;
	std::map<std::string, std::string> attrs; // readable attributes, first line
	std::vector<Export> exports;
};

struct Handler {
	std::string name;
	std::vector<std::string> devices;
};

struct Driver {
	std::string name;
	std::optional<bool> enabled;
	std::vector<std::string> targets; // names
};

struct TargetGroup {
	std::string name;
	std::map<std::string, std::string> attrs; // group_id, state, preferred
	std::vector<std::string> targets;
};

struct DeviceGroup {
	std::string name;
	std::vector<std::string> devices;
	std::vector<TargetGroup> target_groups;
};

struct Status {
	std::string root;
	std::map<std::string, std::string> attrs; // root attributes (setup_id, ...)
	std::vector<Handler> handlers;
	std::vector<Device> devices;
	std::vector<Driver> drivers;
	std::vector<Target> targets; // all drivers, by driver then name
	std::vector<DeviceGroup> device_groups;

	const Target *find_target(std::string_view driver, std::string_view name) const;
	const Device *find_device(std::string_view name) const;
};

// The whole tree; throws strix::Error when the root is missing.
Status read(const sysfs::Tree &tree);

// JSON shapes (Documentation/strixctl.md):
// Lun:     {"lun", "device", "read_only"}
// Group:   {"target", "name", "luns": [Lun], "initiators": [..]}
// Session: {"target", "name", "initiator", "luns", "commands", "active_commands"}
// Target:  {"id", "driver", "name", "hw", "enabled", "rel_tgt_id", "luns",
//           "groups", "sessions"}
// Device:  {"name", "handler", "attributes": {..}, "exports": [Export]}
// Export:  {"target", "group", "lun"}
// Handler: {"name", "devices": [..]}
// Driver:  {"name", "enabled", "targets": [..]}
// DeviceGroup: {"name", "devices", "target_groups": [{"name", "attributes", "targets"}]}
// Status:  {"root", "attributes", "handlers", "devices", "drivers", "targets",
//           "device_groups"}
nlohmann::json to_json(const Lun &l);
nlohmann::json to_json(const Target &t, const Group &g);
nlohmann::json to_json(const Target &t, const Session &s);
nlohmann::json to_json(const Target &t);
nlohmann::json to_json(const Device &d);
nlohmann::json to_json(const Handler &h);
nlohmann::json to_json(const Driver &d);
nlohmann::json to_json(const DeviceGroup &dg);
nlohmann::json to_json(const Status &s);

} // namespace strix::status

#endif // STRIX_USR_STATUS_H
