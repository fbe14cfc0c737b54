#include "events.h"

#include <poll.h>

#include <linux/genetlink.h>
#include <netlink/attr.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include <strix_nl.h>

#include <array>
#include <cerrno>
#include <climits>
#include <exception>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace strix::events {

namespace {

// The size of every attribute the event has, so that genlmsg_parse()
// refuses a message that does not match the contract.
const std::array<nla_policy, STRIX_NL_A_MAX + 1> policy = [] {
	std::array<nla_policy, STRIX_NL_A_MAX + 1> p{};
	for (const int a : {STRIX_NL_A_DEVICE_GROUP, STRIX_NL_A_TARGET_GROUP, STRIX_NL_A_INITIATOR,
			    STRIX_NL_A_TARGET, STRIX_NL_A_DEVICE})
		p[a].type = NLA_STRING;
	for (const int a : {STRIX_NL_A_GROUP_ID, STRIX_NL_A_REL_TGT_ID})
		p[a] = {NLA_U16, sizeof(std::uint16_t), sizeof(std::uint16_t)};
	for (const int a : {STRIX_NL_A_OLD_STATE, STRIX_NL_A_NEW_STATE, STRIX_NL_A_CAUSE,
			    STRIX_NL_A_FAILED})
		p[a] = {NLA_U8, sizeof(std::uint8_t), sizeof(std::uint8_t)};
	return p;
}();

Error malformed(std::string detail)
{
	return Error(std::make_error_code(std::errc::bad_message),
		     fmt::format("{} event", alua_state_name), "malformed", std::move(detail));
}

std::string hex(std::uint8_t code)
{
	return fmt::format("{:#04x}", code);
}

Error netlink_error(std::string problem, int nlerr)
{
	return Error(std::error_code(EPROTO, std::generic_category()), "netlink",
		     std::move(problem), nl_geterror(nlerr));
}

} // namespace

Expected<std::optional<AluaState>> decode(nl_msg *msg)
{
	nlmsghdr *nlh = nlmsg_hdr(msg);
	if (!genlmsg_valid_hdr(nlh, 0))
		return unexpected(malformed("shorter than a generic netlink header"));
	const auto *gh = static_cast<const genlmsghdr *>(nlmsg_data(nlh));
	if (gh->cmd != STRIX_NL_EVT_ALUA_STATE)
		return std::optional<AluaState>(); // a newer kernel's event

	nlattr *a[STRIX_NL_A_MAX + 1] = {};
	if (const int err = genlmsg_parse(nlh, 0, a, STRIX_NL_A_MAX, policy.data()); err < 0)
		return unexpected(malformed(
			fmt::format("an attribute of the wrong size or type: {}", nl_geterror(err))));
	static constexpr std::pair<int, const char *> required[] = {
		{STRIX_NL_A_DEVICE_GROUP, "DEVICE_GROUP"}, {STRIX_NL_A_TARGET_GROUP, "TARGET_GROUP"},
		{STRIX_NL_A_GROUP_ID, "GROUP_ID"},         {STRIX_NL_A_OLD_STATE, "OLD_STATE"},
		{STRIX_NL_A_NEW_STATE, "NEW_STATE"},       {STRIX_NL_A_CAUSE, "CAUSE"},
	};
	for (const auto &[attr, name] : required)
		if (!a[attr])
			return unexpected(malformed(fmt::format("no {} attribute", name)));

	const auto str = [&](int attr) -> std::optional<std::string> {
		if (!a[attr])
			return std::nullopt;
		return std::string(nla_get_string(a[attr]));
	};
	AluaState e;
	e.device_group = *str(STRIX_NL_A_DEVICE_GROUP);
	e.target_group = *str(STRIX_NL_A_TARGET_GROUP);
	e.group_id = nla_get_u16(a[STRIX_NL_A_GROUP_ID]);
	e.old_state = nla_get_u8(a[STRIX_NL_A_OLD_STATE]);
	e.new_state = nla_get_u8(a[STRIX_NL_A_NEW_STATE]);
	e.cause = nla_get_u8(a[STRIX_NL_A_CAUSE]);
	e.failed = a[STRIX_NL_A_FAILED] && nla_get_u8(a[STRIX_NL_A_FAILED]) != 0;
	e.initiator = str(STRIX_NL_A_INITIATOR);
	e.target = str(STRIX_NL_A_TARGET);
	if (a[STRIX_NL_A_REL_TGT_ID])
		e.rel_tgt_id = nla_get_u16(a[STRIX_NL_A_REL_TGT_ID]);
	e.device = str(STRIX_NL_A_DEVICE);
	return std::optional<AluaState>(std::move(e));
}

std::string state_name(std::uint8_t state)
{
	switch (state) {
	case STRIX_NL_ALUA_ACTIVE:
		return "active";
	case STRIX_NL_ALUA_NONOPTIMIZED:
		return "nonoptimized";
	case STRIX_NL_ALUA_STANDBY:
		return "standby";
	case STRIX_NL_ALUA_UNAVAILABLE:
		return "unavailable";
	case STRIX_NL_ALUA_OFFLINE:
		return "offline";
	case STRIX_NL_ALUA_TRANSITIONING:
		return "transitioning";
	default:
		return hex(state);
	}
}

std::string cause_name(std::uint8_t cause)
{
	switch (cause) {
	case STRIX_NL_CAUSE_SYSFS:
		return "sysfs";
	case STRIX_NL_CAUSE_STPG:
		return "stpg";
	default:
		return hex(cause);
	}
}

std::string to_text(const AluaState &e)
{
	std::string line = fmt::format("{} dg={} tg={} group_id={} {} -> {} cause={}",
				       alua_state_name, e.device_group, e.target_group, e.group_id,
				       state_name(e.old_state), state_name(e.new_state),
				       cause_name(e.cause));
	if (e.initiator)
		line += fmt::format(" initiator={}", *e.initiator);
	if (e.target)
		line += fmt::format(" target={}", *e.target);
	if (e.rel_tgt_id)
		line += fmt::format(" rel_tgt_id={}", *e.rel_tgt_id);
	if (e.device)
		line += fmt::format(" device={}", *e.device);
	if (e.failed)
		line += " failed";
	return line;
}

nlohmann::json to_json(const AluaState &e)
{
	nlohmann::json j{
		{"event", alua_state_name},
		{"device_group", e.device_group},
		{"target_group", e.target_group},
		{"group_id", e.group_id},
		{"old_state", state_name(e.old_state)},
		{"new_state", state_name(e.new_state)},
		{"cause", cause_name(e.cause)},
		{"failed", e.failed},
	};
	if (e.initiator)
		j["initiator"] = *e.initiator;
	if (e.target)
		j["target"] = *e.target;
	if (e.rel_tgt_id)
		j["rel_tgt_id"] = *e.rel_tgt_id;
	if (e.device)
		j["device"] = *e.device;
	return j;
}

// --- the socket ----------------------------------------------------------------

void Subscription::SockFree::operator()(nl_sock *sock) const
{
	nl_socket_free(sock);
}

Subscription::Subscription() : sock_(nl_socket_alloc())
{
	if (!sock_)
		throw Error::from_errno(ENOMEM, "netlink", "cannot allocate a socket");
	if (const int err = genl_connect(sock_.get()); err < 0)
		throw netlink_error("cannot connect a generic netlink socket", err);
	const std::string subject = fmt::format("netlink family {}", STRIX_NL_GENL_NAME);
	family_ = genl_ctrl_resolve(sock_.get(), STRIX_NL_GENL_NAME);
	if (family_ == -NLE_OBJ_NOTFOUND)
		throw Error(std::make_error_code(std::errc::no_such_file_or_directory), subject,
			    "not found", "is the strix module loaded?");
	if (family_ < 0)
		throw netlink_error(fmt::format("cannot resolve family {}", STRIX_NL_GENL_NAME),
				    family_);
	const int group = genl_ctrl_resolve_grp(sock_.get(), STRIX_NL_GENL_NAME, STRIX_NL_MCGRP);
	if (group < 0)
		throw Error(std::make_error_code(std::errc::no_such_file_or_directory), subject,
			    fmt::format("no multicast group \"{}\"", STRIX_NL_MCGRP),
			    nl_geterror(group));
	if (const int err = nl_socket_add_membership(sock_.get(), group); err < 0)
		throw netlink_error(fmt::format("cannot join the \"{}\" group", STRIX_NL_MCGRP), err);
	// Events arrive with sequence number 0; room for a burst of them.
	nl_socket_disable_seq_check(sock_.get());
	nl_socket_set_buffer_size(sock_.get(), 1 << 20, 0);
	if (const int err = nl_socket_set_nonblocking(sock_.get()); err < 0)
		throw netlink_error("cannot make the socket non-blocking", err);
}

Subscription::~Subscription() = default;

int Subscription::fd() const
{
	return nl_socket_get_fd(sock_.get());
}

bool Subscription::receive(const std::function<void(nl_msg *)> &on_message)
{
	// libnl is C: an exception must not unwind through it.
	struct Call {
		const std::function<void(nl_msg *)> &on_message;
		int family;
		std::exception_ptr thrown;
	} call{on_message, family_, nullptr};
	const auto on_valid = [](nl_msg *msg, void *arg) -> int {
		auto *c = static_cast<Call *>(arg);
		if (nlmsg_hdr(msg)->nlmsg_type != c->family)
			return NL_SKIP;
		try {
			c->on_message(msg);
		} catch (...) {
			c->thrown = std::current_exception();
			return NL_STOP;
		}
		return NL_OK;
	};
	nl_socket_modify_cb(sock_.get(), NL_CB_VALID, NL_CB_CUSTOM, on_valid, &call);

	bool complete = true;
	for (;;) {
		const int err = nl_recvmsgs_default(sock_.get());
		if (call.thrown)
			std::rethrow_exception(call.thrown);
		if (err == -NLE_AGAIN)
			return complete;
		if (err == -NLE_NOMEM) { // ENOBUFS: the kernel dropped events
			complete = false;
			continue;
		}
		if (err < 0)
			throw netlink_error("cannot receive events", err);
	}
}

// --- the loop ------------------------------------------------------------------

Outcome watch(Source &src, const Limits &limits,
	      const std::function<void(const AluaState &)> &on_event,
	      const std::function<void(const Error &)> &on_warning)
{
	using clock = std::chrono::steady_clock;
	std::optional<clock::time_point> deadline;
	if (limits.timeout)
		deadline = clock::now() + *limits.timeout;
	unsigned events = 0;
	const auto done = [&] { return limits.count && events >= *limits.count; };
	const auto on_message = [&](nl_msg *msg) {
		if (done())
			return; // the rest of a batch past --count
		const auto decoded = decode(msg);
		if (!decoded) {
			on_warning(decoded.error());
		} else if (*decoded) {
			events++;
			on_event(**decoded);
		}
	};

	for (;;) {
		if (done())
			return {End::count, events};
		int wait = -1;
		if (deadline) {
			const auto left =
				std::chrono::ceil<std::chrono::milliseconds>(*deadline - clock::now());
			if (left.count() <= 0)
				return {End::timeout, events};
			wait = static_cast<int>(std::min<long long>(left.count(), INT_MAX));
		}
		pollfd fds[] = {{src.fd(), POLLIN, 0}, {limits.stop_fd, POLLIN, 0}};
		if (::poll(fds, limits.stop_fd < 0 ? 1 : 2, wait) < 0) {
			if (errno == EINTR)
				continue;
			throw Error::from_errno(errno, "events", "cannot wait");
		}
		// What has arrived is printed before a stop is obeyed.
		if (fds[0].revents && !src.receive(on_message))
			on_warning(Error(std::make_error_code(std::errc::no_buffer_space), "netlink",
					 "events lost", "the socket's receive buffer overflowed"));
		if (fds[1].revents && !done())
			return {End::stopped, events};
	}
}

} // namespace strix::events
