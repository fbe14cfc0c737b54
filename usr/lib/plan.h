// The diff engine: running configuration vs. file -> an ordered plan of
// sysfs writes, and an executor that runs a plan and rolls it back on failure.
//
// Order (sysfs-abi.md, "Order of bring-up"), removals first, in reverse:
//   disable drivers, disable targets, remove device-group members and
//   groups, delete LUNs, initiators, initiator groups, dynamic attributes,
//   targets, devices;
// then bring-up:
//   root attributes (setup_id seeds device identifiers), create devices,
//   create targets, device/handler, driver, target and group attributes,
//   create groups, add/move initiators, add/replace LUNs, device groups,
//   enable targets, enable drivers.
//
// Rules:
// - Nothing is removed without Options::prune; what only the running tree
//   has is listed in Plan::extra instead.  Changes the file asks for (a LUN
//   on another device, an initiator in another group, `enabled` absent or 0
//   in a section the file has) are not removals and need no prune.
// - A device whose handler or creation-only attribute (an add_device
//   parameter: filename, blocksize, read_only, nv_cache, o_direct, ... see
//   creation_params()) differs is recreated: its LUNs are deleted, the
//   device deleted and added again, the LUNs added back; every such step
//   says why.  Other attributes are written in place.
// - An initiator that changes group within a target is one `move`.
// - A LUN on another device is one `replace`; a changed read_only (which
//   `replace` cannot change on the same device) is a delete and an add.
// - Options::target restricts the plan to that target: its attributes,
//   LUNs, groups, initiators and enabled, plus creating the devices its LUNs
//   need that do not exist yet; nothing else (no recreation, no driver).
// - Attributes the running model lacks (not [key]: e.g. at their default)
//   are compared with the tree's current value when Options::read_current
//   is set, so that applying a file twice plans nothing the second time.
#ifndef STRIX_USR_PLAN_H
#define STRIX_USR_PLAN_H

#include <cstddef>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json_fwd.hpp>

#include "config.h"
#include "error.h"
#include "expected.h"
#include "sysfs.h"

namespace strix::plan {

enum class Action { create, remove, set, add, del, replace, move, enable, disable };

std::string_view to_string(Action a) noexcept;

// One write: the path of an attribute or mgmt file relative to the tree's
// root, and the exact line written to it (without the newline).
struct Write {
	std::string path;
	std::string line;
	friend bool operator==(const Write &, const Write &) = default;
};

struct Step {
	std::string object; // "device disk1", "LUN 0 of iscsi/t1 group esx", ...
	Action action = Action::set;
	Write write;
	// Writes that undo the step, in order; empty if it cannot be undone.
	std::vector<Write> undo;
	// A `set` whose previous value the plan does not know: the executor
	// reads it just before writing, and writes it back to undo.
	bool undo_reads_old = false;
	// Undone by undoing the step that created `parent` (an attribute of a
	// device or target this plan creates).
	std::string parent;
	std::string reason; // why, when it is not plain: "recreate: ..."
	friend bool operator==(const Step &, const Step &) = default;
};

struct Plan {
	std::vector<Step> steps;
	std::vector<std::string> extra; // only in the tree, kept (no prune)
	std::vector<std::string> notes; // what the plan leaves undone, and why
	bool empty() const noexcept { return steps.empty(); }
};

using Reader = std::function<std::optional<std::string>(const std::string &path)>;

struct Options {
	bool prune = false;
	// "" for everything, else "DRIVER/TARGET", or a target name that only
	// one driver has.
	std::string target;
	// The current value of an attribute (path relative to the root), or
	// nullopt if it cannot be read.  Unset: attributes the running model
	// lacks count as different.
	Reader read_current;
};

// read_current for a tree.
Reader tree_reader(const sysfs::Tree &tree);

// The add_device parameters of a handler; attributes outside it are written
// after creation.  Pass-through handlers (dev_*) take none.  An unknown
// handler: nullptr (then every attribute counts as an add_device parameter).
const std::set<std::string, std::less<>> *creation_params(std::string_view handler);

// Fails for a file the tree cannot reach: a LUN on a device neither has, a
// hardware target that is not there, a value add_device cannot carry, an
// unknown or ambiguous Options::target.
Expected<Plan> make(const config::Config &running, const config::Config &wanted,
		    const Options &opts = {});

// "create device disk1: handlers/vdisk_fileio/mgmt <- \"add_device disk1 ...\""
std::string describe(const Step &step);
// The whole plan, a numbered step a line, then extras and notes.
std::string format(const Plan &plan);

// --- executing -----------------------------------------------------------

enum class StepState {
	pending,     // not run
	done,        // ran and is in effect
	failed,      // the step that failed (a refused write changes nothing)
	undone,      // ran, then rolled back
	undo_failed, // ran, rolling it back failed: in effect
	kept,        // ran, cannot be undone: in effect
};

std::string_view to_string(StepState s) noexcept;

struct Report {
	std::vector<StepState> states; // one per step of the plan
	std::optional<std::size_t> failed;
	std::optional<Error> error;                              // of the failed step
	std::vector<std::pair<std::size_t, Error>> undo_errors; // step, error

	bool ok() const noexcept { return !failed.has_value(); }
	// The steps in state s, in plan order.
	std::vector<std::size_t> in(StepState s) const;
	// Steps whose effect is left in the tree (done, kept, undo_failed).
	std::vector<std::size_t> left() const;
	// What happened, for people: ran, failed (and why), undone, left.
	std::string summary(const Plan &plan) const;
};

struct ExecOptions {
	bool rollback = true; // undo the steps already done after a failure
};

// Runs the steps in order and stops at the first failure; then, unless
// disabled, undoes the done steps in reverse where they can be undone.
Report execute(const sysfs::Tree &tree, const Plan &plan, const ExecOptions &opts = {});

// JSON for scripts:
// Step:   {"object", "action", "path", "line", "undo": [{"path", "line"}...],
//          "undo_reads_old", "parent", "reason"}
// Plan:   {"steps": [...], "extra": [...], "notes": [...]}
// Report: {"ok", "failed": index|null, "error": Error|null,
//          "steps": [{"index", "state"}...], "left": [index...],
//          "undo_errors": [{"index", "error"}...]}
void to_json(nlohmann::json &j, const Write &w);
void to_json(nlohmann::json &j, const Step &s);
void to_json(nlohmann::json &j, const Plan &p);
void to_json(nlohmann::json &j, const Report &r);

} // namespace strix::plan

template <>
struct fmt::formatter<strix::plan::Action> : fmt::formatter<std::string_view> {
	template <typename FormatContext>
	auto format(strix::plan::Action a, FormatContext &ctx) const
	{
		return fmt::formatter<std::string_view>::format(strix::plan::to_string(a), ctx);
	}
};

#endif // STRIX_USR_PLAN_H
