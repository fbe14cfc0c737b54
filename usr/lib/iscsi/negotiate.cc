#include "iscsi/negotiate.h"

#include <algorithm>
#include <array>

namespace strix::iscsi {

std::string_view to_string(Digest d) noexcept
{
	return d == Digest::crc32c ? "CRC32C" : "None";
}

std::optional<Digest> parse_digest(std::string_view s) noexcept
{
	if (s == "None")
		return Digest::none;
	if (s == "CRC32C")
		return Digest::crc32c;
	return std::nullopt;
}

namespace {

constexpr std::array<KeyInfo, 35> keys{{
	{"AuthMethod", KeyStage::security},
	{"CHAP_A", KeyStage::security},
	{"CHAP_I", KeyStage::security},
	{"CHAP_C", KeyStage::security},
	{"CHAP_N", KeyStage::security},
	{"CHAP_R", KeyStage::security},
	{"InitiatorName", KeyStage::any},
	{"TargetName", KeyStage::any},
	{"InitiatorAlias", KeyStage::any},
	{"SessionType", KeyStage::any},
	{"TargetAlias", KeyStage::target_only},
	{"TargetAddress", KeyStage::target_only},
	{"TargetPortalGroupTag", KeyStage::target_only},
	{"SendTargets", KeyStage::full_feature},
	{"HeaderDigest", KeyStage::operational},
	{"DataDigest", KeyStage::operational},
	{"MaxConnections", KeyStage::operational},
	{"InitialR2T", KeyStage::operational},
	{"ImmediateData", KeyStage::operational},
	{"MaxRecvDataSegmentLength", KeyStage::operational},
	{"MaxBurstLength", KeyStage::operational},
	{"FirstBurstLength", KeyStage::operational},
	{"DefaultTime2Wait", KeyStage::operational},
	{"DefaultTime2Retain", KeyStage::operational},
	{"MaxOutstandingR2T", KeyStage::operational},
	{"DataPDUInOrder", KeyStage::operational},
	{"DataSequenceInOrder", KeyStage::operational},
	{"ErrorRecoveryLevel", KeyStage::operational},
	{"TaskReporting", KeyStage::operational},
	{"iSCSIProtocolLevel", KeyStage::operational},
	{"OFMarker", KeyStage::operational},
	{"IFMarker", KeyStage::operational},
	{"OFMarkInt", KeyStage::operational},
	{"IFMarkInt", KeyStage::operational},
	// Not in RFC 7143 proper, but harmless to recognise: iSER's keys
	// (RFC 7145) are answered No / NotUnderstood by a TCP target.
	{"RDMAExtensions", KeyStage::operational},
}};

constexpr std::uint32_t max_dsl = 16777215; // 2^24 - 1

// Keys that mean nothing in a discovery session (RFC 7143, 13.x "Irrelevant
// when SessionType=Discovery").
bool irrelevant_in_discovery(std::string_view key) noexcept
{
	static constexpr std::array<std::string_view, 9> list{
		"MaxConnections", "InitialR2T", "ImmediateData", "MaxBurstLength",
		"FirstBurstLength", "MaxOutstandingR2T", "DataPDUInOrder",
		"DataSequenceInOrder", "TaskReporting"};
	return std::find(list.begin(), list.end(), key) != list.end();
}

bool special(std::string_view v) noexcept
{
	return v == "NotUnderstood" || v == "Irrelevant" || v == "Reject";
}

std::optional<std::uint64_t> in_range(std::string_view v, std::uint64_t lo, std::uint64_t hi)
{
	const auto n = parse_number(v);
	if (!n || *n < lo || *n > hi)
		return std::nullopt;
	return n;
}

} // namespace

const KeyInfo *find_key(std::string_view name) noexcept
{
	for (const auto &k : keys)
		if (k.name == name)
			return &k;
	return nullptr;
}

bool is_extension_key(std::string_view name) noexcept
{
	return name.starts_with("X-") || name.starts_with("X#");
}

Negotiator::Negotiator(SessionType type, Limits limits) : type_(type), limits_(std::move(limits))
{
	limits_.first_burst = std::min(limits_.first_burst, limits_.max_burst);
	if (type_ == SessionType::discovery) {
		limits_.header_digest = {Digest::none};
		limits_.data_digest = {Digest::none};
		limits_.max_recv_dsl = 8192;
	}
}

void Negotiator::offer(const KeyValue &kv, TextList &out)
{
	seen_.insert(kv.key);
	if (pending_.count(kv.key)) {
		answer_response(kv.key, kv.value);
		return;
	}
	// An offer of "NotUnderstood" and friends is meaningless: ignore it.
	if (special(kv.value))
		return;
	handle(kv.key, kv.value, out);
}

void Negotiator::handle(const std::string &key, const std::string &value, TextList &out)
{
	const auto answer = [&](std::string_view v) { out.push_back({key, std::string(v)}); };
	const auto number = [&](std::uint64_t v) { out.push_back({key, std::to_string(v)}); };

	if (type_ == SessionType::discovery && irrelevant_in_discovery(key))
		return answer("Irrelevant");

	if (key == "HeaderDigest" || key == "DataDigest") {
		const auto &allowed = key == "HeaderDigest" ? limits_.header_digest
							    : limits_.data_digest;
		// The first value of the initiator's list the target allows.
		for (const auto item : split_list(value)) {
			const auto d = parse_digest(item);
			if (d && std::find(allowed.begin(), allowed.end(), *d) != allowed.end()) {
				(key == "HeaderDigest" ? p_.header_digest : p_.data_digest) = *d;
				return answer(to_string(*d));
			}
		}
		return answer("Reject");
	}
	if (key == "MaxConnections") {
		if (!in_range(value, 1, 65535))
			return answer("Reject");
		p_.max_connections = 1;
		return number(1);
	}
	if (key == "InitialR2T" || key == "ImmediateData" || key == "DataPDUInOrder" ||
	    key == "DataSequenceInOrder") {
		const auto b = parse_bool(value);
		if (!b)
			return answer("Reject");
		bool r = false;
		if (key == "InitialR2T")
			r = p_.initial_r2t = *b || limits_.initial_r2t; // OR
		else if (key == "ImmediateData")
			r = p_.immediate_data = *b && limits_.immediate_data; // AND
		else if (key == "DataPDUInOrder")
			r = p_.data_pdu_in_order = true; // OR with our Yes
		else
			r = p_.data_seq_in_order = true;
		return answer(to_yes_no(r));
	}
	if (key == "MaxRecvDataSegmentLength") {
		const auto n = in_range(value, 512, max_dsl);
		if (!n)
			return answer("Reject");
		initiator_mrdsl_ = static_cast<std::uint32_t>(*n);
		return; // declarative: no answer
	}
	if (key == "MaxBurstLength" || key == "FirstBurstLength") {
		const auto n = in_range(value, 512, max_dsl);
		if (!n)
			return answer("Reject");
		if (key == "MaxBurstLength") {
			p_.max_burst = static_cast<std::uint32_t>(std::min<std::uint64_t>(*n, limits_.max_burst));
			return number(p_.max_burst);
		}
		p_.first_burst = static_cast<std::uint32_t>(std::min<std::uint64_t>(*n, limits_.first_burst));
		return number(p_.first_burst);
	}
	if (key == "DefaultTime2Wait") {
		const auto n = in_range(value, 0, 3600);
		if (!n)
			return answer("Reject");
		p_.time2wait = static_cast<std::uint16_t>(std::max<std::uint64_t>(*n, 2)); // max
		return number(p_.time2wait);
	}
	if (key == "DefaultTime2Retain") {
		const auto n = in_range(value, 0, 3600);
		if (!n)
			return answer("Reject");
		p_.time2retain = static_cast<std::uint16_t>(std::min<std::uint64_t>(*n, 20)); // min
		return number(p_.time2retain);
	}
	if (key == "MaxOutstandingR2T") {
		const auto n = in_range(value, 1, 65535);
		if (!n)
			return answer("Reject");
		p_.max_outstanding_r2t = static_cast<std::uint32_t>(
			std::min<std::uint64_t>(*n, limits_.max_outstanding_r2t));
		return number(p_.max_outstanding_r2t);
	}
	if (key == "ErrorRecoveryLevel") {
		if (!in_range(value, 0, 2))
			return answer("Reject");
		p_.erl = 0; // min with the only level we implement
		return number(0);
	}
	if (key == "iSCSIProtocolLevel") {
		const auto n = in_range(value, 0, 31);
		if (!n)
			return answer("Reject");
		return number(std::min<std::uint64_t>(*n, 1)); // RFC 7143 is level 1
	}
	if (key == "TaskReporting") {
		const auto items = split_list(value);
		if (std::find(items.begin(), items.end(), "RFC3720") != items.end())
			return answer("RFC3720");
		return answer("Reject");
	}
	if (key == "OFMarker" || key == "IFMarker") {
		// Obsolete (RFC 7143, 13.26): "No" is the answer every
		// initiator understands (AND with our No).
		if (!parse_bool(value))
			return answer("Reject");
		return answer("No");
	}
	if (key == "OFMarkInt" || key == "IFMarkInt")
		return answer("Reject"); // RFC 7143, 13.26: MUST answer Reject
	if (key == "RDMAExtensions") {
		if (!parse_bool(value))
			return answer("Reject");
		return answer("No"); // AND: iSCSI over TCP only
	}
	answer("NotUnderstood");
}

void Negotiator::answer_response(const std::string &key, const std::string &value)
{
	const std::string ours = pending_[key];
	pending_.erase(key);
	if (special(value))
		return; // the RFC default stays
	if (key == "HeaderDigest" || key == "DataDigest") {
		const auto items = split_list(ours);
		const auto d = parse_digest(value);
		if (!d || std::find(items.begin(), items.end(), value) == items.end()) {
			error_ = key + "=" + value + ": not one of the offered " + ours;
			return;
		}
		(key == "HeaderDigest" ? p_.header_digest : p_.data_digest) = *d;
	} else if (key == "ImmediateData") {
		const auto b = parse_bool(value);
		p_.immediate_data = b && *b && limits_.immediate_data;
	} else if (key == "MaxBurstLength" || key == "FirstBurstLength") {
		const auto n = in_range(value, 512, max_dsl);
		auto &field = key == "MaxBurstLength" ? p_.max_burst : p_.first_burst;
		const auto limit = key == "MaxBurstLength" ? limits_.max_burst : limits_.first_burst;
		field = static_cast<std::uint32_t>(n ? std::min<std::uint64_t>(*n, limit) : limit);
	}
}

void Negotiator::finish(TextList &out) const
{
	// The initiator may offer a FirstBurstLength above its MaxBurstLength;
	// answer one that fits.
	for (auto &kv : out)
		if (kv.key == "FirstBurstLength" && kv.value != "Irrelevant" && kv.value != "Reject")
			kv.value = std::to_string(std::min(p_.first_burst, p_.max_burst));
}

void Negotiator::declare(TextList &out)
{
	if (declared_)
		return;
	declared_ = true;
	out.push_back({"MaxRecvDataSegmentLength", std::to_string(limits_.max_recv_dsl)});
}

bool Negotiator::offers(TextList &out)
{
	if (type_ == SessionType::discovery)
		return false;
	const auto add = [&](const std::string &key, std::string value) {
		if (seen_.count(key) || pending_.count(key))
			return;
		out.push_back({key, value});
		pending_[key] = std::move(value);
	};
	const auto digest_list = [](const std::vector<Digest> &l) {
		std::string s;
		for (const auto d : l)
			s += (s.empty() ? "" : ",") + std::string(to_string(d));
		return s;
	};
	const std::size_t before = out.size();
	// The RFC default None is not allowed if the list lacks it.
	if (std::find(limits_.header_digest.begin(), limits_.header_digest.end(), Digest::none) ==
	    limits_.header_digest.end())
		add("HeaderDigest", digest_list(limits_.header_digest));
	if (std::find(limits_.data_digest.begin(), limits_.data_digest.end(), Digest::none) ==
	    limits_.data_digest.end())
		add("DataDigest", digest_list(limits_.data_digest));
	if (!limits_.immediate_data)
		add("ImmediateData", "No");
	if (limits_.max_burst < 262144)
		add("MaxBurstLength", std::to_string(limits_.max_burst));
	if (limits_.first_burst < 65536)
		add("FirstBurstLength", std::to_string(limits_.first_burst));
	return out.size() != before;
}

void Negotiator::settle_unanswered()
{
	for (const auto &[key, value] : pending_) {
		if (key == "HeaderDigest" || key == "DataDigest") {
			const auto d = parse_digest(split_list(value).front());
			(key == "HeaderDigest" ? p_.header_digest : p_.data_digest) = d.value_or(Digest::none);
		} else if (key == "ImmediateData") {
			p_.immediate_data = false;
		} else if (key == "MaxBurstLength") {
			p_.max_burst = limits_.max_burst;
		} else if (key == "FirstBurstLength") {
			p_.first_burst = limits_.first_burst;
		}
	}
	pending_.clear();
}

Params Negotiator::params() const
{
	Params p = p_;
	p.first_burst = std::min(p.first_burst, p.max_burst);
	p.max_recv_dsl = declared_ ? limits_.max_recv_dsl : 8192;
	p.max_xmit_dsl = std::min(initiator_mrdsl_, limits_.max_xmit_dsl);
	return p;
}

} // namespace strix::iscsi
