// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit cases for the pure parts of thin provisioning (thin.c): the UNMAP
 * parameter list checks, table-driven over well-formed and malformed
 * lists, and the LBA status descriptor.
 */
#include <kunit/test.h>
#include <linux/string.h>

#include "scsi.h"

#define NR_BLOCKS	1000
#define MAX_BLOCKS	600
#define MAX_DESCS	4

struct unmap_case {
	const char *desc;
	u8 list[8 + 16 * 6];
	u32 len;			/* PARAMETER LIST LENGTH */
	strix_sense_t ret;
	u16 field;			/* INVALID FIELD IN PARAMETER LIST */
	unsigned int n;			/* descriptors, when STRIX_OK */
	struct strix_unmap_desc descs[MAX_DESCS];
};

/* A descriptor's 16 bytes, at list offset 8 + 16 * i. */
#define D(i, lba, n)							\
	[8 + 16 * (i) + 6] = ((u64)(lba) >> 8) & 0xff,			\
	[8 + 16 * (i) + 7] = (lba) & 0xff,				\
	[8 + 16 * (i) + 10] = ((n) >> 8) & 0xff,			\
	[8 + 16 * (i) + 11] = (n) & 0xff
/* The header: UNMAP DATA LENGTH, UNMAP BLOCK DESCRIPTOR DATA LENGTH. */
#define H(dl, bdl)	[0] = (dl) >> 8, [1] = (dl) & 0xff, [2] = (bdl) >> 8, \
			[3] = (bdl) & 0xff
#define OK(cnt, ...)	.ret = STRIX_OK, .n = (cnt), .descs = { __VA_ARGS__ }

static const struct unmap_case unmap_cases[] = {
	{ "no list", { 0 }, 0, OK(0) },
	{ "header only", { H(6, 0) }, 8, OK(0) },
	{ "one", { H(22, 16), D(0, 10, 8) }, 24, OK(1, { 10, 8 }) },
	{ "two, one empty", { H(38, 32), D(0, 10, 8), D(1, 500, 0) }, 40,
	  OK(2, { 10, 8 }, { 500, 0 }) },
	{ "the last block", { H(22, 16), D(0, 999, 1) }, 24, OK(1, { 999, 1 }) },
	{ "0 blocks at the end", { H(22, 16), D(0, 1000, 0) }, 24,
	  OK(1, { 1000, 0 }) },
	{ "longer list than data", { H(22, 16), D(0, 1, 1) }, 40, OK(1, { 1, 1 }) },
	{ "incomplete last descriptor ignored", { H(28, 22), D(0, 1, 1) }, 30,
	  OK(1, { 1, 1 }) },
	{ "the most blocks", { H(38, 32), D(0, 0, 300), D(1, 600, 300) }, 40,
	  OK(2, { 0, 300 }, { 600, 300 }) },
	{ "the most descriptors", { H(70, 64), D(0, 1, 1), D(1, 2, 1), D(2, 3, 1),
	  D(3, 4, 1) }, 72, OK(4, { 1, 1 }, { 2, 1 }, { 3, 1 }, { 4, 1 }) },

	{ "1 byte", { 0 }, 1, .ret = STRIX_PARAM_LIST_LENGTH },
	{ "7 bytes", { H(6, 0) }, 7, .ret = STRIX_PARAM_LIST_LENGTH },
	{ "data length past the list", { H(30, 16), D(0, 1, 1) }, 24,
	  .ret = STRIX_INVALID_FIELD_PARAM, .field = 0 },
	{ "data length short of the descriptors", { H(6, 16), D(0, 1, 1) }, 24,
	  .ret = STRIX_INVALID_FIELD_PARAM, .field = 0 },
	{ "descriptors past the list", { H(36, 32), D(0, 1, 1) }, 38,
	  .ret = STRIX_INVALID_FIELD_PARAM, .field = 0 },
	{ "too many descriptors", { H(86, 80), D(0, 1, 1), D(1, 2, 1), D(2, 3, 1),
	  D(3, 4, 1), D(4, 5, 1) }, 88, .ret = STRIX_INVALID_FIELD_PARAM,
	  .field = 2 },
	{ "too many blocks", { H(38, 32), D(0, 0, 300), D(1, 600, 301) }, 40,
	  .ret = STRIX_INVALID_FIELD_PARAM, .field = 8 + 16 + 8 },
	{ "past the end", { H(38, 32), D(0, 1, 1), D(1, 999, 2) }, 40,
	  .ret = STRIX_LBA_OUT_OF_RANGE },
	{ "LBA past the end, 0 blocks", { H(22, 16), D(0, 1001, 0) }, 24,
	  .ret = STRIX_LBA_OUT_OF_RANGE },
	{ "LBA 2^64 - 1", { H(22, 16), [8 ... 15] = 0xff, [19] = 1 }, 24,
	  .ret = STRIX_LBA_OUT_OF_RANGE },
	{ "blocks 2^32 - 1", { H(22, 16), [16 ... 19] = 0xff }, 24,
	  .ret = STRIX_LBA_OUT_OF_RANGE },
};

static void unmap_case_desc(const struct unmap_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(unmap, unmap_cases, unmap_case_desc);

static u32 sv(strix_sense_t s)
{
	return (__force u32)s;
}

static void strix_unmap_parse_test(struct kunit *test)
{
	const struct unmap_case *c = test->param_value;
	struct strix_unmap_desc descs[MAX_DESCS];
	unsigned int n = 99, i;
	u16 field = 0xbeef;
	strix_sense_t ret;

	memset(descs, 0xa5, sizeof(descs));
	ret = strix_unmap_parse(c->list, c->len, NR_BLOCKS, MAX_BLOCKS, descs,
				MAX_DESCS, &n, &field);
	KUNIT_ASSERT_EQ(test, sv(ret), sv(c->ret));
	if (ret == STRIX_INVALID_FIELD_PARAM)
		KUNIT_EXPECT_EQ(test, field, c->field);
	if (ret != STRIX_OK) {
		KUNIT_EXPECT_EQ(test, n, 0U);	/* nothing to unmap */
		return;
	}
	KUNIT_ASSERT_EQ(test, n, c->n);
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_EQ_MSG(test, descs[i].lba, c->descs[i].lba, "desc %u", i);
		KUNIT_EXPECT_EQ_MSG(test, descs[i].nr_blocks, c->descs[i].nr_blocks,
				    "desc %u", i);
	}
}

static void strix_lba_status_put_test(struct kunit *test)
{
	static const u8 mapped[16] = {
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
		0xde, 0xad, 0xbe, 0xef, 0x00, 0, 0, 0,
	};
	static const u8 dealloc[16] = {
		[7] = 9, [11] = 1, [12] = 0x01,
	};
	u8 buf[16];

	memset(buf, 0xff, sizeof(buf));
	strix_lba_status_put(buf, 0x0102030405060708ULL, 0xdeadbeef, true);
	KUNIT_EXPECT_EQ(test, memcmp(buf, mapped, sizeof(buf)), 0);
	memset(buf, 0xff, sizeof(buf));
	strix_lba_status_put(buf, 9, 1, false);
	KUNIT_EXPECT_EQ(test, memcmp(buf, dealloc, sizeof(buf)), 0);
}

static struct kunit_case strix_thin_test_cases[] = {
	KUNIT_CASE_PARAM(strix_unmap_parse_test, unmap_gen_params),
	KUNIT_CASE(strix_lba_status_put_test),
	{}
};

static struct kunit_suite strix_thin_test_suite = {
	.name = "strix-thin",
	.test_cases = strix_thin_test_cases,
};

kunit_test_suite(strix_thin_test_suite);
