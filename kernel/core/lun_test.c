// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit cases for LUN encoding (lun.c): round trips of every form Strix
 * writes, and the forms it does not take.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/string.h>

#include <strix/target.h>

#include "scsi.h"


struct lun_case {
	const char *desc;
	u64 lun;
	u8 wire[8];
};

/* LUN numbers and their one encoding: to_wire, then from_wire, agree. */
static const struct lun_case lun_round_cases[] = {
	{ "0", 0, { 0x00, 0x00 } },
	{ "1", 1, { 0x00, 0x01 } },
	{ "255, last peripheral", 255, { 0x00, 0xff } },
	{ "256, first flat", 256, { 0x41, 0x00 } },
	{ "0x1234", 0x1234, { 0x52, 0x34 } },
	{ "16383, last flat", 16383, { 0x7f, 0xff } },
	{ "REPORT LUNS well-known LUN", STRIX_WLUN_REPORT_LUNS, { 0xc1, 0x01 } },
	{ "invalid", STRIX_LUN_INVALID, { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					  0xff, 0xff } },
};

static void lun_case_desc(const struct lun_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(lun_round, lun_round_cases, lun_case_desc);

static void strix_lun_round_test(struct kunit *test)
{
	const struct lun_case *c = test->param_value;
	u8 wire[8];
	unsigned int i;

	memset(wire, 0x5a, sizeof(wire));
	strix_lun_to_wire(c->lun, wire);
	for (i = 0; i < 8; i++)
		KUNIT_EXPECT_EQ_MSG(test, wire[i], c->wire[i], "byte %u", i);
	KUNIT_EXPECT_EQ(test, strix_lun_from_wire(c->wire), c->lun);
	KUNIT_EXPECT_EQ(test, strix_lun_from_wire(wire), c->lun);
}

/* Fields as an initiator may send them, and what they decode to. */
static const struct lun_case lun_decode_cases[] = {
	{ "flat form of a small LUN", 5, { 0x40, 0x05 } },
	{ "flat form of LUN 0", 0, { 0x40, 0x00 } },
	{ "peripheral, bus 1", STRIX_LUN_INVALID, { 0x01, 0x00 } },
	{ "peripheral, bus 0x3f", STRIX_LUN_INVALID, { 0x3f, 0x05 } },
	{ "second level", STRIX_LUN_INVALID, { 0x00, 0x01, 0x00, 0x02 } },
	{ "byte 7", STRIX_LUN_INVALID, { 0x00, 0x01, 0, 0, 0, 0, 0, 0x01 } },
	{ "byte 2 of a flat LUN", STRIX_LUN_INVALID, { 0x41, 0x00, 0x80 } },
	{ "logical unit addressing", STRIX_LUN_INVALID, { 0x80, 0x01 } },
	{ "extended addressing", STRIX_LUN_INVALID, { 0xd2, 0x00, 0x01 } },
	{ "extended flat space", STRIX_LUN_INVALID, { 0xd2, 0x12, 0x34 } },
	{ "other well-known LUN", STRIX_LUN_INVALID, { 0xc1, 0x02 } },
	{ "REPORT LUNS WLUN with a tail", STRIX_LUN_INVALID,
	  { 0xc1, 0x01, 0, 0, 0, 0, 0, 0x01 } },
	{ "well-known 0xc100", STRIX_LUN_INVALID, { 0xc1, 0x00 } },
	{ "all ones", STRIX_LUN_INVALID, { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					   0xff, 0xff } },
};

KUNIT_ARRAY_PARAM(lun_decode, lun_decode_cases, lun_case_desc);

static void strix_lun_decode_test(struct kunit *test)
{
	const struct lun_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, strix_lun_from_wire(c->wire), c->lun);
}

/* Every LUN a table can hold survives the round trip; nothing else does. */
static void strix_lun_all_test(struct kunit *test)
{
	u8 wire[8];
	u64 lun;

	for (lun = 0; lun <= 16383; lun++) {
		strix_lun_to_wire(lun, wire);
		if (strix_lun_from_wire(wire) != lun) {
			KUNIT_FAIL(test, "LUN %llu does not round-trip", lun);
			return;
		}
	}
	strix_lun_to_wire(16384, wire);
	KUNIT_EXPECT_EQ(test, strix_lun_from_wire(wire), STRIX_LUN_INVALID);
	strix_lun_to_wire(0xc100, wire);
	KUNIT_EXPECT_EQ(test, strix_lun_from_wire(wire), STRIX_LUN_INVALID);
	strix_lun_to_wire(1ULL << 32, wire);
	KUNIT_EXPECT_EQ(test, strix_lun_from_wire(wire), STRIX_LUN_INVALID);
}

static struct kunit_case strix_lun_test_cases[] = {
	KUNIT_CASE_PARAM(strix_lun_round_test, lun_round_gen_params),
	KUNIT_CASE_PARAM(strix_lun_decode_test, lun_decode_gen_params),
	KUNIT_CASE(strix_lun_all_test),
	{}
};

static struct kunit_suite strix_lun_test_suite = {
	.name = "strix-lun",
	.test_cases = strix_lun_test_cases,
};

kunit_test_suite(strix_lun_test_suite);
