#include "iscsi/negotiate.h"

#include <gtest/gtest.h>

using namespace strix::iscsi;

namespace {

struct Case {
	SessionType type;
	std::string key;
	std::string value;
	std::optional<std::string> answer; // nullopt: no answer expected
};

std::ostream &operator<<(std::ostream &os, const Case &c)
{
	return os << (c.type == SessionType::normal ? "normal " : "discovery ") << c.key << "="
		  << c.value;
}

class KeyRule : public ::testing::TestWithParam<Case> {};

constexpr auto N = SessionType::normal;
constexpr auto D = SessionType::discovery;

} // namespace

TEST_P(KeyRule, Answer)
{
	const Case &c = GetParam();
	Negotiator n(c.type, Limits{});
	TextList out;
	n.offer({c.key, c.value}, out);
	if (!c.answer) {
		EXPECT_TRUE(out.empty());
		return;
	}
	ASSERT_EQ(out.size(), 1u);
	EXPECT_EQ(out[0].key, c.key);
	EXPECT_EQ(out[0].value, *c.answer);
}

INSTANTIATE_TEST_SUITE_P(Rfc7143, KeyRule, ::testing::Values(
	// lists: the first of the initiator's values the target allows
	Case{N, "HeaderDigest", "CRC32C,None", "CRC32C"},
	Case{N, "HeaderDigest", "None,CRC32C", "None"},
	Case{N, "HeaderDigest", "Fancy,None", "None"},
	Case{N, "HeaderDigest", "Fancy", "Reject"},
	Case{N, "DataDigest", "CRC32C", "CRC32C"},
	Case{D, "HeaderDigest", "CRC32C,None", "None"}, // discovery: None only
	Case{D, "DataDigest", "CRC32C", "Reject"},
	// MaxConnections: min with 1
	Case{N, "MaxConnections", "4", "1"},
	Case{N, "MaxConnections", "0", "Reject"},
	Case{N, "MaxConnections", "65536", "Reject"},
	Case{N, "MaxConnections", "many", "Reject"},
	Case{D, "MaxConnections", "1", "Irrelevant"},
	// InitialR2T: OR with the target's No; ImmediateData: AND with Yes
	Case{N, "InitialR2T", "No", "No"},
	Case{N, "InitialR2T", "Yes", "Yes"},
	Case{N, "InitialR2T", "yes", "Reject"},
	Case{N, "ImmediateData", "Yes", "Yes"},
	Case{N, "ImmediateData", "No", "No"},
	Case{D, "InitialR2T", "No", "Irrelevant"},
	Case{D, "ImmediateData", "Yes", "Irrelevant"},
	// declarative: no answer
	Case{N, "MaxRecvDataSegmentLength", "262144", std::nullopt},
	Case{N, "MaxRecvDataSegmentLength", "511", "Reject"},
	Case{N, "MaxRecvDataSegmentLength", "16777216", "Reject"},
	Case{D, "MaxRecvDataSegmentLength", "32768", std::nullopt},
	// bursts: min with the target's limits
	Case{N, "MaxBurstLength", "16776192", "1048576"},
	Case{N, "MaxBurstLength", "4096", "4096"},
	Case{N, "MaxBurstLength", "511", "Reject"},
	Case{N, "FirstBurstLength", "262144", "65536"},
	Case{N, "FirstBurstLength", "0x1000", "4096"},
	Case{D, "MaxBurstLength", "4096", "Irrelevant"},
	Case{D, "FirstBurstLength", "4096", "Irrelevant"},
	// Time2Wait: max with 2; Time2Retain: min with 20
	Case{N, "DefaultTime2Wait", "0", "2"},
	Case{N, "DefaultTime2Wait", "10", "10"},
	Case{N, "DefaultTime2Wait", "3601", "Reject"},
	Case{N, "DefaultTime2Retain", "0", "0"},
	Case{N, "DefaultTime2Retain", "60", "20"},
	Case{D, "DefaultTime2Retain", "0", "0"},
	// MaxOutstandingR2T: min with 32
	Case{N, "MaxOutstandingR2T", "1", "1"},
	Case{N, "MaxOutstandingR2T", "64", "32"},
	Case{N, "MaxOutstandingR2T", "0", "Reject"},
	Case{D, "MaxOutstandingR2T", "1", "Irrelevant"},
	// in-order flags: OR with our Yes
	Case{N, "DataPDUInOrder", "No", "Yes"},
	Case{N, "DataSequenceInOrder", "Yes", "Yes"},
	Case{N, "DataSequenceInOrder", "1", "Reject"},
	Case{D, "DataPDUInOrder", "Yes", "Irrelevant"},
	// ErrorRecoveryLevel: min with 0
	Case{N, "ErrorRecoveryLevel", "2", "0"},
	Case{N, "ErrorRecoveryLevel", "3", "Reject"},
	Case{D, "ErrorRecoveryLevel", "0", "0"},
	// obsolete markers (RFC 7143, 13.26)
	Case{N, "IFMarker", "No", "No"},
	Case{N, "OFMarker", "Yes", "No"},
	Case{N, "OFMarker", "maybe", "Reject"},
	Case{N, "OFMarkInt", "2048~8192", "Reject"},
	Case{N, "IFMarkInt", "1", "Reject"},
	// RFC 7143 additions
	Case{N, "TaskReporting", "ResponseFence,RFC3720", "RFC3720"},
	Case{N, "TaskReporting", "FastAbort", "Reject"},
	Case{N, "iSCSIProtocolLevel", "2", "1"},
	Case{N, "iSCSIProtocolLevel", "0", "0"},
	Case{N, "iSCSIProtocolLevel", "32", "Reject"},
	Case{N, "RDMAExtensions", "Yes", "No"},
	// values that are answers, not offers, are ignored
	Case{N, "MaxBurstLength", "NotUnderstood", std::nullopt},
	Case{N, "HeaderDigest", "Irrelevant", std::nullopt},
	Case{N, "InitialR2T", "Reject", std::nullopt}));

TEST(Negotiator, DefaultsAreRfc7143s)
{
	Negotiator n(N, Limits{});
	const Params p = n.params();
	EXPECT_EQ(p, Params{});
	EXPECT_EQ(p.max_recv_dsl, 8192u);   // never declared
	EXPECT_EQ(p.max_xmit_dsl, 8192u);   // initiator declared nothing
	EXPECT_TRUE(p.initial_r2t);
	EXPECT_EQ(p.time2retain, 20);
}

TEST(Negotiator, OpenIscsiOffer)
{
	Negotiator n(N, Limits{});
	TextList out;
	for (const auto &kv : TextList{{"HeaderDigest", "None"}, {"DataDigest", "None"},
				       {"DefaultTime2Wait", "2"}, {"DefaultTime2Retain", "0"},
				       {"IFMarker", "No"}, {"OFMarker", "No"},
				       {"ErrorRecoveryLevel", "0"}, {"InitialR2T", "No"},
				       {"ImmediateData", "Yes"}, {"MaxBurstLength", "16776192"},
				       {"FirstBurstLength", "262144"}, {"MaxOutstandingR2T", "1"},
				       {"MaxConnections", "1"}, {"DataPDUInOrder", "Yes"},
				       {"DataSequenceInOrder", "Yes"},
				       {"MaxRecvDataSegmentLength", "262144"}})
		n.offer(kv, out);
	n.finish(out);
	n.declare(out);
	EXPECT_EQ(out.size(), 16u); // 15 answers + our MaxRecvDataSegmentLength
	EXPECT_EQ(out.back(), (KeyValue{"MaxRecvDataSegmentLength", "262144"}));
	TextList offers;
	EXPECT_FALSE(n.offers(offers));
	const Params p = n.params();
	EXPECT_EQ(p.header_digest, Digest::none);
	EXPECT_EQ(p.max_recv_dsl, 262144u);
	EXPECT_EQ(p.max_xmit_dsl, 262144u);
	EXPECT_EQ(p.max_burst, 1048576u);
	EXPECT_EQ(p.first_burst, 65536u);
	EXPECT_FALSE(p.initial_r2t);
	EXPECT_TRUE(p.immediate_data);
	EXPECT_EQ(p.max_outstanding_r2t, 1u);
	EXPECT_EQ(p.time2wait, 2);
	EXPECT_EQ(p.time2retain, 0);
	EXPECT_EQ(p.erl, 0);
}

TEST(Negotiator, MaxXmitIsCappedByTheTarget)
{
	Limits l;
	l.max_xmit_dsl = 65536;
	Negotiator n(N, l);
	TextList out;
	n.offer({"MaxRecvDataSegmentLength", "1048576"}, out);
	EXPECT_EQ(n.params().max_xmit_dsl, 65536u);
	Negotiator n2(N, l);
	n2.offer({"MaxRecvDataSegmentLength", "16384"}, out);
	EXPECT_EQ(n2.params().max_xmit_dsl, 16384u);
}

TEST(Negotiator, FirstBurstNeverAboveMaxBurst)
{
	Limits l;
	l.first_burst = 262144;
	Negotiator n(N, l);
	TextList out;
	n.offer({"FirstBurstLength", "131072"}, out);
	n.offer({"MaxBurstLength", "65536"}, out);
	n.finish(out);
	EXPECT_EQ(out[0], (KeyValue{"FirstBurstLength", "65536"}));
	EXPECT_EQ(n.params().first_burst, 65536u);
}

TEST(Negotiator, DeclaresOnce)
{
	Negotiator n(N, Limits{});
	TextList out;
	n.declare(out);
	n.declare(out);
	EXPECT_EQ(out.size(), 1u);
	Negotiator d(D, Limits{});
	TextList out2;
	d.declare(out2);
	EXPECT_EQ(out2[0].value, "8192"); // discovery sessions take small PDUs
}

TEST(Negotiator, ConfiguredDigestPreference)
{
	Limits l;
	l.header_digest = {Digest::crc32c};
	l.data_digest = {Digest::none};
	Negotiator n(N, l);
	TextList out;
	n.offer({"HeaderDigest", "None,CRC32C"}, out);
	n.offer({"DataDigest", "CRC32C,None"}, out);
	EXPECT_EQ(out[0].value, "CRC32C");
	EXPECT_EQ(out[1].value, "None");
	EXPECT_EQ(n.params().header_digest, Digest::crc32c);
	EXPECT_EQ(n.params().data_digest, Digest::none);
}

TEST(Negotiator, TargetOffersWhatTheDefaultsWouldBreak)
{
	Limits l;
	l.immediate_data = false;
	l.header_digest = {Digest::crc32c};
	l.max_burst = 131072;
	Negotiator n(N, l);
	TextList out;
	ASSERT_TRUE(n.offers(out));
	EXPECT_EQ(out, (TextList{{"HeaderDigest", "CRC32C"}, {"ImmediateData", "No"},
				 {"MaxBurstLength", "131072"}}));
	EXPECT_TRUE(n.awaiting_answers());
	TextList none;
	n.offer({"HeaderDigest", "CRC32C"}, none);
	n.offer({"ImmediateData", "No"}, none);
	EXPECT_TRUE(none.empty()); // answers are not answered
	n.settle_unanswered();     // MaxBurstLength: our value stands
	const Params p = n.params();
	EXPECT_EQ(p.header_digest, Digest::crc32c);
	EXPECT_FALSE(p.immediate_data);
	EXPECT_EQ(p.max_burst, 131072u);
	EXPECT_FALSE(n.error());
}

TEST(Negotiator, AnswerOutsideTheOfferIsAnError)
{
	Limits l;
	l.data_digest = {Digest::crc32c};
	Negotiator n(N, l);
	TextList out;
	ASSERT_TRUE(n.offers(out));
	n.offer({"DataDigest", "None"}, out);
	EXPECT_TRUE(n.error());
}

TEST(Keys, Table)
{
	ASSERT_TRUE(find_key("AuthMethod"));
	EXPECT_EQ(find_key("AuthMethod")->stage, KeyStage::security);
	EXPECT_EQ(find_key("CHAP_R")->stage, KeyStage::security);
	EXPECT_EQ(find_key("MaxBurstLength")->stage, KeyStage::operational);
	EXPECT_EQ(find_key("InitiatorName")->stage, KeyStage::any);
	EXPECT_EQ(find_key("TargetAddress")->stage, KeyStage::target_only);
	EXPECT_EQ(find_key("SendTargets")->stage, KeyStage::full_feature);
	EXPECT_FALSE(find_key("X-com.example.foo"));
	EXPECT_FALSE(find_key("maxburstlength")); // keys are case sensitive
	EXPECT_TRUE(is_extension_key("X-com.cisco.protocol"));
	EXPECT_TRUE(is_extension_key("X#NodeArchitecture"));
	EXPECT_FALSE(is_extension_key("Xfoo"));
}
