/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Persistent reservations (SPC-4 5.12): the state of one device and the
 * rules of PERSISTENT RESERVE OUT / IN, as pure functions of that state
 * (pr.c, KUnit in pr_test.c).  The caller owns the locking and the I/O:
 * it decodes nothing but the CDB's service action, hands the parameter
 * list in, gets the response data out, and is told through @notify which
 * I_T nexuses get which unit attention and whose tasks to abort.
 */
#ifndef _STRIX_CORE_PR_H
#define _STRIX_CORE_PR_H

#include <linux/list.h>
#include <linux/types.h>

#include <strix/cmd.h>

/* Reservation types (TYPE field). */
enum {
	STRIX_PR_WE	= 0x1,	/* write exclusive */
	STRIX_PR_EA	= 0x3,	/* exclusive access */
	STRIX_PR_WE_RO	= 0x5,	/* write exclusive, registrants only */
	STRIX_PR_EA_RO	= 0x6,	/* exclusive access, registrants only */
	STRIX_PR_WE_AR	= 0x7,	/* write exclusive, all registrants */
	STRIX_PR_EA_AR	= 0x8,	/* exclusive access, all registrants */
};

/* PERSISTENT RESERVE OUT service actions. */
enum {
	STRIX_PR_REGISTER		= 0x0,
	STRIX_PR_RESERVE		= 0x1,
	STRIX_PR_RELEASE		= 0x2,
	STRIX_PR_CLEAR			= 0x3,
	STRIX_PR_PREEMPT		= 0x4,
	STRIX_PR_PREEMPT_AND_ABORT	= 0x5,
	STRIX_PR_REGISTER_AND_IGNORE	= 0x6,
	STRIX_PR_REGISTER_AND_MOVE	= 0x7,
};

/* PERSISTENT RESERVE IN service actions. */
enum {
	STRIX_PR_READ_KEYS		= 0x0,
	STRIX_PR_READ_RESERVATION	= 0x1,
	STRIX_PR_REPORT_CAPABILITIES	= 0x2,
	STRIX_PR_READ_FULL_STATUS	= 0x3,
};

/* Unit attentions PR raises (ASC 2Ah, this ASCQ). */
enum {
	STRIX_PR_UA_RESERVATIONS_PREEMPTED	= 0x03,
	STRIX_PR_UA_RESERVATIONS_RELEASED	= 0x04,
	STRIX_PR_UA_REGISTRATIONS_PREEMPTED	= 0x05,
};

/* An iSCSI name is at most 223 bytes (RFC 7143); with ",i,0x" + ISID. */
#define STRIX_PR_MAX_NAME	240

/* Registrations a device keeps at most (more: INSUFFICIENT REG. RESOURCES). */
#define STRIX_PR_MAX_REGS	256

/*
 * An I_T nexus as reservations see it: the initiator port's name (its
 * TransportID) and the relative identifier of the target port.
 */
struct strix_pr_nexus {
	const char *ini;
	u16 rel_tgt_id;
};

/*
 * A registration.  With @all_tg_pt it stands for the initiator port on
 * every target port (SPC-4 ALL_TG_PT); @rel_tgt_id is then the port the
 * registration came through.
 */
struct strix_pr_reg {
	struct list_head entry;
	u64 key;
	u16 rel_tgt_id;
	bool all_tg_pt;
	char ini[STRIX_PR_MAX_NAME];
};

/*
 * struct strix_pr_state - the persistent reservation state of a device.
 * @holder: the reservation holder; for the all-registrants types every
 *	registration holds it, and @holder is just one of them.
 * Locking: the caller's (one device's PR commands are serialised).
 */
struct strix_pr_state {
	struct list_head regs;		/* struct strix_pr_reg */
	unsigned int nr_regs;
	u32 generation;
	struct strix_pr_reg *holder;	/* NULL: not reserved */
	u8 type;
	bool aptpl;
};

/* What the caller does for the I_T nexuses a PR OUT affects. */
struct strix_pr_notify {
	/* raise 2Ah/@ascq on the nexuses of @reg (all ports if all_tg_pt) */
	void (*ua)(void *priv, const struct strix_pr_reg *reg, u8 ascq);
	/* PREEMPT AND ABORT: abort the tasks of the nexuses of @reg */
	void (*abort)(void *priv, const struct strix_pr_reg *reg);
	void *priv;
};

/* A PERSISTENT RESERVE OUT: the CDB's fields and the parameter list. */
struct strix_pr_out {
	u8 sa;
	u8 scope;
	u8 type;
	const u8 *param;
	u32 param_len;
};

void strix_pr_init(struct strix_pr_state *pr);
/* Frees every registration (device deletion). */
void strix_pr_clear_all(struct strix_pr_state *pr);

strix_sense_t strix_pr_out(struct strix_pr_state *pr,
			   const struct strix_pr_nexus *nexus,
			   const struct strix_pr_out *out,
			   const struct strix_pr_notify *notify,
			   u16 *field_byte);

strix_sense_t strix_pr_in(const struct strix_pr_state *pr, u8 sa, u8 *buf,
			  u32 len, u32 *produced);

/* How a command fares under a persistent reservation (cdb table flags). */
enum strix_pr_class {
	STRIX_PR_ALLOWED,	/* never conflicts (INQUIRY, REPORT LUNS, ...) */
	STRIX_PR_READ,		/* conflicts under the exclusive-access types */
	STRIX_PR_WRITE,		/* conflicts under every type */
};

bool strix_pr_conflict(const struct strix_pr_state *pr,
		       const struct strix_pr_nexus *nexus,
		       enum strix_pr_class class);

bool strix_pr_reg_match(const struct strix_pr_reg *reg,
			const struct strix_pr_nexus *nexus);
/* The registration of @nexus, or NULL. */
struct strix_pr_reg *strix_pr_find(const struct strix_pr_state *pr,
				   const struct strix_pr_nexus *nexus);

/* The state as text (pr_state, the APTPL file): pr.c says the format. */
ssize_t strix_pr_dump(const struct strix_pr_state *pr, char *buf, size_t size);
int strix_pr_load(struct strix_pr_state *pr, char *text);
int strix_pr_copy(struct strix_pr_state *dst, const struct strix_pr_state *src);
void strix_pr_replace(struct strix_pr_state *dst, struct strix_pr_state *src);

/* iSCSI-format TransportIDs (SPC-4 7.6.4.6): parse one, build one. */
int strix_pr_tid_parse(const u8 *tid, u32 len, char *name, size_t size,
		       u32 *tid_len);
u32 strix_pr_tid_build(const char *name, u8 *buf, u32 len);

#endif
