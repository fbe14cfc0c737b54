#include "iscsi/login.h"

#include <algorithm>
#include <cerrno>

#include <fmt/format.h>

namespace strix::iscsi {

std::string format_address(std::string_view address, std::uint16_t port)
{
	if (address.find(':') != std::string_view::npos)
		return fmt::format("[{}]:{}", address, port);
	return fmt::format("{}:{}", address, port);
}

LoginStatus status_for_errno(int err) noexcept
{
	switch (err) {
	case ENOENT:
		return status::not_found;
	case ENODEV:
		return status::service_unavailable;
	case ESRCH:
		return status::session_does_not_exist;
	case EMLINK:
		return status::too_many_connections;
	case EUSERS:
		return status::out_of_resources;
	default:
		return status::target_error;
	}
}

namespace {

// RFC 7143, 4.2.7.1: an iSCSI name is at most 223 bytes.
constexpr std::size_t max_name = 223;

const std::string *find(const TextList &list, std::string_view key)
{
	for (const auto &kv : list)
		if (kv.key == key)
			return &kv.value;
	return nullptr;
}

} // namespace

Login::Login(Snapshot config, Portal portal, std::uint32_t initial_statsn, RandomFn random)
	: config_(std::move(config)), portal_(std::move(portal)), random_(std::move(random)),
	  statsn_(initial_statsn)
{
}

Pdu Login::response(bool transit, Stage nsg, LoginStatus s, std::vector<std::uint8_t> data)
{
	LoginResponse r;
	r.transit = transit;
	r.csg = stage_;
	r.nsg = transit ? nsg : Stage::security;
	r.version_max = 0;
	r.version_active = 0;
	r.isid = isid_;
	r.tsih = tsih_;
	r.itt = itt_;
	r.statsn = statsn_++;
	// Login Requests are immediate: the first command carries this CmdSN.
	r.exp_cmdsn = cmdsn_;
	r.max_cmdsn = cmdsn_;
	r.status = s;
	r.data = std::move(data);
	return r.encode();
}

std::vector<Pdu> Login::fail(LoginStatus s, std::string reason)
{
	state_ = State::failed;
	failure_ = LoginFailure{s, std::move(reason)};
	return {response(false, Stage::security, s, {})};
}

Pdu Login::reject(LoginStatus s, std::string reason)
{
	// The final response was built but never sent: reuse its StatSN.
	if (normal_)
		statsn_ = LoginResponse::decode(normal_->response).statsn;
	normal_.reset();
	return fail(s, std::move(reason)).front();
}

bool Login::identify(const TextList &text)
{
	const auto bad = [&](LoginStatus s, std::string reason) {
		state_ = State::failed;
		failure_ = LoginFailure{s, std::move(reason)};
		return false;
	};
	if (const auto *t = find(text, "SessionType")) {
		if (*t == "Discovery")
			type_ = SessionType::discovery;
		else if (*t != "Normal")
			return bad(status::session_type_unsupported,
				   fmt::format("SessionType={}: not Normal or Discovery", *t));
	}
	const auto *ini = find(text, "InitiatorName");
	if (!ini || ini->empty())
		return bad(status::missing_parameter, "no InitiatorName in the first Login Request");
	if (ini->size() > max_name)
		return bad(status::initiator_error, "InitiatorName longer than 223 bytes");
	initiator_ = *ini;
	if (!config_.driver.enabled)
		return bad(status::service_unavailable, "the iSCSI driver is disabled");

	Limits limits;
	if (type_ == SessionType::normal) {
		const auto *name = find(text, "TargetName");
		if (!name || name->empty())
			return bad(status::missing_parameter,
				   "no TargetName in the first Login Request of a normal session");
		target_ = config_.find(*name);
		if (!target_)
			return bad(status::not_found, fmt::format("target {}: no such target", *name));
		if (!target_->enabled)
			return bad(status::service_unavailable,
				   fmt::format("target {}: disabled", target_->name));
		if (!portal_allowed(*target_, portal_.local_address))
			return bad(status::not_found,
				   fmt::format("target {}: not offered on portal {} (allowed_portal)",
					       target_->name, portal_.local_address));
		if (!initiator_allowed(*target_, initiator_, portal_.local_address))
			return bad(status::authorization_failure,
				   fmt::format("target {}: initiator not in any initiator group "
					       "(per_portal_acl)", target_->name));
		users_ = target_->incoming;
		outgoing_ = target_->outgoing;
		limits = target_->limits;
	} else {
		if (tsih_ != 0)
			return bad(status::session_does_not_exist,
				   fmt::format("TSIH {:#x}: discovery sessions take one connection",
					       tsih_));
		users_ = config_.driver.incoming;
		outgoing_ = config_.driver.outgoing;
	}
	negotiator_.emplace(type_, limits);
	if (stage_ == Stage::operational && !users_.empty())
		return bad(status::auth_failure,
			   "CHAP is required but the initiator skipped security negotiation");
	return true;
}

bool Login::authenticate(const TextList &security, bool transit, TextList &out)
{
	const auto bad = [&](std::string reason) {
		state_ = State::failed;
		failure_ = LoginFailure{status::auth_failure, std::move(reason)};
		return false;
	};
	TextList chap_keys;
	for (const auto &kv : security) {
		if (kv.key != "AuthMethod") {
			chap_keys.push_back(kv);
			continue;
		}
		const auto methods = split_list(kv.value);
		const auto offers = [&](std::string_view m) {
			return std::find(methods.begin(), methods.end(), m) != methods.end();
		};
		if (!users_.empty()) {
			if (!offers("CHAP"))
				return bad(fmt::format("AuthMethod={}: the target requires CHAP", kv.value));
			out.push_back({"AuthMethod", "CHAP"});
			chap_.emplace(users_, outgoing_, random_);
			auth_ = Auth::chap;
		} else {
			if (!offers("None"))
				return bad(fmt::format("AuthMethod={}: the target has no CHAP users, "
						       "only None is possible", kv.value));
			out.push_back({"AuthMethod", "None"});
			auth_ = Auth::done;
		}
	}
	if (!chap_keys.empty() && auth_ != Auth::chap)
		return bad("CHAP keys without AuthMethod=CHAP agreed");
	if (auth_ == Auth::chap) {
		if (!chap_->step(chap_keys, out))
			return bad(chap_->reason());
		if (chap_->state() == ChapTarget::State::done)
			auth_ = Auth::done;
	}
	if (transit && auth_ == Auth::not_started) {
		if (!users_.empty())
			return bad("the target requires CHAP but no AuthMethod was offered");
		auth_ = Auth::done; // no AuthMethod and nothing required: None
	}
	return true;
}

std::vector<Pdu> Login::receive(const Pdu &pdu)
{
	if (state_ != State::in_progress)
		return {};
	if (pdu.opcode() != Opcode::login_req) {
		state_ = State::failed;
		failure_ = LoginFailure{status::initiator_error,
					fmt::format("opcode {:#04x} during login", pdu.raw_opcode())};
		return {};
	}
	const LoginRequest req = LoginRequest::decode(pdu);
	itt_ = req.itt;
	if (first_) {
		first_ = false;
		isid_ = req.isid;
		tsih_ = req.tsih;
		cid_ = req.cid;
		cmdsn_ = req.cmdsn;
		if (req.version_min > 0)
			return fail(status::unsupported_version,
				    fmt::format("version {}..{}: only 0 is supported",
						req.version_min, req.version_max));
		// An initiator may start with the operational stage.
		if (req.raw_csg == static_cast<std::uint8_t>(Stage::operational))
			stage_ = Stage::operational;
	} else if (req.isid != isid_ || req.tsih != tsih_ || req.cid != cid_) {
		return fail(status::initiator_error, "ISID, TSIH or CID changed during the login");
	}
	cmdsn_ = req.cmdsn;
	if (++pdus_ > max_login_pdus)
		return fail(status::initiator_error,
			    fmt::format("more than {} Login Requests", max_login_pdus));
	if (req.raw_csg != static_cast<std::uint8_t>(stage_))
		return fail(status::initiator_error,
			    fmt::format("CSG {} while in the {} stage", req.raw_csg, to_string(stage_)));
	if (req.transit && req.cont)
		return fail(status::initiator_error, "T and C both set");
	if (req.transit && (req.nsg == 2 || req.nsg <= req.raw_csg))
		return fail(status::initiator_error,
			    fmt::format("transit from stage {} to {}", req.raw_csg, req.nsg));

	if (text_.size() + req.data.size() > max_login_text)
		return fail(status::initiator_error, "login text longer than 64 KiB");
	text_.insert(text_.end(), req.data.begin(), req.data.end());
	if (req.cont) // more text follows: acknowledge with an empty response
		return {response(false, Stage::security, status::success, {})};

	const auto parsed = parse_text(text_);
	text_.clear();
	if (!parsed)
		return fail(status::initiator_error,
			    fmt::format("bad login text: {}", to_string(parsed.error())));
	const TextList &text = *parsed;

	const bool first_text = !identified_;
	if (first_text) {
		identified_ = true;
		if (!identify(text))
			return {response(false, Stage::security, failure_->status, {})};
	}

	TextList out;
	TextList security;
	for (const auto &kv : text) {
		if (!seen_.insert(kv.key).second)
			return fail(status::initiator_error, fmt::format("{} sent twice", kv.key));
		const KeyInfo *info = find_key(kv.key);
		if (!info) { // unknown, X- and X# keys alike
			out.push_back({kv.key, "NotUnderstood"});
			continue;
		}
		switch (info->stage) {
		case KeyStage::any:
			if (kv.key == "InitiatorAlias")
				alias_ = kv.value;
			else if (!first_text)
				return fail(status::initiator_error,
					    fmt::format("{} after the first Login Request", kv.key));
			break;
		case KeyStage::target_only:
			out.push_back({kv.key, "Reject"});
			break;
		case KeyStage::full_feature:
			return fail(status::initiator_error,
				    fmt::format("{} during login", kv.key));
		case KeyStage::security:
			if (stage_ != Stage::security)
				return fail(status::initiator_error,
					    fmt::format("{} in the operational stage", kv.key));
			security.push_back(kv);
			break;
		case KeyStage::operational:
			if (stage_ != Stage::operational)
				return fail(status::initiator_error,
					    fmt::format("{} in the security stage", kv.key));
			negotiator_->offer(kv, out);
			break;
		}
	}

	bool transit = false;
	Stage next = static_cast<Stage>(req.nsg);
	if (stage_ == Stage::security) {
		if (!authenticate(security, req.transit, out))
			return {response(false, Stage::security, failure_->status, {})};
		transit = req.transit && auth_ == Auth::done;
	} else {
		negotiator_->finish(out);
		negotiator_->declare(out);
		if (negotiator_->error())
			return fail(status::initiator_error, *negotiator_->error());
		if (req.transit) {
			if (!offered_) {
				// Keys the target must settle itself, offered once;
				// an initiator that does not answer them gets our
				// value (what open-iscsi assumes).
				offered_ = true;
				transit = !negotiator_->offers(out);
			} else {
				negotiator_->settle_unanswered();
				transit = true;
			}
		}
	}
	if (type_ == SessionType::normal && !answered_) {
		out.push_back({"TargetPortalGroupTag", std::to_string(portal_group_tag)});
		if (!target_->alias.empty())
			out.push_back({"TargetAlias", target_->alias});
	}
	answered_ = true;

	auto data = encode_text(out);
	if (data.size() > login_max_data)
		return fail(status::target_error, "login response text longer than 8192 bytes");
	Pdu rsp = response(transit, next, status::success, std::move(data));
	if (!transit)
		return {std::move(rsp)};
	stage_ = next;
	if (next != Stage::full_feature)
		return {std::move(rsp)};

	const std::string user = chap_ ? chap_->user() : std::string();
	if (type_ == SessionType::normal) {
		state_ = State::normal;
		normal_ = NormalLogin{target_->name, initiator_, alias_, user, isid_, tsih_,
				      cid_, cmdsn_, negotiator_->params(), std::move(rsp)};
		return {};
	}
	state_ = State::discovery;
	discovery_ = DiscoveryLogin{initiator_, user, negotiator_->params(), statsn_, cmdsn_};
	return {std::move(rsp)};
}

} // namespace strix::iscsi
