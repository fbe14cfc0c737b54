#include "iscsi/discovery.h"

#include <algorithm>

#include <fmt/format.h>

namespace strix::iscsi {

std::vector<SendTargetsEntry> send_targets(const Snapshot &s, std::string_view initiator,
					   const Portal &portal)
{
	std::vector<SendTargetsEntry> out;
	const std::string address = fmt::format(
		"{},{}", format_address(portal.local_address, portal.local_port), portal_group_tag);
	for (const auto *t : visible_targets(s, initiator, portal.local_address))
		out.push_back({t->name, {address}});
	return out;
}

DiscoverySession::DiscoverySession(std::vector<SendTargetsEntry> targets, std::uint32_t statsn,
				   std::uint32_t exp_cmdsn, std::uint32_t max_send)
	: targets_(std::move(targets)), statsn_(statsn), exp_cmdsn_(exp_cmdsn),
	  max_send_(std::max<std::uint32_t>(max_send, 512))
{
}

void DiscoverySession::take_cmdsn(bool immediate, std::uint32_t cmdsn)
{
	// One request at a time: a non-immediate one is the next CmdSN.
	if (!immediate && !sn_less(cmdsn, exp_cmdsn_))
		exp_cmdsn_ = cmdsn + 1;
}

std::vector<std::uint8_t> DiscoverySession::answer(const TextList &keys)
{
	std::vector<std::uint8_t> out;
	for (const auto &kv : keys) {
		if (kv.key != "SendTargets") {
			append_text(out, kv.key, "NotUnderstood");
			continue;
		}
		// "All": every target; a name: that one if visible; "": the
		// session's own target, which a discovery session has none of.
		for (const auto &t : targets_) {
			if (kv.value != "All" && kv.value != t.name)
				continue;
			append_text(out, "TargetName", t.name);
			for (const auto &a : t.addresses)
				append_text(out, "TargetAddress", a);
		}
	}
	return out;
}

Pdu DiscoverySession::next_chunk(std::uint32_t itt, std::uint64_t lun)
{
	TextResponse r;
	r.itt = itt;
	r.lun = lun;
	r.statsn = statsn_++;
	r.exp_cmdsn = exp_cmdsn_;
	r.max_cmdsn = exp_cmdsn_ + discovery_window - 1;
	const std::size_t n = std::min<std::size_t>(pending_.size(), max_send_);
	r.data.assign(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(n));
	pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(n));
	if (pending_.empty()) {
		r.final = true;
		r.ttt = reserved_tag;
		ttt_ = reserved_tag;
	} else {
		// More follows: the initiator asks for it with an empty Text
		// Request carrying this tag.
		r.final = false;
		r.cont = true;
		ttt_ = next_ttt_++;
		if (next_ttt_ == reserved_tag)
			next_ttt_ = 1;
		r.ttt = ttt_;
	}
	return r.encode();
}

std::vector<Pdu> DiscoverySession::text(const Pdu &pdu)
{
	const TextRequest req = TextRequest::decode(pdu);
	take_cmdsn(req.immediate, req.cmdsn);
	if (req.ttt != reserved_tag) {
		if (req.ttt != ttt_ || pending_.empty()) {
			finished_ = true;
			error_ = fmt::format("Text Request with an unknown target transfer tag {:#x}",
					     req.ttt);
			return {};
		}
		return {next_chunk(req.itt, req.lun)};
	}
	// A new request cancels what was left of the last answer.
	pending_.clear();
	ttt_ = reserved_tag;
	if (request_.size() + req.data.size() > max_login_text) {
		finished_ = true;
		error_ = "Text Request longer than 64 KiB";
		return {};
	}
	request_.insert(request_.end(), req.data.begin(), req.data.end());
	if (req.cont) {
		// Ask for the rest with an empty response.
		TextResponse r;
		r.final = false;
		r.itt = req.itt;
		r.lun = req.lun;
		r.ttt = reserved_tag;
		r.statsn = statsn_++;
		r.exp_cmdsn = exp_cmdsn_;
		r.max_cmdsn = exp_cmdsn_ + discovery_window - 1;
		return {r.encode()};
	}
	const auto keys = parse_text(request_);
	request_.clear();
	if (!keys) {
		finished_ = true;
		error_ = fmt::format("bad Text Request: {}", to_string(keys.error()));
		return {};
	}
	pending_ = answer(*keys);
	return {next_chunk(req.itt, req.lun)};
}

std::vector<Pdu> DiscoverySession::receive(const Pdu &pdu)
{
	if (finished_)
		return {};
	switch (pdu.opcode()) {
	case Opcode::text_req:
		return text(pdu);
	case Opcode::logout_req: {
		const LogoutRequest req = LogoutRequest::decode(pdu);
		take_cmdsn(req.immediate, req.cmdsn);
		LogoutResponse r;
		r.itt = req.itt;
		r.statsn = statsn_++;
		r.exp_cmdsn = exp_cmdsn_;
		r.max_cmdsn = exp_cmdsn_ + discovery_window - 1;
		finished_ = true;
		return {r.encode()};
	}
	case Opcode::nop_out: {
		const NopOut req = NopOut::decode(pdu);
		if (req.itt == reserved_tag) // an answer to a NOP-In we never sent
			return {};
		take_cmdsn(req.immediate, req.cmdsn);
		NopIn r;
		r.itt = req.itt;
		r.lun = req.lun;
		r.statsn = statsn_++;
		r.exp_cmdsn = exp_cmdsn_;
		r.max_cmdsn = exp_cmdsn_ + discovery_window - 1;
		r.data = req.data;
		return {r.encode()};
	}
	case Opcode::login_req:
		finished_ = true;
		error_ = "Login Request in full feature phase";
		return {};
	default: {
		// Not for a discovery session (SCSI commands, task management,
		// Data-Out, SNACK, or no iSCSI opcode at all).
		Reject r;
		r.reason = 0x04; // command not supported
		r.statsn = statsn_++; // RFC 7143, 11.17.1: advanced after a Reject
		r.exp_cmdsn = exp_cmdsn_;
		r.max_cmdsn = exp_cmdsn_ + discovery_window - 1;
		r.rejected = pdu.bhs;
		return {r.encode()};
	}
	}
}

} // namespace strix::iscsi
