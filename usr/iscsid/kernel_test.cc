#include "kernel.h"

#include <linux/genetlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <strix_iscsi_nl.h>

#include <gtest/gtest.h>

using namespace strix::iscsid;

TEST(ConnAddMessage, CarriesEveryAttribute)
{
	ConnAdd r;
	r.fd = 7;
	r.target = "iqn.t";
	r.initiator = "iqn.i";
	r.initiator_alias = "host";
	r.isid = 0x23d000000001;
	r.tsih = 0x10;
	r.cid = 2;
	r.cmd_sn = 99;
	r.login_rsp.assign(52, 0xab);
	r.params.header_digest = strix::iscsi::Digest::crc32c;
	r.params.max_recv_dsl = 262144;
	r.params.max_xmit_dsl = 65536;
	r.params.max_burst = 1048576;
	r.params.first_burst = 65536;
	r.params.initial_r2t = false;
	r.params.max_outstanding_r2t = 1;
	r.params.time2retain = 0;

	nl_msg *msg = build_conn_add(42, r);
	ASSERT_TRUE(msg);
	nlmsghdr *nlh = nlmsg_hdr(msg);
	EXPECT_EQ(nlh->nlmsg_type, 42);
	auto *gh = static_cast<genlmsghdr *>(nlmsg_data(nlh));
	EXPECT_EQ(gh->cmd, STRIX_ISCSI_CMD_CONN_ADD);
	EXPECT_EQ(gh->version, STRIX_ISCSI_GENL_VERSION);
	nlattr *a[STRIX_ISCSI_A_MAX + 1] = {};
	ASSERT_EQ(genlmsg_parse(nlh, 0, a, STRIX_ISCSI_A_MAX, nullptr), 0);
	for (int i = STRIX_ISCSI_A_FD; i <= STRIX_ISCSI_A_TIME2RETAIN; i++)
		EXPECT_TRUE(a[i]) << "attribute " << i;
	EXPECT_FALSE(a[STRIX_ISCSI_A_REASON]);
	EXPECT_EQ(nla_get_u32(a[STRIX_ISCSI_A_FD]), 7u);
	EXPECT_STREQ(nla_get_string(a[STRIX_ISCSI_A_TARGET]), "iqn.t");
	EXPECT_STREQ(nla_get_string(a[STRIX_ISCSI_A_INITIATOR]), "iqn.i");
	EXPECT_STREQ(nla_get_string(a[STRIX_ISCSI_A_INITIATOR_ALIAS]), "host");
	EXPECT_EQ(nla_get_u64(a[STRIX_ISCSI_A_ISID]), 0x23d000000001u);
	EXPECT_EQ(nla_get_u16(a[STRIX_ISCSI_A_TSIH]), 0x10);
	EXPECT_EQ(nla_get_u16(a[STRIX_ISCSI_A_CID]), 2);
	EXPECT_EQ(nla_get_u32(a[STRIX_ISCSI_A_CMD_SN]), 99u);
	EXPECT_EQ(nla_len(a[STRIX_ISCSI_A_LOGIN_RSP]), 52);
	EXPECT_EQ(nla_get_u8(a[STRIX_ISCSI_A_HEADER_DIGEST]), 1);
	EXPECT_EQ(nla_get_u8(a[STRIX_ISCSI_A_DATA_DIGEST]), 0);
	EXPECT_EQ(nla_get_u32(a[STRIX_ISCSI_A_MAX_RECV_DSL]), 262144u);
	EXPECT_EQ(nla_get_u32(a[STRIX_ISCSI_A_MAX_XMIT_DSL]), 65536u);
	EXPECT_EQ(nla_get_u32(a[STRIX_ISCSI_A_MAX_BURST]), 1048576u);
	EXPECT_EQ(nla_get_u32(a[STRIX_ISCSI_A_FIRST_BURST]), 65536u);
	EXPECT_EQ(nla_get_u8(a[STRIX_ISCSI_A_INITIAL_R2T]), 0);
	EXPECT_EQ(nla_get_u8(a[STRIX_ISCSI_A_IMMEDIATE_DATA]), 1);
	EXPECT_EQ(nla_get_u32(a[STRIX_ISCSI_A_MAX_OUTSTANDING_R2T]), 1u);
	EXPECT_EQ(nla_get_u8(a[STRIX_ISCSI_A_DATA_PDU_IN_ORDER]), 1);
	EXPECT_EQ(nla_get_u8(a[STRIX_ISCSI_A_DATA_SEQ_IN_ORDER]), 1);
	EXPECT_EQ(nla_get_u8(a[STRIX_ISCSI_A_ERL]), 0);
	EXPECT_EQ(nla_get_u16(a[STRIX_ISCSI_A_TIME2WAIT]), 2);
	EXPECT_EQ(nla_get_u16(a[STRIX_ISCSI_A_TIME2RETAIN]), 0);
	nlmsg_free(msg);
}

TEST(ConnAddMessage, AliasOnlyWhenSet)
{
	ConnAdd r;
	r.target = "t";
	r.initiator = "i";
	nl_msg *msg = build_conn_add(1, r);
	ASSERT_TRUE(msg);
	nlattr *a[STRIX_ISCSI_A_MAX + 1] = {};
	ASSERT_EQ(genlmsg_parse(nlmsg_hdr(msg), 0, a, STRIX_ISCSI_A_MAX, nullptr), 0);
	EXPECT_FALSE(a[STRIX_ISCSI_A_INITIATOR_ALIAS]);
	nlmsg_free(msg);
}

namespace {

// An event as the kernel sends it: the command and string attributes.
nl_msg *event(std::uint8_t cmd, std::initializer_list<std::pair<int, const char *>> attrs)
{
	nl_msg *msg = nlmsg_alloc();
	genlmsg_put(msg, 0, 0, 42, 0, 0, cmd, STRIX_ISCSI_GENL_VERSION);
	for (const auto &[type, value] : attrs)
		nla_put_string(msg, type, value);
	return msg;
}

std::string describe(nl_msg *msg)
{
	std::string s = describe_event(msg);
	nlmsg_free(msg);
	return s;
}

} // namespace

TEST(Events, TargetAddedAndRemoved)
{
	EXPECT_EQ(describe(event(STRIX_ISCSI_EVENT_TARGET_ADDED, {{STRIX_ISCSI_A_TARGET, "iqn.t"}})),
		  "target added: iqn.t");
	EXPECT_EQ(describe(event(STRIX_ISCSI_EVENT_TARGET_REMOVED, {{STRIX_ISCSI_A_TARGET, "iqn.t"}})),
		  "target removed: iqn.t");
}

TEST(Events, AttributeOfATargetOrOfTheDriver)
{
	EXPECT_EQ(describe(event(STRIX_ISCSI_EVENT_ATTR_CHANGED,
				 {{STRIX_ISCSI_A_TARGET, "iqn.t"}, {STRIX_ISCSI_A_ATTR, "IncomingUser"}})),
		  "target iqn.t: attribute IncomingUser changed");
	EXPECT_EQ(describe(event(STRIX_ISCSI_EVENT_ATTR_CHANGED, {{STRIX_ISCSI_A_ATTR, "enabled"}})),
		  "driver attribute enabled changed");
}

TEST(Events, ConnectionClosedNamesTheReason)
{
	nl_msg *msg = event(STRIX_ISCSI_EVENT_CONN_CLOSED,
			    {{STRIX_ISCSI_A_TARGET, "iqn.t"}, {STRIX_ISCSI_A_INITIATOR, "iqn.i"},
			     {STRIX_ISCSI_A_REASON, "logout"}});
	nla_put_u64(msg, STRIX_ISCSI_A_ISID, 0x23d000000001);
	nla_put_u16(msg, STRIX_ISCSI_A_TSIH, 5);
	nla_put_u16(msg, STRIX_ISCSI_A_CID, 1);
	EXPECT_EQ(describe(msg),
		  "connection closed: iqn.i -> iqn.t ISID 0x23d000000001 TSIH 0x0005 CID 1: logout");
}

TEST(Events, NotAnEvent)
{
	EXPECT_EQ(describe(event(STRIX_ISCSI_CMD_CONN_ADD, {})), "");
	EXPECT_EQ(describe(event(200, {})), "");
}
