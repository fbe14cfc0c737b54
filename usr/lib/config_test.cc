#include "config.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace strix::config {
namespace {

namespace fs = std::filesystem;

Config parsed(std::string_view text)
{
	auto r = parse(text);
	if (!r)
		ADD_FAILURE() << r.error().message() << "\nin:\n" << text;
	return r ? *r : Config{};
}

// The canonical text prints back identically and its model survives a
// print/parse round trip.
void expect_canonical(std::string_view text)
{
	const Config c = parsed(text);
	EXPECT_EQ(print(c), text);
	EXPECT_EQ(parsed(print(c)), c);
}

// --- realistic configurations, in canonical form -------------------------

constexpr std::string_view iscsi_box = R"(setup_id 0x1234

HANDLER vdisk_blockio {
	DEVICE vol1 {
		filename /dev/zvol/tank/vol1
		rotational 0
		thin_provisioned 1
	}
}

HANDLER vdisk_fileio {
	DEVICE disk1 {
		blocksize 4096
		filename /srv/strix/disk1.img
		nv_cache 1
	}

	DEVICE disk2 {
		filename "/srv/strix/with blank.img"
	}
}

TARGET_DRIVER iscsi {
	IncomingUser "joe 12charsecret"
	enabled 1

	TARGET iqn.2024-01.org.example:storage {
		HeaderDigest CRC32C,None
		IncomingUser "fred 12charsecret2"
		IncomingUser "joe 12charsecret"
		allowed_portal 10.0.0.1
		allowed_portal 10.0.1.1
		enabled 1

		LUN 0 disk1
		LUN 1 disk2 {
			read_only 1
		}
		LUN 7 vol1

		GROUP esx {
			LUN 0 vol1
			LUN 1 disk1 {
				read_only 1
			}

			INITIATOR !iqn.1998-01.com.vmware:esx3
			INITIATOR iqn.1998-01.com.vmware:*
		}

		GROUP linux {
			INITIATOR iqn.1993-08.org.debian:01:abcdef
		}
	}
}
)";

constexpr std::string_view local_and_fc = R"(HANDLER dev_disk {
	DEVICE 1:0:0:0
	DEVICE 2:0:0:0
}

HANDLER vdisk_nullio {
	DEVICE null1

	DEVICE null2 {
		dummy 1
		size_mb 1024
	}

	DEVICE null3
}

TARGET_DRIVER qla2x00t {
	TARGET 25:00:00:f0:98:87:92:f3 {
		HW_TARGET

		enabled 1

		GROUP INI1 {
			LUN 0 null1
			LUN 1 1:0:0:0 {
				read_only 1
			}

			INITIATOR 25:00:00:f0:99:87:94:a3
			INITIATOR 25:00:00:f0:99:87:94:a4
		}
	}

	TARGET 25:00:00:f0:98:87:92:f4 {
		HW_TARGET
	}
}

TARGET_DRIVER scst_local {
	TARGET empty

	TARGET local {
		session_name host1

		LUN 0 null2
		LUN 16383 2:0:0:0
	}
}
)";

constexpr std::string_view alua = R"(HANDLER vdisk_blockio {
	DEVICE a
	DEVICE b
}

TARGET_DRIVER ib_srpt {
	TARGET fe80:0000:0000:0000:0002:c903:0005:f34b {
		enabled 1

		LUN 0 a
		LUN 1 b
	}
}

DEVICE_GROUP dg1 {
	DEVICE a
	DEVICE b

	TARGET_GROUP local {
		group_id 1
		state active

		TARGET fe80:0000:0000:0000:0002:c903:0005:f34b {
			rel_tgt_id 1
		}
	}

	TARGET_GROUP remote {
		group_id 2
		preferred 0
		state offline

		TARGET remote1 {
			rel_tgt_id 2
		}

		TARGET remote2
	}
}

DEVICE_GROUP dg2
)";

TEST(ConfigRoundTrip, IscsiBox)
{
	expect_canonical(iscsi_box);
	const Config c = parsed(iscsi_box);
	EXPECT_EQ(get(c.attrs, "setup_id"), "0x1234");
	const auto &dev = c.handlers.at("vdisk_fileio").devices.at("disk2");
	EXPECT_EQ(get(dev.attrs, "filename"), "/srv/strix/with blank.img");
	const auto &t = c.drivers.at("iscsi").targets.at("iqn.2024-01.org.example:storage");
	EXPECT_EQ(t.attrs.at("IncomingUser").size(), 2u);
	EXPECT_EQ(t.luns.at(1).device, "disk2");
	EXPECT_EQ(get(t.luns.at(1).attrs, "read_only"), "1");
	EXPECT_EQ(t.groups.at("esx").initiators.size(), 2u);
	EXPECT_EQ(t.groups.at("esx").luns.at(1).device, "disk1");
}

TEST(ConfigRoundTrip, PassThroughHardwareTargetsAndLocal)
{
	expect_canonical(local_and_fc);
	const Config c = parsed(local_and_fc);
	const auto &qla = c.drivers.at("qla2x00t");
	EXPECT_TRUE(qla.targets.at("25:00:00:f0:98:87:92:f4").hw);
	EXPECT_TRUE(c.drivers.at("scst_local").targets.at("empty").attrs.empty());
	EXPECT_EQ(c.drivers.at("scst_local").targets.at("local").luns.at(16383).device,
		  "2:0:0:0");
	EXPECT_EQ(c.handlers.at("dev_disk").devices.size(), 2u);
}

TEST(ConfigRoundTrip, DeviceGroups)
{
	expect_canonical(alua);
	const Config c = parsed(alua);
	const auto &tg = c.device_groups.at("dg1").target_groups.at("remote");
	EXPECT_EQ(get(tg.attrs, "state"), "offline");
	EXPECT_EQ(get(tg.targets.at("remote1"), "rel_tgt_id"), "2");
	EXPECT_TRUE(tg.targets.at("remote2").empty());
	EXPECT_TRUE(c.device_groups.at("dg2").devices.empty());
}

TEST(ConfigRoundTrip, Empty)
{
	expect_canonical("");
	EXPECT_EQ(parsed("\n\n# nothing\n   \n"), Config{});
}

TEST(ConfigRoundTrip, ModelSurvivesPrint)
{
	Config c;
	c.attrs["setup_id"] = {"7"};
	c.handlers["vdisk_fileio"].devices["d;1"].attrs["filename"] = {"/a b/#c\"d\\e"};
	c.handlers["vdisk_fileio"].devices["d;1"].attrs["HANDLER"] = {""};
	auto &t = c.drivers["iscsi"].targets["t{1}"];
	t.attrs["comment"] = {"multi\nline"};
	t.luns[3] = Lun{"d;1", {{"read_only", {"1"}}}};
	t.groups["g"].initiators = {"a", "b c"};
	c.device_groups["x"].target_groups["y"].targets["t{1}"] = {};
	const std::string text = print(c);
	auto back = parse(text);
	ASSERT_TRUE(back) << back.error().message() << "\n" << text;
	EXPECT_EQ(*back, c) << text;
	EXPECT_EQ(print(*back), text);
}

// Every configuration example under Documentation/ parses, and its
// canonical form is a fixed point: *.conf files, and fenced blocks in
// Markdown whose info string is "scst.conf" or "strix.conf".
std::vector<std::pair<std::string, std::string>> documentation_examples()
{
	std::vector<std::pair<std::string, std::string>> out;
	const fs::path doc = fs::path(STRIX_SOURCE_DIR) / ".." / "Documentation";
	if (!fs::is_directory(doc))
		return out;
	for (const auto &e : fs::recursive_directory_iterator(doc)) {
		if (!e.is_regular_file())
			continue;
		std::ifstream in(e.path());
		const std::string text{std::istreambuf_iterator<char>(in), {}};
		const auto ext = e.path().extension();
		if (ext == ".conf") {
			out.emplace_back(e.path().string(), text);
			continue;
		}
		if (ext != ".md")
			continue;
		std::size_t pos = 0;
		for (;;) {
			const std::size_t open = text.find("```", pos);
			if (open == std::string::npos)
				break;
			const std::size_t eol = text.find('\n', open);
			const std::size_t close = text.find("\n```", eol);
			if (eol == std::string::npos || close == std::string::npos)
				break;
			const std::string info = text.substr(open + 3, eol - open - 3);
			if (info == "scst.conf" || info == "strix.conf")
				out.emplace_back(fmt::format("{}@{}", e.path().string(), open),
						 text.substr(eol + 1, close - eol));
			pos = close + 4;
		}
	}
	return out;
}

TEST(ConfigRoundTrip, DocumentationExamples)
{
	const auto examples = documentation_examples();
	for (const auto &[where, text] : examples) {
		auto c = parse(text, where);
		ASSERT_TRUE(c) << c.error().message();
		const std::string canon = print(*c);
		EXPECT_EQ(print(parsed(canon)), canon) << where;
		EXPECT_EQ(parsed(canon), *c) << where;
	}
	RecordProperty("documentation_examples", static_cast<int>(examples.size()));
}

// --- what the syntax accepts ---------------------------------------------

TEST(ConfigSyntax, CommentsAndBlankLines)
{
	const Config c = parsed("# header\n"
				"setup_id 5 # trailing\n"
				"HANDLER vdisk_fileio { # open\n"
				"\t# inside\n"
				"\tDEVICE d {\n"
				"\t\tfilename /x#y\n" // '#' outside quotes is a comment
				"\t\tt10_dev_id \"a#b\"\n"
				"\t\tusn a\\#b\n"
				"\t}\n"
				"}\n");
	EXPECT_EQ(get(c.attrs, "setup_id"), "5");
	const auto &d = c.handlers.at("vdisk_fileio").devices.at("d");
	EXPECT_EQ(get(d.attrs, "filename"), "/x");
	EXPECT_EQ(get(d.attrs, "t10_dev_id"), "a#b");
	EXPECT_EQ(get(d.attrs, "usn"), "a#b");
}

TEST(ConfigSyntax, QuotingAndEscapes)
{
	const Config c = parsed("a \"\"\n"
				"b \"x y\"\n"
				"c \"say \\\"hi\\\" \\\\ now\"\n"
				"d x\\ y\n"
				"e \"semi;colon {braces}\"\n");
	EXPECT_EQ(get(c.attrs, "a"), "");
	EXPECT_EQ(get(c.attrs, "b"), "x y");
	EXPECT_EQ(get(c.attrs, "c"), "say \"hi\" \\ now");
	EXPECT_EQ(get(c.attrs, "d"), "x y");
	EXPECT_EQ(get(c.attrs, "e"), "semi;colon {braces}");
}

TEST(ConfigQuote, OnlyWhenNeeded)
{
	EXPECT_EQ(quote("plain"), "plain");
	EXPECT_EQ(quote("iqn.2024-01.org.example:t*"), "iqn.2024-01.org.example:t*");
	EXPECT_EQ(quote(""), "\"\"");
	EXPECT_EQ(quote("a b"), "\"a b\"");
	EXPECT_EQ(quote("a#b"), "\"a\\#b\"");
	EXPECT_EQ(quote("a\"b\\"), "\"a\\\"b\\\\\"");
	EXPECT_EQ(quote("x;y"), "\"x;y\"");
}

TEST(ConfigSyntax, OneLineSectionsAndSemicolons)
{
	const Config c = parsed(
		"HANDLER vdisk_fileio { DEVICE disk1 { filename /x; blocksize 4096 } }\n"
		"TARGET_DRIVER scst_local { TARGET t1 { LUN 0 disk1 ; GROUP g { LUN 1 disk1; "
		"INITIATOR iqn.x } ; enabled 1 } }\n");
	const auto &d = c.handlers.at("vdisk_fileio").devices.at("disk1");
	EXPECT_EQ(get(d.attrs, "filename"), "/x");
	EXPECT_EQ(get(d.attrs, "blocksize"), "4096");
	const auto &t = c.drivers.at("scst_local").targets.at("t1");
	EXPECT_EQ(t.luns.at(0).device, "disk1");
	EXPECT_EQ(t.groups.at("g").luns.at(1).device, "disk1");
	EXPECT_EQ(t.groups.at("g").initiators, std::set<std::string>{"iqn.x"});
	EXPECT_EQ(get(t.attrs, "enabled"), "1");
}

TEST(ConfigSyntax, BracesOnTheirOwnLinesAndCrLf)
{
	const Config c = parsed("HANDLER vdisk_nullio\r\n{\r\n\tDEVICE n1\r\n\t{\r\n"
				"\t\tsize_mb 10\r\n\t}\r\n}\r\n");
	EXPECT_EQ(get(c.handlers.at("vdisk_nullio").devices.at("n1").attrs, "size_mb"), "10");
	// After ';' a '{' does not reopen the statement before it.
	const auto r = parse("HANDLER h { DEVICE d;\n{ x 1 } }\n");
	ASSERT_FALSE(r);
	EXPECT_EQ(r.error().line, 2u);
}

TEST(ConfigSyntax, RepeatedContainersMerge)
{
	const Config c = parsed("HANDLER vdisk_fileio {\n DEVICE a\n}\n"
				"HANDLER vdisk_fileio {\n DEVICE b\n}\n"
				"TARGET_DRIVER iscsi { enabled 1 }\n"
				"TARGET_DRIVER iscsi { TARGET t }\n");
	EXPECT_EQ(c.handlers.at("vdisk_fileio").devices.size(), 2u);
	EXPECT_EQ(get(c.drivers.at("iscsi").attrs, "enabled"), "1");
	EXPECT_TRUE(c.drivers.at("iscsi").targets.contains("t"));
}

TEST(ConfigSyntax, RepeatedAttributeIsASet)
{
	const Config c = parsed("TARGET_DRIVER iscsi { TARGET t {\n"
				"IncomingUser \"b 2\"\nIncomingUser \"a 1\"\nIncomingUser \"b 2\"\n} }\n");
	EXPECT_EQ(c.drivers.at("iscsi").targets.at("t").attrs.at("IncomingUser"),
		  (std::set<std::string>{"a 1", "b 2"}));
}

TEST(ConfigSyntax, QuotedKeywordIsAnAttribute)
{
	const Config c = parsed("\"HANDLER\" x\n");
	EXPECT_EQ(get(c.attrs, "HANDLER"), "x");
	EXPECT_EQ(print(c), "\"HANDLER\" x\n");
}

TEST(ConfigSyntax, PrintsNonCanonicalInputCanonically)
{
	const Config c = parsed("TARGET_DRIVER scst_local{TARGET b{LUN 10 d;LUN 2 d}"
				"TARGET a{}}\nHANDLER vdisk_fileio{DEVICE d{filename /d}}\n");
	EXPECT_EQ(print(c), "HANDLER vdisk_fileio {\n"
			    "\tDEVICE d {\n"
			    "\t\tfilename /d\n"
			    "\t}\n"
			    "}\n"
			    "\n"
			    "TARGET_DRIVER scst_local {\n"
			    "\tTARGET a\n"
			    "\n"
			    "\tTARGET b {\n"
			    "\t\tLUN 2 d\n"
			    "\t\tLUN 10 d\n"
			    "\t}\n"
			    "}\n");
}

// --- errors carry line and column ----------------------------------------

struct BadInput {
	const char *name;
	const char *text;
	std::size_t line, column;
	const char *problem;
};

class ConfigErrors : public ::testing::TestWithParam<BadInput> {};

TEST_P(ConfigErrors, PointAtTheFault)
{
	const BadInput &b = GetParam();
	const auto r = parse(b.text, "t.conf");
	ASSERT_FALSE(r) << "accepted: " << b.text;
	EXPECT_EQ(r.error().line, b.line) << r.error().message();
	EXPECT_EQ(r.error().column, b.column) << r.error().message();
	EXPECT_EQ(r.error().problem, b.problem) << r.error().message();
	EXPECT_EQ(r.error().source, "t.conf");
	EXPECT_TRUE(r.error().message().starts_with(
		fmt::format("t.conf:{}:{}: {}", b.line, b.column, b.problem)))
		<< r.error().message();
}

const BadInput bad_inputs[] = {
	{"unterminated_quote", "HANDLER vdisk_fileio {\n\tDEVICE d {\n\t\tfilename \"/x\n\t}\n}\n",
	 3, 12, "unterminated quoted value"},
	{"missing_close", "HANDLER vdisk_fileio {\n\tDEVICE d {\n\t\tfilename /x\n}\n", 5, 1,
	 "missing '}'"},
	{"stray_close", "setup_id 1\n}\n", 2, 1, "unexpected '}'"},
	{"open_without_section", "HANDLER h {\n  {\n  }\n}\n", 2, 3,
	 "'{' without a section before it"},
	{"unknown_section", "\nFOO bar {\n}\n", 2, 1, "unknown section FOO"},
	{"attribute_without_value", "HANDLER h {\n  DEVICE d {\n    filename\n  }\n}\n", 3, 5,
	 "attribute filename has no value"},
	{"attribute_two_values", "TARGET_DRIVER iscsi {\n  IncomingUser joe secret\n}\n", 2, 20,
	 "unexpected secret after the value of IncomingUser"},
	{"bad_lun_number", "TARGET_DRIVER d {\n TARGET t {\n  LUN x1 disk\n }\n}\n", 3, 7,
	 "invalid LUN number x1"},
	{"lun_without_device", "TARGET_DRIVER d {\n TARGET t {\n  LUN 0\n }\n}\n", 3, 3,
	 "LUN needs a LUN number and a device"},
	{"initiator_outside_group", "TARGET_DRIVER d {\n TARGET t {\n  INITIATOR iqn.x\n }\n}\n",
	 3, 3, "INITIATOR is not allowed in TARGET"},
	{"device_at_top", "DEVICE d {\n}\n", 1, 1, "DEVICE is not allowed in the top level"},
	{"duplicate_device",
	 "HANDLER a {\n DEVICE d\n}\nHANDLER b {\n DEVICE x\n DEVICE d\n}\n", 6, 9,
	 "duplicate DEVICE d"},
	{"duplicate_lun", "TARGET_DRIVER d { TARGET t {\n LUN 0 a\n LUN 00 b\n} }\n", 3, 6,
	 "duplicate LUN 0"},
	{"initiator_in_two_groups",
	 "TARGET_DRIVER d { TARGET t {\n GROUP a { INITIATOR i }\n GROUP b { INITIATOR i }\n} }\n",
	 3, 22, "duplicate INITIATOR i"},
	{"quote_inside_word", "setup_id ab\"c\"\n", 1, 12, "unexpected '\"' inside a word"},
	{"slash_in_name", "HANDLER vdisk_fileio { DEVICE ../x }\n", 1, 31,
	 "invalid device name ../x"},
	{"trailing_backslash", "setup_id 1\\", 1, 11, "backslash at the end of the file"},
	{"hw_target_with_value", "TARGET_DRIVER q { TARGET t { HW_TARGET yes } }\n", 1, 40,
	 "unexpected yes after HW_TARGET"},
	{"initiator_body", "TARGET_DRIVER d { TARGET t { GROUP g { INITIATOR i { } } } }\n", 1,
	 52, "INITIATOR cannot have a section body"},
	{"handler_without_name", "HANDLER {\n}\n", 1, 1, "HANDLER needs a handler name"},
	{"mgmt_attribute", "TARGET_DRIVER iscsi {\n\tmgmt \"del_target t1\"\n}\n", 2, 2,
	 "mgmt is not an attribute"},
};

INSTANTIATE_TEST_SUITE_P(Malformed, ConfigErrors, ::testing::ValuesIn(bad_inputs),
			 [](const auto &info) { return std::string(info.param.name); });

TEST(ConfigErrorValue, AsStrixError)
{
	const auto r = parse("x\n", "/etc/strix/strix.conf");
	ASSERT_FALSE(r);
	const Error e = r.error().to_error();
	EXPECT_EQ(e.code(), std::errc::invalid_argument);
	EXPECT_EQ(e.subject(), "/etc/strix/strix.conf:1:1");
	EXPECT_EQ(std::string(e.what()),
		  "/etc/strix/strix.conf:1:1: attribute x has no value: write \"x VALUE\"");
	EXPECT_EQ(fmt::format("{}", r.error()), r.error().message());
}

} // namespace
} // namespace strix::config
