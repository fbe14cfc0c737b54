#include "iscsi/text.h"

#include <gtest/gtest.h>

using namespace strix::iscsi;
using namespace std::string_view_literals;

TEST(Text, ParsesPairs)
{
	const auto t = parse_text("InitiatorName=iqn.x\0SessionType=Normal\0"sv);
	ASSERT_TRUE(t);
	ASSERT_EQ(t->size(), 2u);
	EXPECT_EQ((*t)[0], (KeyValue{"InitiatorName", "iqn.x"}));
	EXPECT_EQ((*t)[1], (KeyValue{"SessionType", "Normal"}));
}

TEST(Text, SkipsEmptyStringsAndKeepsEqualsInValues)
{
	const auto t = parse_text("\0A=b=c\0\0\0B=\0"sv);
	ASSERT_TRUE(t);
	ASSERT_EQ(t->size(), 2u);
	EXPECT_EQ((*t)[0].value, "b=c");
	EXPECT_EQ((*t)[1].value, "");
}

TEST(Text, Errors)
{
	EXPECT_EQ(parse_text("A=b"sv).error(), TextError::not_terminated);
	EXPECT_EQ(parse_text("Ab\0"sv).error(), TextError::missing_equals);
	EXPECT_EQ(parse_text("=b\0"sv).error(), TextError::empty_key);
	EXPECT_EQ(parse_text("A b=c\0"sv).error(), TextError::bad_key);
	EXPECT_EQ(parse_text(std::string(64, 'K') + "=v" + std::string(1, '\0')).error(),
		  TextError::key_too_long);
	EXPECT_EQ(parse_text("K=" + std::string(8193, 'v') + std::string(1, '\0')).error(),
		  TextError::value_too_long);
	EXPECT_TRUE(parse_text(std::string(63, 'K') + "=v" + std::string(1, '\0')));
	EXPECT_TRUE(parse_text(""sv));
}

TEST(Text, EncodeRoundTrip)
{
	const TextList l{{"A", "1"}, {"X-com.example.y", ""}, {"CHAP_C", "0x00ff"}};
	const auto bytes = encode_text(l);
	EXPECT_EQ(std::string(bytes.begin(), bytes.end()), "A=1\0X-com.example.y=\0CHAP_C=0x00ff\0"sv);
	EXPECT_EQ(*parse_text(bytes), l);
}

TEST(Text, KeyNames)
{
	EXPECT_TRUE(valid_key_name("X#NodeArchitecture")); // RFC 4850's key needs '#'
	EXPECT_TRUE(valid_key_name("X-com.cisco.protocol"));
	EXPECT_TRUE(valid_key_name("a+b@c_d"));
	EXPECT_FALSE(valid_key_name(""));
}

TEST(Text, Numbers)
{
	EXPECT_EQ(parse_number("0"), 0u);
	EXPECT_EQ(parse_number("262144"), 262144u);
	EXPECT_EQ(parse_number("0x40000"), 262144u);
	EXPECT_EQ(parse_number("0X1f"), 31u);
	EXPECT_EQ(parse_number("0bAQIDBAU="), 0x0102030405u);
	EXPECT_EQ(parse_number("18446744073709551615"), UINT64_MAX);
	EXPECT_EQ(parse_number("0x00000000000000000001"), 1u); // leading zero bytes
	EXPECT_FALSE(parse_number("18446744073709551616"));
	EXPECT_FALSE(parse_number("0x010000000000000000"));
	EXPECT_FALSE(parse_number(""));
	EXPECT_FALSE(parse_number("-1"));
	EXPECT_FALSE(parse_number("+1"));
	EXPECT_FALSE(parse_number("12a"));
	EXPECT_FALSE(parse_number("0x"));
	EXPECT_FALSE(parse_number("0xg1"));
	EXPECT_FALSE(parse_number(" 1"));
}

TEST(Text, Booleans)
{
	EXPECT_EQ(parse_bool("Yes"), true);
	EXPECT_EQ(parse_bool("No"), false);
	EXPECT_FALSE(parse_bool("yes"));
	EXPECT_FALSE(parse_bool(""));
	EXPECT_EQ(to_yes_no(true), "Yes");
}

TEST(Text, Lists)
{
	EXPECT_EQ(split_list("CRC32C,None"), (std::vector<std::string_view>{"CRC32C", "None"}));
	EXPECT_EQ(split_list("None"), (std::vector<std::string_view>{"None"}));
	EXPECT_EQ(split_list(""), (std::vector<std::string_view>{""}));
	EXPECT_EQ(split_list("a,,b"), (std::vector<std::string_view>{"a", "", "b"}));
}

TEST(Text, Binary)
{
	EXPECT_EQ(decode_binary("0x0102ff"), (std::vector<std::uint8_t>{1, 2, 0xff}));
	EXPECT_EQ(decode_binary("0x102"), (std::vector<std::uint8_t>{1, 2}));
	EXPECT_EQ(decode_binary("0bAQIDBAU="), (std::vector<std::uint8_t>{1, 2, 3, 4, 5}));
	EXPECT_EQ(decode_binary("0BAQI="), (std::vector<std::uint8_t>{1, 2}));
	EXPECT_FALSE(decode_binary("0x"));
	EXPECT_FALSE(decode_binary("0xzz"));
	EXPECT_FALSE(decode_binary("0102"));
	EXPECT_FALSE(decode_binary("0bAQI"));   // not a whole quantum
	EXPECT_FALSE(decode_binary("0bA=QI"));  // padding inside
	EXPECT_FALSE(decode_binary("0b!!!!"));
	EXPECT_EQ(encode_hex(std::vector<std::uint8_t>{0, 0xab, 0x10}), "0x00ab10");
}
