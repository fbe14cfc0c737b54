// Events of the Strix core to user space (kernel/include/uapi/strix_nl.h):
// the generic netlink family "strix" multicasts them to its group "events".
//
// decode() turns one message into an AluaState (pure: unit-tested on
// messages built with libnl); to_text() and to_json() print it.
// Subscription is the socket that joined the group, watch() the loop of
// `strixctl events` (count, timeout, stop descriptor) over any Source, so
// that tests can drive it with a fake.
#ifndef STRIX_USR_EVENTS_H
#define STRIX_USR_EVENTS_H

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "error.h"
#include "expected.h"

struct nl_msg;
struct nl_sock;

namespace strix::events {

// STRIX_NL_EVT_ALUA_STATE: a target port group changed its access state.
struct AluaState {
	std::string device_group;
	std::string target_group;
	std::uint16_t group_id = 0;
	std::uint8_t old_state = 0; // enum strix_nl_alua_state
	std::uint8_t new_state = 0;
	std::uint8_t cause = 0; // enum strix_nl_alua_cause
	bool failed = false;    // an implicit transition failed
	// The I_T_L nexus of a SET TARGET PORT GROUPS; each only when sent.
	std::optional<std::string> initiator;
	std::optional<std::string> target;
	std::optional<std::uint16_t> rel_tgt_id;
	std::optional<std::string> device;

	bool operator==(const AluaState &) const = default;
};

// The name of the event in both forms of output.
inline constexpr const char *alua_state_name = "alua_state";

// An event this strixctl knows; nullopt for a command it does not (a newer
// kernel's): skip it.  An error (EBADMSG) when the message is malformed: an
// attribute of the wrong size, a string without its NUL, a required
// attribute missing.  Attributes it does not know are ignored.
Expected<std::optional<AluaState>> decode(nl_msg *msg);

// "active", "nonoptimized", "standby", "unavailable", "offline",
// "transitioning" (the words of the target group's `state` attribute), or
// "0x.." for a code this strixctl does not know.
std::string state_name(std::uint8_t state);
// "sysfs", "stpg", or "0x..".
std::string cause_name(std::uint8_t cause);

// One line, without the newline:
//   alua_state dg=dg1 tg=tgA group_id=1 standby -> active cause=stpg
//   initiator=I target=T rel_tgt_id=1 device=D [failed]
std::string to_text(const AluaState &e);
// {"event": "alua_state", "device_group", "target_group", "group_id",
//  "old_state", "new_state", "cause", "failed", and "initiator", "target",
//  "rel_tgt_id", "device" only when present}
nlohmann::json to_json(const AluaState &e);

// Where watch() reads messages from.
class Source {
public:
	virtual ~Source() = default;
	// Readable when messages may be waiting.
	virtual int fd() const = 0;
	// Hands each waiting message to on_message and returns when none is
	// left.  Returns false when messages were lost (the receive buffer
	// overflowed); throws strix::Error when the socket fails.
	virtual bool receive(const std::function<void(nl_msg *)> &on_message) = 0;
};

// A generic netlink socket that joined STRIX_NL_MCGRP of STRIX_NL_GENL_NAME.
class Subscription final : public Source {
public:
	// Throws strix::Error: ENOENT "netlink family strix: not found: is the
	// strix module loaded?" when the family is not registered.
	Subscription();
	~Subscription() override;
	Subscription(const Subscription &) = delete;
	Subscription &operator=(const Subscription &) = delete;

	int fd() const override;
	bool receive(const std::function<void(nl_msg *)> &on_message) override;

private:
	struct SockFree {
		void operator()(nl_sock *sock) const;
	};
	std::unique_ptr<nl_sock, SockFree> sock_;
	int family_ = -1;
};

struct Limits {
	std::optional<unsigned> count;                  // end after this many events
	std::optional<std::chrono::milliseconds> timeout; // end, timed out, after this
	int stop_fd = -1;                               // end when readable (signals)
};

enum class End { count, timeout, stopped };

struct Outcome {
	End end;
	unsigned events = 0;
};

// Reads src until a limit is reached, handing each event to on_event and
// each malformed message and loss of messages to on_warning (neither
// counts as an event; neither ends the watch).
Outcome watch(Source &src, const Limits &limits,
	      const std::function<void(const AluaState &)> &on_event,
	      const std::function<void(const Error &)> &on_warning);

} // namespace strix::events

#endif // STRIX_USR_EVENTS_H
