#include "iscsi/config.h"

#include <gtest/gtest.h>

#include "testing/tree_fixture.h"

using namespace strix::iscsi;

namespace {

class Config : public strix::testing::TreeFixture {
protected:
	void target(const std::string &name, const std::string &rel, const std::string &content)
	{
		write_file("targets/iscsi/" + name + "/" + rel, content);
	}
};

constexpr const char *t1 = "iqn.2024-01.org.strix:t1";

} // namespace

TEST_F(Config, MissingDriverIsAnError)
{
	const auto s = read_snapshot(root_);
	ASSERT_FALSE(s);
	EXPECT_EQ(s.error().errnum(), ENOENT);
}

TEST_F(Config, DefaultsOfAnEmptyTree)
{
	make_dir("targets/iscsi");
	make_dir(std::string("targets/iscsi/") + t1);
	const auto s = read_snapshot(root_);
	ASSERT_TRUE(s);
	EXPECT_TRUE(s->driver.enabled);
	EXPECT_TRUE(s->driver.incoming.empty());
	EXPECT_FALSE(s->driver.outgoing);
	ASSERT_EQ(s->targets.size(), 1u);
	const TargetConfig &t = s->targets[0];
	EXPECT_EQ(t.name, t1);
	EXPECT_FALSE(t.enabled);
	EXPECT_FALSE(t.tid);
	EXPECT_EQ(t.limits, Limits{});
	EXPECT_FALSE(t.limits.initial_r2t);
	EXPECT_TRUE(t.limits.immediate_data);
	EXPECT_EQ(t.limits.max_recv_dsl, 262144u);
	EXPECT_EQ(t.limits.max_burst, 1048576u);
	EXPECT_EQ(t.limits.first_burst, 65536u);
	EXPECT_EQ(t.limits.max_outstanding_r2t, 32u);
	EXPECT_EQ(t.limits.header_digest, (std::vector<Digest>{Digest::crc32c, Digest::none}));
	EXPECT_TRUE(s->warnings.empty());
}

TEST_F(Config, ReadsEverything)
{
	write_file("targets/iscsi/enabled", "0\n");
	write_file("targets/iscsi/IncomingUser", "disc discsecret123\n[key]\n");
	write_file("targets/iscsi/IncomingUser1", "disc2 other secret with blanks\n");
	write_file("targets/iscsi/OutgoingUser", "tgt tgtsecret1234\n");
	write_file("targets/iscsi/mgmt", "");
	target(t1, "enabled", "1\n");
	target(t1, "tid", "3\n");
	target(t1, "IncomingUser2", "c sc\n");
	target(t1, "IncomingUser", "a sa\n[key]\n");
	target(t1, "IncomingUser10", "b sb\n");
	target(t1, "IncomingUserX", "ignored x\n");
	target(t1, "OutgoingUser", "o so\n");
	target(t1, "allowed_portal", "10.0.0.*\n");
	target(t1, "allowed_portal1", "[fe80::*]\n");
	target(t1, "per_portal_acl", "1\n");
	target(t1, "ini_groups/g1/initiators/iqn.x:*", "");
	target(t1, "ini_groups/g1/initiators/mgmt", "");
	target(t1, "ini_groups/g2/initiators/!iqn.bad", "");
	target(t1, "InitialR2T", "Yes\n");
	target(t1, "ImmediateData", "No\n[key]\n");
	target(t1, "MaxRecvDataSegmentLength", "65536\n");
	target(t1, "MaxXmitDataSegmentLength", "131072\n");
	target(t1, "MaxBurstLength", "524288\n");
	target(t1, "FirstBurstLength", "16384\n");
	target(t1, "MaxOutstandingR2T", "4\n");
	target(t1, "HeaderDigest", "CRC32C\n");
	target(t1, "DataDigest", "None,CRC32C\n");
	target(t1, "alias", "My disk\n");
	write_file("targets/iscsi/iqn.2024-01.org.strix:t0/enabled", "0\n");

	const auto s = read_snapshot(root_);
	ASSERT_TRUE(s);
	EXPECT_FALSE(s->driver.enabled);
	EXPECT_EQ(s->driver.incoming, (std::vector<ChapUser>{{"disc", "discsecret123"},
							    {"disc2", "other secret with blanks"}}));
	EXPECT_EQ(s->driver.outgoing, (ChapUser{"tgt", "tgtsecret1234"}));
	ASSERT_EQ(s->targets.size(), 2u);
	EXPECT_EQ(s->targets[0].name, "iqn.2024-01.org.strix:t0");
	const TargetConfig &t = s->targets[1];
	EXPECT_TRUE(t.enabled);
	EXPECT_EQ(t.tid, 3u);
	// IncomingUser, IncomingUser2, IncomingUser10 in numeric order.
	EXPECT_EQ(t.incoming, (std::vector<ChapUser>{{"a", "sa"}, {"c", "sc"}, {"b", "sb"}}));
	EXPECT_EQ(t.outgoing, (ChapUser{"o", "so"}));
	EXPECT_EQ(t.allowed_portals, (std::vector<std::string>{"10.0.0.*", "[fe80::*]"}));
	EXPECT_TRUE(t.per_portal_acl);
	EXPECT_EQ(t.initiator_groups,
		  (std::vector<std::vector<std::string>>{{"iqn.x:*"}, {"!iqn.bad"}}));
	EXPECT_TRUE(t.limits.initial_r2t);
	EXPECT_FALSE(t.limits.immediate_data);
	EXPECT_EQ(t.limits.max_recv_dsl, 65536u);
	EXPECT_EQ(t.limits.max_xmit_dsl, 131072u);
	EXPECT_EQ(t.limits.max_burst, 524288u);
	EXPECT_EQ(t.limits.first_burst, 16384u);
	EXPECT_EQ(t.limits.max_outstanding_r2t, 4u);
	EXPECT_EQ(t.limits.header_digest, (std::vector<Digest>{Digest::crc32c}));
	EXPECT_EQ(t.limits.data_digest, (std::vector<Digest>{Digest::none, Digest::crc32c}));
	EXPECT_EQ(t.alias, "My disk");
	EXPECT_TRUE(s->warnings.empty());
	EXPECT_EQ(s->find("IQN.2024-01.ORG.STRIX:T1"), &t);
	EXPECT_EQ(s->find(t1), &t);
	EXPECT_FALSE(s->find("iqn.none"));
}

TEST_F(Config, MalformedValuesWarnAndDefault)
{
	target(t1, "MaxBurstLength", "lots\n");
	target(t1, "MaxRecvDataSegmentLength", "100\n");
	target(t1, "HeaderDigest", "MD5\n");
	target(t1, "InitialR2T", "perhaps\n");
	target(t1, "FirstBurstLength", "4194304\n"); // above MaxBurstLength
	const auto s = read_snapshot(root_);
	ASSERT_TRUE(s);
	const Limits &l = s->targets[0].limits;
	EXPECT_EQ(l.max_burst, 1048576u);
	EXPECT_EQ(l.max_recv_dsl, 262144u);
	EXPECT_EQ(l.header_digest, Limits{}.header_digest);
	EXPECT_FALSE(l.initial_r2t);
	EXPECT_EQ(l.first_burst, 1048576u);
	EXPECT_EQ(s->warnings.size(), 5u);
}

TEST(ChapUserLine, Parse)
{
	EXPECT_EQ(parse_chap_user("joe  secret12345  "), (ChapUser{"joe", "secret12345"}));
	EXPECT_EQ(parse_chap_user("joe"), (ChapUser{"joe", ""}));
	EXPECT_FALSE(parse_chap_user("  "));
}

TEST(Wildcard, Match)
{
	EXPECT_TRUE(wildcard_match("*", ""));
	EXPECT_TRUE(wildcard_match("10.0.0.*", "10.0.0.17"));
	EXPECT_FALSE(wildcard_match("10.0.0.*", "10.0.1.17"));
	EXPECT_TRUE(wildcard_match("10.0.0.?", "10.0.0.1"));
	EXPECT_FALSE(wildcard_match("10.0.0.?", "10.0.0.17"));
	EXPECT_TRUE(wildcard_match("*:*:*", "fe80::1"));
	EXPECT_TRUE(wildcard_match("iqn.*:host*", "iqn.1993-08.org.debian:host7"));
	EXPECT_TRUE(wildcard_match("a*b*c", "aXXbYYc"));
	EXPECT_FALSE(wildcard_match("a*b*c", "aXXbYY"));
	EXPECT_TRUE(wildcard_match("exact", "exact"));
	EXPECT_FALSE(wildcard_match("exact", "exactly"));
}

TEST(Access, PortalsGroupsVisibility)
{
	TargetConfig t;
	t.name = "t";
	t.enabled = true;
	EXPECT_TRUE(portal_allowed(t, "192.0.2.1"));
	t.allowed_portals = {"192.0.2.*", "[2001:db8::1]"};
	EXPECT_TRUE(portal_allowed(t, "192.0.2.1"));
	EXPECT_TRUE(portal_allowed(t, "2001:db8::1"));
	EXPECT_FALSE(portal_allowed(t, "198.51.100.1"));

	EXPECT_TRUE(group_admits({"iqn.a*"}, "iqn.abc"));
	EXPECT_FALSE(group_admits({"iqn.a*", "!iqn.ab*"}, "iqn.abc"));
	EXPECT_TRUE(group_admits({"!iqn.bad"}, "iqn.good"));
	EXPECT_FALSE(group_admits({"!iqn.bad"}, "iqn.bad"));
	EXPECT_FALSE(group_admits({}, "iqn.any"));

	EXPECT_TRUE(initiator_allowed(t, "iqn.x", "192.0.2.1")); // no per_portal_acl
	t.per_portal_acl = true;
	EXPECT_FALSE(initiator_allowed(t, "iqn.x", "192.0.2.1"));
	t.initiator_groups = {{"iqn.x#192.0.2.1"}};
	EXPECT_TRUE(initiator_allowed(t, "iqn.x", "192.0.2.1"));
	EXPECT_FALSE(initiator_allowed(t, "iqn.x", "192.0.2.2"));

	Snapshot s;
	s.targets = {t};
	s.targets[0].per_portal_acl = false;
	TargetConfig off;
	off.name = "off";
	s.targets.push_back(off);
	const auto v = visible_targets(s, "iqn.x", "192.0.2.3");
	ASSERT_EQ(v.size(), 1u);
	EXPECT_EQ(v[0]->name, "t");
	EXPECT_TRUE(visible_targets(s, "iqn.x", "198.51.100.1").empty());
}
