#include "iscsi/discovery.h"

#include <gtest/gtest.h>

using namespace strix::iscsi;

namespace {

Pdu text_request(const TextList &keys, std::uint32_t cmdsn, std::uint32_t ttt = reserved_tag,
		 bool cont = false)
{
	TextRequest r;
	r.itt = 0x21;
	r.ttt = ttt;
	r.cmdsn = cmdsn;
	r.final = !cont;
	r.cont = cont;
	r.data = encode_text(keys);
	return r.encode();
}

std::vector<SendTargetsEntry> two()
{
	return {{"iqn.a", {"192.0.2.1:3260,1"}}, {"iqn.b", {"192.0.2.1:3260,1"}}};
}

} // namespace

TEST(Discovery, SendTargetsFromTheSnapshot)
{
	Snapshot s;
	TargetConfig a;
	a.name = "iqn.a";
	a.enabled = true;
	TargetConfig b = a;
	b.name = "iqn.b";
	b.allowed_portals = {"10.*"};
	TargetConfig c = a;
	c.name = "iqn.c";
	c.enabled = false;
	s.targets = {a, b, c};
	EXPECT_EQ(send_targets(s, "iqn.i", {"192.0.2.1", 3260, "192.0.2.2", 1}),
		  (std::vector<SendTargetsEntry>{{"iqn.a", {"192.0.2.1:3260,1"}}}));
	EXPECT_EQ(send_targets(s, "iqn.i", {"2001:db8::1", 3261, "2001:db8::2", 1})[0].addresses[0],
		  "[2001:db8::1]:3261,1");
	EXPECT_EQ(send_targets(s, "iqn.i", {"10.1.1.1", 3260, "10.1.1.2", 1}).size(), 2u);
}

TEST(Discovery, AllAndOne)
{
	DiscoverySession d(two(), 500, 10, 8192);
	auto out = d.receive(text_request({{"SendTargets", "All"}}, 10));
	ASSERT_EQ(out.size(), 1u);
	auto r = TextResponse::decode(out[0]);
	EXPECT_TRUE(r.final);
	EXPECT_EQ(r.itt, 0x21u);
	EXPECT_EQ(r.ttt, reserved_tag);
	EXPECT_EQ(r.statsn, 500u);
	EXPECT_EQ(r.exp_cmdsn, 11u);
	EXPECT_EQ(r.max_cmdsn, 11u + discovery_window - 1);
	EXPECT_EQ(*parse_text(r.data),
		  (TextList{{"TargetName", "iqn.a"}, {"TargetAddress", "192.0.2.1:3260,1"},
			    {"TargetName", "iqn.b"}, {"TargetAddress", "192.0.2.1:3260,1"}}));

	out = d.receive(text_request({{"SendTargets", "iqn.b"}, {"Other", "x"}}, 11));
	r = TextResponse::decode(out[0]);
	EXPECT_EQ(r.statsn, 501u);
	EXPECT_EQ(*parse_text(r.data),
		  (TextList{{"TargetName", "iqn.b"}, {"TargetAddress", "192.0.2.1:3260,1"},
			    {"Other", "NotUnderstood"}}));

	out = d.receive(text_request({{"SendTargets", "iqn.hidden"}}, 12));
	EXPECT_TRUE(TextResponse::decode(out[0]).data.empty());
}

TEST(Discovery, LongAnswersAreContinued)
{
	std::vector<SendTargetsEntry> many;
	for (int i = 0; i < 100; i++)
		many.push_back({"iqn.2024-01.org.strix:target-" + std::to_string(i), {"192.0.2.1:3260,1"}});
	DiscoverySession d(many, 1, 1, 512);
	std::vector<std::uint8_t> all;
	auto out = d.receive(text_request({{"SendTargets", "All"}}, 1));
	int pdus = 1;
	for (;;) {
		ASSERT_EQ(out.size(), 1u);
		const auto r = TextResponse::decode(out[0]);
		EXPECT_LE(r.data.size(), 512u);
		all.insert(all.end(), r.data.begin(), r.data.end());
		if (r.final) {
			EXPECT_EQ(r.ttt, reserved_tag);
			break;
		}
		EXPECT_TRUE(r.cont);
		EXPECT_NE(r.ttt, reserved_tag);
		out = d.receive(text_request({}, 2 + static_cast<std::uint32_t>(pdus), r.ttt));
		pdus++;
	}
	EXPECT_GT(pdus, 5);
	const auto keys = *parse_text(all);
	EXPECT_EQ(keys.size(), 200u);
	EXPECT_FALSE(d.finished());
}

TEST(Discovery, InitiatorContinuation)
{
	DiscoverySession d(two(), 1, 1, 8192);
	const auto bytes = encode_text({{"SendTargets", "All"}});
	TextRequest a;
	a.cont = true;
	a.final = false;
	a.data.assign(bytes.begin(), bytes.begin() + 4);
	auto out = d.receive(a.encode());
	ASSERT_EQ(out.size(), 1u);
	EXPECT_TRUE(TextResponse::decode(out[0]).data.empty());
	TextRequest b;
	b.data.assign(bytes.begin() + 4, bytes.end());
	out = d.receive(b.encode());
	EXPECT_EQ(parse_text(TextResponse::decode(out[0]).data)->size(), 4u);
}

TEST(Discovery, BadTransferTagEndsTheSession)
{
	DiscoverySession d(two(), 1, 1, 8192);
	EXPECT_TRUE(d.receive(text_request({}, 1, 0x99)).empty());
	EXPECT_TRUE(d.finished());
	EXPECT_FALSE(d.error().empty());
}

TEST(Discovery, NopLogoutReject)
{
	DiscoverySession d(two(), 100, 5, 8192);
	Pdu nop;
	nop.bhs[0] = 0x40; // immediate NOP-Out
	nop.bhs[1] = 0x80;
	put_be32(&nop.bhs[16], 7);
	put_be32(&nop.bhs[20], reserved_tag);
	nop.data = {1, 2, 3};
	auto out = d.receive(nop);
	ASSERT_EQ(out.size(), 1u);
	EXPECT_EQ(out[0].opcode(), Opcode::nop_in);
	EXPECT_EQ(out[0].itt(), 7u);
	EXPECT_EQ(out[0].data, nop.data);

	Pdu scsi;
	scsi.bhs[0] = 0x01;
	out = d.receive(scsi);
	ASSERT_EQ(out.size(), 1u);
	EXPECT_EQ(out[0].opcode(), Opcode::reject);
	EXPECT_EQ(out[0].bhs[2], 0x04);
	EXPECT_FALSE(d.finished());

	LogoutRequest lo;
	lo.itt = 9;
	lo.cmdsn = 5;
	out = d.receive(lo.encode());
	ASSERT_EQ(out.size(), 1u);
	const auto r = LogoutResponse::decode(out[0]);
	EXPECT_EQ(r.itt, 9u);
	EXPECT_EQ(r.response, 0);
	EXPECT_EQ(r.statsn, 102u);
	EXPECT_EQ(r.exp_cmdsn, 6u);
	EXPECT_TRUE(d.finished());
	EXPECT_TRUE(d.error().empty());
	EXPECT_TRUE(d.receive(lo.encode()).empty());
}

TEST(Discovery, LoginInFullFeaturePhaseEndsIt)
{
	DiscoverySession d(two(), 1, 1, 8192);
	EXPECT_TRUE(d.receive(LoginRequest{}.encode()).empty());
	EXPECT_TRUE(d.finished());
}
