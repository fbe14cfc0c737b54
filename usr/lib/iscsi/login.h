// The login phase of one connection (RFC 7143, sections 6 and 11.12-13)
// as a pure state machine: feed it the PDUs received, it returns the PDUs
// to send, and ends in one of
//   normal     a normal session reached full feature phase: the final
//              Login Response is built but NOT sent (the kernel sends it
//              after CONN_ADD; see strix_iscsi_nl.h),
//   discovery  a discovery session reached full feature phase (its final
//              response was returned to send; DiscoverySession goes on),
//   failed     a Login Response with an error status was returned (or
//              nothing, for a PDU that is not a Login Request): close.
//
// The configuration is a Snapshot read when the connection was accepted;
// the machine never touches the file system, the network or a clock.
#ifndef STRIX_USR_ISCSI_LOGIN_H
#define STRIX_USR_ISCSI_LOGIN_H

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "iscsi/chap.h"
#include "iscsi/config.h"
#include "iscsi/negotiate.h"
#include "iscsi/pdu.h"

namespace strix::iscsi {

// The one portal group of every target.
inline constexpr std::uint16_t portal_group_tag = 1;
// A login that has not finished after this many PDUs is refused.
inline constexpr unsigned max_login_pdus = 64;
// Text of one login request, continuation included, at most this long.
inline constexpr std::size_t max_login_text = 65536;

struct Portal {
	std::string local_address; // "192.0.2.1", "2001:db8::1" (no brackets)
	std::uint16_t local_port = 3260;
	std::string peer_address;
	std::uint16_t peer_port = 0;
};

// "192.0.2.1:3260", "[2001:db8::1]:3260"
std::string format_address(std::string_view address, std::uint16_t port);

struct NormalLogin {
	std::string target;    // as configured (canonical case)
	std::string initiator;
	std::string initiator_alias;
	std::string chap_user; // empty: no CHAP
	std::uint64_t isid = 0;
	std::uint16_t tsih = 0;
	std::uint16_t cid = 0;
	std::uint32_t cmdsn = 0;
	Params params;
	Pdu response;          // the final Login Response, not yet sent
};

struct DiscoveryLogin {
	std::string initiator;
	std::string chap_user;
	Params params;
	std::uint32_t statsn = 0;    // the next StatSN to send
	std::uint32_t exp_cmdsn = 0; // the CmdSN the first request carries
};

struct LoginFailure {
	LoginStatus status;
	std::string reason; // for the log; never a secret
};

// CONN_ADD's errno to the Login Reject status (strix_iscsi_nl.h).
LoginStatus status_for_errno(int err) noexcept;

class Login {
public:
	enum class State { in_progress, normal, discovery, failed };

	Login(Snapshot config, Portal portal, std::uint32_t initial_statsn, RandomFn random);
	Login(const Login &) = delete;
	Login &operator=(const Login &) = delete;

	std::vector<Pdu> receive(const Pdu &pdu);

	State state() const noexcept { return state_; }
	const NormalLogin &normal() const { return normal_.value(); }
	const DiscoveryLogin &discovery() const { return discovery_.value(); }
	const LoginFailure &failure() const { return failure_.value(); }
	const Snapshot &config() const noexcept { return config_; }
	const Portal &portal() const noexcept { return portal_; }
	// The initiator name, once the first request was read ("" before).
	const std::string &initiator() const noexcept { return initiator_; }

	// A Login Response refusing the login with this status, answering the
	// last request (for a failed hand-over to the kernel).  Moves the
	// machine to failed.
	Pdu reject(LoginStatus s, std::string reason);

private:
	enum class Auth { not_started, chap, done };

	std::vector<Pdu> fail(LoginStatus s, std::string reason);
	Pdu response(bool transit, Stage nsg, LoginStatus s, std::vector<std::uint8_t> data);
	bool identify(const TextList &text);
	bool authenticate(const TextList &security, bool transit, TextList &out);

	Snapshot config_;
	Portal portal_;
	RandomFn random_;
	State state_ = State::in_progress;

	// From the first request; every later one must agree.
	bool first_ = true;
	std::uint64_t isid_ = 0;
	std::uint16_t tsih_ = 0;
	std::uint16_t cid_ = 0;
	std::uint32_t cmdsn_ = 0;
	std::uint32_t itt_ = 0;
	std::uint32_t statsn_;
	unsigned pdus_ = 0;

	Stage stage_ = Stage::security;
	std::vector<std::uint8_t> text_; // continued (C=1) text
	bool identified_ = false;
	bool answered_ = false;          // a response with keys was sent
	std::set<std::string> seen_;

	SessionType type_ = SessionType::normal;
	std::string initiator_;
	std::string alias_;
	const TargetConfig *target_ = nullptr;
	std::vector<ChapUser> users_;
	std::optional<ChapUser> outgoing_;
	Auth auth_ = Auth::not_started;
	std::optional<ChapTarget> chap_;
	std::optional<Negotiator> negotiator_;
	bool offered_ = false;

	std::optional<NormalLogin> normal_;
	std::optional<DiscoveryLogin> discovery_;
	std::optional<LoginFailure> failure_;
};

} // namespace strix::iscsi

#endif // STRIX_USR_ISCSI_LOGIN_H
