#include "iscsi/chap.h"

#include <gtest/gtest.h>

using namespace strix::iscsi;

namespace {

std::vector<std::uint8_t> challenge16()
{
	std::vector<std::uint8_t> c(16);
	for (std::size_t i = 0; i < c.size(); i++)
		c[i] = static_cast<std::uint8_t>(i);
	return c;
}

// A fixed "random" source: 0x42 everywhere.
void fixed(std::span<std::uint8_t> out)
{
	std::fill(out.begin(), out.end(), 0x42);
}

const std::string *get(const TextList &l, std::string_view k)
{
	for (const auto &kv : l)
		if (kv.key == k)
			return &kv.value;
	return nullptr;
}

} // namespace

// Expected values computed independently (Python hashlib) over
// 0x01 || "secret" || 00 01 .. 0f.
TEST(Chap, KnownDigests)
{
	const auto c = challenge16();
	EXPECT_EQ(encode_hex(chap_response(ChapAlgorithm::md5, 1, "secret", c)),
		  "0x740e86463bda3a4d7017d6e0fba0699d");
	EXPECT_EQ(encode_hex(chap_response(ChapAlgorithm::sha1, 1, "secret", c)),
		  "0x3890198f5112376188a9742805758384545583a6");
	EXPECT_EQ(encode_hex(chap_response(ChapAlgorithm::sha256, 1, "secret", c)),
		  "0x28b96c916cf784528bbfaa6ad7e012cab293437604aae8d66a3295b319132cef");
	EXPECT_EQ(encode_hex(chap_response(ChapAlgorithm::sha3_256, 1, "secret", c)),
		  "0xbdceca071be509f41acf88309bb6d12e51526c23a2d18f22c2bb8ed199c36fd8");
}

TEST(Chap, Algorithms)
{
	EXPECT_EQ(chap_algorithm(5), ChapAlgorithm::md5);
	EXPECT_EQ(chap_algorithm(8), ChapAlgorithm::sha3_256);
	EXPECT_FALSE(chap_algorithm(4));
	EXPECT_FALSE(chap_algorithm(9));
	EXPECT_EQ(digest_size(ChapAlgorithm::md5), 16u);
	EXPECT_EQ(digest_size(ChapAlgorithm::sha1), 20u);
	EXPECT_EQ(digest_size(ChapAlgorithm::sha256), 32u);
	EXPECT_EQ(digest_size(ChapAlgorithm::sha3_256), 32u);
}

TEST(Chap, PicksTheFirstKnownAlgorithmOfTheInitiator)
{
	ChapTarget t({{"u", "secret-secret"}}, std::nullopt, fixed);
	TextList out;
	ASSERT_TRUE(t.step({{"CHAP_A", "1,7,5"}}, out));
	EXPECT_EQ(*get(out, "CHAP_A"), "7");
	EXPECT_EQ(*get(out, "CHAP_I"), "66");
	EXPECT_EQ(get(out, "CHAP_C")->size(), 2u + 64u); // 32 bytes in hex
	EXPECT_EQ(t.state(), ChapTarget::State::want_response);
}

TEST(Chap, RefusesUnknownAlgorithms)
{
	ChapTarget t({{"u", "s"}}, std::nullopt, fixed);
	TextList out;
	EXPECT_FALSE(t.step({{"CHAP_A", "1,2,x"}}, out));
	EXPECT_EQ(t.state(), ChapTarget::State::failed);
}

TEST(Chap, OneWayRightAndWrong)
{
	for (const bool right : {true, false}) {
		ChapTarget t({{"alice", "alice-secret"}}, std::nullopt, fixed);
		TextList out;
		ASSERT_TRUE(t.step({{"CHAP_A", "5"}}, out));
		const auto chal = *decode_binary(*get(out, "CHAP_C"));
		const auto r = chap_response(ChapAlgorithm::md5, 0x42,
					     right ? "alice-secret" : "wrong", chal);
		TextList out2;
		EXPECT_EQ(t.step({{"CHAP_N", "alice"}, {"CHAP_R", encode_hex(r)}}, out2), right);
		EXPECT_TRUE(out2.empty());
		if (right) {
			EXPECT_EQ(t.state(), ChapTarget::State::done);
			EXPECT_EQ(t.user(), "alice");
		} else {
			// The reason names the user, never the secret.
			EXPECT_NE(t.reason().find("alice"), std::string::npos);
			EXPECT_EQ(t.reason().find("alice-secret"), std::string::npos);
		}
	}
}

TEST(Chap, ChecksStateAndShape)
{
	ChapTarget t({{"u", "s"}}, std::nullopt, fixed);
	TextList out;
	EXPECT_FALSE(t.step({{"CHAP_N", "u"}}, out)); // before CHAP_A

	ChapTarget t2({{"u", "s"}}, std::nullopt, fixed);
	ASSERT_TRUE(t2.step({{"CHAP_A", "5"}}, out));
	EXPECT_FALSE(t2.step({{"CHAP_N", "u"}, {"CHAP_R", "0x00"}}, out)); // short response

	ChapTarget t3({{"u", "s"}}, std::nullopt, fixed);
	ASSERT_TRUE(t3.step({{"CHAP_A", "5"}}, out));
	EXPECT_FALSE(t3.step({{"CHAP_N", "nobody"}, {"CHAP_R", "0x00"}}, out));
}
