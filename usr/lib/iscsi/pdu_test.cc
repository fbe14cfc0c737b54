#include "iscsi/pdu.h"

#include <gtest/gtest.h>

using namespace strix::iscsi;

TEST(Pdu, LoginRequestLayout)
{
	LoginRequest r;
	r.transit = true;
	r.csg = Stage::operational;
	r.nsg = 3;
	r.version_max = 0;
	r.version_min = 0;
	r.isid = 0x800001020304;
	r.tsih = 0x1234;
	r.itt = 0xa1b2c3d4;
	r.cid = 7;
	r.cmdsn = 0x01020304;
	r.exp_statsn = 0x05060708;
	r.data = {'A', '=', 'b', 0};
	const Pdu p = r.encode();
	EXPECT_EQ(p.bhs[0], 0x43); // immediate, opcode 3
	EXPECT_EQ(p.bhs[1], 0x87); // T, CSG 1, NSG 3
	EXPECT_EQ(p.bhs[8], 0x80);
	EXPECT_EQ(p.bhs[13], 0x04);
	EXPECT_EQ(p.bhs[14], 0x12);
	EXPECT_EQ(p.bhs[15], 0x34);
	EXPECT_EQ(p.bhs[16], 0xa1);
	EXPECT_EQ(p.bhs[21], 7);
	EXPECT_EQ(p.bhs[24], 1);
	EXPECT_EQ(p.bhs[31], 8);
	EXPECT_EQ(p.data_length(), 4u);
	const LoginRequest d = LoginRequest::decode(p);
	EXPECT_TRUE(d.transit);
	EXPECT_FALSE(d.cont);
	EXPECT_EQ(d.csg, Stage::operational);
	EXPECT_EQ(d.nsg, 3);
	EXPECT_EQ(d.isid, r.isid);
	EXPECT_EQ(d.tsih, r.tsih);
	EXPECT_EQ(d.itt, r.itt);
	EXPECT_EQ(d.cid, r.cid);
	EXPECT_EQ(d.cmdsn, r.cmdsn);
	EXPECT_EQ(d.exp_statsn, r.exp_statsn);
	EXPECT_EQ(d.data, r.data);
}

TEST(Pdu, LoginResponseLayout)
{
	LoginResponse r;
	r.transit = true;
	r.csg = Stage::operational;
	r.nsg = Stage::full_feature;
	r.isid = 0x23d000000001;
	r.tsih = 0;
	r.itt = 9;
	r.statsn = 0x11223344;
	r.exp_cmdsn = 0x55667788;
	r.max_cmdsn = 0x99aabbcc;
	r.status = status::auth_failure;
	r.data = {'X', '=', 'y', 0, 'Z'};
	const Pdu p = r.encode();
	EXPECT_EQ(p.bhs[0], 0x23);
	EXPECT_EQ(p.bhs[1], 0x87);
	EXPECT_EQ(get_be32(&p.bhs[24]), 0x11223344u); // StatSN
	EXPECT_EQ(get_be32(&p.bhs[28]), 0x55667788u); // ExpCmdSN
	EXPECT_EQ(get_be32(&p.bhs[32]), 0x99aabbccu); // MaxCmdSN
	EXPECT_EQ(p.bhs[36], 0x02);
	EXPECT_EQ(p.bhs[37], 0x01);
	const auto bytes = p.serialize();
	ASSERT_EQ(bytes.size(), 48u + 8u); // 5 bytes padded to 8
	EXPECT_EQ(bytes[48 + 4], 'Z');
	EXPECT_EQ(bytes[48 + 5], 0);
	EXPECT_EQ(get_be24(&bytes[5]), 5u);
	const LoginResponse d = LoginResponse::decode(p);
	EXPECT_EQ(d.status, status::auth_failure);
	EXPECT_EQ(d.statsn, r.statsn);
	EXPECT_EQ(d.nsg, Stage::full_feature);
	EXPECT_EQ(describe(d.status), "authentication failure");
}

namespace {

std::vector<std::uint8_t> login_bytes(std::uint32_t dlen)
{
	LoginRequest r;
	r.data.assign(dlen, 'a');
	return r.encode().serialize();
}

} // namespace

TEST(Pdu, ReaderFramesPartialAndBackToBack)
{
	PduReader reader;
	auto a = login_bytes(5);
	auto b = login_bytes(8);
	std::vector<std::uint8_t> all = a;
	all.insert(all.end(), b.begin(), b.end());
	// Byte by byte: nothing until the first PDU is complete.
	for (std::size_t i = 0; i < a.size() - 1; i++) {
		reader.feed({&all[i], 1});
		ASSERT_FALSE(*reader.next());
	}
	reader.feed({&all[a.size() - 1], all.size() - a.size() + 1});
	auto p1 = reader.next();
	ASSERT_TRUE(p1 && *p1);
	EXPECT_EQ((*p1)->data.size(), 5u);
	auto p2 = reader.next();
	ASSERT_TRUE(p2 && *p2);
	EXPECT_EQ((*p2)->data.size(), 8u);
	EXPECT_FALSE(*reader.next());
	EXPECT_EQ(reader.buffered(), 0u);
}

TEST(Pdu, ReaderRefusesAhsAndLongData)
{
	{
		PduReader reader;
		auto bytes = login_bytes(0);
		bytes[4] = 1;
		reader.feed(bytes);
		EXPECT_EQ(reader.next().error(), PduError::ahs);
	}
	{
		PduReader reader;
		auto bytes = login_bytes(0);
		put_be24(&bytes[5], 8193); // lying length, no data behind it
		reader.feed(bytes);
		EXPECT_EQ(reader.next().error(), PduError::data_too_long);
	}
	{
		PduReader reader;
		reader.feed(login_bytes(8192));
		auto p = reader.next();
		ASSERT_TRUE(p && *p);
	}
}

TEST(Pdu, TextLogoutNopReject)
{
	TextResponse t;
	t.final = false;
	t.cont = true;
	t.itt = 5;
	t.ttt = 6;
	t.statsn = 7;
	t.exp_cmdsn = 8;
	t.max_cmdsn = 9;
	const Pdu tp = t.encode();
	EXPECT_EQ(tp.bhs[0], 0x24);
	EXPECT_EQ(tp.bhs[1], 0x40);
	EXPECT_EQ(get_be32(&tp.bhs[20]), 6u);
	EXPECT_EQ(TextResponse::decode(tp).max_cmdsn, 9u);

	TextRequest q;
	q.immediate = true;
	q.ttt = 3;
	const Pdu qp = q.encode();
	EXPECT_EQ(qp.bhs[0], 0x44);
	EXPECT_EQ(TextRequest::decode(qp).ttt, 3u);

	LogoutRequest lo;
	lo.reason = 0;
	lo.itt = 77;
	const Pdu lop = lo.encode();
	EXPECT_EQ(lop.bhs[1], 0x80);
	EXPECT_EQ(LogoutRequest::decode(lop).itt, 77u);

	LogoutResponse lr;
	lr.time2wait = 2;
	lr.time2retain = 20;
	const Pdu lrp = lr.encode();
	EXPECT_EQ(lrp.bhs[0], 0x26);
	EXPECT_EQ(get_be16(&lrp.bhs[40]), 2u);
	EXPECT_EQ(get_be16(&lrp.bhs[42]), 20u);

	NopIn n;
	n.itt = 1;
	n.data = {1, 2, 3};
	const Pdu np = n.encode();
	EXPECT_EQ(np.bhs[0], 0x20);
	EXPECT_EQ(np.serialize().size(), 52u);

	Reject r;
	r.reason = 4;
	r.rejected[0] = 0x01;
	const Pdu rp = r.encode();
	EXPECT_EQ(rp.bhs[0], 0x3f);
	EXPECT_EQ(rp.bhs[2], 4);
	EXPECT_EQ(rp.data.size(), 48u);
	EXPECT_EQ(rp.data[0], 0x01);
	EXPECT_EQ(get_be32(&rp.bhs[16]), reserved_tag);
}

TEST(Pdu, SerialNumbers)
{
	EXPECT_TRUE(sn_less(1, 2));
	EXPECT_FALSE(sn_less(2, 2));
	EXPECT_TRUE(sn_less(0xffffffff, 0));
	EXPECT_FALSE(sn_less(0, 0xffffffff));
}
