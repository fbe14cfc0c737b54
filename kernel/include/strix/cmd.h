/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SCSI command as drivers and handlers see it, and the sense values of
 * the data path.
 *
 * A target driver embeds a struct strix_cmd in its own per-command structure
 * (the local driver in the scsi_cmnd's private area, iSCSI in its PDU
 * context), fills the "from the driver" part and hands it to the core with
 * strix_cmd_submit().  The core owns the command from then until it calls
 * the driver's queue_response(); the driver gives it back with
 * strix_cmd_done() once the response is on its way.  The core never
 * allocates or frees the container.
 */
#ifndef _STRIX_CMD_H
#define _STRIX_CMD_H

#include <linux/scatterlist.h>
#include <linux/types.h>
#include <linux/workqueue.h>

struct strix_session;
struct strix_tgt_dev;
struct strix_device;

#define STRIX_MAX_CDB_LEN	32
#define STRIX_SENSE_LEN		96	/* SPC's maximum sense length is 252; 96 is
					 * what every transport here carries */

/*
 * Reasons a command ends with CHECK CONDITION (or another non-GOOD status).
 * The data path returns these; one table in core/sense.c maps each to a
 * status and to sense key / ASC / ASCQ.  __bitwise so sparse keeps them
 * apart from errnos.
 */
typedef unsigned int __bitwise strix_sense_t;

#define STRIX_SENSE(x)	((__force strix_sense_t)(x))
enum {
	__STRIX_OK = 0,
	__STRIX_INVALID_OPCODE,		/* ILLEGAL REQUEST / 20 00 */
	__STRIX_INVALID_FIELD_CDB,	/* ILLEGAL REQUEST / 24 00 (+SKSV) */
	__STRIX_INVALID_FIELD_PARAM,	/* ILLEGAL REQUEST / 26 00 (+SKSV) */
	__STRIX_PARAM_LIST_LENGTH,	/* ILLEGAL REQUEST / 1a 00 */
	__STRIX_LBA_OUT_OF_RANGE,	/* ILLEGAL REQUEST / 21 00 */
	__STRIX_LUN_NOT_SUPPORTED,	/* ILLEGAL REQUEST / 25 00 */
	__STRIX_WRITE_PROTECTED,	/* DATA PROTECT / 27 00 */
	__STRIX_READ_ERROR,		/* MEDIUM ERROR / 11 00 */
	__STRIX_WRITE_ERROR,		/* MEDIUM ERROR / 0c 00 */
	__STRIX_SPACE_ALLOC_FAILED,	/* DATA PROTECT / 27 07 */
	__STRIX_NOT_READY_STOPPED,	/* NOT READY / 04 02: START needed */
	__STRIX_NO_MEDIUM,		/* NOT READY / 3a 00 */
	__STRIX_HW_ERROR,		/* HARDWARE ERROR / 44 00 internal target failure */
	__STRIX_NO_RESOURCES,		/* status TASK SET FULL, no sense */
	__STRIX_BUSY,			/* status BUSY, no sense */
	__STRIX_RESERVATION_CONFLICT,	/* status RESERVATION CONFLICT, no sense */
	__STRIX_UNIT_ATTENTION,		/* UNIT ATTENTION: from the nexus's queue */
	__STRIX_ABORTED,		/* ABORTED COMMAND / 00 00 */
	__STRIX_MISCOMPARE,		/* MISCOMPARE / 1d 00 */
	__STRIX_MEDIUM_REMOVAL_PREVENTED, /* ILLEGAL REQUEST / 53 02 */
	__STRIX_INVALID_RELEASE_PR,	/* ILLEGAL REQUEST / 26 04 */
	__STRIX_PROTOCOL_CRC_ERROR,	/* ABORTED COMMAND / 47 05: data lost */
	__STRIX_INSUFFICIENT_REG_RES,	/* ILLEGAL REQUEST / 55 04 */
	/* ALUA: the target port's access state refuses the command */
	__STRIX_PORT_TRANSITIONING,	/* NOT READY / 04 0a */
	__STRIX_PORT_STANDBY,		/* NOT READY / 04 0b */
	__STRIX_PORT_UNAVAILABLE,	/* NOT READY / 04 0c */
	__STRIX_PORT_OFFLINE,		/* NOT READY / 04 12 */
	/* EXTENDED COPY (core/xcopy.c) */
	__STRIX_TOO_MANY_CSCDS,		/* ILLEGAL REQUEST / 26 06 */
	__STRIX_UNSUPP_CSCD_TYPE,	/* ILLEGAL REQUEST / 26 07 */
	__STRIX_TOO_MANY_SEGMENTS,	/* ILLEGAL REQUEST / 26 08 */
	__STRIX_UNSUPP_SEGMENT_TYPE,	/* ILLEGAL REQUEST / 26 09 */
	__STRIX_COPY_UNREACHABLE,	/* COPY ABORTED / 08 04 unreachable copy target */
	__STRIX_COPY_OUT_OF_RANGE,	/* COPY ABORTED / 00 00: a segment past the end */
	__STRIX_COPY_TARGET_FAILED,	/* COPY ABORTED / 0d 01 third party device failure */
	__STRIX_COPY_NOT_REACHABLE,	/* COPY ABORTED / 0d 02 copy target device not reachable */
	__STRIX_OP_IN_PROGRESS,		/* ILLEGAL REQUEST / 00 16 operation in progress */
	__STRIX_SENSE_MAX,
};
#define STRIX_OK			STRIX_SENSE(__STRIX_OK)
#define STRIX_INVALID_OPCODE		STRIX_SENSE(__STRIX_INVALID_OPCODE)
#define STRIX_INVALID_FIELD_CDB		STRIX_SENSE(__STRIX_INVALID_FIELD_CDB)
#define STRIX_INVALID_FIELD_PARAM	STRIX_SENSE(__STRIX_INVALID_FIELD_PARAM)
#define STRIX_PARAM_LIST_LENGTH		STRIX_SENSE(__STRIX_PARAM_LIST_LENGTH)
#define STRIX_LBA_OUT_OF_RANGE		STRIX_SENSE(__STRIX_LBA_OUT_OF_RANGE)
#define STRIX_LUN_NOT_SUPPORTED		STRIX_SENSE(__STRIX_LUN_NOT_SUPPORTED)
#define STRIX_WRITE_PROTECTED		STRIX_SENSE(__STRIX_WRITE_PROTECTED)
#define STRIX_READ_ERROR		STRIX_SENSE(__STRIX_READ_ERROR)
#define STRIX_WRITE_ERROR		STRIX_SENSE(__STRIX_WRITE_ERROR)
#define STRIX_SPACE_ALLOC_FAILED	STRIX_SENSE(__STRIX_SPACE_ALLOC_FAILED)
#define STRIX_NOT_READY_STOPPED		STRIX_SENSE(__STRIX_NOT_READY_STOPPED)
#define STRIX_NO_MEDIUM			STRIX_SENSE(__STRIX_NO_MEDIUM)
#define STRIX_HW_ERROR			STRIX_SENSE(__STRIX_HW_ERROR)
#define STRIX_NO_RESOURCES		STRIX_SENSE(__STRIX_NO_RESOURCES)
#define STRIX_BUSY			STRIX_SENSE(__STRIX_BUSY)
#define STRIX_RESERVATION_CONFLICT	STRIX_SENSE(__STRIX_RESERVATION_CONFLICT)
#define STRIX_UNIT_ATTENTION		STRIX_SENSE(__STRIX_UNIT_ATTENTION)
#define STRIX_ABORTED			STRIX_SENSE(__STRIX_ABORTED)
#define STRIX_MISCOMPARE		STRIX_SENSE(__STRIX_MISCOMPARE)
#define STRIX_MEDIUM_REMOVAL_PREVENTED	STRIX_SENSE(__STRIX_MEDIUM_REMOVAL_PREVENTED)
#define STRIX_INVALID_RELEASE_PR	STRIX_SENSE(__STRIX_INVALID_RELEASE_PR)
#define STRIX_PROTOCOL_CRC_ERROR	STRIX_SENSE(__STRIX_PROTOCOL_CRC_ERROR)
#define STRIX_INSUFFICIENT_REG_RES	STRIX_SENSE(__STRIX_INSUFFICIENT_REG_RES)
#define STRIX_PORT_TRANSITIONING	STRIX_SENSE(__STRIX_PORT_TRANSITIONING)
#define STRIX_PORT_STANDBY		STRIX_SENSE(__STRIX_PORT_STANDBY)
#define STRIX_PORT_UNAVAILABLE		STRIX_SENSE(__STRIX_PORT_UNAVAILABLE)
#define STRIX_PORT_OFFLINE		STRIX_SENSE(__STRIX_PORT_OFFLINE)
#define STRIX_TOO_MANY_CSCDS		STRIX_SENSE(__STRIX_TOO_MANY_CSCDS)
#define STRIX_UNSUPP_CSCD_TYPE		STRIX_SENSE(__STRIX_UNSUPP_CSCD_TYPE)
#define STRIX_TOO_MANY_SEGMENTS		STRIX_SENSE(__STRIX_TOO_MANY_SEGMENTS)
#define STRIX_UNSUPP_SEGMENT_TYPE	STRIX_SENSE(__STRIX_UNSUPP_SEGMENT_TYPE)
#define STRIX_COPY_UNREACHABLE		STRIX_SENSE(__STRIX_COPY_UNREACHABLE)
#define STRIX_COPY_OUT_OF_RANGE		STRIX_SENSE(__STRIX_COPY_OUT_OF_RANGE)
#define STRIX_COPY_TARGET_FAILED	STRIX_SENSE(__STRIX_COPY_TARGET_FAILED)
#define STRIX_COPY_NOT_REACHABLE	STRIX_SENSE(__STRIX_COPY_NOT_REACHABLE)
#define STRIX_OP_IN_PROGRESS		STRIX_SENSE(__STRIX_OP_IN_PROGRESS)

/* Task attributes (SAM). */
enum strix_task_attr {
	STRIX_TASK_SIMPLE,
	STRIX_TASK_ORDERED,
	STRIX_TASK_HEAD_OF_QUEUE,
	STRIX_TASK_ACA,
};

/* Direction of the data phase, from the initiator's point of view. */
enum strix_data_dir {
	STRIX_DATA_NONE,
	STRIX_DATA_WRITE,	/* initiator to target (Data-Out) */
	STRIX_DATA_READ,	/* target to initiator (Data-In) */
};

/* What the parser decided the command does (cmd->op). */
enum strix_op {
	STRIX_OP_NONE,		/* not parsed yet, or refused */
	STRIX_OP_EMULATE,	/* answered by the core (INQUIRY, MODE SENSE...) */
	STRIX_OP_READ,
	STRIX_OP_WRITE,
	STRIX_OP_FLUSH,
	STRIX_OP_VERIFY,	/* no data compare (BYTCHK=0): checks range only */
	STRIX_OP_PASSTHROUGH,	/* the handler sends the CDB to a real device */
	/*
	 * Read-modify-write in the core through the handler's read and
	 * write (cmd.c), under an exclusive LBA range (range.c).
	 */
	STRIX_OP_CAW,		/* COMPARE AND WRITE */
	STRIX_OP_ORWRITE,	/* ORWRITE(16) */
	/* thin provisioning (core/thin.c): the handler's synchronous ops */
	STRIX_OP_UNMAP,		/* UNMAP: the parameter list in cmd->sg */
	STRIX_OP_WRITE_SAME,	/* WRITE SAME(10)/(16), UNMAP bit, NDOB */
	STRIX_OP_LBA_STATUS,	/* GET LBA STATUS */
	/* third-party copy (core/xcopy.c) */
	STRIX_OP_XCOPY,		/* EXTENDED COPY (LID1): the list in cmd->sg */
	STRIX_OP_COPY_RESULTS,	/* RECEIVE COPY RESULTS */
};

/* How a command holds its LBA range (struct strix_range.mode). */
enum {
	STRIX_RANGE_NONE,	/* does not modify the medium */
	STRIX_RANGE_SHARED,	/* a write: excludes only exclusive ranges */
	STRIX_RANGE_EXCL,	/* COMPARE AND WRITE, ORWRITE, WRITE ATOMIC */
};

/*
 * struct strix_range - the blocks [@start, @end) a command modifies, as the
 * device's range lock (core/range.c) holds them or has them wait.
 * Core-private; @entry and @state under the range lock's spinlock.
 */
struct strix_range {
	u64			start;
	u64			end;
	u8			mode;		/* STRIX_RANGE_* */
	u8			state;		/* range.c */
	struct list_head	entry;
};

struct strix_cmd;
/* The step that follows a core-internal handler I/O (cmd.c). */
typedef void (*strix_cmd_step_fn)(struct strix_cmd *cmd, strix_sense_t result);

/*
 * struct strix_cmd - one SCSI command.
 *
 * Locking: a command belongs to one context at a time (the driver until
 * submit, the core until queue_response, a handler between its I/O call and
 * strix_cmd_io_done(), the driver again after queue_response); ownership
 * moves with those calls, so the fields need no lock.  @state is the only
 * field read across contexts (task management, core/tmf.c), with atomic
 * bitops; @td_entry is under the nexus's cmd_lock.
 */
struct strix_cmd {
	/* From the driver, before strix_cmd_submit(). */
	struct strix_session	*sess;
	u64			lun;		/* the 8-byte LUN field, as a number */
	u64			tag;
	u8			cdb[STRIX_MAX_CDB_LEN];
	u8			cdb_len;
	enum strix_task_attr	attr;
	u32			expected_len;	/* the initiator's buffer, bytes */
	enum strix_data_dir	expected_dir;
	/*
	 * Optional: the driver's own buffer (the local driver passes the
	 * initiator's scatterlist, zero-copy).  When NULL the core allocates
	 * one and, for writes, calls the driver's fetch_data().
	 */
	struct scatterlist	*sg;
	unsigned int		sg_cnt;
	/*
	 * The driver's @sg (from strix_cmd_alloc_buf()) does not hold all the
	 * write data yet (iSCSI: immediate data is in, solicited data is
	 * not): the core calls fetch_data() when it wants the data, as it
	 * does for a buffer of its own.
	 */
	bool			data_pending;

	/* Set by the core's parser. */
	enum strix_op		op;
	enum strix_data_dir	data_dir;
	u32			data_len;	/* bytes the command transfers */
	u64			lba;
	u32			nr_blocks;
	bool			fua;
	struct strix_tgt_dev	*tgt_dev;	/* the I_T_L nexus, NULL if no LUN */
	struct strix_device	*dev;

	/* The response, for the driver's queue_response(). */
	u8			status;		/* SAM status */
	u8			sense[STRIX_SENSE_LEN];
	u8			sense_len;
	u32			resid;		/* > 0: underflow, see @overflow */
	bool			overflow;
	/*
	 * Task management aborted the command and no response is owed (the
	 * nexus that asked, or TAS off): the driver sends nothing and calls
	 * strix_cmd_done().  An aborted command owed TASK ABORTED status
	 * comes with that status and @aborted false.
	 */
	bool			aborted;

	/* Core-private. */
	u8			emul;		/* enum strix_emul (core/scsi.h) */
	u8			res;		/* STRIX_RES_* (core/scsi.h) */
	strix_sense_t		result;
	u8			ua_asc, ua_ascq;	/* for STRIX_UNIT_ATTENTION */
	/*
	 * Bytes moved: data_len, cut to what the initiator's buffer takes.
	 * fetch_data() fills this many; a read sends min(xfer_len,
	 * expected_len) (a cut read covers whole blocks).
	 */
	u32			xfer_len;
	bool			cut;		/* overflow: see strix_cmd_cut() */
	void			*bounce;	/* VERIFY: the initiator's data */
	/*
	 * The sense INFORMATION field (MISCOMPARE: offset of the first
	 * differing byte), reported with VALID when @sense_info_valid.
	 */
	u64			sense_info;
	bool			sense_info_valid;
	/*
	 * The sense COMMAND-SPECIFIC INFORMATION field, reported when
	 * @sense_csi_valid (COPY ABORTED: the number of the segment the copy
	 * was at).
	 */
	u32			sense_csi;
	bool			sense_csi_valid;
	/* INVALID FIELD: sense-key-specific field pointer (SPC 4.5.2.4.2) */
	u16			sense_field_byte;
	s8			sense_field_bit;	/* -1: no bit pointer */
	bool			sg_owned;	/* the core allocated @sg */
	unsigned long		state;		/* BIT(STRIX_CMD_*), atomic bitops */
	struct work_struct	work;		/* execution on the device's workers */
	/* Medium-modifying commands: the LBA range held (core/range.c). */
	struct strix_range	range;
	/*
	 * Core-internal I/O (cmd.c, strix_cmd_sub_io()): while the core runs
	 * a handler read or write of its own, @next is what follows it and
	 * @sg/@sg_cnt/@lba/@nr_blocks describe that I/O (@core_sg is freed
	 * at done); the command's own buffer and blocks wait in @data_*.
	 */
	strix_cmd_step_fn	next;
	bool			sub_write;
	struct scatterlist	*core_sg;
	unsigned int		core_sg_cnt;
	struct scatterlist	*data_sg;
	unsigned int		data_sg_cnt;
	u64			data_lba;
	u32			data_nr_blocks;
	struct list_head	td_entry;	/* the nexus's in-flight list */
	struct list_head	abort_entry;	/* tmf.c: a local list */
};

/* cmd->state: the core's, for task management (core/tmf.c) */
enum {
	STRIX_CMD_LISTED,	/* on tgt_dev->cmds */
	STRIX_CMD_ABORTED,	/* a TMF, QErr or PREEMPT AND ABORT aborted it */
	STRIX_CMD_TAS,		/* aborted for another nexus, TAS=1: TASK ABORTED */
	STRIX_CMD_ANSWERED,	/* queue_response() called */
};

#endif
