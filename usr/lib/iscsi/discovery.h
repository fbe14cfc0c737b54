// A discovery session's full feature phase (RFC 7143, appendix C): Text
// Requests with SendTargets answered from the configuration snapshot,
// NOP-Out answered, Logout ends it.  Everything else is rejected.  Pure:
// PDUs in, PDUs out.
#ifndef STRIX_USR_ISCSI_DISCOVERY_H
#define STRIX_USR_ISCSI_DISCOVERY_H

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "iscsi/config.h"
#include "iscsi/login.h"
#include "iscsi/pdu.h"

namespace strix::iscsi {

struct SendTargetsEntry {
	std::string name;
	std::vector<std::string> addresses; // "192.0.2.1:3260,1"

	friend bool operator==(const SendTargetsEntry &, const SendTargetsEntry &) = default;
};

// The targets an initiator sees on the portal it came in on (see
// visible_targets()), each with that portal as its one address.
std::vector<SendTargetsEntry> send_targets(const Snapshot &s, std::string_view initiator,
					   const Portal &portal);

// The window of CmdSNs a discovery session grants (MaxCmdSN - ExpCmdSN + 1).
inline constexpr std::uint32_t discovery_window = 8;

class DiscoverySession {
public:
	// max_send: what the initiator may receive in one PDU
	// (Params::max_xmit_dsl).
	DiscoverySession(std::vector<SendTargetsEntry> targets, std::uint32_t statsn,
			 std::uint32_t exp_cmdsn, std::uint32_t max_send);

	std::vector<Pdu> receive(const Pdu &pdu);

	// Logout answered, or a protocol error: send what was returned, close.
	bool finished() const noexcept { return finished_; }
	// Why it finished on an error ("" after a logout).
	const std::string &error() const noexcept { return error_; }

private:
	std::vector<Pdu> text(const Pdu &pdu);
	void take_cmdsn(bool immediate, std::uint32_t cmdsn);
	std::vector<std::uint8_t> answer(const TextList &keys);
	Pdu next_chunk(std::uint32_t itt, std::uint64_t lun);

	std::vector<SendTargetsEntry> targets_;
	std::uint32_t statsn_;
	std::uint32_t exp_cmdsn_;
	std::uint32_t max_send_;
	std::vector<std::uint8_t> request_;  // initiator's continued text
	std::vector<std::uint8_t> pending_;  // our response still to send
	std::uint32_t ttt_ = reserved_tag;
	std::uint32_t next_ttt_ = 1;
	bool finished_ = false;
	std::string error_;
};

} // namespace strix::iscsi

#endif // STRIX_USR_ISCSI_DISCOVERY_H
