// The running configuration: a config::Config built from the management tree.
//
// What is read is what `save` must write to recreate the running state, so
// that the file of an `apply` and the model of the tree it produced compare
// equal:
// - root, handler, device, driver, target, group and LUN attributes that
//   print a last line "[key]" (sysfs-abi.md), as scstadmin saves them;
//   Name, Name1, Name2, ... (IncomingUser1, allowed_portal2) fold into one
//   attribute Name with several values;
// - besides those: `enabled` of drivers and targets when it is 1 (not for
//   targets of a driver whose targets are always enabled), `read_only`
//   of a LUN when it is 1, `group_id` and `state` of an ALUA target group and
//   `rel_tgt_id` of a target in it;
// - a device's handler from its `handler` link (or the handler's link to
//   it); a LUN's device from its `device` link; a group's initiators from
//   the names in ini_groups/<group>/initiators/; hardware targets (with a
//   `hw_target` attribute) as HW_TARGET;
// - handlers and drivers only when they have something to save (devices,
//   targets or attributes).  Sessions, counters and statistics are not
//   configuration, except the sessions of a driver that makes them on
//   command (scst_local): their names are the target's `session_name`
//   values (see session_attribute()).
#ifndef STRIX_USR_MODEL_H
#define STRIX_USR_MODEL_H

#include <optional>
#include <string_view>

#include "config.h"
#include "error.h"
#include "expected.h"
#include "sysfs.h"

namespace strix::model {

// The configuration of the tree at tree.root().  Fails (as a value) if the
// root is missing or a part of the tree cannot be read.
Expected<config::Config> read(const sysfs::Tree &tree);

// Drivers without a way to disable a target (scst_local: a target is its
// SCSI hosts, there is nothing to stop): their targets are always enabled,
// the kernel refuses enabled=0, and SCST's own files never mention it.
bool targets_always_enabled(std::string_view driver);

// Drivers whose sessions are made by a management command, not by an
// initiator logging in (scst_local: `add_session T NAME`, or add_target's
// session_name parameter): the attribute naming them in a target's section,
// one value per session.  The model reads it from the target's sessions/
// directory; the planner adds and deletes sessions to match it.
std::optional<std::string_view> session_attribute(std::string_view driver);

} // namespace strix::model

#endif // STRIX_USR_MODEL_H
