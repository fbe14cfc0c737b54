// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit cases for the EXTENDED COPY (LID1) parameter list parser
 * (xcopy.c): table-driven over well-formed and malformed lists.  The
 * lists are built field by field from SPC-4 6.4.3 (header), 6.4.5.x
 * (identification descriptor CSCD, E4h) and 6.4.6.5 (block to block
 * segment, 02h), apart from the parser, so the two check each other.
 */
#include <kunit/test.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "scsi.h"

#define LIST_MAX	(STRIX_XCOPY_HDR_LEN + 24 * STRIX_XCOPY_CSCD_LEN + \
			 24 * STRIX_XCOPY_SEG_LEN)

static const u8 naa_a[8] = { 0x60, 0x01, 0x40, 0x50, 0xaa, 0xbb, 0xcc, 0x01 };

struct xcopy_case {
	const char *desc;
	/* the list, built by xcopy_build() */
	u8 list_id, list_id_usage;
	unsigned int nr_cscds, nr_segs;
	u8 cscd_type, seg_type;		/* 0: E4h, 02h */
	u8 cscd_byte1;			/* LU ID TYPE, NUL, PERIPHERAL TYPE */
	u8 seg_desc_len;		/* 0: 18h */
	u16 src, dst;
	u16 blocks;
	u32 inline_len;
	/* PARAMETER LIST LENGTH: the built length plus this */
	s32 len_adjust;
	bool zero_len;			/* PARAMETER LIST LENGTH 0 */
	/* expected */
	strix_sense_t ret;
	u16 field;
};

static void put_be(u8 *p, u64 v, unsigned int n)
{
	while (n--) {
		p[n] = v & 0xff;
		v >>= 8;
	}
}

/* Build the list of @c into @b; returns its length. */
static u32 xcopy_build(const struct xcopy_case *c, u8 *b)
{
	u32 off = STRIX_XCOPY_HDR_LEN, i;
	u32 seg_len = c->seg_desc_len ? c->seg_desc_len + 4 :
					STRIX_XCOPY_SEG_LEN;

	memset(b, 0, LIST_MAX);
	b[0] = c->list_id;
	b[1] = c->list_id_usage << 3;
	put_be(b + 2, c->nr_cscds * STRIX_XCOPY_CSCD_LEN, 2);
	put_be(b + 8, c->nr_segs * seg_len, 4);
	put_be(b + 12, c->inline_len, 4);
	for (i = 0; i < c->nr_cscds; i++, off += STRIX_XCOPY_CSCD_LEN) {
		u8 *d = b + off;

		d[0] = c->cscd_type ?: STRIX_XCOPY_DESC_CSCD_ID;
		d[1] = c->cscd_byte1;
		d[4] = 0x01;			/* binary */
		d[5] = 0x03;			/* LU, NAA */
		d[7] = sizeof(naa_a);
		memcpy(d + 8, naa_a, sizeof(naa_a));
		put_be(d + 29, 512, 3);		/* DISK BLOCK LENGTH */
	}
	for (i = 0; i < c->nr_segs; i++, off += seg_len) {
		u8 *d = b + off;

		d[0] = c->seg_type ?: STRIX_XCOPY_DESC_B2B;
		put_be(d + 2, seg_len - 4, 2);
		put_be(d + 4, c->src, 2);
		put_be(d + 6, c->dst, 2);
		if (seg_len >= STRIX_XCOPY_SEG_LEN) {
			put_be(d + 10, c->blocks, 2);
			put_be(d + 12, 100 + i, 8);
			put_be(d + 20, 5000 + i, 8);
		}
	}
	return off + c->inline_len;
}

#define ONE	.nr_cscds = 1, .nr_segs = 1, .blocks = 8
#define SEG_OFF(ncscd, i) (STRIX_XCOPY_HDR_LEN + (ncscd) * STRIX_XCOPY_CSCD_LEN + \
			   (i) * STRIX_XCOPY_SEG_LEN)

static const struct xcopy_case xcopy_cases[] = {
	{ "good: one CSCD, one segment", ONE, .list_id = 7, .ret = STRIX_OK },
	{ "good: two CSCDs, across", .nr_cscds = 2, .nr_segs = 1, .src = 0,
	  .dst = 1, .blocks = 2048, .ret = STRIX_OK },
	{ "good: the maximum of both",
	  .nr_cscds = STRIX_XCOPY_MAX_CSCDS, .nr_segs = STRIX_XCOPY_MAX_SEGMENTS,
	  .blocks = 1, .ret = STRIX_OK },
	{ "good: zero blocks", .nr_cscds = 1, .nr_segs = 1, .blocks = 0,
	  .ret = STRIX_OK },
	{ "good: no list identifier", ONE, .list_id_usage = 3, .ret = STRIX_OK },
	{ "good: descriptors only, no segment", .nr_cscds = 1, .ret = STRIX_OK },
	{ "good: bytes past the lists are ignored", ONE, .len_adjust = 4,
	  .ret = STRIX_OK },
	{ "empty list: nothing to do", ONE, .zero_len = true, .ret = STRIX_OK },
	{ "shorter than the header", ONE, .len_adjust = -(SEG_OFF(1, 1) - 15),
	  .ret = STRIX_PARAM_LIST_LENGTH },
	{ "truncated CSCD", ONE, .len_adjust = -(STRIX_XCOPY_SEG_LEN + 1),
	  .ret = STRIX_PARAM_LIST_LENGTH },
	{ "truncated segment", ONE, .len_adjust = -1,
	  .ret = STRIX_PARAM_LIST_LENGTH },
	{ "descriptor lists over the maximum length",
	  .nr_cscds = STRIX_XCOPY_MAX_CSCDS + 1,
	  .nr_segs = STRIX_XCOPY_MAX_SEGMENTS + 1, .blocks = 1,
	  .ret = STRIX_PARAM_LIST_LENGTH },
	{ "too many CSCDs", .nr_cscds = STRIX_XCOPY_MAX_CSCDS + 1, .nr_segs = 1,
	  .blocks = 1, .ret = STRIX_TOO_MANY_CSCDS },
	{ "too many segments", .nr_cscds = 1,
	  .nr_segs = STRIX_XCOPY_MAX_SEGMENTS + 1, .blocks = 1,
	  .ret = STRIX_TOO_MANY_SEGMENTS },
	{ "unsupported CSCD type (E0h, FC N_Port_Name)", ONE, .cscd_type = 0xe0,
	  .ret = STRIX_UNSUPP_CSCD_TYPE, .field = 16 },
	{ "unsupported segment type (03h, stream to stream)", ONE,
	  .seg_type = 0x03, .ret = STRIX_UNSUPP_SEGMENT_TYPE,
	  .field = SEG_OFF(1, 0) },
	{ "segment descriptor length not 18h", ONE, .seg_desc_len = 0x14,
	  .ret = STRIX_INVALID_FIELD_PARAM, .field = SEG_OFF(1, 0) + 2 },
	{ "LU ID TYPE (SPC-3) ignored", ONE, .cscd_byte1 = 0xc0, .ret = STRIX_OK },
	{ "NUL device", ONE, .cscd_byte1 = 0x20, .ret = STRIX_COPY_UNREACHABLE },
	{ "not a block device", ONE, .cscd_byte1 = 0x01,
	  .ret = STRIX_UNSUPP_CSCD_TYPE, .field = 17 },
	{ "bad source CSCD index", ONE, .src = 1,
	  .ret = STRIX_COPY_UNREACHABLE },
	{ "bad destination CSCD index", .nr_cscds = 2, .nr_segs = 1, .dst = 2,
	  .blocks = 1, .ret = STRIX_COPY_UNREACHABLE },
	{ "index FFFFh (not supported)", ONE, .dst = 0xffff,
	  .ret = STRIX_COPY_UNREACHABLE },
	{ "a segment and no CSCD", .nr_segs = 1, .blocks = 1,
	  .ret = STRIX_COPY_UNREACHABLE },
	{ "LIST ID USAGE 01b reserved", ONE, .list_id_usage = 1,
	  .ret = STRIX_INVALID_FIELD_PARAM, .field = 1 },
	{ "no list identifier, yet one given", ONE, .list_id_usage = 3,
	  .list_id = 4, .ret = STRIX_INVALID_FIELD_PARAM, .field = 0 },
	{ "inline data", ONE, .inline_len = 4,
	  .ret = STRIX_INVALID_FIELD_PARAM, .field = 12 },
};

static void xcopy_case_desc(const struct xcopy_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(xcopy, xcopy_cases, xcopy_case_desc);

static void strix_xcopy_parse_test(struct kunit *test)
{
	const struct xcopy_case *c = test->param_value;
	struct strix_xcopy_list *l;
	strix_sense_t ret;
	u16 field = 0xdead;
	u32 len, i;
	u8 *b;

	b = kunit_kzalloc(test, LIST_MAX + 64, GFP_KERNEL);
	l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_NOT_NULL(test, l);
	len = c->zero_len ? 0 : xcopy_build(c, b) + c->len_adjust;

	ret = strix_xcopy_parse(b, len, l, &field);
	KUNIT_EXPECT_EQ(test, (__force u32)ret, (__force u32)c->ret);
	if (c->ret == STRIX_INVALID_FIELD_PARAM || c->field)
		KUNIT_EXPECT_EQ(test, field, c->field);
	if (c->ret != STRIX_OK)
		return;
	if (c->zero_len) {
		KUNIT_EXPECT_EQ(test, l->nr_cscds, 0U);
		KUNIT_EXPECT_EQ(test, l->nr_segs, 0U);
		return;
	}
	KUNIT_EXPECT_EQ(test, l->list_id, c->list_id);
	KUNIT_EXPECT_EQ(test, l->list_id_usage, c->list_id_usage);
	KUNIT_EXPECT_EQ(test, l->nr_cscds, c->nr_cscds);
	KUNIT_EXPECT_EQ(test, l->nr_segs, c->nr_segs);
	for (i = 0; i < l->nr_cscds; i++) {
		KUNIT_EXPECT_EQ(test, l->cscds[i].code_set, 1);
		KUNIT_EXPECT_EQ(test, l->cscds[i].association, 0);
		KUNIT_EXPECT_EQ(test, l->cscds[i].desig_type, 3);
		KUNIT_EXPECT_EQ(test, l->cscds[i].desig_len, 8);
		KUNIT_EXPECT_EQ(test, memcmp(l->cscds[i].desig, naa_a, 8), 0);
		KUNIT_EXPECT_EQ(test, l->cscds[i].block_size, 512U);
	}
	for (i = 0; i < l->nr_segs; i++) {
		KUNIT_EXPECT_EQ(test, l->segs[i].src, c->src);
		KUNIT_EXPECT_EQ(test, l->segs[i].dst, c->dst);
		KUNIT_EXPECT_EQ(test, l->segs[i].nr_blocks, c->blocks);
		KUNIT_EXPECT_EQ(test, l->segs[i].src_lba, 100ULL + i);
		KUNIT_EXPECT_EQ(test, l->segs[i].dst_lba, 5000ULL + i);
	}
}

/* The header's lengths are big-endian and read whole: a list of 2^32 - 1. */
static void strix_xcopy_parse_huge_test(struct kunit *test)
{
	struct strix_xcopy_list *l;
	u8 b[STRIX_XCOPY_HDR_LEN] = { 0 };
	u16 field;

	l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, l);
	/* a segment list length near 2^32: over the maximum, no wrap */
	put_be(b + 8, 0xffffffe0, 4);
	KUNIT_EXPECT_EQ(test, (__force u32)strix_xcopy_parse(b, U32_MAX, l, &field),
			(__force u32)STRIX_PARAM_LIST_LENGTH);
	/* and claiming more than was sent */
	KUNIT_EXPECT_EQ(test, (__force u32)strix_xcopy_parse(b, sizeof(b), l,
							     &field),
			(__force u32)STRIX_PARAM_LIST_LENGTH);
}

static struct kunit_case strix_xcopy_test_cases[] = {
	KUNIT_CASE_PARAM(strix_xcopy_parse_test, xcopy_gen_params),
	KUNIT_CASE(strix_xcopy_parse_huge_test),
	{}
};

static struct kunit_suite strix_xcopy_test_suite = {
	.name = "strix-xcopy",
	.test_cases = strix_xcopy_test_cases,
};

kunit_test_suite(strix_xcopy_test_suite);
