// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit cases for the CDB parser (cdb.c): one row per CDB, against a few
 * devices.  Loaded as part of strix_core_test.ko on a kernel with KUnit.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/string.h>
#include <scsi/scsi_proto.h>

#include "scsi.h"

/* The devices the cases run against. */
enum cdb_dev {
	DISK,		/* 1000 blocks of 512 bytes (last LBA 999) */
	DISK_4K,	/* 1000 blocks of 4096 bytes */
	RO_LUN,		/* DISK, through a read-only LUN */
	RO_DEV,		/* a read-only device of 1000 blocks */
	HUGE,		/* U64_MAX blocks of 512 bytes (last LBA U64_MAX - 1) */
	NO_LUN,		/* the LUN does not exist */
	EJECTED,	/* a removable medium, ejected */
	/* DISK in a device group, through a port in the state named */
	ALUA_IMPL,	/* active/optimized, implicit ALUA only */
	ALUA_EXPL,	/* active/optimized, explicit allowed */
	ALUA_NONOPT,	/* active/non-optimized */
	ALUA_STANDBY,
	ALUA_UNAVAIL,
	ALUA_TRANS,
	ALUA_OFFLINE,
	ALUA_BOGUS,	/* a state code that is not one (counts as unavailable) */
	THIN,		/* DISK, thin provisioned */
	THIN_RO,	/* THIN, through a read-only LUN */
};

static const struct strix_dev_params cdb_dp_disk = {
	.scsi_type = TYPE_DISK, .block_size = 512, .nr_blocks = 1000,
};
static const struct strix_dev_params cdb_dp_4k = {
	.scsi_type = TYPE_DISK, .block_size = 4096, .nr_blocks = 1000,
};
static const struct strix_dev_params cdb_dp_ro = {
	.scsi_type = TYPE_DISK, .block_size = 512, .nr_blocks = 1000,
	.read_only = true,
};
static const struct strix_dev_params cdb_dp_huge = {
	.scsi_type = TYPE_DISK, .block_size = 512, .nr_blocks = U64_MAX,
};
static const struct strix_dev_params cdb_dp_thin = {
	.scsi_type = TYPE_DISK, .block_size = 512, .nr_blocks = 1000,
	.thin_provisioned = true, .unmap_zeroes = true,
};

static const struct strix_parse_ctx cdb_ctx[] = {
	[DISK]		= { .dp = &cdb_dp_disk },
	[DISK_4K]	= { .dp = &cdb_dp_4k },
	[RO_LUN]	= { .dp = &cdb_dp_disk, .read_only = true },
	[RO_DEV]	= { .dp = &cdb_dp_ro },
	[HUGE]		= { .dp = &cdb_dp_huge },
	[NO_LUN]	= { .dp = NULL },
	[EJECTED]	= { .dp = &cdb_dp_disk, .no_medium = true },
#define ALUA_CTX(expl, st)	{ .dp = &cdb_dp_disk, .alua = true,	\
				  .alua_explicit = (expl), .alua_state = (st) }
	[ALUA_IMPL]	= ALUA_CTX(false, STRIX_ALUA_OPTIMIZED),
	[ALUA_EXPL]	= ALUA_CTX(true, STRIX_ALUA_OPTIMIZED),
	[ALUA_NONOPT]	= ALUA_CTX(true, STRIX_ALUA_NONOPTIMIZED),
	[ALUA_STANDBY]	= ALUA_CTX(true, STRIX_ALUA_STANDBY),
	[ALUA_UNAVAIL]	= ALUA_CTX(true, STRIX_ALUA_UNAVAILABLE),
	[ALUA_TRANS]	= ALUA_CTX(true, STRIX_ALUA_TRANSITIONING),
	[ALUA_OFFLINE]	= ALUA_CTX(true, STRIX_ALUA_OFFLINE),
	[ALUA_BOGUS]	= ALUA_CTX(true, 0x7),
	[THIN]		= { .dp = &cdb_dp_thin },
	[THIN_RO]	= { .dp = &cdb_dp_thin, .read_only = true },
};

struct cdb_case {
	const char *desc;
	u8 cdb[16];
	u8 cdb_len;		/* 0: 16, a transport's padded CDB */
#define CDB_EMPTY	0xff	/* cdb_len 0 */
	u8 dev;			/* enum cdb_dev */
	/* LBA() and LEN(): the fields, placed by cdb_put_fields() */
	bool put_lba;
	bool put_len;
	u64 in_lba;
	u32 in_len;
	strix_sense_t ret;
	/* STRIX_OK: what the command does */
	u8 op;
	u8 emul;
	u8 dir;
	u32 data_len;
	u64 lba;
	u32 blocks;
	bool fua;
	/* the LBA range lock mode + 1 (RANGE()); 0: not checked */
	u8 range;
	/* STRIX_INVALID_FIELD_CDB: where */
	u16 fbyte;
	s8 fbit;
};

#define CDB(...)	.cdb = { __VA_ARGS__ }
#define RES(o, e, d, dl, l, n, f)					\
	.ret = STRIX_OK, .op = STRIX_OP_##o, .emul = STRIX_EMUL_##e,	\
	.dir = STRIX_DATA_##d, .data_len = (dl), .lba = (l),		\
	.blocks = (n), .fua = (f)
/* (READ, WRITE and VERIFY are macros too: paste before they expand) */
#define EMUL(e, d, dl)							\
	.ret = STRIX_OK, .op = STRIX_OP_EMULATE, .emul = STRIX_EMUL_##e,	\
	.dir = STRIX_DATA_##d, .data_len = (dl)
#define IO(o, d, dl, l, n, f)						\
	.ret = STRIX_OK, .op = STRIX_OP_##o, .emul = STRIX_EMUL_NONE,	\
	.dir = STRIX_DATA_##d, .data_len = (dl), .lba = (l),		\
	.blocks = (n), .fua = (f)
#define BAD(by, bi)	.ret = STRIX_INVALID_FIELD_CDB, .fbyte = (by), .fbit = (bi)
#define FAIL(r)		.ret = STRIX_##r
#define RANGE(m)	.range = STRIX_RANGE_##m + 1

/* The LBA and length fields, written into .cdb by cdb_put_fields(). */
#define LBA(x)		.put_lba = true, .in_lba = (x)
#define LEN(x)		.put_len = true, .in_len = (x)

static const struct cdb_case cdb_cases[] = {
	/* ---- general ---- */
	{ "unknown opcode", CDB(0xff), .dev = DISK, FAIL(INVALID_OPCODE) },
	{ "MODE SELECT(6)",
	  CDB(MODE_SELECT, [1] = 0x11, [4] = 0x0c), LEN(0x0c), .dev = DISK,
	  EMUL(MODE_SELECT_6, WRITE, 0x0c) },
	{ "MODE SELECT(6) PF 0", CDB(MODE_SELECT, [4] = 0x0c), LEN(0x0c),
	  .dev = DISK, BAD(1, 4) },
	{ "MODE SELECT(6) RTD", CDB(MODE_SELECT, [1] = 0x12, [4] = 0x0c),
	  LEN(0x0c), .dev = DISK, BAD(1, 1) },
	{ "MODE SELECT(10) standby", CDB(MODE_SELECT_10, [1] = 0x10, [8] = 0x1c),
	  LEN(0x1c), .dev = ALUA_STANDBY, EMUL(MODE_SELECT_10, WRITE, 0x1c) },
	{ "LOG SENSE", CDB(LOG_SENSE, [2] = 0x4d, [8] = 0x40), LEN(0x40),
	  .dev = DISK, EMUL(LOG_SENSE, READ, 0x40) },
	{ "LOG SENSE SP", CDB(LOG_SENSE, [1] = 0x01, [2] = 0x4d, [8] = 0x40),
	  LEN(0x40), .dev = DISK, BAD(1, 0) },
	{ "LOG SENSE PPC", CDB(LOG_SENSE, [1] = 0x02, [2] = 0x4d, [8] = 0x40),
	  LEN(0x40), .dev = DISK, BAD(1, 1) },
	{ "unknown opcode, no LUN", CDB(0xff), .dev = NO_LUN,
	  FAIL(LUN_NOT_SUPPORTED) },
	{ "empty CDB", CDB(TEST_UNIT_READY), .cdb_len = CDB_EMPTY, .dev = DISK,
	  BAD(0, -1) },

	/* ---- ALUA: the two commands, and the states (SPC-4 5.15.2.4) ---- */
	{ "RTPG without a device group", CDB(MAINTENANCE_IN, [1] = 0x0a),
	  LEN(64), .dev = DISK, FAIL(INVALID_OPCODE) },
	{ "RTPG", CDB(MAINTENANCE_IN, [1] = 0x0a), LEN(64), .dev = ALUA_IMPL,
	  EMUL(REPORT_TPG, READ, 64) },
	{ "RTPG extended", CDB(MAINTENANCE_IN, [1] = 0x2a), LEN(64),
	  .dev = ALUA_IMPL, EMUL(REPORT_TPG, READ, 64) },
	{ "RTPG format 010b", CDB(MAINTENANCE_IN, [1] = 0x4a), LEN(64),
	  .dev = ALUA_IMPL, BAD(1, 7) },
	{ "RTPG reserved byte 2", CDB(MAINTENANCE_IN, [1] = 0x0a, [2] = 1),
	  LEN(64), .dev = ALUA_IMPL, BAD(2, 0) },
	{ "RTPG in standby", CDB(MAINTENANCE_IN, [1] = 0x0a), LEN(8),
	  .dev = ALUA_STANDBY, EMUL(REPORT_TPG, READ, 8) },
	{ "RTPG in unavailable", CDB(MAINTENANCE_IN, [1] = 0x0a), LEN(8),
	  .dev = ALUA_UNAVAIL, EMUL(REPORT_TPG, READ, 8) },
	{ "RTPG in transitioning", CDB(MAINTENANCE_IN, [1] = 0x0a), LEN(8),
	  .dev = ALUA_TRANS, EMUL(REPORT_TPG, READ, 8) },
	{ "RTPG in offline", CDB(MAINTENANCE_IN, [1] = 0x0a), LEN(8),
	  .dev = ALUA_OFFLINE, FAIL(PORT_OFFLINE) },
	{ "STPG without a device group", CDB(MAINTENANCE_OUT, [1] = 0x0a),
	  LEN(8), .dev = DISK, FAIL(INVALID_OPCODE) },
	{ "STPG, implicit ALUA only", CDB(MAINTENANCE_OUT, [1] = 0x0a),
	  LEN(8), .dev = ALUA_IMPL, FAIL(INVALID_OPCODE) },
	{ "STPG", CDB(MAINTENANCE_OUT, [1] = 0x0a), LEN(8), .dev = ALUA_EXPL,
	  EMUL(SET_TPG, WRITE, 8) },
	{ "STPG empty", CDB(MAINTENANCE_OUT, [1] = 0x0a), LEN(0),
	  .dev = ALUA_EXPL, EMUL(SET_TPG, NONE, 0) },
	{ "STPG unknown service action", CDB(MAINTENANCE_OUT, [1] = 0x0b),
	  LEN(8), .dev = ALUA_EXPL, BAD(1, 4) },
	{ "STPG reserved byte 2", CDB(MAINTENANCE_OUT, [1] = 0x0a, [2] = 1),
	  LEN(8), .dev = ALUA_EXPL, BAD(2, 0) },
	{ "STPG in standby", CDB(MAINTENANCE_OUT, [1] = 0x0a), LEN(8),
	  .dev = ALUA_STANDBY, EMUL(SET_TPG, WRITE, 8) },
	{ "STPG in unavailable", CDB(MAINTENANCE_OUT, [1] = 0x0a), LEN(8),
	  .dev = ALUA_UNAVAIL, EMUL(SET_TPG, WRITE, 8) },
	{ "STPG in transitioning", CDB(MAINTENANCE_OUT, [1] = 0x0a), LEN(8),
	  .dev = ALUA_TRANS, FAIL(PORT_TRANSITIONING) },
	{ "READ(10) non-optimized", CDB(READ_10), LBA(0), LEN(1),
	  .dev = ALUA_NONOPT, IO(READ, READ, 512, 0, 1, false) },
	{ "WRITE(10) optimized", CDB(WRITE_10), LBA(0), LEN(1),
	  .dev = ALUA_EXPL, IO(WRITE, WRITE, 512, 0, 1, false) },
	{ "READ(10) standby", CDB(READ_10), LBA(0), LEN(1),
	  .dev = ALUA_STANDBY, FAIL(PORT_STANDBY) },
	{ "WRITE(16) unavailable", CDB(WRITE_16), LBA(0), LEN(1),
	  .dev = ALUA_UNAVAIL, FAIL(PORT_UNAVAILABLE) },
	{ "READ(16) transitioning", CDB(READ_16), LBA(0), LEN(1),
	  .dev = ALUA_TRANS, FAIL(PORT_TRANSITIONING) },
	{ "READ(10) offline", CDB(READ_10), LBA(0), LEN(1),
	  .dev = ALUA_OFFLINE, FAIL(PORT_OFFLINE) },
	{ "READ(10) bogus state", CDB(READ_10), LBA(0), LEN(1),
	  .dev = ALUA_BOGUS, FAIL(PORT_UNAVAILABLE) },
	{ "TUR standby", CDB(TEST_UNIT_READY), .cdb_len = 6,
	  .dev = ALUA_STANDBY, FAIL(PORT_STANDBY) },
	{ "SYNCHRONIZE CACHE standby", CDB(SYNCHRONIZE_CACHE), LBA(0), LEN(0),
	  .dev = ALUA_STANDBY, FAIL(PORT_STANDBY) },
	{ "RESERVE(6) standby", CDB(RESERVE), .cdb_len = 6,
	  .dev = ALUA_STANDBY, FAIL(PORT_STANDBY) },
	{ "INQUIRY offline", CDB(INQUIRY), LEN(96), .dev = ALUA_OFFLINE,
	  EMUL(INQUIRY, READ, 96) },
	{ "REPORT LUNS transitioning", CDB(REPORT_LUNS), LEN(16),
	  .dev = ALUA_TRANS, EMUL(REPORT_LUNS, READ, 16) },
	{ "REQUEST SENSE unavailable", CDB(REQUEST_SENSE), LEN(18),
	  .dev = ALUA_UNAVAIL, EMUL(REQUEST_SENSE, READ, 18) },
	{ "MODE SENSE(6) standby", CDB(MODE_SENSE, [2] = 0x3f), LEN(255),
	  .dev = ALUA_STANDBY, EMUL(MODE_SENSE_6, READ, 255) },
	{ "MODE SENSE(10) unavailable", CDB(MODE_SENSE_10, [2] = 0x3f),
	  LEN(255), .dev = ALUA_UNAVAIL, FAIL(PORT_UNAVAILABLE) },
	{ "PR IN standby", CDB(PERSISTENT_RESERVE_IN), LEN(8),
	  .dev = ALUA_STANDBY, EMUL(PR_IN, READ, 8) },
	{ "PR IN transitioning", CDB(PERSISTENT_RESERVE_IN), LEN(8),
	  .dev = ALUA_TRANS, FAIL(PORT_TRANSITIONING) },
	{ "RSOC unavailable",
	  CDB(MAINTENANCE_IN, [1] = MI_REPORT_SUPPORTED_OPERATION_CODES),
	  LEN(64), .dev = ALUA_UNAVAIL, EMUL(REPORT_OPCODES, READ, 64) },
	{ "RSOC offline",
	  CDB(MAINTENANCE_IN, [1] = MI_REPORT_SUPPORTED_OPERATION_CODES),
	  LEN(64), .dev = ALUA_OFFLINE, FAIL(PORT_OFFLINE) },
	{ "unknown opcode in standby", CDB(0xff), .dev = ALUA_STANDBY,
	  FAIL(INVALID_OPCODE) },

	/* ---- no medium: only what works without one ---- */
	{ "no medium: TUR", CDB(TEST_UNIT_READY), .cdb_len = 6, .dev = EJECTED,
	  FAIL(NO_MEDIUM) },
	{ "no medium: READ(10)", CDB(READ_10), LBA(0), LEN(1), .dev = EJECTED,
	  FAIL(NO_MEDIUM) },
	{ "no medium: WRITE(16)", CDB(WRITE_16), LBA(0), LEN(1), .dev = EJECTED,
	  FAIL(NO_MEDIUM) },
	{ "no medium: READ CAPACITY(10)", CDB(READ_CAPACITY), .dev = EJECTED,
	  FAIL(NO_MEDIUM) },
	{ "no medium: SYNCHRONIZE CACHE(10)", CDB(SYNCHRONIZE_CACHE), .dev = EJECTED,
	  FAIL(NO_MEDIUM) },
	{ "no medium: PRE-FETCH(10)", CDB(PRE_FETCH), LBA(0), LEN(1), .dev = EJECTED,
	  FAIL(NO_MEDIUM) },
	{ "no medium: unknown opcode still invalid", CDB(0xff), .dev = EJECTED,
	  FAIL(INVALID_OPCODE) },
	{ "no medium: INQUIRY", CDB(INQUIRY, [4] = 36), .dev = EJECTED,
	  EMUL(INQUIRY, READ, 36) },
	{ "no medium: REQUEST SENSE", CDB(REQUEST_SENSE, [4] = 18), .dev = EJECTED,
	  EMUL(REQUEST_SENSE, READ, 18) },
	{ "no medium: MODE SENSE(6)", CDB(MODE_SENSE, [2] = 0x3f, [4] = 192),
	  .dev = EJECTED, EMUL(MODE_SENSE_6, READ, 192) },
	{ "no medium: START STOP UNIT load", CDB(START_STOP, [4] = 0x03),
	  .dev = EJECTED, EMUL(START_STOP_UNIT, NONE, 0) },
	{ "no medium: PREVENT ALLOW", CDB(ALLOW_MEDIUM_REMOVAL, [4] = 0x01),
	  .dev = EJECTED, EMUL(PREVENT_ALLOW, NONE, 0) },

	/* ---- TEST UNIT READY ---- */
	{ "TUR", CDB(TEST_UNIT_READY), .cdb_len = 6, .dev = DISK,
	  EMUL(TEST_UNIT_READY, NONE, 0) },
	{ "TUR padded to 16", CDB(TEST_UNIT_READY), .dev = DISK,
	  EMUL(TEST_UNIT_READY, NONE, 0) },
	{ "TUR short", CDB(TEST_UNIT_READY), .cdb_len = 5, .dev = DISK,
	  BAD(0, -1) },
	{ "TUR reserved bit", CDB(TEST_UNIT_READY, [3] = 0x10), .dev = DISK,
	  BAD(3, 4) },
	{ "TUR old LUN bits", CDB(TEST_UNIT_READY, [1] = 0x20), .dev = DISK,
	  BAD(1, 5) },
	{ "TUR NACA", CDB(TEST_UNIT_READY, [5] = 0x04), .dev = DISK,
	  BAD(5, 2) },
	{ "TUR LINK", CDB(TEST_UNIT_READY, [5] = 0x01), .dev = DISK,
	  BAD(5, 0) },
	{ "TUR vendor control bits", CDB(TEST_UNIT_READY, [5] = 0xc0),
	  .dev = DISK, EMUL(TEST_UNIT_READY, NONE, 0) },
	{ "TUR read-only", CDB(TEST_UNIT_READY), .dev = RO_LUN,
	  EMUL(TEST_UNIT_READY, NONE, 0) },
	{ "TUR no LUN", CDB(TEST_UNIT_READY), .dev = NO_LUN,
	  FAIL(LUN_NOT_SUPPORTED) },

	/* ---- INQUIRY ---- */
	{ "INQUIRY standard", CDB(INQUIRY), LEN(36), .cdb_len = 6, .dev = DISK,
	  EMUL(INQUIRY, READ, 36) },
	{ "INQUIRY VPD 0x83, 2-byte length",
	  CDB(INQUIRY, [1] = 0x01, [2] = 0x83), LEN(4096), .dev = DISK,
	  EMUL(INQUIRY, READ, 4096) },
	{ "INQUIRY VPD 0x00", CDB(INQUIRY, [1] = 0x01), LEN(255), .dev = DISK,
	  EMUL(INQUIRY, READ, 255) },
	{ "INQUIRY page without EVPD", CDB(INQUIRY, [2] = 0x80), LEN(255),
	  .dev = DISK, BAD(2, -1) },
	{ "INQUIRY CMDDT", CDB(INQUIRY, [1] = 0x02), LEN(255), .dev = DISK,
	  BAD(1, 1) },
	{ "INQUIRY allocation length 0", CDB(INQUIRY), LEN(0), .dev = DISK,
	  EMUL(INQUIRY, NONE, 0) },
	{ "INQUIRY maximum length", CDB(INQUIRY), LEN(65535), .dev = DISK,
	  EMUL(INQUIRY, READ, 0xffff) },
	{ "INQUIRY no LUN", CDB(INQUIRY), LEN(96), .dev = NO_LUN,
	  EMUL(INQUIRY, READ, 96) },
	{ "INQUIRY no LUN, bad field", CDB(INQUIRY, [2] = 0x83), LEN(96),
	  .dev = NO_LUN, BAD(2, -1) },
	{ "INQUIRY short", CDB(INQUIRY), LEN(36), .cdb_len = 5, .dev = DISK,
	  BAD(0, -1) },
	{ "INQUIRY NACA", CDB(INQUIRY, [5] = 0x04), LEN(36), .dev = DISK,
	  BAD(5, 2) },

	/* ---- REQUEST SENSE ---- */
	{ "REQUEST SENSE", CDB(REQUEST_SENSE), LEN(252), .cdb_len = 6,
	  .dev = DISK, EMUL(REQUEST_SENSE, READ, 252) },
	{ "REQUEST SENSE DESC", CDB(REQUEST_SENSE, [1] = 0x01), LEN(18),
	  .dev = DISK, EMUL(REQUEST_SENSE, READ, 18) },
	{ "REQUEST SENSE reserved", CDB(REQUEST_SENSE, [2] = 0x80), LEN(18),
	  .dev = DISK, BAD(2, 7) },
	{ "REQUEST SENSE no LUN", CDB(REQUEST_SENSE), LEN(18), .dev = NO_LUN,
	  EMUL(REQUEST_SENSE, READ, 18) },
	{ "REQUEST SENSE short", CDB(REQUEST_SENSE), LEN(18), .cdb_len = 4,
	  .dev = DISK, BAD(0, -1) },

	/* ---- REPORT LUNS ---- */
	{ "REPORT LUNS", CDB(REPORT_LUNS), LEN(4096), .cdb_len = 12,
	  .dev = DISK, EMUL(REPORT_LUNS, READ, 4096) },
	{ "REPORT LUNS select 1", CDB(REPORT_LUNS, [2] = 0x01), LEN(16),
	  .dev = DISK, EMUL(REPORT_LUNS, READ, 16) },
	{ "REPORT LUNS select 2", CDB(REPORT_LUNS, [2] = 0x02), LEN(65536),
	  .dev = DISK, EMUL(REPORT_LUNS, READ, 0x10000) },
	{ "REPORT LUNS select 3", CDB(REPORT_LUNS, [2] = 0x03), LEN(16),
	  .dev = DISK, BAD(2, -1) },
	{ "REPORT LUNS select 0x10", CDB(REPORT_LUNS, [2] = 0x10), LEN(16),
	  .dev = DISK, BAD(2, -1) },
	{ "REPORT LUNS length 15", CDB(REPORT_LUNS), LEN(15), .dev = DISK,
	  BAD(6, -1) },
	{ "REPORT LUNS length 0", CDB(REPORT_LUNS), LEN(0), .dev = DISK,
	  BAD(6, -1) },
	{ "REPORT LUNS reserved byte 1", CDB(REPORT_LUNS, [1] = 0x01), LEN(16),
	  .dev = DISK, BAD(1, 0) },
	{ "REPORT LUNS reserved byte 10", CDB(REPORT_LUNS, [10] = 0x08),
	  LEN(16), .dev = DISK, BAD(10, 3) },
	{ "REPORT LUNS no LUN", CDB(REPORT_LUNS), LEN(64), .dev = NO_LUN,
	  EMUL(REPORT_LUNS, READ, 64) },
	{ "REPORT LUNS short", CDB(REPORT_LUNS), LEN(64), .cdb_len = 11,
	  .dev = DISK, BAD(0, -1) },
	{ "REPORT LUNS NACA", CDB(REPORT_LUNS, [11] = 0x04), LEN(64),
	  .dev = DISK, BAD(11, 2) },

	/* ---- REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS ---- */
	{ "REPORT SUPPORTED TMF", CDB(MAINTENANCE_IN, [1] = 0x0d), LEN(4),
	  .cdb_len = 12, .dev = DISK, EMUL(REPORT_TMF, READ, 4) },
	{ "REPORT SUPPORTED TMF REPD", CDB(MAINTENANCE_IN, [1] = 0x0d,
	  [2] = 0x80), LEN(16), .dev = DISK, EMUL(REPORT_TMF, READ, 16) },
	{ "REPORT SUPPORTED TMF no medium", CDB(MAINTENANCE_IN, [1] = 0x0d),
	  LEN(4), .dev = EJECTED, EMUL(REPORT_TMF, READ, 4) },
	{ "REPORT SUPPORTED TMF length 3", CDB(MAINTENANCE_IN, [1] = 0x0d),
	  LEN(3), .dev = DISK, BAD(6, -1) },
	{ "REPORT SUPPORTED TMF reserved byte 2",
	  CDB(MAINTENANCE_IN, [1] = 0x0d, [2] = 0x40), LEN(4), .dev = DISK,
	  BAD(2, 6) },
	{ "MAINTENANCE IN unknown service action",
	  CDB(MAINTENANCE_IN, [1] = 0x1f), LEN(4), .dev = DISK, BAD(1, 4) },
	{ "REPORT SUPPORTED TMF no LUN", CDB(MAINTENANCE_IN, [1] = 0x0d),
	  LEN(4), .dev = NO_LUN, FAIL(LUN_NOT_SUPPORTED) },

	/* ---- READ CAPACITY(10) ---- */
	{ "READ CAPACITY(10)", CDB(READ_CAPACITY), .cdb_len = 10, .dev = DISK,
	  EMUL(READ_CAPACITY_10, READ, 8) },
	{ "READ CAPACITY(10) PMI", CDB(READ_CAPACITY, [8] = 0x01), LBA(5),
	  .dev = DISK, RES(EMULATE, READ_CAPACITY_10, READ, 8, 5, 0, false) },
	{ "READ CAPACITY(10) LBA without PMI", CDB(READ_CAPACITY), LBA(5),
	  .dev = DISK, BAD(2, -1) },
	{ "READ CAPACITY(10) reserved byte 8", CDB(READ_CAPACITY, [8] = 0x02),
	  .dev = DISK, BAD(8, 1) },
	{ "READ CAPACITY(10) obsolete RELADR", CDB(READ_CAPACITY, [1] = 0x01),
	  .dev = DISK, BAD(1, 0) },
	{ "READ CAPACITY(10) short", CDB(READ_CAPACITY), .cdb_len = 9,
	  .dev = DISK, BAD(0, -1) },
	{ "READ CAPACITY(10) NACA", CDB(READ_CAPACITY, [9] = 0x04), .dev = DISK,
	  BAD(9, 2) },
	{ "READ CAPACITY(10) no LUN", CDB(READ_CAPACITY), .dev = NO_LUN,
	  FAIL(LUN_NOT_SUPPORTED) },

	/* ---- SERVICE ACTION IN(16) / READ CAPACITY(16) ---- */
	{ "READ CAPACITY(16)",
	  CDB(SERVICE_ACTION_IN_16, [1] = SAI_READ_CAPACITY_16), LEN(32),
	  .cdb_len = 16, .dev = DISK, EMUL(READ_CAPACITY_16, READ, 32) },
	{ "READ CAPACITY(16) PMI",
	  CDB(SERVICE_ACTION_IN_16, [1] = 0x10, [14] = 0x01), LBA(7), LEN(32),
	  .dev = DISK, RES(EMULATE, READ_CAPACITY_16, READ, 32, 7, 0, false) },
	{ "READ CAPACITY(16) LBA without PMI",
	  CDB(SERVICE_ACTION_IN_16, [1] = 0x10), LBA(0x8000000000000000ULL),
	  LEN(32), .dev = DISK, BAD(2, -1) },
	{ "READ CAPACITY(16) length 0", CDB(SERVICE_ACTION_IN_16, [1] = 0x10),
	  LEN(0), .dev = DISK, EMUL(READ_CAPACITY_16, NONE, 0) },
	{ "READ CAPACITY(16) reserved byte 14",
	  CDB(SERVICE_ACTION_IN_16, [1] = 0x10, [14] = 0x02), LEN(32),
	  .dev = DISK, BAD(14, 1) },
	{ "READ CAPACITY(16) reserved byte 1",
	  CDB(SERVICE_ACTION_IN_16, [1] = 0x30), LEN(32), .dev = DISK,
	  BAD(1, 5) },
	{ "SAI service action 0", CDB(SERVICE_ACTION_IN_16), LEN(0),
	  .dev = DISK, BAD(1, 4) },
	{ "SAI short", CDB(SERVICE_ACTION_IN_16, [1] = 0x10), LEN(32),
	  .cdb_len = 15, .dev = DISK, BAD(0, -1) },
	{ "READ CAPACITY(16) NACA",
	  CDB(SERVICE_ACTION_IN_16, [1] = 0x10, [15] = 0x04), LEN(32),
	  .dev = DISK, BAD(15, 2) },
	{ "READ CAPACITY(16) no LUN", CDB(SERVICE_ACTION_IN_16, [1] = 0x10),
	  LEN(32), .dev = NO_LUN, FAIL(LUN_NOT_SUPPORTED) },

	/* ---- MODE SENSE(6)/(10) ---- */
	{ "MODE SENSE(6) all pages, DBD",
	  CDB(MODE_SENSE, [1] = 0x08, [2] = 0x3f), LEN(255), .cdb_len = 6,
	  .dev = DISK, EMUL(MODE_SENSE_6, READ, 255) },
	{ "MODE SENSE(6) changeable caching", CDB(MODE_SENSE, [2] = 0x48),
	  LEN(192), .dev = DISK, EMUL(MODE_SENSE_6, READ, 192) },
	{ "MODE SENSE(6) subpage", CDB(MODE_SENSE, [2] = 0x3f, [3] = 0xff),
	  LEN(255), .dev = DISK, EMUL(MODE_SENSE_6, READ, 255) },
	{ "MODE SENSE(6) LLBAA not in 6",
	  CDB(MODE_SENSE, [1] = 0x10, [2] = 0x3f), LEN(255), .dev = DISK,
	  BAD(1, 4) },
	{ "MODE SENSE(6) short", CDB(MODE_SENSE, [2] = 0x3f), LEN(255),
	  .cdb_len = 5, .dev = DISK, BAD(0, -1) },
	{ "MODE SENSE(6) no LUN", CDB(MODE_SENSE, [2] = 0x3f), LEN(255),
	  .dev = NO_LUN, FAIL(LUN_NOT_SUPPORTED) },
	{ "MODE SENSE(10)",
	  CDB(MODE_SENSE_10, [1] = 0x18, [2] = 0x3f, [3] = 0xff), LEN(4096),
	  .cdb_len = 10, .dev = DISK, EMUL(MODE_SENSE_10, READ, 4096) },
	{ "MODE SENSE(10) saved values", CDB(MODE_SENSE_10, [2] = 0xc8),
	  LEN(512), .dev = RO_LUN, EMUL(MODE_SENSE_10, READ, 512) },
	{ "MODE SENSE(10) reserved byte 1",
	  CDB(MODE_SENSE_10, [1] = 0x20, [2] = 0x3f), LEN(512), .dev = DISK,
	  BAD(1, 5) },
	{ "MODE SENSE(10) reserved byte 5",
	  CDB(MODE_SENSE_10, [2] = 0x3f, [5] = 0x01), LEN(512), .dev = DISK,
	  BAD(5, 0) },
	{ "MODE SENSE(10) NACA", CDB(MODE_SENSE_10, [2] = 0x3f, [9] = 0x04),
	  LEN(512), .dev = DISK, BAD(9, 2) },
	{ "MODE SENSE(10) short", CDB(MODE_SENSE_10, [2] = 0x3f), LEN(512),
	  .cdb_len = 9, .dev = DISK, BAD(0, -1) },

	/* ---- START STOP UNIT, PREVENT ALLOW MEDIUM REMOVAL ---- */
	{ "START STOP UNIT start, IMMED",
	  CDB(START_STOP, [1] = 0x01, [4] = 0x01), .cdb_len = 6, .dev = DISK,
	  EMUL(START_STOP_UNIT, NONE, 0) },
	{ "START STOP UNIT power condition",
	  CDB(START_STOP, [3] = 0x0f, [4] = 0xf6), .dev = DISK,
	  EMUL(START_STOP_UNIT, NONE, 0) },
	{ "START STOP UNIT reserved byte 4", CDB(START_STOP, [4] = 0x08),
	  .dev = DISK, BAD(4, 3) },
	{ "START STOP UNIT reserved byte 2",
	  CDB(START_STOP, [2] = 0x01, [4] = 0x01), .dev = DISK, BAD(2, 0) },
	{ "START STOP UNIT no LUN", CDB(START_STOP, [4] = 0x01), .dev = NO_LUN,
	  FAIL(LUN_NOT_SUPPORTED) },
	{ "PREVENT ALLOW prevent", CDB(ALLOW_MEDIUM_REMOVAL, [4] = 0x01),
	  .cdb_len = 6, .dev = DISK, EMUL(PREVENT_ALLOW, NONE, 0) },
	{ "PREVENT ALLOW reserved", CDB(ALLOW_MEDIUM_REMOVAL, [4] = 0x04),
	  .dev = DISK, BAD(4, 2) },
	{ "PREVENT ALLOW short", CDB(ALLOW_MEDIUM_REMOVAL), .cdb_len = 5,
	  .dev = DISK, BAD(0, -1) },

	/* ---- PRE-FETCH(10)/(16) ---- */
	{ "PRE-FETCH(10) last block", CDB(PRE_FETCH, [1] = 0x02), LBA(999),
	  LEN(1), .cdb_len = 10, .dev = DISK,
	  RES(EMULATE, PREFETCH, NONE, 0, 999, 1, false) },
	{ "PRE-FETCH(10) one past", CDB(PRE_FETCH), LBA(999), LEN(2),
	  .dev = DISK, FAIL(LBA_OUT_OF_RANGE) },
	{ "PRE-FETCH(10) to the end", CDB(PRE_FETCH), LBA(10), LEN(0),
	  .dev = DISK, RES(EMULATE, PREFETCH, NONE, 0, 10, 0, false) },
	{ "PRE-FETCH(10) LBA beyond", CDB(PRE_FETCH), LBA(1001), LEN(0),
	  .dev = DISK, FAIL(LBA_OUT_OF_RANGE) },
	{ "PRE-FETCH(10) reserved", CDB(PRE_FETCH, [1] = 0x04), LBA(0), LEN(1),
	  .dev = DISK, BAD(1, 2) },
	{ "PRE-FETCH(10) short", CDB(PRE_FETCH), LBA(0), LEN(1), .cdb_len = 9,
	  .dev = DISK, BAD(0, -1) },
	{ "PRE-FETCH(10) no LUN", CDB(PRE_FETCH), LBA(0), LEN(1), .dev = NO_LUN,
	  FAIL(LUN_NOT_SUPPORTED) },
	{ "PRE-FETCH(16)", CDB(0x90, [1] = 0x02), LBA(100), LEN(900),
	  .cdb_len = 16, .dev = DISK,
	  RES(EMULATE, PREFETCH, NONE, 0, 100, 900, false) },
	{ "PRE-FETCH(16) one past", CDB(0x90), LBA(100), LEN(901), .dev = DISK,
	  FAIL(LBA_OUT_OF_RANGE) },
	{ "PRE-FETCH(16) last of huge", CDB(0x90), LBA(U64_MAX - 1), LEN(1),
	  .dev = HUGE, RES(EMULATE, PREFETCH, NONE, 0, U64_MAX - 1, 1, false) },
	{ "PRE-FETCH(16) wraps", CDB(0x90), LBA(U64_MAX), LEN(2), .dev = DISK,
	  FAIL(LBA_OUT_OF_RANGE) },
	{ "PRE-FETCH(16) NACA", CDB(0x90, [15] = 0x04), LBA(0), LEN(1),
	  .dev = DISK, BAD(15, 2) },

	/* ---- READ(6)/WRITE(6) ---- */
	{ "READ(6)", CDB(READ_6), LBA(16), LEN(8), .cdb_len = 6, .dev = DISK,
	  IO(READ, READ, 4096, 16, 8, false) },
	{ "READ(6) 4K blocks", CDB(READ_6), LBA(16), LEN(2), .dev = DISK_4K,
	  IO(READ, READ, 8192, 16, 2, false) },
	{ "READ(6) 0 means 256", CDB(READ_6), LBA(0), LEN(0), .dev = DISK,
	  IO(READ, READ, 256 * 512, 0, 256, false) },
	{ "READ(6) 256 up to the last block", CDB(READ_6), LBA(744), LEN(0),
	  .dev = DISK, IO(READ, READ, 256 * 512, 744, 256, false) },
	{ "READ(6) 256 one past", CDB(READ_6), LBA(745), LEN(0), .dev = DISK,
	  FAIL(LBA_OUT_OF_RANGE) },
	{ "READ(6) 21-bit LBA", CDB(READ_6), LBA(0x1fffff), LEN(1), .dev = HUGE,
	  IO(READ, READ, 512, 0x1fffff, 1, false) },
	{ "READ(6) reserved bits of byte 1", CDB(READ_6, [1] = 0x20), LBA(0),
	  LEN(1), .dev = DISK, BAD(1, 5) },
	{ "READ(6) short", CDB(READ_6), LBA(0), LEN(1), .cdb_len = 5,
	  .dev = DISK, BAD(0, -1) },
	{ "READ(6) NACA", CDB(READ_6, [5] = 0x04), LBA(0), LEN(1), .dev = DISK,
	  BAD(5, 2) },
	{ "READ(6) read-only", CDB(READ_6), LBA(1), LEN(1), .dev = RO_LUN,
	  IO(READ, READ, 512, 1, 1, false) },
	{ "READ(6) no LUN", CDB(READ_6), LBA(0), LEN(1), .dev = NO_LUN,
	  FAIL(LUN_NOT_SUPPORTED) },
	{ "WRITE(6)", CDB(WRITE_6), LBA(999), LEN(1), .cdb_len = 6, .dev = DISK,
	  IO(WRITE, WRITE, 512, 999, 1, false) },
	{ "WRITE(6) 0 means 256", CDB(WRITE_6), LBA(0), LEN(0), .dev = DISK,
	  IO(WRITE, WRITE, 256 * 512, 0, 256, false) },
	{ "WRITE(6) one past", CDB(WRITE_6), LBA(999), LEN(2), .dev = DISK,
	  FAIL(LBA_OUT_OF_RANGE) },
	{ "WRITE(6) read-only LUN", CDB(WRITE_6), LBA(0), LEN(1), .dev = RO_LUN,
	  FAIL(WRITE_PROTECTED) },
	{ "WRITE(6) read-only device", CDB(WRITE_6), LBA(0), LEN(1),
	  .dev = RO_DEV, FAIL(WRITE_PROTECTED) },
	{ "WRITE(6) short", CDB(WRITE_6), LBA(0), LEN(1), .cdb_len = 5,
	  .dev = DISK, BAD(0, -1) },

	/* ---- READ(10)/WRITE(10) ---- */
	{ "READ(10)", CDB(READ_10), LBA(16), LEN(8), .cdb_len = 10, .dev = DISK,
	  IO(READ, READ, 4096, 16, 8, false) },
	{ "READ(10) FUA DPO", CDB(READ_10, [1] = 0x18), LBA(16), LEN(8),
	  .dev = DISK, IO(READ, READ, 4096, 16, 8, true) },
	{ "READ(10) RARC, FUA_NV, group", CDB(READ_10, [1] = 0x06, [6] = 0x3f),
	  LBA(0), LEN(1), .dev = DISK, IO(READ, READ, 512, 0, 1, false) },
	{ "READ(10) length 0", CDB(READ_10), LBA(16), LEN(0), .dev = DISK,
	  IO(READ, NONE, 0, 16, 0, false) },
	{ "READ(10) last block", CDB(READ_10), LBA(999), LEN(1), .dev = DISK,
	  IO(READ, READ, 512, 999, 1, false) },
	{ "READ(10) one past", CDB(READ_10), LBA(999), LEN(2), .dev = DISK,
	  FAIL(LBA_OUT_OF_RANGE) },
	{ "READ(10) LBA = capacity", CDB(READ_10), LBA(1000), LEN(1),
	  .dev = DISK, FAIL(LBA_OUT_OF_RANGE) },
	{ "READ(10) length 0 at capacity", CDB(READ_10), LBA(1000), LEN(0),
	  .dev = DISK, IO(READ, NONE, 0, 1000, 0, false) },
	{ "READ(10) length 0 beyond", CDB(READ_10), LBA(1001), LEN(0),
	  .dev = DISK, FAIL(LBA_OUT_OF_RANGE) },
	{ "READ(10) max LBA", CDB(READ_10), LBA(0xffffffffU), LEN(1),
	  .dev = DISK, FAIL(LBA_OUT_OF_RANGE) },
	{ "READ(10) max length", CDB(READ_10), LBA(0), LEN(65535), .dev = HUGE,
	  IO(READ, READ, 0xffff * 512, 0, 0xffff, false) },
	{ "READ(10) RDPROTECT", CDB(READ_10, [1] = 0x20), LBA(0), LEN(1),
	  .dev = DISK, BAD(1, 7) },
	{ "READ(10) RDPROTECT 7", CDB(READ_10, [1] = 0xe0), LBA(0), LEN(1),
	  .dev = DISK, BAD(1, 7) },
	{ "READ(10) RELADR", CDB(READ_10, [1] = 0x01), LBA(0), LEN(1),
	  .dev = DISK, BAD(1, 0) },
	{ "READ(10) reserved byte 6", CDB(READ_10, [6] = 0x40), LBA(0), LEN(1),
	  .dev = DISK, BAD(6, 6) },
	{ "READ(10) short", CDB(READ_10), LBA(0), LEN(1), .cdb_len = 9,
	  .dev = DISK, BAD(0, -1) },
	{ "READ(10) NACA", CDB(READ_10, [9] = 0x04), LBA(0), LEN(1),
	  .dev = DISK, BAD(9, 2) },
	{ "READ(10) read-only", CDB(READ_10), LBA(0), LEN(1), .dev = RO_DEV,
	  IO(READ, READ, 512, 0, 1, false) },
	{ "READ(10) no LUN", CDB(READ_10), LBA(0), LEN(1), .dev = NO_LUN,
	  FAIL(LUN_NOT_SUPPORTED) },
	{ "WRITE(10)", CDB(WRITE_10), LBA(100), LEN(4), .cdb_len = 10,
	  .dev = DISK_4K, IO(WRITE, WRITE, 4 * 4096, 100, 4, false) },
	{ "WRITE(10) FUA", CDB(WRITE_10, [1] = 0x08), LBA(100), LEN(4),
	  .dev = DISK, IO(WRITE, WRITE, 2048, 100, 4, true) },
	{ "WRITE(10) length 0", CDB(WRITE_10), LBA(100), LEN(0), .dev = DISK,
	  IO(WRITE, NONE, 0, 100, 0, false) },
	{ "WRITE(10) one past", CDB(WRITE_10), LBA(997), LEN(4), .dev = DISK,
	  FAIL(LBA_OUT_OF_RANGE) },
	{ "WRITE(10) WRPROTECT", CDB(WRITE_10, [1] = 0x40), LBA(0), LEN(1),
	  .dev = DISK, BAD(1, 7) },
	{ "WRITE(10) reserved bit 2", CDB(WRITE_10, [1] = 0x04), LBA(0), LEN(1),
	  .dev = DISK, BAD(1, 2) },
	{ "WRITE(10) read-only LUN", CDB(WRITE_10), LBA(0), LEN(1),
	  .dev = RO_LUN, FAIL(WRITE_PROTECTED) },
	{ "WRITE(10) read-only device", CDB(WRITE_10), LBA(0), LEN(1),
	  .dev = RO_DEV, FAIL(WRITE_PROTECTED) },
	{ "WRITE(10) read-only, bad field first", CDB(WRITE_10, [1] = 0x20),
	  LBA(0), LEN(1), .dev = RO_LUN, BAD(1, 7) },
	{ "WRITE(10) read-only, range first", CDB(WRITE_10), LBA(1000), LEN(1),
	  .dev = RO_LUN, FAIL(LBA_OUT_OF_RANGE) },
	{ "WRITE(10) read-only, length 0", CDB(WRITE_10), LBA(0), LEN(0),
	  .dev = RO_LUN, FAIL(WRITE_PROTECTED) },
	{ "WRITE(10) no LUN", CDB(WRITE_10), LBA(0), LEN(1), .dev = NO_LUN,
	  FAIL(LUN_NOT_SUPPORTED) },
	{ "WRITE(10) NACA", CDB(WRITE_10, [9] = 0x04), LBA(0), LEN(1),
	  .dev = DISK, BAD(9, 2) },

	/* ---- READ(12)/WRITE(12) ---- */
	{ "READ(12)", CDB(READ_12), LBA(16), LEN(8), .cdb_len = 12, .dev = DISK,
	  IO(READ, READ, 4096, 16, 8, false) },
	{ "READ(12) FUA", CDB(READ_12, [1] = 0x08), LBA(0), LEN(1000),
	  .dev = DISK, IO(READ, READ, 1000 * 512, 0, 1000, true) },
	{ "READ(12) one past", CDB(READ_12), LBA(1), LEN(1000), .dev = DISK,
	  FAIL(LBA_OUT_OF_RANGE) },
	{ "READ(12) length 0", CDB(READ_12), LBA(5), LEN(0), .dev = DISK,
	  IO(READ, NONE, 0, 5, 0, false) },
	{ "READ(12) too long to carry", CDB(READ_12), LBA(0), LEN(0x800000),
	  .dev = HUGE, BAD(6, -1) },
	{ "READ(12) RDPROTECT", CDB(READ_12, [1] = 0x80), LBA(0), LEN(1),
	  .dev = DISK, BAD(1, 7) },
	{ "READ(12) reserved byte 10", CDB(READ_12, [10] = 0x80), LBA(0),
	  LEN(1), .dev = DISK, BAD(10, 7) },
	{ "READ(12) short", CDB(READ_12), LBA(0), LEN(1), .cdb_len = 11,
	  .dev = DISK, BAD(0, -1) },
	{ "READ(12) NACA", CDB(READ_12, [11] = 0x04), LBA(0), LEN(1),
	  .dev = DISK, BAD(11, 2) },
	{ "WRITE(12)", CDB(WRITE_12, [1] = 0x08), LBA(999), LEN(1),
	  .cdb_len = 12, .dev = DISK, IO(WRITE, WRITE, 512, 999, 1, true) },
	{ "WRITE(12) one past", CDB(WRITE_12), LBA(999), LEN(2), .dev = DISK,
	  FAIL(LBA_OUT_OF_RANGE) },
	{ "WRITE(12) read-only", CDB(WRITE_12), LBA(0), LEN(1), .dev = RO_LUN,
	  FAIL(WRITE_PROTECTED) },
	{ "WRITE(12) WRPROTECT", CDB(WRITE_12, [1] = 0x60), LBA(0), LEN(1),
	  .dev = DISK, BAD(1, 7) },

	/* ---- READ(16)/WRITE(16) ---- */
	{ "READ(16)", CDB(READ_16), LBA(16), LEN(8), .cdb_len = 16, .dev = DISK,
	  IO(READ, READ, 4096, 16, 8, false) },
	{ "READ(16) FUA", CDB(READ_16, [1] = 0x08), LBA(16), LEN(8),
	  .dev = DISK, IO(READ, READ, 4096, 16, 8, true) },
	{ "READ(16) 64-bit LBA", CDB(READ_16), LBA(0x123456789abcdef0ULL),
	  LEN(1), .dev = HUGE,
	  IO(READ, READ, 512, 0x123456789abcdef0ULL, 1, false) },
	{ "READ(16) last block of huge", CDB(READ_16), LBA(U64_MAX - 1), LEN(1),
	  .dev = HUGE, IO(READ, READ, 512, U64_MAX - 1, 1, false) },
	{ "READ(16) one past on huge", CDB(READ_16), LBA(U64_MAX - 1), LEN(2),
	  .dev = HUGE, FAIL(LBA_OUT_OF_RANGE) },
	{ "READ(16) LBA U64_MAX", CDB(READ_16), LBA(U64_MAX), LEN(1),
	  .dev = HUGE, FAIL(LBA_OUT_OF_RANGE) },
	{ "READ(16) LBA + length wraps", CDB(READ_16), LBA(U64_MAX), LEN(2),
	  .dev = DISK, FAIL(LBA_OUT_OF_RANGE) },
	{ "READ(16) LBA + length wraps far", CDB(READ_16), LBA(U64_MAX - 1),
	  LEN(0xffffffffU), .dev = DISK, FAIL(LBA_OUT_OF_RANGE) },
	{ "READ(16) longest that fits u32", CDB(READ_16), LBA(0), LEN(0x7fffff),
	  .dev = HUGE, IO(READ, READ, 0xfffffe00U, 0, 0x007fffff, false) },
	{ "READ(16) too long to carry", CDB(READ_16), LBA(0), LEN(0x800000),
	  .dev = HUGE, BAD(10, -1) },
	{ "READ(16) max length", CDB(READ_16), LBA(0), LEN(0xffffffffU),
	  .dev = HUGE, BAD(10, -1) },
	{ "READ(16) max length, small disk", CDB(READ_16), LBA(0),
	  LEN(0xffffffffU), .dev = DISK, FAIL(LBA_OUT_OF_RANGE) },
	{ "READ(16) length 0", CDB(READ_16), LBA(3), LEN(0), .dev = DISK,
	  IO(READ, NONE, 0, 3, 0, false) },
	{ "READ(16) RDPROTECT", CDB(READ_16, [1] = 0xa0), LBA(0), LEN(1),
	  .dev = DISK, BAD(1, 7) },
	{ "READ(16) DLD2", CDB(READ_16, [1] = 0x01), LBA(0), LEN(1),
	  .dev = DISK, BAD(1, 0) },
	{ "READ(16) reserved byte 14", CDB(READ_16, [14] = 0x40), LBA(0),
	  LEN(1), .dev = DISK, BAD(14, 6) },
	{ "READ(16) group", CDB(READ_16, [14] = 0x3f), LBA(0), LEN(1),
	  .dev = DISK, IO(READ, READ, 512, 0, 1, false) },
	{ "READ(16) short", CDB(READ_16), LBA(0), LEN(1), .cdb_len = 15,
	  .dev = DISK, BAD(0, -1) },
	{ "READ(16) NACA", CDB(READ_16, [15] = 0x04), LBA(0), LEN(1),
	  .dev = DISK, BAD(15, 2) },
	{ "READ(16) no LUN", CDB(READ_16), LBA(0), LEN(1), .dev = NO_LUN,
	  FAIL(LUN_NOT_SUPPORTED) },
	{ "WRITE(16)", CDB(WRITE_16, [1] = 0x08), LBA(990), LEN(10),
	  .cdb_len = 16, .dev = DISK, IO(WRITE, WRITE, 5120, 990, 10, true) },
	{ "WRITE(16) one past", CDB(WRITE_16), LBA(990), LEN(11), .dev = DISK,
	  FAIL(LBA_OUT_OF_RANGE) },
	{ "WRITE(16) wraps", CDB(WRITE_16), LBA(U64_MAX - 1), LEN(3),
	  .dev = HUGE, FAIL(LBA_OUT_OF_RANGE) },
	{ "WRITE(16) WRPROTECT", CDB(WRITE_16, [1] = 0x20), LBA(0), LEN(1),
	  .dev = DISK, BAD(1, 7) },
	{ "WRITE(16) read-only", CDB(WRITE_16), LBA(0), LEN(1), .dev = RO_DEV,
	  FAIL(WRITE_PROTECTED) },
	{ "WRITE(16) short", CDB(WRITE_16), LBA(0), LEN(1), .cdb_len = 10,
	  .dev = DISK, BAD(0, -1) },

	/* ---- COMPARE AND WRITE, ORWRITE, WRITE ATOMIC ---- */
	{ "COMPARE AND WRITE", CDB(COMPARE_AND_WRITE, [1] = 0x18), LBA(10),
	  LEN(1), .dev = DISK, IO(CAW, WRITE, 1024, 10, 1, true),
	  RANGE(EXCL) },
	{ "COMPARE AND WRITE 4k, maximum", CDB(COMPARE_AND_WRITE), LBA(0),
	  LEN(64), .dev = DISK_4K, IO(CAW, WRITE, 2 * 64 * 4096, 0, 64, false),
	  RANGE(EXCL) },
	{ "COMPARE AND WRITE 0 blocks", CDB(COMPARE_AND_WRITE), LBA(10),
	  LEN(0), .dev = DISK, IO(CAW, NONE, 0, 10, 0, false), RANGE(EXCL) },
	{ "COMPARE AND WRITE over the maximum", CDB(COMPARE_AND_WRITE), LBA(0),
	  LEN(65), .dev = DISK, BAD(13, -1) },
	{ "COMPARE AND WRITE over the maximum, past the end",
	  CDB(COMPARE_AND_WRITE), LBA(990), LEN(65), .dev = DISK,
	  FAIL(LBA_OUT_OF_RANGE) },
	{ "COMPARE AND WRITE WRPROTECT", CDB(COMPARE_AND_WRITE, [1] = 0x20),
	  LBA(0), LEN(1), .dev = DISK, BAD(1, 7) },
	{ "COMPARE AND WRITE reserved byte 10", CDB(COMPARE_AND_WRITE, [10] = 1),
	  LBA(0), LEN(1), .dev = DISK, BAD(10, 0) },
	{ "COMPARE AND WRITE last block", CDB(COMPARE_AND_WRITE), LBA(999),
	  LEN(1), .dev = DISK, IO(CAW, WRITE, 1024, 999, 1, false) },
	{ "COMPARE AND WRITE one past", CDB(COMPARE_AND_WRITE), LBA(999),
	  LEN(2), .dev = DISK, FAIL(LBA_OUT_OF_RANGE) },
	{ "COMPARE AND WRITE read-only", CDB(COMPARE_AND_WRITE), LBA(0),
	  LEN(1), .dev = RO_LUN, FAIL(WRITE_PROTECTED) },
	{ "ORWRITE(16)", CDB(0x8b, [1] = 0x08), LBA(5), LEN(3), .dev = DISK,
	  IO(ORWRITE, WRITE, 1536, 5, 3, true), RANGE(EXCL) },
	{ "ORWRITE(16) 0 blocks", CDB(0x8b), LBA(5), LEN(0), .dev = DISK,
	  IO(ORWRITE, NONE, 0, 5, 0, false) },
	{ "ORWRITE(16) ORPROTECT", CDB(0x8b, [1] = 0x40), LBA(5), LEN(3),
	  .dev = DISK, BAD(1, 7) },
	{ "ORWRITE(16) one past", CDB(0x8b), LBA(998), LEN(3), .dev = DISK,
	  FAIL(LBA_OUT_OF_RANGE) },
	{ "ORWRITE(16) read-only", CDB(0x8b), LBA(0), LEN(1), .dev = RO_LUN,
	  FAIL(WRITE_PROTECTED) },
	{ "WRITE ATOMIC(16)", CDB(0x9c, [1] = 0x08), LBA(8), LEN(4),
	  .dev = DISK, IO(WRITE, WRITE, 2048, 8, 4, true), RANGE(EXCL) },
	{ "WRITE ATOMIC(16) maximum", CDB(0x9c), LBA(0), LEN(256),
	  .dev = DISK, IO(WRITE, WRITE, 256 * 512, 0, 256, false) },
	{ "WRITE ATOMIC(16) over the maximum", CDB(0x9c), LBA(0), LEN(257),
	  .dev = DISK, BAD(12, -1) },
	{ "WRITE ATOMIC(16) over the maximum, past the end", CDB(0x9c),
	  LBA(900), LEN(512), .dev = DISK, FAIL(LBA_OUT_OF_RANGE) },
	{ "WRITE ATOMIC(16) atomic boundary", CDB(0x9c, [11] = 1), LBA(0),
	  LEN(1), .dev = DISK, BAD(10, -1) },
	{ "WRITE ATOMIC(16) reserved bit", CDB(0x9c, [1] = 0x04), LBA(0),
	  LEN(1), .dev = DISK, BAD(1, 2) },
	{ "WRITE ATOMIC(16) read-only", CDB(0x9c), LBA(0), LEN(1),
	  .dev = RO_LUN, FAIL(WRITE_PROTECTED) },
	{ "WRITE(16) holds its range shared", CDB(WRITE_16), LBA(0), LEN(1),
	  .dev = DISK, IO(WRITE, WRITE, 512, 0, 1, false), RANGE(SHARED) },
	{ "READ(16) holds no range", CDB(READ_16), LBA(0), LEN(1),
	  .dev = DISK, IO(READ, READ, 512, 0, 1, false), RANGE(NONE) },

	/* ---- WRITE AND VERIFY ---- */
	{ "WRITE AND VERIFY(10)", CDB(WRITE_VERIFY), LBA(10), LEN(2),
	  .cdb_len = 10, .dev = DISK, IO(WRITE, WRITE, 1024, 10, 2, true) },
	{ "WRITE AND VERIFY(10) BYTCHK 1", CDB(WRITE_VERIFY, [1] = 0x02),
	  LBA(10), LEN(2), .dev = DISK, IO(WRITE, WRITE, 1024, 10, 2, true) },
	{ "WRITE AND VERIFY(10) BYTCHK 2", CDB(WRITE_VERIFY, [1] = 0x04),
	  LBA(10), LEN(2), .dev = DISK, BAD(1, 2) },
	{ "WRITE AND VERIFY(10) BYTCHK 3", CDB(WRITE_VERIFY, [1] = 0x06),
	  LBA(10), LEN(2), .dev = DISK, BAD(1, 2) },
	{ "WRITE AND VERIFY(10) no FUA bit", CDB(WRITE_VERIFY, [1] = 0x08),
	  LBA(10), LEN(2), .dev = DISK, BAD(1, 3) },
	{ "WRITE AND VERIFY(10) WRPROTECT", CDB(WRITE_VERIFY, [1] = 0x20),
	  LBA(10), LEN(2), .dev = DISK, BAD(1, 7) },
	{ "WRITE AND VERIFY(10) one past", CDB(WRITE_VERIFY), LBA(999), LEN(2),
	  .dev = DISK, FAIL(LBA_OUT_OF_RANGE) },
	{ "WRITE AND VERIFY(10) read-only", CDB(WRITE_VERIFY), LBA(0), LEN(2),
	  .dev = RO_LUN, FAIL(WRITE_PROTECTED) },
	{ "WRITE AND VERIFY(10) short", CDB(WRITE_VERIFY), LBA(0), LEN(2),
	  .cdb_len = 9, .dev = DISK, BAD(0, -1) },
	{ "WRITE AND VERIFY(12)", CDB(WRITE_VERIFY_12, [1] = 0x10), LBA(10),
	  LEN(2), .cdb_len = 12, .dev = DISK,
	  IO(WRITE, WRITE, 1024, 10, 2, true) },
	{ "WRITE AND VERIFY(12) BYTCHK 2", CDB(WRITE_VERIFY_12, [1] = 0x04),
	  LBA(10), LEN(2), .dev = DISK, BAD(1, 2) },
	{ "WRITE AND VERIFY(12) read-only", CDB(WRITE_VERIFY_12), LBA(10),
	  LEN(2), .dev = RO_DEV, FAIL(WRITE_PROTECTED) },
	{ "WRITE AND VERIFY(12) NACA", CDB(WRITE_VERIFY_12, [11] = 0x04),
	  LBA(10), LEN(2), .dev = DISK, BAD(11, 2) },
	{ "WRITE AND VERIFY(16)", CDB(WRITE_VERIFY_16, [1] = 0x02), LBA(999),
	  LEN(1), .cdb_len = 16, .dev = DISK,
	  IO(WRITE, WRITE, 512, 999, 1, true) },
	{ "WRITE AND VERIFY(16) wraps", CDB(WRITE_VERIFY_16), LBA(U64_MAX),
	  LEN(1), .dev = DISK, FAIL(LBA_OUT_OF_RANGE) },
	{ "WRITE AND VERIFY(16) WRPROTECT", CDB(WRITE_VERIFY_16, [1] = 0xe0),
	  LBA(0), LEN(1), .dev = DISK, BAD(1, 7) },
	{ "WRITE AND VERIFY(16) short", CDB(WRITE_VERIFY_16), LBA(0), LEN(1),
	  .cdb_len = 12, .dev = DISK, BAD(0, -1) },

	/* ---- VERIFY ---- */
	{ "VERIFY(10) BYTCHK 0", CDB(VERIFY), LBA(10), LEN(20), .cdb_len = 10,
	  .dev = DISK, IO(VERIFY, NONE, 0, 10, 20, false) },
	{ "VERIFY(10) BYTCHK 1", CDB(VERIFY, [1] = 0x02), LBA(10), LEN(20),
	  .dev = DISK, IO(VERIFY, WRITE, 20 * 512, 10, 20, false) },
	{ "VERIFY(10) BYTCHK 1, 4K", CDB(VERIFY, [1] = 0x12), LBA(10), LEN(2),
	  .dev = DISK_4K, IO(VERIFY, WRITE, 8192, 10, 2, false) },
	{ "VERIFY(10) BYTCHK 2", CDB(VERIFY, [1] = 0x04), LBA(10), LEN(20),
	  .dev = DISK, BAD(1, 2) },
	{ "VERIFY(10) BYTCHK 3", CDB(VERIFY, [1] = 0x06), LBA(10), LEN(20),
	  .dev = DISK, BAD(1, 2) },
	{ "VERIFY(10) length 0", CDB(VERIFY, [1] = 0x02), LBA(10), LEN(0),
	  .dev = DISK, IO(VERIFY, NONE, 0, 10, 0, false) },
	{ "VERIFY(10) VRPROTECT", CDB(VERIFY, [1] = 0x20), LBA(10), LEN(1),
	  .dev = DISK, BAD(1, 7) },
	{ "VERIFY(10) reserved bit 3", CDB(VERIFY, [1] = 0x08), LBA(10), LEN(1),
	  .dev = DISK, BAD(1, 3) },
	{ "VERIFY(10) last block", CDB(VERIFY), LBA(999), LEN(1), .dev = DISK,
	  IO(VERIFY, NONE, 0, 999, 1, false) },
	{ "VERIFY(10) one past", CDB(VERIFY), LBA(999), LEN(2), .dev = DISK,
	  FAIL(LBA_OUT_OF_RANGE) },
	{ "VERIFY(10) read-only", CDB(VERIFY, [1] = 0x02), LBA(0), LEN(1),
	  .dev = RO_LUN, IO(VERIFY, WRITE, 512, 0, 1, false) },
	{ "VERIFY(10) no LUN", CDB(VERIFY), LBA(0), LEN(1), .dev = NO_LUN,
	  FAIL(LUN_NOT_SUPPORTED) },
	{ "VERIFY(10) short", CDB(VERIFY), LBA(0), LEN(1), .cdb_len = 6,
	  .dev = DISK, BAD(0, -1) },
	{ "VERIFY(12) BYTCHK 0", CDB(VERIFY_12, [1] = 0x10), LBA(1), LEN(999),
	  .cdb_len = 12, .dev = DISK, IO(VERIFY, NONE, 0, 1, 999, false) },
	{ "VERIFY(12) BYTCHK 1", CDB(VERIFY_12, [1] = 0x02), LBA(1), LEN(3),
	  .dev = DISK, IO(VERIFY, WRITE, 1536, 1, 3, false) },
	{ "VERIFY(12) one past", CDB(VERIFY_12), LBA(1), LEN(1000), .dev = DISK,
	  FAIL(LBA_OUT_OF_RANGE) },
	{ "VERIFY(12) BYTCHK 2", CDB(VERIFY_12, [1] = 0x04), LBA(1), LEN(1),
	  .dev = DISK, BAD(1, 2) },
	{ "VERIFY(12) NACA", CDB(VERIFY_12, [11] = 0x04), LBA(1), LEN(1),
	  .dev = DISK, BAD(11, 2) },
	{ "VERIFY(16) BYTCHK 0", CDB(VERIFY_16), LBA(U64_MAX - 1), LEN(1),
	  .cdb_len = 16, .dev = HUGE,
	  IO(VERIFY, NONE, 0, U64_MAX - 1, 1, false) },
	{ "VERIFY(16) BYTCHK 1", CDB(VERIFY_16, [1] = 0x02), LBA(8), LEN(8),
	  .dev = DISK, IO(VERIFY, WRITE, 4096, 8, 8, false) },
	{ "VERIFY(16) BYTCHK 0, huge count", CDB(VERIFY_16), LBA(0),
	  LEN(0xffffffffU), .dev = HUGE,
	  IO(VERIFY, NONE, 0, 0, 0xffffffffU, false) },
	{ "VERIFY(16) BYTCHK 1, too long", CDB(VERIFY_16, [1] = 0x02), LBA(0),
	  LEN(0xffffffffU), .dev = HUGE, BAD(10, -1) },
	{ "VERIFY(16) wraps", CDB(VERIFY_16), LBA(U64_MAX), LEN(2), .dev = HUGE,
	  FAIL(LBA_OUT_OF_RANGE) },
	{ "VERIFY(16) BYTCHK 3", CDB(VERIFY_16, [1] = 0x06), LBA(0), LEN(1),
	  .dev = DISK, BAD(1, 2) },
	{ "VERIFY(16) VRPROTECT", CDB(VERIFY_16, [1] = 0x40), LBA(0), LEN(1),
	  .dev = DISK, BAD(1, 7) },

	/* ---- SYNCHRONIZE CACHE ---- */
	{ "SYNCHRONIZE CACHE(10) all", CDB(SYNCHRONIZE_CACHE), LBA(0), LEN(0),
	  .cdb_len = 10, .dev = DISK, IO(FLUSH, NONE, 0, 0, 0, false) },
	{ "SYNCHRONIZE CACHE(10) IMMED range",
	  CDB(SYNCHRONIZE_CACHE, [1] = 0x02), LBA(100), LEN(900), .dev = DISK,
	  IO(FLUSH, NONE, 0, 100, 900, false) },
	{ "SYNCHRONIZE CACHE(10) SYNC_NV", CDB(SYNCHRONIZE_CACHE, [1] = 0x04),
	  LBA(0), LEN(0), .dev = DISK, IO(FLUSH, NONE, 0, 0, 0, false) },
	{ "SYNCHRONIZE CACHE(10) one past", CDB(SYNCHRONIZE_CACHE), LBA(100),
	  LEN(901), .dev = DISK, FAIL(LBA_OUT_OF_RANGE) },
	{ "SYNCHRONIZE CACHE(10) to the end from beyond",
	  CDB(SYNCHRONIZE_CACHE), LBA(2000), LEN(0), .dev = DISK,
	  FAIL(LBA_OUT_OF_RANGE) },
	{ "SYNCHRONIZE CACHE(10) RELADR", CDB(SYNCHRONIZE_CACHE, [1] = 0x01),
	  LBA(0), LEN(0), .dev = DISK, BAD(1, 0) },
	{ "SYNCHRONIZE CACHE(10) read-only", CDB(SYNCHRONIZE_CACHE), LBA(0),
	  LEN(0), .dev = RO_DEV, IO(FLUSH, NONE, 0, 0, 0, false) },
	{ "SYNCHRONIZE CACHE(10) no LUN", CDB(SYNCHRONIZE_CACHE), LBA(0),
	  LEN(0), .dev = NO_LUN, FAIL(LUN_NOT_SUPPORTED) },
	{ "SYNCHRONIZE CACHE(10) short", CDB(SYNCHRONIZE_CACHE), LBA(0), LEN(0),
	  .cdb_len = 8, .dev = DISK, BAD(0, -1) },
	{ "SYNCHRONIZE CACHE(10) NACA", CDB(SYNCHRONIZE_CACHE, [9] = 0x04),
	  LBA(0), LEN(0), .dev = DISK, BAD(9, 2) },
	{ "SYNCHRONIZE CACHE(16)", CDB(SYNCHRONIZE_CACHE_16), LBA(999), LEN(1),
	  .cdb_len = 16, .dev = DISK, IO(FLUSH, NONE, 0, 999, 1, false) },
	{ "SYNCHRONIZE CACHE(16) wraps", CDB(SYNCHRONIZE_CACHE_16),
	  LBA(U64_MAX), LEN(1), .dev = DISK, FAIL(LBA_OUT_OF_RANGE) },
	{ "SYNCHRONIZE CACHE(16) last of huge", CDB(SYNCHRONIZE_CACHE_16),
	  LBA(U64_MAX - 1), LEN(1), .dev = HUGE,
	  IO(FLUSH, NONE, 0, U64_MAX - 1, 1, false) },
	{ "SYNCHRONIZE CACHE(16) reserved byte 14",
	  CDB(SYNCHRONIZE_CACHE_16, [14] = 0x80), LBA(0), LEN(1), .dev = DISK,
	  BAD(14, 7) },
	{ "SYNCHRONIZE CACHE(16) short", CDB(SYNCHRONIZE_CACHE_16), LBA(0),
	  LEN(0), .cdb_len = 10, .dev = DISK, BAD(0, -1) },

	/* ---- thin provisioning: WRITE SAME, UNMAP, GET LBA STATUS ---- */
	{ "WRITE SAME(10): one block of data", CDB(WRITE_SAME), LBA(10), LEN(5),
	  .dev = DISK, IO(WRITE_SAME, WRITE, 512, 10, 5, false) },
	{ "WRITE SAME(10) UNMAP", CDB(WRITE_SAME, [1] = 0x08), LBA(10), LEN(5),
	  .dev = THIN, IO(WRITE_SAME, WRITE, 512, 10, 5, false) },
	{ "WRITE SAME(10) UNMAP, fully provisioned: a write",
	  CDB(WRITE_SAME, [1] = 0x08), LBA(0), LEN(1), .dev = DISK,
	  IO(WRITE_SAME, WRITE, 512, 0, 1, false) },
	{ "WRITE SAME(10) 4K", CDB(WRITE_SAME), LBA(999), LEN(1), .dev = DISK_4K,
	  IO(WRITE_SAME, WRITE, 4096, 999, 1, false) },
	{ "WRITE SAME(10) group", CDB(WRITE_SAME, [6] = 0x3f), LBA(0), LEN(1),
	  .dev = DISK, IO(WRITE_SAME, WRITE, 512, 0, 1, false) },
	{ "WRITE SAME(10) ANCHOR", CDB(WRITE_SAME, [1] = 0x18), LBA(0), LEN(1),
	  .dev = THIN, BAD(1, 4) },
	{ "WRITE SAME(10) PBDATA", CDB(WRITE_SAME, [1] = 0x04), LBA(0), LEN(1),
	  .dev = DISK, BAD(1, 2) },
	{ "WRITE SAME(10) LBDATA", CDB(WRITE_SAME, [1] = 0x02), LBA(0), LEN(1),
	  .dev = DISK, BAD(1, 1) },
	{ "WRITE SAME(10) NDOB bit is reserved", CDB(WRITE_SAME, [1] = 0x01),
	  LBA(0), LEN(1), .dev = DISK, BAD(1, 0) },
	{ "WRITE SAME(10) WRPROTECT", CDB(WRITE_SAME, [1] = 0x20), LBA(0), LEN(1),
	  .dev = DISK, BAD(1, 7) },
	{ "WRITE SAME(10) 0 blocks: to the end", CDB(WRITE_SAME), LBA(10), LEN(0),
	  .dev = DISK, IO(WRITE_SAME, WRITE, 512, 10, 990, false) },
	{ "WRITE SAME(10) 0 blocks at the end: none", CDB(WRITE_SAME), LBA(1000),
	  LEN(0), .dev = DISK, IO(WRITE_SAME, WRITE, 512, 1000, 0, false) },
	{ "WRITE SAME(10) 0 blocks past the end", CDB(WRITE_SAME), LBA(1001),
	  LEN(0), .dev = DISK, FAIL(LBA_OUT_OF_RANGE) },
	{ "WRITE SAME(10) past the end", CDB(WRITE_SAME), LBA(999), LEN(2),
	  .dev = DISK, FAIL(LBA_OUT_OF_RANGE) },
	{ "WRITE SAME(10) LBA ffffffff", CDB(WRITE_SAME), LBA(0xffffffff), LEN(1),
	  .dev = DISK, FAIL(LBA_OUT_OF_RANGE) },
	{ "WRITE SAME(10) read-only LUN", CDB(WRITE_SAME), LBA(0), LEN(1),
	  .dev = RO_LUN, FAIL(WRITE_PROTECTED) },
	{ "WRITE SAME(10) read-only device", CDB(WRITE_SAME), LBA(0), LEN(1),
	  .dev = RO_DEV, FAIL(WRITE_PROTECTED) },
	{ "WRITE SAME(10) short", CDB(WRITE_SAME), LBA(0), LEN(1), .cdb_len = 9,
	  .dev = DISK, BAD(0, -1) },
	{ "WRITE SAME(16)", CDB(WRITE_SAME_16), LBA(U64_MAX - 2), LEN(2),
	  .dev = HUGE, IO(WRITE_SAME, WRITE, 512, U64_MAX - 2, 2, false) },
	{ "WRITE SAME(16) UNMAP NDOB: no data", CDB(WRITE_SAME_16, [1] = 0x09),
	  LBA(100), LEN(900), .dev = THIN, IO(WRITE_SAME, NONE, 0, 100, 900, false) },
	{ "WRITE SAME(16) maximum length", CDB(WRITE_SAME_16), LBA(0),
	  LEN(1 << 21), .dev = HUGE, IO(WRITE_SAME, WRITE, 512, 0, 1 << 21, false) },
	{ "WRITE SAME(16) over the maximum length", CDB(WRITE_SAME_16), LBA(0),
	  LEN((1 << 21) + 1), .dev = HUGE, BAD(10, -1) },
	{ "WRITE SAME(16) ANCHOR", CDB(WRITE_SAME_16, [1] = 0x18), LBA(0), LEN(1),
	  .dev = THIN, BAD(1, 4) },
	{ "WRITE SAME(16) 0 blocks: to the end", CDB(WRITE_SAME_16, [1] = 0x09),
	  LBA(0), LEN(0), .dev = THIN, IO(WRITE_SAME, NONE, 0, 0, 1000, false) },
	{ "WRITE SAME(16) 0 blocks: to the end, too long", CDB(WRITE_SAME_16),
	  LBA(5), LEN(0), .dev = HUGE, BAD(10, -1) },
	{ "WRITE SAME(16) 0 blocks: to the end, the most",
	  CDB(WRITE_SAME_16), LBA(U64_MAX - (1 << 21)), LEN(0), .dev = HUGE,
	  IO(WRITE_SAME, WRITE, 512, U64_MAX - (1 << 21), 1 << 21, false) },
	{ "WRITE SAME(16) 0 blocks at LBA 2^63", CDB(WRITE_SAME_16), LBA(1ULL << 63),
	  LEN(0), .dev = DISK, FAIL(LBA_OUT_OF_RANGE) },
	{ "WRITE SAME(16) read-only LUN", CDB(WRITE_SAME_16, [1] = 0x09), LBA(0),
	  LEN(1), .dev = THIN_RO, FAIL(WRITE_PROTECTED) },
	{ "WRITE SAME(16) group bit 6", CDB(WRITE_SAME_16, [14] = 0x40), LBA(0),
	  LEN(1), .dev = DISK, BAD(14, 6) },
	{ "UNMAP", CDB(UNMAP), LEN(24), .dev = THIN,
	  IO(UNMAP, WRITE, 24, 0, 0, false) },
	{ "UNMAP empty list", CDB(UNMAP), LEN(0), .dev = THIN,
	  IO(UNMAP, NONE, 0, 0, 0, false) },
	{ "UNMAP group", CDB(UNMAP, [6] = 0x1f), LEN(24), .dev = THIN,
	  IO(UNMAP, WRITE, 24, 0, 0, false) },
	{ "UNMAP fully provisioned: unknown", CDB(UNMAP), LEN(24), .dev = DISK,
	  FAIL(INVALID_OPCODE) },
	{ "UNMAP ANCHOR", CDB(UNMAP, [1] = 0x01), LEN(24), .dev = THIN,
	  BAD(1, 0) },
	{ "UNMAP reserved byte 2", CDB(UNMAP, [2] = 0x80), LEN(24), .dev = THIN,
	  BAD(2, 7) },
	{ "UNMAP read-only LUN", CDB(UNMAP), LEN(24), .dev = THIN_RO,
	  FAIL(WRITE_PROTECTED) },
	{ "UNMAP short", CDB(UNMAP), LEN(24), .cdb_len = 9, .dev = THIN,
	  BAD(0, -1) },
	{ "GET LBA STATUS", CDB(SERVICE_ACTION_IN_16, [1] = SAI_GET_LBA_STATUS),
	  LBA(999), LEN(24), .dev = THIN, IO(LBA_STATUS, READ, 24, 999, 0, false) },
	{ "GET LBA STATUS fully provisioned, read-only LUN",
	  CDB(SERVICE_ACTION_IN_16, [1] = SAI_GET_LBA_STATUS), LBA(0), LEN(4096),
	  .dev = RO_LUN, IO(LBA_STATUS, READ, 4096, 0, 0, false) },
	{ "GET LBA STATUS past the end",
	  CDB(SERVICE_ACTION_IN_16, [1] = SAI_GET_LBA_STATUS), LBA(1000), LEN(24),
	  .dev = THIN, FAIL(LBA_OUT_OF_RANGE) },
	{ "GET LBA STATUS allocation length 0",
	  CDB(SERVICE_ACTION_IN_16, [1] = SAI_GET_LBA_STATUS), LBA(5), LEN(0),
	  .dev = THIN, IO(LBA_STATUS, NONE, 0, 5, 0, false) },
	/* ---- third-party copy: EXTENDED COPY, RECEIVE COPY RESULTS ---- */
	{ "EXTENDED COPY", CDB(EXTENDED_COPY), LEN(76), .dev = DISK,
	  IO(XCOPY, WRITE, 76, 0, 0, false) },
	{ "EXTENDED COPY empty list", CDB(EXTENDED_COPY), LEN(0), .dev = DISK,
	  IO(XCOPY, NONE, 0, 0, 0, false) },
	{ "EXTENDED COPY read-only LUN: checked per destination",
	  CDB(EXTENDED_COPY), LEN(76), .dev = RO_LUN,
	  IO(XCOPY, WRITE, 76, 0, 0, false) },
	{ "EXTENDED COPY LID4 service action", CDB(EXTENDED_COPY, [1] = 0x01),
	  LEN(76), .dev = DISK, BAD(1, 4) },
	{ "EXTENDED COPY reserved byte 2", CDB(EXTENDED_COPY, [2] = 0x01),
	  LEN(76), .dev = DISK, BAD(2, 0) },
	{ "EXTENDED COPY short", CDB(EXTENDED_COPY), LEN(76), .cdb_len = 10,
	  .dev = DISK, BAD(0, -1) },
	{ "RECEIVE COPY RESULTS copy status",
	  CDB(RECEIVE_COPY_RESULTS, [2] = 7), LEN(12), .dev = DISK,
	  IO(COPY_RESULTS, READ, 12, 0, 0, false) },
	{ "RECEIVE COPY RESULTS operating parameters",
	  CDB(RECEIVE_COPY_RESULTS, [1] = 0x03), LEN(1024), .dev = DISK,
	  IO(COPY_RESULTS, READ, 1024, 0, 0, false) },
	{ "RECEIVE COPY RESULTS operating parameters: no list identifier",
	  CDB(RECEIVE_COPY_RESULTS, [1] = 0x03, [2] = 1), LEN(1024),
	  .dev = DISK, BAD(2, 0) },
	{ "RECEIVE COPY RESULTS failed segment details",
	  CDB(RECEIVE_COPY_RESULTS, [1] = 0x04, [2] = 1), LEN(60), .dev = DISK,
	  IO(COPY_RESULTS, READ, 60, 0, 0, false) },
	{ "RECEIVE COPY RESULTS data (02h): not supported",
	  CDB(RECEIVE_COPY_RESULTS, [1] = 0x02), LEN(60), .dev = DISK,
	  BAD(1, 4) },
	{ "RECEIVE COPY RESULTS LID4 ROD token", CDB(RECEIVE_COPY_RESULTS,
	  [1] = 0x07), LEN(60), .dev = DISK, BAD(1, 4) },
	{ "GET LBA STATUS report type",
	  CDB(SERVICE_ACTION_IN_16, [1] = SAI_GET_LBA_STATUS, [14] = 0x01),
	  LBA(0), LEN(24), .dev = THIN, BAD(14, 0) },
};

static void cdb_case_desc(const struct cdb_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(cdb, cdb_cases, cdb_case_desc);

/*
 * Where the LBA and the transfer, allocation or parameter length sit in
 * each CDB (SPC-4, SBC-3), written out here apart from the parser's table
 * so the two check each other.  READ(6)/WRITE(6) have a 21-bit LBA in
 * bytes 1-3.
 */
static const struct cdb_layout {
	u8 opcode;
	u8 lba_off, lba_bytes;
	u8 len_off, len_bytes;
} cdb_layouts[] = {
	{ READ_6, 1, 3, 4, 1 },		{ WRITE_6, 1, 3, 4, 1 },
	{ INQUIRY, 0, 0, 3, 2 },	{ REQUEST_SENSE, 0, 0, 4, 1 },
	{ MODE_SENSE, 0, 0, 4, 1 },	{ MODE_SENSE_10, 0, 0, 7, 2 },
	{ MODE_SELECT, 0, 0, 4, 1 },	{ MODE_SELECT_10, 0, 0, 7, 2 },
	{ LOG_SENSE, 0, 0, 7, 2 },
	{ REPORT_LUNS, 0, 0, 6, 4 },	{ READ_CAPACITY, 2, 4, 0, 0 },
	{ MAINTENANCE_IN, 0, 0, 6, 4 },	{ MAINTENANCE_OUT, 0, 0, 6, 4 },
	{ PERSISTENT_RESERVE_IN, 0, 0, 7, 2 },
	{ SERVICE_ACTION_IN_16, 2, 8, 10, 4 },
	{ READ_10, 2, 4, 7, 2 },	{ WRITE_10, 2, 4, 7, 2 },
	{ WRITE_VERIFY, 2, 4, 7, 2 },	{ VERIFY, 2, 4, 7, 2 },
	{ PRE_FETCH, 2, 4, 7, 2 },	{ SYNCHRONIZE_CACHE, 2, 4, 7, 2 },
	{ READ_12, 2, 4, 6, 4 },	{ WRITE_12, 2, 4, 6, 4 },
	{ WRITE_VERIFY_12, 2, 4, 6, 4 }, { VERIFY_12, 2, 4, 6, 4 },
	{ READ_16, 2, 8, 10, 4 },	{ WRITE_16, 2, 8, 10, 4 },
	{ WRITE_VERIFY_16, 2, 8, 10, 4 }, { VERIFY_16, 2, 8, 10, 4 },
	{ 0x90 /* PRE-FETCH(16) */, 2, 8, 10, 4 },
	{ SYNCHRONIZE_CACHE_16, 2, 8, 10, 4 },
	{ COMPARE_AND_WRITE, 2, 8, 13, 1 },
	{ 0x8b /* ORWRITE(16) */, 2, 8, 10, 4 },
	{ 0x9c /* WRITE ATOMIC(16) */, 2, 8, 12, 2 },
	{ WRITE_SAME, 2, 4, 7, 2 },	{ WRITE_SAME_16, 2, 8, 10, 4 },
	{ UNMAP, 0, 0, 7, 2 },
	{ EXTENDED_COPY, 0, 0, 10, 4 },	{ RECEIVE_COPY_RESULTS, 0, 0, 10, 4 },
};

/* Big-endian @v into @n bytes at @p, or-ed into what the case set there. */
static void cdb_put_be(u8 *p, unsigned int n, u64 v)
{
	while (n--) {
		p[n] |= v & 0xff;
		v >>= 8;
	}
}

static void cdb_put_fields(struct kunit *test, const struct cdb_case *c,
			   u8 *cdb)
{
	const struct cdb_layout *l = NULL;
	unsigned int i;

	memcpy(cdb, c->cdb, sizeof(c->cdb));
	if (!c->put_lba && !c->put_len)
		return;
	for (i = 0; i < ARRAY_SIZE(cdb_layouts); i++)
		if (cdb_layouts[i].opcode == cdb[0])
			l = &cdb_layouts[i];
	KUNIT_ASSERT_NOT_NULL_MSG(test, l, "no layout for %02x", cdb[0]);
	if (c->put_lba) {
		KUNIT_ASSERT_NE(test, l->lba_bytes, 0);
		cdb_put_be(cdb + l->lba_off, l->lba_bytes, c->in_lba);
	}
	if (c->put_len) {
		KUNIT_ASSERT_NE(test, l->len_bytes, 0);
		cdb_put_be(cdb + l->len_off, l->len_bytes, c->in_len);
	}
}

static u32 sv(strix_sense_t s)
{
	return (__force u32)s;
}

static struct strix_cmd *cdb_new_cmd(struct kunit *test, const u8 *cdb,
				     unsigned int len)
{
	struct strix_cmd *cmd = kunit_kzalloc(test, sizeof(*cmd), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, cmd);
	memcpy(cmd->cdb, cdb, min_t(unsigned int, len, STRIX_MAX_CDB_LEN));
	cmd->cdb_len = len;
	/* what a previous use of the container may have left behind */
	cmd->op = STRIX_OP_PASSTHROUGH;
	cmd->data_len = 12345;
	cmd->data_dir = STRIX_DATA_READ;
	cmd->lba = 777;
	cmd->nr_blocks = 3;
	cmd->fua = true;
	cmd->sense_field_byte = 0xbeef;
	cmd->sense_field_bit = 5;
	return cmd;
}

static void strix_cdb_parse_test(struct kunit *test)
{
	const struct cdb_case *c = test->param_value;
	unsigned int len = c->cdb_len == CDB_EMPTY ? 0 : c->cdb_len ?: 16;
	struct strix_cmd *cmd;
	strix_sense_t ret;
	u8 cdb[16];

	cdb_put_fields(test, c, cdb);
	cmd = cdb_new_cmd(test, cdb, len);
	ret = strix_cdb_parse(cmd, &cdb_ctx[c->dev]);
	KUNIT_ASSERT_EQ(test, sv(ret), sv(c->ret));

	if (ret != STRIX_OK) {
		/* a refused command is left unparsed */
		KUNIT_EXPECT_EQ(test, cmd->op, STRIX_OP_NONE);
		KUNIT_EXPECT_EQ(test, cmd->emul, STRIX_EMUL_NONE);
		KUNIT_EXPECT_EQ(test, cmd->data_dir, STRIX_DATA_NONE);
		KUNIT_EXPECT_EQ(test, cmd->data_len, 0U);
		KUNIT_EXPECT_EQ(test, cmd->nr_blocks, 0U);
		KUNIT_EXPECT_FALSE(test, cmd->fua);
		if (ret == STRIX_INVALID_FIELD_CDB) {
			KUNIT_EXPECT_EQ(test, cmd->sense_field_byte, c->fbyte);
			KUNIT_EXPECT_EQ(test, cmd->sense_field_bit, c->fbit);
		}
		return;
	}
	KUNIT_EXPECT_EQ(test, cmd->op, (enum strix_op)c->op);
	KUNIT_EXPECT_EQ(test, cmd->emul, c->emul);
	KUNIT_EXPECT_EQ(test, cmd->data_dir, (enum strix_data_dir)c->dir);
	KUNIT_EXPECT_EQ(test, cmd->data_len, c->data_len);
	KUNIT_EXPECT_EQ(test, cmd->lba, c->lba);
	KUNIT_EXPECT_EQ(test, cmd->nr_blocks, c->blocks);
	KUNIT_EXPECT_EQ(test, cmd->fua, c->fua);
	if (c->range)
		KUNIT_EXPECT_EQ(test, cmd->range.mode, c->range - 1);
}

/* Every opcode of the table answers to a CDB one byte short. */
static void strix_cdb_short_test(struct kunit *test)
{
	static const struct { u8 opcode; u8 len; } ops[] = {
		{ TEST_UNIT_READY, 6 }, { REQUEST_SENSE, 6 }, { READ_6, 6 },
		{ WRITE_6, 6 }, { INQUIRY, 6 }, { MODE_SENSE, 6 },
		{ START_STOP, 6 }, { ALLOW_MEDIUM_REMOVAL, 6 },
		{ READ_CAPACITY, 10 }, { READ_10, 10 }, { WRITE_10, 10 },
		{ WRITE_VERIFY, 10 }, { VERIFY, 10 }, { PRE_FETCH, 10 },
		{ SYNCHRONIZE_CACHE, 10 }, { MODE_SENSE_10, 10 },
		{ REPORT_LUNS, 12 }, { READ_12, 12 }, { WRITE_12, 12 },
		{ WRITE_VERIFY_12, 12 }, { VERIFY_12, 12 },
		{ READ_16, 16 }, { WRITE_16, 16 }, { WRITE_VERIFY_16, 16 },
		{ VERIFY_16, 16 }, { 0x90, 16 }, { SYNCHRONIZE_CACHE_16, 16 },
		{ SERVICE_ACTION_IN_16, 16 }, { COMPARE_AND_WRITE, 16 },
		{ 0x8b, 16 }, { 0x9c, 16 }, { EXTENDED_COPY, 16 },
		{ RECEIVE_COPY_RESULTS, 16 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		u8 cdb[16] = { ops[i].opcode };
		struct strix_cmd *cmd;
		strix_sense_t ret;

		/* the shortest CDB that parses: no "short" refusal */
		cmd = cdb_new_cmd(test, cdb, ops[i].len);
		cmd->cdb[1] = ops[i].opcode == SERVICE_ACTION_IN_16 ?
			      SAI_READ_CAPACITY_16 : 0;
		if (ops[i].opcode == REPORT_LUNS)
			cmd->cdb[9] = 16;
		ret = strix_cdb_parse(cmd, &cdb_ctx[DISK]);
		KUNIT_EXPECT_EQ_MSG(test, sv(ret), sv(STRIX_OK),
				    "opcode %02x, %u bytes", ops[i].opcode,
				    ops[i].len);

		cmd = cdb_new_cmd(test, cdb, ops[i].len - 1);
		ret = strix_cdb_parse(cmd, &cdb_ctx[DISK]);
		KUNIT_EXPECT_EQ_MSG(test, sv(ret), sv(STRIX_INVALID_FIELD_CDB),
				    "opcode %02x, %u bytes", ops[i].opcode,
				    ops[i].len - 1);
		KUNIT_EXPECT_EQ(test, cmd->sense_field_byte, 0);
		KUNIT_EXPECT_EQ(test, cmd->sense_field_bit, -1);
	}
}

/*
 * The state-to-sense mapping by itself: every state against every class
 * of command (the bits of STRIX_ALUA_OK_*), SPC-4 5.15.2.4's table.
 */
static void strix_alua_check_test(struct kunit *test)
{
	static const struct {
		u8 state;
		u8 ok_bit;		/* 0: none lets it through */
		strix_sense_t refused;
	} states[] = {
		{ STRIX_ALUA_OPTIMIZED, 0xff, STRIX_OK },
		{ STRIX_ALUA_NONOPTIMIZED, 0xff, STRIX_OK },
		{ STRIX_ALUA_STANDBY, STRIX_ALUA_OK_STANDBY, STRIX_PORT_STANDBY },
		{ STRIX_ALUA_UNAVAILABLE, STRIX_ALUA_OK_UNAVAILABLE,
		  STRIX_PORT_UNAVAILABLE },
		{ STRIX_ALUA_TRANSITIONING, STRIX_ALUA_OK_TRANSITIONING,
		  STRIX_PORT_TRANSITIONING },
		{ STRIX_ALUA_OFFLINE, STRIX_ALUA_OK_OFFLINE, STRIX_PORT_OFFLINE },
		/* reserved codes 4..0xd: as unavailable */
		{ 0x4, STRIX_ALUA_OK_UNAVAILABLE, STRIX_PORT_UNAVAILABLE },
		{ 0xd, STRIX_ALUA_OK_UNAVAILABLE, STRIX_PORT_UNAVAILABLE },
	};
	unsigned int i, ok;

	for (i = 0; i < ARRAY_SIZE(states); i++) {
		for (ok = 0; ok <= STRIX_ALUA_OK_ALL; ok++) {
			strix_sense_t want = STRIX_OK;

			if (states[i].ok_bit != 0xff && !(ok & states[i].ok_bit))
				want = states[i].refused;
			KUNIT_EXPECT_EQ_MSG(test,
					    sv(strix_alua_check(states[i].state, ok)),
					    sv(want), "state %x, class %x",
					    states[i].state, ok);
		}
	}
}

static void strix_invalid_field_test(struct kunit *test)
{
	struct strix_cmd *cmd = kunit_kzalloc(test, sizeof(*cmd), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, cmd);
	KUNIT_EXPECT_EQ(test, sv(strix_invalid_field(cmd, 300, 7)),
			sv(STRIX_INVALID_FIELD_CDB));
	KUNIT_EXPECT_EQ(test, cmd->sense_field_byte, 300);
	KUNIT_EXPECT_EQ(test, cmd->sense_field_bit, 7);
	strix_invalid_field(cmd, 4, 8);		/* no such bit: whole byte */
	KUNIT_EXPECT_EQ(test, cmd->sense_field_byte, 4);
	KUNIT_EXPECT_EQ(test, cmd->sense_field_bit, -1);
	strix_invalid_field(cmd, 1, -3);
	KUNIT_EXPECT_EQ(test, cmd->sense_field_bit, -1);
}

#define RSOC_BUF	4096	/* the response buffer of the cases below */

/*
 * REPORT SUPPORTED OPERATION CODES with @opt/@rctd for @op/@sa into @buf,
 * on device @dev.
 */
static strix_sense_t rsoc_on(struct kunit *test, enum cdb_dev dev,
			     struct strix_cmd **cmdp, u8 opt, bool rctd, u8 op,
			     u16 sa, u8 *buf, u32 len, u32 *produced)
{
	u8 cdb[16] = { MAINTENANCE_IN, MI_REPORT_SUPPORTED_OPERATION_CODES,
		       (rctd ? 0x80 : 0) | opt, op, sa >> 8, sa & 0xff };
	struct strix_cmd *cmd;

	cdb_put_be(cdb + 6, 4, len);
	cmd = cdb_new_cmd(test, cdb, 12);
	*cmdp = cmd;
	KUNIT_ASSERT_EQ(test, sv(strix_cdb_parse(cmd, &cdb_ctx[dev])), sv(STRIX_OK));
	KUNIT_EXPECT_EQ(test, cmd->emul, (u8)STRIX_EMUL_REPORT_OPCODES);
	memset(buf, 0xa5, RSOC_BUF);
	return strix_cdb_report_opcodes(cmd, &cdb_ctx[dev], buf, len, produced);
}

static strix_sense_t rsoc(struct kunit *test, struct strix_cmd **cmdp, u8 opt,
			  bool rctd, u8 op, u16 sa, u8 *buf, u32 len,
			  u32 *produced)
{
	return rsoc_on(test, DISK, cmdp, opt, rctd, op, sa, buf, len, produced);
}

/* Whether the all-commands list of @dev has @op (@sa where it has one). */
static bool rsoc_lists(struct kunit *test, enum cdb_dev dev, u8 op, u16 sa)
{
	u8 *buf = kunit_kzalloc(test, RSOC_BUF, GFP_KERNEL);
	struct strix_cmd *cmd;
	u32 produced, i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, sv(rsoc_on(test, dev, &cmd, 0, false, 0, 0, buf,
					 RSOC_BUF, &produced)), sv(STRIX_OK));
	KUNIT_ASSERT_LE(test, produced, (u32)RSOC_BUF);
	for (i = 4; i + 8 <= produced; i += 8)
		if (buf[i] == op && (!(buf[i + 5] & 0x01) ||
				     (buf[i + 2] << 8 | buf[i + 3]) == sa))
			return true;
	return false;
}

/*
 * Per device: what the parser refuses as an unknown opcode on a device
 * (UNMAP off a thin one, the ALUA commands outside a device group, SET
 * TARGET PORT GROUPS without explicit ALUA) is not in its list, and a
 * one-command request calls it not supported.
 */
static void strix_cdb_report_opcodes_dev_test(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, RSOC_BUF, GFP_KERNEL);
	struct strix_cmd *cmd;
	u32 produced;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_FALSE(test, rsoc_lists(test, DISK, UNMAP, 0));
	KUNIT_EXPECT_TRUE(test, rsoc_lists(test, THIN, UNMAP, 0));
	/* GET LBA STATUS works on every disk (all mapped when not thin) */
	KUNIT_EXPECT_TRUE(test, rsoc_lists(test, DISK, SERVICE_ACTION_IN_16,
					   SAI_GET_LBA_STATUS));
	KUNIT_EXPECT_TRUE(test, rsoc_lists(test, THIN, SERVICE_ACTION_IN_16,
					   SAI_GET_LBA_STATUS));
	KUNIT_EXPECT_TRUE(test, rsoc_lists(test, DISK, SERVICE_ACTION_IN_16,
					   SAI_READ_CAPACITY_16));
	KUNIT_EXPECT_FALSE(test, rsoc_lists(test, DISK, MAINTENANCE_IN,
					    MI_REPORT_TARGET_PGS));
	KUNIT_EXPECT_TRUE(test, rsoc_lists(test, ALUA_IMPL, MAINTENANCE_IN,
					   MI_REPORT_TARGET_PGS));
	KUNIT_EXPECT_FALSE(test, rsoc_lists(test, ALUA_IMPL, MAINTENANCE_OUT,
					    MO_SET_TARGET_PGS));
	KUNIT_EXPECT_TRUE(test, rsoc_lists(test, ALUA_EXPL, MAINTENANCE_OUT,
					   MO_SET_TARGET_PGS));

	/* one command: UNMAP is "not supported" on a disk, there on THIN */
	KUNIT_ASSERT_EQ(test, sv(rsoc_on(test, DISK, &cmd, 1, false, UNMAP, 0,
					 buf, 64, &produced)), sv(STRIX_OK));
	KUNIT_EXPECT_EQ(test, buf[1], 0x01);
	KUNIT_ASSERT_EQ(test, sv(rsoc_on(test, THIN, &cmd, 1, false, UNMAP, 0,
					 buf, 64, &produced)), sv(STRIX_OK));
	KUNIT_EXPECT_EQ(test, buf[1], 0x03);
	KUNIT_EXPECT_EQ(test, buf[4], UNMAP);
}

static void strix_cdb_report_opcodes_test(struct kunit *test)
{
	/* READ(10): what the parser accepts, RDPROTECT aside; CONTROL 0 */
	static const u8 read10[4 + 10] = { 0, 0x03, 0, 10,
		READ_10, 0x1e, 0xff, 0xff, 0xff, 0xff, 0x3f, 0xff, 0xff, 0 };
	u8 *buf = kunit_kzalloc(test, RSOC_BUF, GFP_KERNEL);
	bool seen_read10 = false, seen_rc16 = false;
	struct strix_cmd *cmd;
	u32 produced, n, i;

	KUNIT_ASSERT_NOT_NULL(test, buf);

	/* all commands: 8-byte descriptors, the SA ones with SERVACTV */
	KUNIT_ASSERT_EQ(test, sv(rsoc(test, &cmd, 0, false, 0, 0, buf, RSOC_BUF,
				      &produced)), sv(STRIX_OK));
	n = be32_to_cpup((__be32 *)buf);
	KUNIT_ASSERT_EQ(test, n + 4, produced);
	KUNIT_EXPECT_EQ(test, n % 8, 0U);
	for (i = 4; i < produced; i += 8) {
		u8 *d = buf + i;

		if (d[0] == READ_10) {
			seen_read10 = true;
			KUNIT_EXPECT_EQ(test, d[5], 0);
			KUNIT_EXPECT_EQ(test, d[7], 10);
		}
		if (d[0] == SERVICE_ACTION_IN_16 && d[3] == SAI_READ_CAPACITY_16) {
			seen_rc16 = true;
			KUNIT_EXPECT_EQ(test, d[5], 0x01);
			KUNIT_EXPECT_EQ(test, d[7], 16);
		}
	}
	KUNIT_EXPECT_TRUE(test, seen_read10);
	KUNIT_EXPECT_TRUE(test, seen_rc16);

	/* with RCTD: 20-byte descriptors, CTDP, a timeouts descriptor each */
	KUNIT_ASSERT_EQ(test, sv(rsoc(test, &cmd, 0, true, 0, 0, buf, RSOC_BUF,
				      &produced)), sv(STRIX_OK));
	KUNIT_EXPECT_EQ(test, (produced - 4) % 20, 0U);
	KUNIT_EXPECT_EQ(test, (produced - 4) / 20, n / 8);
	KUNIT_EXPECT_EQ(test, buf[4 + 5] & 0x02, 0x02);
	KUNIT_EXPECT_EQ(test, buf[4 + 9], 0x0a);

	/* truncated: the length still counts it all, nothing past len */
	KUNIT_ASSERT_EQ(test, sv(rsoc(test, &cmd, 0, false, 0, 0, buf, 6,
				      &produced)), sv(STRIX_OK));
	KUNIT_EXPECT_EQ(test, produced, n + 4);
	KUNIT_EXPECT_EQ(test, buf[6], 0xa5);

	/* one command, no service action: READ(10)'s usage data */
	KUNIT_ASSERT_EQ(test, sv(rsoc(test, &cmd, 1, false, READ_10, 0, buf, 64,
				      &produced)), sv(STRIX_OK));
	KUNIT_EXPECT_EQ(test, produced, 14U);
	KUNIT_EXPECT_EQ(test, memcmp(buf, read10, sizeof(read10)), 0);
	/* ... with a timeouts descriptor */
	KUNIT_ASSERT_EQ(test, sv(rsoc(test, &cmd, 1, true, READ_10, 0, buf, 64,
				      &produced)), sv(STRIX_OK));
	KUNIT_EXPECT_EQ(test, produced, 26U);
	KUNIT_EXPECT_EQ(test, buf[1], 0x83);
	/* ... an opcode with service actions is refused */
	KUNIT_EXPECT_EQ(test, sv(rsoc(test, &cmd, 1, false, MAINTENANCE_IN, 0, buf, 64,
			     &produced)), sv(STRIX_INVALID_FIELD_CDB));
	KUNIT_EXPECT_EQ(test, cmd->sense_field_byte, 3);
	/* ... an unknown one is "not supported" */
	KUNIT_ASSERT_EQ(test, sv(rsoc(test, &cmd, 1, false, 0xff, 0, buf, 64,
				      &produced)), sv(STRIX_OK));
	KUNIT_EXPECT_EQ(test, produced, 4U);
	KUNIT_EXPECT_EQ(test, buf[1], 0x01);

	/* opcode and service action: READ CAPACITY(16), its SA in byte 1 */
	KUNIT_ASSERT_EQ(test, sv(rsoc(test, &cmd, 2, false, SERVICE_ACTION_IN_16,
				      SAI_READ_CAPACITY_16, buf, 64, &produced)),
			sv(STRIX_OK));
	KUNIT_EXPECT_EQ(test, produced, 4U + 16);
	KUNIT_EXPECT_EQ(test, buf[1], 0x03);
	KUNIT_EXPECT_EQ(test, buf[4], SERVICE_ACTION_IN_16);
	KUNIT_EXPECT_EQ(test, buf[5], SAI_READ_CAPACITY_16);
	KUNIT_EXPECT_EQ(test, buf[4 + 14], 0x01);	/* PMI */
	/* ... an SA that is not there */
	KUNIT_ASSERT_EQ(test, sv(rsoc(test, &cmd, 2, false, SERVICE_ACTION_IN_16,
				      0x11, buf, 64, &produced)), sv(STRIX_OK));
	KUNIT_EXPECT_EQ(test, buf[1], 0x01);
	/* ... an opcode without service actions is refused */
	KUNIT_EXPECT_EQ(test, sv(rsoc(test, &cmd, 2, false, READ_10, 0, buf, 64,
			     &produced)), sv(STRIX_INVALID_FIELD_CDB));

	/* either: as the opcode has it */
	KUNIT_ASSERT_EQ(test, sv(rsoc(test, &cmd, 3, false, READ_10, 0, buf, 64,
				      &produced)), sv(STRIX_OK));
	KUNIT_EXPECT_EQ(test, buf[1], 0x03);
	KUNIT_ASSERT_EQ(test, sv(rsoc(test, &cmd, 3, false, READ_10, 1, buf, 64,
				      &produced)), sv(STRIX_OK));
	KUNIT_EXPECT_EQ(test, buf[1], 0x01);
	KUNIT_ASSERT_EQ(test, sv(rsoc(test, &cmd, 3, false, MAINTENANCE_IN,
				      MI_REPORT_SUPPORTED_OPERATION_CODES, buf, 64,
				      &produced)), sv(STRIX_OK));
	KUNIT_EXPECT_EQ(test, buf[1], 0x03);
	KUNIT_EXPECT_EQ(test, buf[4 + 2], 0x87);
}

static struct kunit_case strix_cdb_test_cases[] = {
	KUNIT_CASE_PARAM(strix_cdb_parse_test, cdb_gen_params),
	KUNIT_CASE(strix_cdb_short_test),
	KUNIT_CASE(strix_invalid_field_test),
	KUNIT_CASE(strix_alua_check_test),
	KUNIT_CASE(strix_cdb_report_opcodes_test),
	KUNIT_CASE(strix_cdb_report_opcodes_dev_test),
	{}
};

static struct kunit_suite strix_cdb_test_suite = {
	.name = "strix-cdb",
	.test_cases = strix_cdb_test_cases,
};

kunit_test_suite(strix_cdb_test_suite);
