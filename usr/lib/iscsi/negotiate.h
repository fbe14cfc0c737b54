// Operational parameter negotiation (RFC 7143, sections 6 and 13): the key
// table (who may send a key, in which stage) and the target's side of
// every operational key's result function.
//
// The login machine hands each operational key the initiator offers to
// Negotiator::offer(), which appends the answer; security and
// identification keys (AuthMethod, CHAP_*, InitiatorName, TargetName,
// SessionType, ...) are the login machine's own.  The result, once the
// operational stage is over, is a Params.
#ifndef STRIX_USR_ISCSI_NEGOTIATE_H
#define STRIX_USR_ISCSI_NEGOTIATE_H

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "iscsi/text.h"

namespace strix::iscsi {

enum class Digest : std::uint8_t { none = 0, crc32c = 1 };
enum class SessionType { normal, discovery };

std::string_view to_string(Digest d) noexcept;
std::optional<Digest> parse_digest(std::string_view s) noexcept;

// What the target allows (its sysfs attributes), defaults as documented.
struct Limits {
	bool initial_r2t = false;
	bool immediate_data = true;
	std::uint32_t max_recv_dsl = 262144; // declared to the initiator
	std::uint32_t max_xmit_dsl = 262144; // cap on what we send
	std::uint32_t max_burst = 1048576;
	std::uint32_t first_burst = 65536;
	std::uint32_t max_outstanding_r2t = 32;
	std::vector<Digest> header_digest{Digest::crc32c, Digest::none};
	std::vector<Digest> data_digest{Digest::crc32c, Digest::none};

	friend bool operator==(const Limits &, const Limits &) = default;
};

// The negotiated parameters; defaults are RFC 7143's.
struct Params {
	Digest header_digest = Digest::none;
	Digest data_digest = Digest::none;
	std::uint32_t max_recv_dsl = 8192; // the target's, as declared
	std::uint32_t max_xmit_dsl = 8192; // min(initiator's declared, Limits)
	std::uint32_t max_burst = 262144;
	std::uint32_t first_burst = 65536;
	bool initial_r2t = true;
	bool immediate_data = true;
	std::uint32_t max_outstanding_r2t = 1;
	bool data_pdu_in_order = true;
	bool data_seq_in_order = true;
	std::uint8_t erl = 0;
	std::uint16_t time2wait = 2;
	std::uint16_t time2retain = 20;
	std::uint16_t max_connections = 1;

	friend bool operator==(const Params &, const Params &) = default;
};

// Where the initiator may send a key.
enum class KeyStage {
	security,     // AuthMethod, CHAP_*: security stage only
	operational,  // operational stage only
	any,          // any login stage (names, aliases, SessionType)
	full_feature, // SendTargets: a Text Request, never a login
	target_only,  // TargetAlias, TargetAddress, TargetPortalGroupTag
};

struct KeyInfo {
	std::string_view name;
	KeyStage stage;
};

// The RFC 7143 key, or nullptr for an unknown or extension key.
const KeyInfo *find_key(std::string_view name) noexcept;
// X-<reversed domain>... private keys and X#<IANA name> public extensions.
bool is_extension_key(std::string_view name) noexcept;

class Negotiator {
public:
	Negotiator(SessionType type, Limits limits);

	// An operational-stage key from the initiator: append the answer (none
	// for declarative keys).  Also takes the initiator's answer to a key
	// the target offered (see offers()).
	void offer(const KeyValue &kv, TextList &out);
	// After the keys of one PDU: FirstBurstLength <= MaxBurstLength.
	void finish(TextList &out) const;
	// The target's declarations (MaxRecvDataSegmentLength, once).
	void declare(TextList &out);
	// Keys the target must offer itself before leaving the stage because
	// the initiator never mentioned them and their RFC default is beyond
	// the target's limits.  Returns true if any was added.
	bool offers(TextList &out);
	// Offers the initiator did not answer: the target's value stands.
	void settle_unanswered();
	bool awaiting_answers() const noexcept { return !pending_.empty(); }
	// A list key answered with a value the target did not offer.
	const std::optional<std::string> &error() const noexcept { return error_; }

	Params params() const;

private:
	void handle(const std::string &key, const std::string &value, TextList &out);
	void answer_response(const std::string &key, const std::string &value);

	SessionType type_;
	Limits limits_;
	Params p_;
	std::uint32_t initiator_mrdsl_ = 8192;
	bool declared_ = false;
	std::set<std::string> seen_;
	std::map<std::string, std::string> pending_; // offered by us: key -> value
	std::optional<std::string> error_;
};

} // namespace strix::iscsi

#endif // STRIX_USR_ISCSI_NEGOTIATE_H
