// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit cases for sense data (sense.c): the status and codes of every
 * strix_sense_t, both formats byte by byte, and the errno mapping.
 */
#include <kunit/test.h>
#include <linux/errno.h>
#include <linux/module.h>
#include <linux/string.h>
#include <scsi/scsi_proto.h>

#include "scsi.h"

static u32 sv(strix_sense_t s)
{
	return (__force u32)s;
}

/* ---- the table, one row per value, written out independently ---- */

struct sense_row_case {
	const char *desc;
	strix_sense_t result;
	u8 status;
	u8 key;
	u8 asc;
	u8 ascq;
	bool no_sense;
};

#define CC	SAM_STAT_CHECK_CONDITION

static const struct sense_row_case sense_row_cases[] = {
	{ "OK", STRIX_OK, SAM_STAT_GOOD, 0, 0, 0, true },
	{ "INVALID_OPCODE", STRIX_INVALID_OPCODE, CC, 0x05, 0x20, 0x00 },
	{ "INVALID_FIELD_CDB", STRIX_INVALID_FIELD_CDB, CC, 0x05, 0x24, 0x00 },
	{ "INVALID_FIELD_PARAM", STRIX_INVALID_FIELD_PARAM, CC, 0x05, 0x26, 0x00 },
	{ "PARAM_LIST_LENGTH", STRIX_PARAM_LIST_LENGTH, CC, 0x05, 0x1a, 0x00 },
	{ "LBA_OUT_OF_RANGE", STRIX_LBA_OUT_OF_RANGE, CC, 0x05, 0x21, 0x00 },
	{ "LUN_NOT_SUPPORTED", STRIX_LUN_NOT_SUPPORTED, CC, 0x05, 0x25, 0x00 },
	{ "WRITE_PROTECTED", STRIX_WRITE_PROTECTED, CC, 0x07, 0x27, 0x00 },
	{ "READ_ERROR", STRIX_READ_ERROR, CC, 0x03, 0x11, 0x00 },
	{ "WRITE_ERROR", STRIX_WRITE_ERROR, CC, 0x03, 0x0c, 0x00 },
	{ "SPACE_ALLOC_FAILED", STRIX_SPACE_ALLOC_FAILED, CC, 0x07, 0x27, 0x07 },
	{ "NOT_READY_STOPPED", STRIX_NOT_READY_STOPPED, CC, 0x02, 0x04, 0x02 },
	{ "NO_MEDIUM", STRIX_NO_MEDIUM, CC, 0x02, 0x3a, 0x00 },
	{ "MEDIUM_REMOVAL_PREVENTED", STRIX_MEDIUM_REMOVAL_PREVENTED, CC, 0x05, 0x53,
	  0x02 },
	{ "INVALID_RELEASE_PR", STRIX_INVALID_RELEASE_PR, CC, 0x05, 0x26, 0x04 },
	{ "HW_ERROR", STRIX_HW_ERROR, CC, 0x04, 0x44, 0x00 },
	{ "NO_RESOURCES", STRIX_NO_RESOURCES, 0x28, 0, 0, 0, true },
	{ "BUSY", STRIX_BUSY, 0x08, 0, 0, 0, true },
	{ "RESERVATION_CONFLICT", STRIX_RESERVATION_CONFLICT, 0x18, 0, 0, 0,
	  true },
	/* the codes come from the caller: 29 00 POWER ON OR RESET here */
	{ "UNIT_ATTENTION", STRIX_UNIT_ATTENTION, CC, 0x06, 0x29, 0x00 },
	{ "ABORTED", STRIX_ABORTED, CC, 0x0b, 0x00, 0x00 },
	{ "PROTOCOL_CRC_ERROR", STRIX_PROTOCOL_CRC_ERROR, CC, 0x0b, 0x47, 0x05 },
	{ "INSUFFICIENT_REG_RES", STRIX_INSUFFICIENT_REG_RES, CC, 0x05, 0x55,
	  0x04 },
	{ "MISCOMPARE", STRIX_MISCOMPARE, CC, 0x0e, 0x1d, 0x00 },
	/* ALUA: LOGICAL UNIT NOT ACCESSIBLE, TARGET PORT IN ... STATE */
	{ "PORT_TRANSITIONING", STRIX_PORT_TRANSITIONING, CC, 0x02, 0x04, 0x0a },
	{ "PORT_STANDBY", STRIX_PORT_STANDBY, CC, 0x02, 0x04, 0x0b },
	{ "PORT_UNAVAILABLE", STRIX_PORT_UNAVAILABLE, CC, 0x02, 0x04, 0x0c },
	{ "PORT_OFFLINE", STRIX_PORT_OFFLINE, CC, 0x02, 0x04, 0x12 },
	{ "TOO_MANY_CSCDS", STRIX_TOO_MANY_CSCDS, CC, 0x05, 0x26, 0x06 },
	{ "UNSUPP_CSCD_TYPE", STRIX_UNSUPP_CSCD_TYPE, CC, 0x05, 0x26, 0x07 },
	{ "TOO_MANY_SEGMENTS", STRIX_TOO_MANY_SEGMENTS, CC, 0x05, 0x26, 0x08 },
	{ "UNSUPP_SEGMENT_TYPE", STRIX_UNSUPP_SEGMENT_TYPE, CC, 0x05, 0x26, 0x09 },
	{ "COPY_UNREACHABLE", STRIX_COPY_UNREACHABLE, CC, 0x0a, 0x08, 0x04 },
	{ "COPY_OUT_OF_RANGE", STRIX_COPY_OUT_OF_RANGE, CC, 0x0a, 0x00, 0x00 },
	{ "COPY_TARGET_FAILED", STRIX_COPY_TARGET_FAILED, CC, 0x0a, 0x0d, 0x01 },
	{ "COPY_NOT_REACHABLE", STRIX_COPY_NOT_REACHABLE, CC, 0x0a, 0x0d, 0x02 },
	{ "OP_IN_PROGRESS", STRIX_OP_IN_PROGRESS, CC, 0x05, 0x00, 0x16 },
	{ "out of range: target failure", STRIX_SENSE(__STRIX_SENSE_MAX), CC,
	  0x04, 0x44, 0x00 },
	{ "far out of range", STRIX_SENSE(0xffffffff), CC, 0x04, 0x44, 0x00 },
};

static void sense_row_desc(const struct sense_row_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(sense_row, sense_row_cases, sense_row_desc);

static struct strix_cmd *sense_new_cmd(struct kunit *test,
				       strix_sense_t result)
{
	struct strix_cmd *cmd = kunit_kzalloc(test, sizeof(*cmd), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, cmd);
	cmd->result = result;
	/* stale contents the builder must clear */
	memset(cmd->sense, 0xaa, sizeof(cmd->sense));
	cmd->sense_len = 77;
	cmd->status = 0x55;
	return cmd;
}

static void expect_zero_from(struct kunit *test, const struct strix_cmd *cmd,
			     unsigned int from)
{
	unsigned int i;

	for (i = from; i < sizeof(cmd->sense); i++)
		KUNIT_EXPECT_EQ_MSG(test, cmd->sense[i], 0, "sense byte %u", i);
}

static void strix_sense_row_test(struct kunit *test)
{
	const struct sense_row_case *c = test->param_value;
	struct strix_cmd *cmd;
	u8 status, key, asc, ascq;
	bool ua = c->result == STRIX_UNIT_ATTENTION;
	bool sks = c->result == STRIX_INVALID_FIELD_CDB ||
		   c->result == STRIX_INVALID_FIELD_PARAM;

	strix_sense_info(c->result, &status, &key, &asc, &ascq);
	KUNIT_EXPECT_EQ(test, status, c->status);
	KUNIT_EXPECT_EQ(test, key, c->key);
	/* the UA's codes are not in the table */
	KUNIT_EXPECT_EQ(test, asc, ua ? 0 : c->asc);
	KUNIT_EXPECT_EQ(test, ascq, ua ? 0 : c->ascq);

	/* fixed format */
	cmd = sense_new_cmd(test, c->result);
	strix_sense_build(cmd, false, 0x29, 0x00);
	KUNIT_EXPECT_EQ(test, cmd->status, c->status);
	if (c->no_sense) {
		KUNIT_EXPECT_EQ(test, cmd->sense_len, 0);
		expect_zero_from(test, cmd, 0);
	} else {
		KUNIT_EXPECT_EQ(test, cmd->sense_len, 18);
		KUNIT_EXPECT_EQ(test, cmd->sense[0], 0x70);
		KUNIT_EXPECT_EQ(test, cmd->sense[1], 0);
		KUNIT_EXPECT_EQ(test, cmd->sense[2], c->key);
		KUNIT_EXPECT_EQ(test, cmd->sense[7], 10);
		KUNIT_EXPECT_EQ(test, cmd->sense[12], c->asc);
		KUNIT_EXPECT_EQ(test, cmd->sense[13], c->ascq);
		KUNIT_EXPECT_EQ(test, cmd->sense[15] & 0x80, sks ? 0x80 : 0);
		expect_zero_from(test, cmd, 18);
	}

	/* descriptor format */
	cmd = sense_new_cmd(test, c->result);
	strix_sense_build(cmd, true, 0x29, 0x00);
	KUNIT_EXPECT_EQ(test, cmd->status, c->status);
	if (c->no_sense) {
		KUNIT_EXPECT_EQ(test, cmd->sense_len, 0);
		expect_zero_from(test, cmd, 0);
	} else {
		KUNIT_EXPECT_EQ(test, cmd->sense_len, sks ? 16 : 8);
		KUNIT_EXPECT_EQ(test, cmd->sense[0], 0x72);
		KUNIT_EXPECT_EQ(test, cmd->sense[1], c->key);
		KUNIT_EXPECT_EQ(test, cmd->sense[2], c->asc);
		KUNIT_EXPECT_EQ(test, cmd->sense[3], c->ascq);
		KUNIT_EXPECT_EQ(test, cmd->sense[7], sks ? 8 : 0);
		expect_zero_from(test, cmd, cmd->sense_len);
	}
}

/*
 * A value added to cmd.h without a row in sense.c would answer GOOD (an
 * all-zero row): every value but STRIX_OK must fail the command, and the
 * ones with CHECK CONDITION must carry a sense key.
 */
static void strix_sense_every_value_test(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < __STRIX_SENSE_MAX; i++) {
		u8 status, key, asc, ascq;

		strix_sense_info(STRIX_SENSE(i), &status, &key, &asc, &ascq);
		if (i == __STRIX_OK) {
			KUNIT_EXPECT_EQ(test, status, SAM_STAT_GOOD);
			continue;
		}
		KUNIT_EXPECT_NE_MSG(test, status, SAM_STAT_GOOD,
				    "strix_sense_t %u has no row", i);
		if (status == SAM_STAT_CHECK_CONDITION)
			KUNIT_EXPECT_NE_MSG(test, key, NO_SENSE,
					    "strix_sense_t %u has no sense key",
					    i);
	}
	KUNIT_EXPECT_EQ(test, ARRAY_SIZE(sense_row_cases),
			(size_t)__STRIX_SENSE_MAX + 2);
}

/* ---- whole sense buffers, byte by byte ---- */

struct sense_bytes_case {
	const char *desc;
	strix_sense_t result;
	bool desc_fmt;
	u16 fbyte;
	s8 fbit;
	u8 ua_asc;
	u8 ua_ascq;
	u8 len;
	u8 bytes[32];
	/* the INFORMATION field, when info_valid */
	bool info_valid;
	u64 info;
	/* the COMMAND-SPECIFIC INFORMATION field, when csi_valid */
	bool csi_valid;
	u32 csi;
};

static const struct sense_bytes_case sense_bytes_cases[] = {
	{ "fixed, INVALID FIELD IN CDB byte 2", STRIX_INVALID_FIELD_CDB, false,
	  2, -1, 0, 0, 18,
	  { 0x70, 0, 0x05, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x24, 0x00, 0,
	    0xc0, 0x00, 0x02 } },
	{ "fixed, INVALID FIELD IN CDB byte 1 bit 7", STRIX_INVALID_FIELD_CDB,
	  false, 1, 7, 0, 0, 18,
	  { 0x70, 0, 0x05, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x24, 0x00, 0,
	    0xcf, 0x00, 0x01 } },
	{ "fixed, INVALID FIELD IN CDB byte 15 bit 0", STRIX_INVALID_FIELD_CDB,
	  false, 15, 0, 0, 0, 18,
	  { 0x70, 0, 0x05, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x24, 0x00, 0,
	    0xc8, 0x00, 0x0f } },
	{ "fixed, INVALID FIELD IN PARAMETER LIST byte 300 bit 3",
	  STRIX_INVALID_FIELD_PARAM, false, 300, 3, 0, 0, 18,
	  { 0x70, 0, 0x05, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x26, 0x00, 0,
	    0x8b, 0x01, 0x2c } },
	{ "fixed, INVALID FIELD IN PARAMETER LIST byte 2",
	  STRIX_INVALID_FIELD_PARAM, false, 2, -1, 0, 0, 18,
	  { 0x70, 0, 0x05, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x26, 0x00, 0,
	    0x80, 0x00, 0x02 } },
	{ "fixed, LBA OUT OF RANGE", STRIX_LBA_OUT_OF_RANGE, false, 0, -1, 0, 0,
	  18,
	  { 0x70, 0, 0x05, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x21, 0x00, 0,
	    0, 0, 0 } },
	{ "fixed, SPACE ALLOCATION FAILED", STRIX_SPACE_ALLOC_FAILED, false,
	  0, -1, 0, 0, 18,
	  { 0x70, 0, 0x07, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x27, 0x07, 0,
	    0, 0, 0 } },
	{ "fixed, UA CAPACITY DATA HAS CHANGED", STRIX_UNIT_ATTENTION, false,
	  0, -1, 0x2a, 0x09, 18,
	  { 0x70, 0, 0x06, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x2a, 0x09, 0,
	    0, 0, 0 } },
	{ "desc, INVALID FIELD IN CDB byte 2", STRIX_INVALID_FIELD_CDB, true,
	  2, -1, 0, 0, 16,
	  { 0x72, 0x05, 0x24, 0x00, 0, 0, 0, 0x08,
	    0x02, 0x06, 0, 0, 0xc0, 0x00, 0x02, 0 } },
	{ "desc, INVALID FIELD IN CDB byte 1 bit 4", STRIX_INVALID_FIELD_CDB,
	  true, 1, 4, 0, 0, 16,
	  { 0x72, 0x05, 0x24, 0x00, 0, 0, 0, 0x08,
	    0x02, 0x06, 0, 0, 0xcc, 0x00, 0x01, 0 } },
	{ "desc, INVALID FIELD IN PARAMETER LIST byte 0x1234 bit 0",
	  STRIX_INVALID_FIELD_PARAM, true, 0x1234, 0, 0, 0, 16,
	  { 0x72, 0x05, 0x26, 0x00, 0, 0, 0, 0x08,
	    0x02, 0x06, 0, 0, 0x88, 0x12, 0x34, 0 } },
	{ "desc, WRITE PROTECTED", STRIX_WRITE_PROTECTED, true, 0, -1, 0, 0, 8,
	  { 0x72, 0x07, 0x27, 0x00, 0, 0, 0, 0 } },
	{ "desc, NOT READY, START needed", STRIX_NOT_READY_STOPPED, true, 0, -1,
	  0, 0, 8, { 0x72, 0x02, 0x04, 0x02, 0, 0, 0, 0 } },
	{ "desc, UA REPORTED LUNS DATA HAS CHANGED", STRIX_UNIT_ATTENTION, true,
	  0, -1, 0x3f, 0x0e, 8, { 0x72, 0x06, 0x3f, 0x0e, 0, 0, 0, 0 } },
	{ "desc, BUSY", STRIX_BUSY, true, 0, -1, 0, 0, 0, {} },
	{ "fixed, MISCOMPARE at byte 0x1234", STRIX_MISCOMPARE, false, 0, -1,
	  0, 0, 18,
	  { 0xf0, 0, 0x0e, 0, 0, 0x12, 0x34, 0x0a, 0, 0, 0, 0, 0x1d, 0x00, 0,
	    0, 0, 0 }, true, 0x1234 },
	{ "fixed, MISCOMPARE at byte 0", STRIX_MISCOMPARE, false, 0, -1, 0, 0,
	  18,
	  { 0xf0, 0, 0x0e, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x1d, 0x00, 0,
	    0, 0, 0 }, true, 0 },
	{ "fixed, information past 32 bits: not VALID", STRIX_MISCOMPARE, false,
	  0, -1, 0, 0, 18,
	  { 0x70, 0, 0x0e, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x1d, 0x00, 0,
	    0, 0, 0 }, true, 1ULL << 32 },
	{ "desc, MISCOMPARE at byte 0x1234", STRIX_MISCOMPARE, true, 0, -1,
	  0, 0, 20,
	  { 0x72, 0x0e, 0x1d, 0x00, 0, 0, 0, 0x0c,
	    0x00, 0x0a, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34 }, true, 0x1234 },
	{ "desc, information and field pointer", STRIX_INVALID_FIELD_CDB, true,
	  2, -1, 0, 0, 28,
	  { 0x72, 0x05, 0x24, 0x00, 0, 0, 0, 0x14,
	    0x00, 0x0a, 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0,
	    0x02, 0x06, 0, 0, 0xc0, 0x00, 0x02, 0 }, true, 1ULL << 32 },
	{ "fixed, COPY ABORTED in segment 0x0102", STRIX_COPY_TARGET_FAILED,
	  false, 0, -1, 0, 0, 18,
	  { 0x70, 0, 0x0a, 0, 0, 0, 0, 0x0a, 0, 0, 0x01, 0x02, 0x0d, 0x01, 0,
	    0, 0, 0 }, false, 0, true, 0x0102 },
	{ "desc, COPY ABORTED in segment 3", STRIX_COPY_OUT_OF_RANGE, true, 0,
	  -1, 0, 0, 20,
	  { 0x72, 0x0a, 0x00, 0x00, 0, 0, 0, 0x0c,
	    0x01, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3 }, false, 0, true, 3 },
	{ "fixed, TASK SET FULL", STRIX_NO_RESOURCES, false, 0, -1, 0, 0, 0, {} },
};

static void sense_bytes_desc(const struct sense_bytes_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(sense_bytes, sense_bytes_cases, sense_bytes_desc);

static void strix_sense_bytes_test(struct kunit *test)
{
	const struct sense_bytes_case *c = test->param_value;
	struct strix_cmd *cmd = sense_new_cmd(test, c->result);
	unsigned int i;

	cmd->sense_field_byte = c->fbyte;
	cmd->sense_field_bit = c->fbit;
	cmd->sense_info_valid = c->info_valid;
	cmd->sense_info = c->info;
	cmd->sense_csi_valid = c->csi_valid;
	cmd->sense_csi = c->csi;
	strix_sense_build(cmd, c->desc_fmt, c->ua_asc, c->ua_ascq);
	KUNIT_ASSERT_EQ(test, cmd->sense_len, c->len);
	for (i = 0; i < c->len; i++)
		KUNIT_EXPECT_EQ_MSG(test, cmd->sense[i], c->bytes[i],
				    "sense byte %u", i);
	expect_zero_from(test, cmd, c->len);
}

/* ---- errno to sense ---- */

struct errno_case {
	const char *desc;
	int err;
	bool write;
	strix_sense_t result;
};

static const struct errno_case errno_cases[] = {
	{ "0", 0, true, STRIX_OK },
	{ "EIO read", -EIO, false, STRIX_READ_ERROR },
	{ "EIO write", -EIO, true, STRIX_WRITE_ERROR },
	{ "EIO positive", EIO, true, STRIX_WRITE_ERROR },
	{ "ENOSPC write", -ENOSPC, true, STRIX_SPACE_ALLOC_FAILED },
	{ "EDQUOT write", -EDQUOT, true, STRIX_SPACE_ALLOC_FAILED },
	{ "ENOSPC read", -ENOSPC, false, STRIX_READ_ERROR },
	{ "EROFS write", -EROFS, true, STRIX_WRITE_PROTECTED },
	{ "EPERM write", -EPERM, true, STRIX_WRITE_PROTECTED },
	{ "EACCES write", -EACCES, true, STRIX_WRITE_PROTECTED },
	{ "EACCES read", -EACCES, false, STRIX_READ_ERROR },
	{ "ENOMEM read", -ENOMEM, false, STRIX_BUSY },
	{ "ENOMEM write", -ENOMEM, true, STRIX_BUSY },
	{ "EAGAIN", -EAGAIN, true, STRIX_BUSY },
	{ "EBUSY", -EBUSY, false, STRIX_BUSY },
	{ "ENOBUFS", -ENOBUFS, false, STRIX_BUSY },
	{ "ENOMEDIUM", -ENOMEDIUM, false, STRIX_NO_MEDIUM },
	{ "EINVAL write", -EINVAL, true, STRIX_WRITE_ERROR },
	{ "ENODATA read", -ENODATA, false, STRIX_READ_ERROR },
	{ "EOPNOTSUPP read", -EOPNOTSUPP, false, STRIX_READ_ERROR },
};

static void errno_desc(const struct errno_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(sense_errno, errno_cases, errno_desc);

static void strix_errno_to_sense_test(struct kunit *test)
{
	const struct errno_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, sv(strix_errno_to_sense(c->err, c->write)),
			sv(c->result));
}

static struct kunit_case strix_sense_test_cases[] = {
	KUNIT_CASE_PARAM(strix_sense_row_test, sense_row_gen_params),
	KUNIT_CASE(strix_sense_every_value_test),
	KUNIT_CASE_PARAM(strix_sense_bytes_test, sense_bytes_gen_params),
	KUNIT_CASE_PARAM(strix_errno_to_sense_test, sense_errno_gen_params),
	{}
};

static struct kunit_suite strix_sense_test_suite = {
	.name = "strix-sense",
	.test_cases = strix_sense_test_cases,
};

kunit_test_suite(strix_sense_test_suite);
