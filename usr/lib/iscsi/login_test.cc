#include "iscsi/login.h"

#include <cerrno>

#include <gtest/gtest.h>

using namespace strix::iscsi;

namespace {

constexpr const char *ini = "iqn.1993-08.org.debian:01:abc";
constexpr const char *tgt = "iqn.2024-01.org.strix:disk1";

Snapshot config()
{
	Snapshot s;
	TargetConfig t;
	t.name = tgt;
	t.enabled = true;
	t.alias = "disk one";
	s.targets.push_back(t);
	TargetConfig off;
	off.name = "iqn.2024-01.org.strix:off";
	s.targets.push_back(off);
	return s;
}

// The key list open-iscsi sends in the operational stage of a normal session.
TextList open_iscsi_ops()
{
	return {{"HeaderDigest", "None"}, {"DataDigest", "None"}, {"DefaultTime2Wait", "2"},
		{"DefaultTime2Retain", "0"}, {"IFMarker", "No"}, {"OFMarker", "No"},
		{"ErrorRecoveryLevel", "0"}, {"InitialR2T", "No"}, {"ImmediateData", "Yes"},
		{"MaxBurstLength", "16776192"}, {"FirstBurstLength", "262144"},
		{"MaxOutstandingR2T", "1"}, {"MaxConnections", "1"}, {"DataPDUInOrder", "Yes"},
		{"DataSequenceInOrder", "Yes"}, {"MaxRecvDataSegmentLength", "262144"}};
}

void counting(std::span<std::uint8_t> out)
{
	static std::uint8_t n = 0;
	for (auto &b : out)
		b = n++;
}

// An initiator talking to a Login machine.
class Initiator {
public:
	explicit Initiator(Snapshot s, Portal p = {"192.0.2.1", 3260, "192.0.2.9", 40000},
			   RandomFn random = counting)
		: login(std::move(s), std::move(p), 1000, std::move(random))
	{
	}

	// One request; returns the responses (0 or 1).
	std::vector<LoginResponse> send(const TextList &keys, bool transit, std::uint8_t csg,
					std::uint8_t nsg, bool cont = false)
	{
		LoginRequest r = base;
		r.transit = transit;
		r.cont = cont;
		r.csg = static_cast<Stage>(csg);
		r.nsg = nsg;
		r.data = encode_text(keys);
		std::vector<LoginResponse> out;
		for (const auto &p : login.receive(r.encode()))
			out.push_back(LoginResponse::decode(p));
		return out;
	}

	// A request that must be answered with success; returns the keys.
	TextList ok(const TextList &keys, bool transit, std::uint8_t csg, std::uint8_t nsg)
	{
		const auto rsp = send(keys, transit, csg, nsg);
		EXPECT_EQ(rsp.size(), 1u);
		if (rsp.empty())
			return {};
		EXPECT_EQ(rsp[0].status, status::success)
			<< (login.state() == Login::State::failed ? login.failure().reason : "");
		last = rsp[0];
		return *parse_text(rsp[0].data);
	}

	// A request that must fail with this status.
	void refused(const TextList &keys, bool transit, std::uint8_t csg, std::uint8_t nsg,
		     LoginStatus want)
	{
		const auto rsp = send(keys, transit, csg, nsg);
		ASSERT_EQ(rsp.size(), 1u);
		EXPECT_EQ(rsp[0].status, want) << login.failure().reason;
		EXPECT_EQ(login.state(), Login::State::failed);
		EXPECT_TRUE(rsp[0].data.empty());
	}

	TextList first(bool discovery = false, const char *auth = "None") const
	{
		TextList l{{"InitiatorName", ini}, {"InitiatorAlias", "host1"}};
		if (discovery) {
			l.push_back({"SessionType", "Discovery"});
		} else {
			l.push_back({"SessionType", "Normal"});
			l.push_back({"TargetName", tgt});
		}
		if (auth)
			l.push_back({"AuthMethod", auth});
		return l;
	}

	Login login;
	LoginRequest base = [] {
		LoginRequest r;
		r.isid = 0x23d000000001;
		r.itt = 0x10;
		r.cid = 0;
		r.cmdsn = 77;
		r.exp_statsn = 0;
		return r;
	}();
	LoginResponse last;
};

const std::string *get(const TextList &l, std::string_view k)
{
	for (const auto &kv : l)
		if (kv.key == k)
			return &kv.value;
	return nullptr;
}

} // namespace

TEST(Login, NormalSessionLikeOpenIscsi)
{
	Initiator i(config());
	const auto sec = i.ok(i.first(), true, 0, 1);
	EXPECT_EQ(*get(sec, "AuthMethod"), "None");
	EXPECT_EQ(*get(sec, "TargetPortalGroupTag"), "1");
	EXPECT_EQ(*get(sec, "TargetAlias"), "disk one");
	EXPECT_TRUE(i.last.transit);
	EXPECT_EQ(i.last.csg, Stage::security);
	EXPECT_EQ(i.last.nsg, Stage::operational);
	EXPECT_EQ(i.last.statsn, 1000u);
	EXPECT_EQ(i.last.exp_cmdsn, 77u);
	EXPECT_EQ(i.last.isid, 0x23d000000001u);
	EXPECT_EQ(i.last.itt, 0x10u);
	EXPECT_EQ(i.last.version_active, 0);

	// The final request gets no PDU back: the kernel sends the response.
	EXPECT_TRUE(i.send(open_iscsi_ops(), true, 1, 3).empty());
	ASSERT_EQ(i.login.state(), Login::State::normal);
	const NormalLogin &n = i.login.normal();
	EXPECT_EQ(n.target, tgt);
	EXPECT_EQ(n.initiator, ini);
	EXPECT_EQ(n.initiator_alias, "host1");
	EXPECT_EQ(n.isid, 0x23d000000001u);
	EXPECT_EQ(n.tsih, 0);
	EXPECT_EQ(n.cmdsn, 77u);
	EXPECT_EQ(n.params.max_recv_dsl, 262144u);
	EXPECT_EQ(n.params.max_xmit_dsl, 262144u);
	EXPECT_EQ(n.params.max_burst, 1048576u);
	EXPECT_EQ(n.params.first_burst, 65536u);
	EXPECT_FALSE(n.params.initial_r2t);
	EXPECT_TRUE(n.params.immediate_data);

	const LoginResponse f = LoginResponse::decode(n.response);
	EXPECT_TRUE(f.transit);
	EXPECT_EQ(f.csg, Stage::operational);
	EXPECT_EQ(f.nsg, Stage::full_feature);
	EXPECT_EQ(f.statsn, 1001u);
	EXPECT_EQ(f.tsih, 0);
	EXPECT_EQ(f.status, status::success);
	const auto keys = *parse_text(f.data);
	EXPECT_EQ(*get(keys, "MaxRecvDataSegmentLength"), "262144");
	EXPECT_EQ(*get(keys, "MaxOutstandingR2T"), "1");
	EXPECT_EQ(*get(keys, "MaxConnections"), "1");
	EXPECT_EQ(*get(keys, "ErrorRecoveryLevel"), "0");
	EXPECT_FALSE(get(keys, "TargetPortalGroupTag")); // only in the first response
	// The padded wire form is what goes to the kernel.
	EXPECT_EQ(n.response.serialize().size() % 4, 0u);
}

TEST(Login, KeysSpreadOverSeveralPdus)
{
	Initiator i(config());
	i.ok(i.first(), true, 0, 1);
	auto ops = open_iscsi_ops();
	const TextList a(ops.begin(), ops.begin() + 8), b(ops.begin() + 8, ops.end());
	const auto r1 = i.ok(a, false, 1, 0);
	EXPECT_FALSE(i.last.transit);
	EXPECT_EQ(r1.size(), 9u); // 8 answers + our MaxRecvDataSegmentLength
	EXPECT_TRUE(i.send(b, true, 1, 3).empty());
	EXPECT_EQ(i.login.state(), Login::State::normal);
}

TEST(Login, ContinuedText)
{
	Initiator i(config());
	const auto bytes = encode_text(i.first());
	const std::size_t half = bytes.size() / 2;
	LoginRequest r = i.base;
	r.cont = true;
	r.data.assign(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(half));
	auto out = i.login.receive(r.encode());
	ASSERT_EQ(out.size(), 1u);
	const auto ack = LoginResponse::decode(out[0]);
	EXPECT_TRUE(ack.data.empty());
	EXPECT_FALSE(ack.transit);
	EXPECT_EQ(ack.status, status::success);
	r.cont = false;
	r.transit = true;
	r.nsg = 1;
	r.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(half), bytes.end());
	out = i.login.receive(r.encode());
	ASSERT_EQ(out.size(), 1u);
	const auto rsp = LoginResponse::decode(out[0]);
	EXPECT_TRUE(rsp.transit);
	EXPECT_EQ(rsp.statsn, 1001u);
	EXPECT_EQ(*get(*parse_text(rsp.data), "AuthMethod"), "None");
}

TEST(Login, DiscoverySession)
{
	Initiator i(config());
	const auto sec = i.ok(i.first(true), true, 0, 1);
	EXPECT_FALSE(get(sec, "TargetPortalGroupTag"));
	const auto ops = i.ok({{"HeaderDigest", "CRC32C,None"}, {"DataDigest", "None"},
			       {"InitialR2T", "No"}, {"MaxRecvDataSegmentLength", "32768"}},
			      true, 1, 3);
	EXPECT_EQ(*get(ops, "HeaderDigest"), "None");
	EXPECT_EQ(*get(ops, "InitialR2T"), "Irrelevant");
	EXPECT_EQ(*get(ops, "MaxRecvDataSegmentLength"), "8192");
	EXPECT_TRUE(i.last.transit);
	EXPECT_EQ(i.last.nsg, Stage::full_feature);
	ASSERT_EQ(i.login.state(), Login::State::discovery);
	EXPECT_EQ(i.login.discovery().statsn, 1002u);
	EXPECT_EQ(i.login.discovery().exp_cmdsn, 77u);
	EXPECT_EQ(i.login.discovery().params.max_xmit_dsl, 32768u);
}

TEST(Login, SecurityStraightToFullFeature)
{
	// open-iscsi does this for discovery with default parameters.
	Initiator i(config());
	i.ok(i.first(true), true, 0, 3);
	EXPECT_EQ(i.last.csg, Stage::security);
	EXPECT_EQ(i.last.nsg, Stage::full_feature);
	ASSERT_EQ(i.login.state(), Login::State::discovery);
	EXPECT_EQ(i.login.discovery().params, Params{});
}

TEST(Login, InitiatorMayStartOperational)
{
	Initiator i(config());
	TextList keys = i.first(false, nullptr);
	for (const auto &kv : open_iscsi_ops())
		keys.push_back(kv);
	EXPECT_TRUE(i.send(keys, true, 1, 3).empty());
	EXPECT_EQ(i.login.state(), Login::State::normal);
}

TEST(Login, TargetLookupAndAccess)
{
	{
		Initiator i(config());
		auto keys = i.first();
		keys[3].value = "iqn.2024-01.org.strix:nope";
		i.refused(keys, true, 0, 1, status::not_found);
	}
	{
		Initiator i(config());
		auto keys = i.first();
		keys[3].value = "IQN.2024-01.ORG.STRIX:DISK1"; // case-insensitive
		i.ok(keys, true, 0, 1);
	}
	{
		Initiator i(config());
		auto keys = i.first();
		keys[3].value = "iqn.2024-01.org.strix:off";
		i.refused(keys, true, 0, 1, status::service_unavailable);
	}
	{
		Snapshot s = config();
		s.driver.enabled = false;
		Initiator i(s);
		i.refused(i.first(true), true, 0, 1, status::service_unavailable);
	}
	{
		Snapshot s = config();
		s.targets[0].allowed_portals = {"10.0.0.*", "2001:db8::?"};
		Initiator i(s);
		i.refused(i.first(), true, 0, 1, status::not_found);
		Initiator j(s, {"10.0.0.5", 3260, "10.0.0.9", 1});
		j.ok(j.first(), true, 0, 1);
	}
	{
		Snapshot s = config();
		s.targets[0].per_portal_acl = true;
		s.targets[0].initiator_groups = {{"iqn.1993-08.org.debian:01:other"}};
		Initiator i(s);
		i.refused(i.first(), true, 0, 1, status::authorization_failure);
		s.targets[0].initiator_groups = {{"iqn.1993-08.org.debian:*"}};
		Initiator j(s);
		j.ok(j.first(), true, 0, 1);
	}
}

TEST(Login, MissingOrBadIdentity)
{
	{
		Initiator i(config());
		i.refused({{"SessionType", "Normal"}, {"TargetName", tgt}}, true, 0, 1,
			  status::missing_parameter);
	}
	{
		Initiator i(config());
		i.refused({{"InitiatorName", ini}}, true, 0, 1, status::missing_parameter);
	}
	{
		Initiator i(config());
		i.refused({{"InitiatorName", ini}, {"SessionType", "Weird"}}, true, 0, 1,
			  status::session_type_unsupported);
	}
	{
		Initiator i(config());
		i.refused({{"InitiatorName", std::string(224, 'i')}, {"SessionType", "Discovery"}},
			  true, 0, 1, status::initiator_error);
	}
	{
		Initiator i(config());
		i.base.tsih = 5;
		i.refused(i.first(true), true, 0, 1, status::session_does_not_exist);
	}
}

TEST(Login, TsihAndCidGoToTheKernel)
{
	Initiator i(config());
	i.base.tsih = 0x1234;
	i.base.cid = 3;
	i.ok(i.first(), true, 0, 1);
	EXPECT_EQ(i.last.tsih, 0x1234);
	i.send(open_iscsi_ops(), true, 1, 3);
	ASSERT_EQ(i.login.state(), Login::State::normal);
	EXPECT_EQ(i.login.normal().tsih, 0x1234);
	EXPECT_EQ(i.login.normal().cid, 3);
}

TEST(Login, UnsupportedVersion)
{
	Initiator i(config());
	i.base.version_min = 1;
	i.base.version_max = 2;
	i.refused(i.first(), true, 0, 1, status::unsupported_version);
	EXPECT_EQ(i.last.version_max, 0);
}

TEST(Login, NonLoginPduClosesSilently)
{
	Initiator i(config());
	Pdu p;
	p.bhs[0] = 0x01; // SCSI Command
	EXPECT_TRUE(i.login.receive(p).empty());
	EXPECT_EQ(i.login.state(), Login::State::failed);
	EXPECT_EQ(i.login.failure().status, status::initiator_error);
	EXPECT_TRUE(i.login.receive(p).empty()); // and stays so
}

TEST(Login, StageAndFlagErrors)
{
	const auto refused_after_first = [](std::uint8_t csg, std::uint8_t nsg, bool t) {
		Initiator i(config());
		i.ok(i.first(), false, 0, 0);
		i.refused({}, t, csg, nsg, status::initiator_error);
	};
	refused_after_first(1, 3, true); // CSG 1 while in security
	refused_after_first(3, 0, false); // CSG 3 is not a login stage
	{
		Initiator i(config());
		i.refused(i.first(), true, 0, 2, status::initiator_error); // NSG reserved
	}
	{
		Initiator i(config());
		i.refused(i.first(), true, 0, 0, status::initiator_error); // NSG not ahead
	}
}

TEST(Login, TransitAndContinueTogether)
{
	Initiator i(config());
	const auto rsp = i.send(i.first(), true, 0, 1, true);
	ASSERT_EQ(rsp.size(), 1u);
	EXPECT_EQ(rsp[0].status, status::initiator_error);
}

TEST(Login, IdentityMustNotChange)
{
	Initiator i(config());
	i.ok(i.first(), true, 0, 1);
	i.base.isid = 1;
	i.refused({}, true, 1, 3, status::initiator_error);
}

TEST(Login, KeyRules)
{
	{ // repeated across PDUs
		Initiator i(config());
		i.ok(i.first(), true, 0, 1);
		i.ok({{"MaxBurstLength", "65536"}}, false, 1, 0);
		i.refused({{"MaxBurstLength", "65536"}}, true, 1, 3, status::initiator_error);
	}
	{ // operational key in the security stage
		Initiator i(config());
		auto keys = i.first();
		keys.push_back({"MaxBurstLength", "65536"});
		i.refused(keys, true, 0, 1, status::initiator_error);
	}
	{ // security key in the operational stage
		Initiator i(config());
		i.ok(i.first(), true, 0, 1);
		i.refused({{"CHAP_A", "5"}}, true, 1, 3, status::initiator_error);
	}
	{ // SendTargets belongs to full feature phase
		Initiator i(config());
		i.ok(i.first(true), true, 0, 1);
		i.refused({{"SendTargets", "All"}}, true, 1, 3, status::initiator_error);
	}
	{ // TargetName only in the first request
		Initiator i(config());
		i.ok(i.first(true), true, 0, 1);
		i.refused({{"TargetName", tgt}}, true, 1, 3, status::initiator_error);
	}
	{ // unknown and extension keys: NotUnderstood; target-only keys: Reject
		Initiator i(config());
		i.ok(i.first(), true, 0, 1);
		const auto r = i.ok({{"X-com.example.Foo", "1"}, {"X#NodeArchitecture", "x"},
				     {"FancyKey", "y"}, {"TargetAlias", "me"}},
				    false, 1, 0);
		EXPECT_EQ(*get(r, "X-com.example.Foo"), "NotUnderstood");
		EXPECT_EQ(*get(r, "X#NodeArchitecture"), "NotUnderstood");
		EXPECT_EQ(*get(r, "FancyKey"), "NotUnderstood");
		EXPECT_EQ(*get(r, "TargetAlias"), "Reject");
	}
	{ // malformed text
		Initiator i(config());
		LoginRequest r = i.base;
		r.data = {'A', 'B', 0};
		const auto out = i.login.receive(r.encode());
		ASSERT_EQ(out.size(), 1u);
		EXPECT_EQ(LoginResponse::decode(out[0]).status, status::initiator_error);
	}
}

TEST(Login, TooManyPdus)
{
	Initiator i(config());
	i.ok(i.first(), true, 0, 1);
	for (unsigned n = 1; n < max_login_pdus; n++)
		i.ok({}, false, 1, 0);
	i.refused({}, false, 1, 0, status::initiator_error);
}

TEST(Login, TargetOffersItsLimits)
{
	Snapshot s = config();
	s.targets[0].limits.immediate_data = false;
	Initiator i(s);
	i.ok(i.first(), true, 0, 1);
	auto ops = open_iscsi_ops();
	ops.erase(ops.begin() + 8); // no ImmediateData
	const auto r = i.ok(ops, true, 1, 3);
	EXPECT_FALSE(i.last.transit); // the target offers first
	EXPECT_EQ(*get(r, "ImmediateData"), "No");
	EXPECT_TRUE(i.send({{"ImmediateData", "No"}}, true, 1, 3).empty());
	ASSERT_EQ(i.login.state(), Login::State::normal);
	EXPECT_FALSE(i.login.normal().params.immediate_data);
}

TEST(Login, RejectAfterTheKernelRefused)
{
	Initiator i(config());
	i.ok(i.first(), true, 0, 1);
	i.send(open_iscsi_ops(), true, 1, 3);
	ASSERT_EQ(i.login.state(), Login::State::normal);
	const auto r = LoginResponse::decode(i.login.reject(status_for_errno(EUSERS), "full"));
	EXPECT_EQ(r.status, status::out_of_resources);
	EXPECT_EQ(r.statsn, 1001u); // the StatSN the final response had
	EXPECT_FALSE(r.transit);
	EXPECT_EQ(i.login.state(), Login::State::failed);
}

TEST(Login, ErrnoMapping)
{
	EXPECT_EQ(status_for_errno(ENOENT), status::not_found);
	EXPECT_EQ(status_for_errno(ENODEV), status::service_unavailable);
	EXPECT_EQ(status_for_errno(ESRCH), status::session_does_not_exist);
	EXPECT_EQ(status_for_errno(EMLINK), status::too_many_connections);
	EXPECT_EQ(status_for_errno(EUSERS), status::out_of_resources);
	EXPECT_EQ(status_for_errno(EINVAL), status::target_error);
	EXPECT_EQ(status_for_errno(EIO), status::target_error);
	EXPECT_EQ(status_for_errno(ENOMEM), status::target_error);
}

// --- CHAP ---------------------------------------------------------------

namespace {

Snapshot chap_config(std::optional<ChapUser> outgoing = std::nullopt)
{
	Snapshot s = config();
	s.targets[0].incoming = {{"alice", "alice-secret-1"}, {"bob", "bob-secret-22"}};
	s.targets[0].outgoing = std::move(outgoing);
	return s;
}

struct ChapRun {
	TextList challenge;
	ChapAlgorithm alg;
	std::uint8_t id;
	std::vector<std::uint8_t> chal;
};

ChapRun start_chap(Initiator &i, const std::string &algs)
{
	const auto r1 = i.ok(i.first(false, "CHAP,None"), false, 0, 1);
	EXPECT_EQ(*get(r1, "AuthMethod"), "CHAP");
	EXPECT_FALSE(i.last.transit);
	const auto r2 = i.ok({{"CHAP_A", algs}}, false, 0, 1);
	ChapRun run;
	run.challenge = r2;
	run.alg = *chap_algorithm(*parse_number(*get(r2, "CHAP_A")));
	run.id = static_cast<std::uint8_t>(*parse_number(*get(r2, "CHAP_I")));
	run.chal = *decode_binary(*get(r2, "CHAP_C"));
	return run;
}

class ChapAlg : public ::testing::TestWithParam<int> {};

} // namespace

TEST_P(ChapAlg, OneWay)
{
	const int a = GetParam();
	for (const bool right : {true, false}) {
		Initiator i(chap_config());
		const ChapRun run = start_chap(i, std::to_string(a));
		EXPECT_EQ(static_cast<int>(run.alg), a);
		EXPECT_EQ(run.chal.size(), std::max<std::size_t>(16, digest_size(run.alg)));
		const auto resp = chap_response(run.alg, run.id, right ? "bob-secret-22" : "nope",
						run.chal);
		const TextList keys{{"CHAP_N", "bob"}, {"CHAP_R", encode_hex(resp)}};
		if (!right) {
			i.refused(keys, true, 0, 1, status::auth_failure);
			EXPECT_EQ(i.login.failure().reason.find("bob-secret"), std::string::npos);
			continue;
		}
		const auto r = i.ok(keys, true, 0, 1);
		EXPECT_TRUE(i.last.transit);
		EXPECT_FALSE(get(r, "CHAP_N"));
		EXPECT_TRUE(i.send(open_iscsi_ops(), true, 1, 3).empty());
		ASSERT_EQ(i.login.state(), Login::State::normal);
		EXPECT_EQ(i.login.normal().chap_user, "bob");
	}
}

TEST_P(ChapAlg, Mutual)
{
	const int a = GetParam();
	Initiator i(chap_config(ChapUser{"target-user", "target-secret-x"}));
	const ChapRun run = start_chap(i, std::to_string(a));
	const std::vector<std::uint8_t> mine{9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6};
	const auto r = i.ok({{"CHAP_N", "alice"},
			     {"CHAP_R", encode_hex(chap_response(run.alg, run.id, "alice-secret-1",
								 run.chal))},
			     {"CHAP_I", "200"},
			     {"CHAP_C", encode_hex(mine)}},
			    true, 0, 1);
	EXPECT_EQ(*get(r, "CHAP_N"), "target-user");
	EXPECT_EQ(*decode_binary(*get(r, "CHAP_R")),
		  chap_response(run.alg, 200, "target-secret-x", mine));
	EXPECT_TRUE(i.last.transit);
}

INSTANTIATE_TEST_SUITE_P(Algorithms, ChapAlg, ::testing::Values(5, 6, 7, 8));

TEST(LoginChap, PrefersTheInitiatorsOrder)
{
	Initiator i(chap_config());
	EXPECT_EQ(start_chap(i, "8,7,6,5").alg, ChapAlgorithm::sha3_256);
	Initiator j(chap_config());
	EXPECT_EQ(start_chap(j, "3,6,5").alg, ChapAlgorithm::sha1);
}

TEST(LoginChap, MutualRefusals)
{
	{ // the target's own challenge reflected
		Initiator i(chap_config(ChapUser{"t", "target-secret-x"}));
		const ChapRun run = start_chap(i, "5");
		i.refused({{"CHAP_N", "alice"},
			   {"CHAP_R", encode_hex(chap_response(run.alg, run.id, "alice-secret-1",
							       run.chal))},
			   {"CHAP_I", std::to_string(run.id)},
			   {"CHAP_C", encode_hex(run.chal)}},
			  true, 0, 1, status::auth_failure);
	}
	{ // no OutgoingUser
		Initiator i(chap_config());
		const ChapRun run = start_chap(i, "5");
		i.refused({{"CHAP_N", "alice"},
			   {"CHAP_R", encode_hex(chap_response(run.alg, run.id, "alice-secret-1",
							       run.chal))},
			   {"CHAP_I", "1"},
			   {"CHAP_C", "0x0102030405060708"}},
			  true, 0, 1, status::auth_failure);
	}
	{ // the same secret both ways
		Initiator i(chap_config(ChapUser{"t", "alice-secret-1"}));
		const ChapRun run = start_chap(i, "5");
		i.refused({{"CHAP_N", "alice"},
			   {"CHAP_R", encode_hex(chap_response(run.alg, run.id, "alice-secret-1",
							       run.chal))},
			   {"CHAP_I", "1"},
			   {"CHAP_C", "0x0102030405060708"}},
			  true, 0, 1, status::auth_failure);
	}
	{ // CHAP_I without CHAP_C, and a bad identifier
		for (const TextList &extra : {TextList{{"CHAP_I", "1"}},
					      TextList{{"CHAP_I", "256"}, {"CHAP_C", "0x01"}},
					      TextList{{"CHAP_I", "1"}, {"CHAP_C", "0x"}}}) {
			Initiator i(chap_config(ChapUser{"t", "target-secret-x"}));
			const ChapRun run = start_chap(i, "5");
			TextList keys{{"CHAP_N", "alice"},
				      {"CHAP_R", encode_hex(chap_response(run.alg, run.id,
									  "alice-secret-1", run.chal))}};
			keys.insert(keys.end(), extra.begin(), extra.end());
			i.refused(keys, true, 0, 1, status::auth_failure);
		}
	}
}

TEST(LoginChap, Refusals)
{
	{ // CHAP required, None offered
		Initiator i(chap_config());
		i.refused(i.first(false, "None"), true, 0, 1, status::auth_failure);
	}
	{ // CHAP required, no AuthMethod, transit
		Initiator i(chap_config());
		i.refused(i.first(false, nullptr), true, 0, 1, status::auth_failure);
	}
	{ // CHAP required, security stage skipped
		Initiator i(chap_config());
		i.refused(i.first(false, nullptr), true, 1, 3, status::auth_failure);
	}
	{ // CHAP offered, the target has no users
		Initiator i(config());
		i.refused(i.first(false, "CHAP"), false, 0, 1, status::auth_failure);
	}
	{ // CHAP keys without AuthMethod=CHAP
		Initiator i(config());
		i.ok(i.first(false, nullptr), false, 0, 1);
		i.refused({{"CHAP_A", "5"}}, false, 0, 1, status::auth_failure);
	}
	{ // no algorithm in common
		Initiator i(chap_config());
		i.ok(i.first(false, "CHAP"), false, 0, 1);
		i.refused({{"CHAP_A", "1,2,3"}}, false, 0, 1, status::auth_failure);
	}
	{ // unknown user
		Initiator i(chap_config());
		const ChapRun run = start_chap(i, "5");
		i.refused({{"CHAP_N", "mallory"},
			   {"CHAP_R", encode_hex(chap_response(run.alg, run.id, "x", run.chal))}},
			  true, 0, 1, status::auth_failure);
	}
}

TEST(LoginChap, TransitWaitsForAuthentication)
{
	Initiator i(chap_config());
	// T=1 in the first PDU: the target answers CHAP, but stays.
	const auto r = i.ok(i.first(false, "CHAP,None"), true, 0, 1);
	EXPECT_EQ(*get(r, "AuthMethod"), "CHAP");
	EXPECT_FALSE(i.last.transit);
}

TEST(LoginChap, DiscoveryUsesTheDriverUsers)
{
	Snapshot s = config();
	s.driver.incoming = {{"disc", "discovery-secret"}};
	Initiator i(s);
	const auto r1 = i.ok(i.first(true, "CHAP,None"), false, 0, 1);
	EXPECT_EQ(*get(r1, "AuthMethod"), "CHAP");
	const auto r2 = i.ok({{"CHAP_A", "7"}}, false, 0, 1);
	const auto chal = *decode_binary(*get(r2, "CHAP_C"));
	const auto id = static_cast<std::uint8_t>(*parse_number(*get(r2, "CHAP_I")));
	i.ok({{"CHAP_N", "disc"},
	      {"CHAP_R", encode_hex(chap_response(ChapAlgorithm::sha256, id, "discovery-secret", chal))}},
	     true, 0, 3);
	ASSERT_EQ(i.login.state(), Login::State::discovery);
	EXPECT_EQ(i.login.discovery().chap_user, "disc");
}
