// The configuration file: scst.conf syntax, a typed model, parser and printer.
//
// Strix's own file (/etc/strix/strix.conf) uses the syntax of SCST's
// /etc/scst.conf, so an existing scst.conf reads unchanged:
//
//   setup_id 0x1234                          # a root attribute
//   HANDLER vdisk_fileio {
//           DEVICE disk1 {
//                   filename /srv/disk1.img
//                   blocksize 4096
//           }
//   }
//   TARGET_DRIVER scst_local {
//           TARGET t1 {
//                   enabled 1
//                   LUN 0 disk1
//                   LUN 1 disk2 { read_only 1 }
//                   GROUP hosts {
//                           LUN 0 disk1
//                           INITIATOR iqn.1993-08.org.debian:01:*
//                   }
//           }
//   }
//   DEVICE_GROUP dg1 {
//           DEVICE disk1
//           TARGET_GROUP tg1 {
//                   group_id 1
//                   state active
//                   TARGET t1 { rel_tgt_id 1 }
//           }
//   }
//
// Syntax (what scstadmin reads, and a little more):
// - A statement is a keyword or attribute name followed by words; it ends at
//   a newline.  Strix also ends a statement at ';' and at '}', so
//   "DEVICE d { filename /x; blocksize 4096 }" fits on one line.
// - "{" opens a section after a statement, "}" closes it; both may stand
//   anywhere on a line.  A section statement without a body ("DEVICE nodev")
//   is an empty section.
// - '#' outside quotes starts a comment to the end of the line.  (scstadmin
//   also drops the character before the '#'; Strix does not.)
// - A word with blanks, '#', ';', '{', '}', '"' or '\' is written in double
//   quotes.  A backslash makes the next character literal, in or out of
//   quotes ("\#" is a '#' in both tools).
// - Keywords are upper case: HANDLER, DEVICE, TARGET_DRIVER, TARGET, LUN,
//   GROUP, INITIATOR, DEVICE_GROUP, TARGET_GROUP, HW_TARGET.  Anything else
//   is an attribute "name value" (exactly one value).  An attribute may
//   repeat with different values (IncomingUser); values form a set.
// - Repeated HANDLER, TARGET_DRIVER and DEVICE_GROUP sections merge; a
//   repeated DEVICE, TARGET, LUN, GROUP, INITIATOR or TARGET_GROUP is an
//   error, as is one initiator in two groups of a target.
//
// Every parse error carries the line and column (both from 1; a column
// counts bytes, a tab is one) of the word or character at fault.
//
// print() writes the canonical form: tabs, sections in name order (LUNs by
// number), a section's body as attributes, then LUNs, groups, initiators,
// with a blank line between kinds and around sections that have a body.
// parse(print(c)) == c, and print(parse(t)) == t for canonical t.
#ifndef STRIX_USR_CONFIG_H
#define STRIX_USR_CONFIG_H

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "error.h"
#include "expected.h"

namespace strix::config {

// Attribute name -> its values.  Most attributes have one value; a few
// (IncomingUser, allowed_portal) hold a set.
using Attrs = std::map<std::string, std::set<std::string>>;

// The single value of name, or nullopt if absent.  With several values,
// the first in order.
std::optional<std::string> get(const Attrs &attrs, std::string_view name);

struct Device {
	Attrs attrs;
	friend bool operator==(const Device &, const Device &) = default;
};

struct Handler {
	Attrs attrs;
	std::map<std::string, Device> devices;
	friend bool operator==(const Handler &, const Handler &) = default;
};

struct Lun {
	std::string device;
	Attrs attrs; // read_only
	friend bool operator==(const Lun &, const Lun &) = default;
};

using Luns = std::map<std::uint64_t, Lun>;

struct Group {
	Attrs attrs;
	Luns luns;
	std::set<std::string> initiators; // names or patterns
	friend bool operator==(const Group &, const Group &) = default;
};

struct Target {
	bool hw = false; // HW_TARGET: exists with its port, never created
	Attrs attrs;
	Luns luns; // the default group
	std::map<std::string, Group> groups;
	friend bool operator==(const Target &, const Target &) = default;
};

struct Driver {
	Attrs attrs;
	std::map<std::string, Target> targets;
	friend bool operator==(const Driver &, const Driver &) = default;
};

struct TargetGroup {
	Attrs attrs;                             // group_id, state, preferred
	std::map<std::string, Attrs> targets;    // target -> rel_tgt_id
	friend bool operator==(const TargetGroup &, const TargetGroup &) = default;
};

struct DeviceGroup {
	Attrs attrs;
	std::set<std::string> devices;
	std::map<std::string, TargetGroup> target_groups;
	friend bool operator==(const DeviceGroup &, const DeviceGroup &) = default;
};

struct Config {
	Attrs attrs; // root attributes (setup_id, ...)
	std::map<std::string, Handler> handlers;
	std::map<std::string, Driver> drivers;
	std::map<std::string, DeviceGroup> device_groups;
	friend bool operator==(const Config &, const Config &) = default;

	// The device called name in any handler, and that handler's name.
	const Device *find_device(std::string_view name,
				  std::string *handler = nullptr) const;
};

struct ParseError {
	std::string source; // file name, or "<config>"
	std::size_t line = 0;
	std::size_t column = 0;
	std::string problem; // "unknown section 'FOO'"
	std::string detail;  // may be empty

	// "source:line:column: problem: detail"
	std::string message() const;
	// The same as a strix::Error (EINVAL, subject "source:line:column").
	Error to_error() const;
	friend bool operator==(const ParseError &, const ParseError &) = default;
};

Expected<Config, ParseError> parse(std::string_view text,
				   std::string_view source = "<config>");

// The canonical text of config.
std::string print(const Config &config);

// value as one word of the file: quoted and escaped if it needs it.
std::string quote(std::string_view value);

} // namespace strix::config

template <>
struct fmt::formatter<strix::config::ParseError> : fmt::formatter<std::string_view> {
	template <typename FormatContext>
	auto format(const strix::config::ParseError &e, FormatContext &ctx) const
	{
		return fmt::formatter<std::string_view>::format(e.message(), ctx);
	}
};

#endif // STRIX_USR_CONFIG_H
