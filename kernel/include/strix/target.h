/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The target driver contract.  A driver (local loopback, iSCSI, SRP, FC)
 * moves commands and data between its transport and the core; it knows
 * nothing of SCSI semantics.  It registers one struct strix_tgt_driver.
 *
 * Capabilities are data (flags, parameter lists); a NULL callback means the
 * core's default.
 */
#ifndef _STRIX_TARGET_H
#define _STRIX_TARGET_H

#include <linux/module.h>
#include <linux/sysfs.h>

#include <strix/cmd.h>
#include <strix/params.h>

struct strix_target;
struct strix_tgt_driver;
struct strix_tmf;

/* driver->flags */
enum {
	/*
	 * strix_cmd_submit() may be called where sleeping is not allowed (the
	 * local driver's queuecommand): the core then runs handlers that may
	 * sleep on their device's workers instead of inline.
	 */
	STRIX_DRV_ATOMIC_SUBMIT		= 1 << 0,
	/* Targets are created by `add_target` in the driver's mgmt file. */
	STRIX_DRV_VIRTUAL_TARGETS	= 1 << 1,
};

/*
 * struct strix_tgt_driver - what a target driver gives the core.
 *
 * Locking: registered once, then read only.
 */
struct strix_tgt_driver {
	const char		*name;		/* sysfs: targets/<name> */
	struct module		*owner;
	unsigned int		flags;

	/* Parameters `add_target NAME p=v;...` accepts (NULL-terminated). */
	const char *const	*add_target_params;

	/* Extra sysfs attributes: driver dir, each target, each session. */
	const struct attribute_group **drv_groups;
	const struct attribute_group **tgt_groups;
	const struct attribute_group **sess_groups;

	/*
	 * Driver-specific mgmt verbs (the local driver's add_session, iSCSI's
	 * add_target_attribute).  Called WITHOUT the core's mgmt mutex (so it
	 * may register sessions) with the line's words split off: @verb, then
	 * @args (the rest of the line, writable).  Return -ENOTTY for a verb
	 * the driver does not know.
	 */
	int (*mgmt)(struct strix_tgt_driver *drv, const char *verb, char *args);

	/* Create/destroy the transport side of a virtual target. */
	int (*add_target)(struct strix_target *tgt, const struct strix_params *p);
	/*
	 * Optional second step of add_target, called WITHOUT the mgmt mutex
	 * (so it may register sessions).  On error the target is deleted
	 * again and the add_target write fails with that error.
	 */
	int (*target_added)(struct strix_target *tgt, const struct strix_params *p);
	void (*del_target)(struct strix_target *tgt);
	/* `enabled` written; NULL: the driver has no enabled attribute. */
	int (*enable_target)(struct strix_target *tgt, bool enable);

	/*
	 * Get the write data of @cmd into cmd->sg, then call
	 * strix_cmd_data_ready().  Only called when the driver did not supply
	 * cmd->sg at submit.
	 */
	void (*fetch_data)(struct strix_cmd *cmd);
	/*
	 * Send data (reads), status and sense.  The driver calls
	 * strix_cmd_done() once it no longer needs the command's buffers.
	 */
	void (*queue_response)(struct strix_cmd *cmd);
	/*
	 * Close a session: force_close, or its target is being deleted.
	 * Called with the mgmt mutex held: start the teardown (a work item
	 * that ends in strix_session_unregister()) and return.
	 */
	void (*close_session)(struct strix_session *sess);
	/*
	 * The set of LUNs @sess sees changed (a REPORTED LUNS DATA HAS
	 * CHANGED unit attention is queued as well).  Optional; called with
	 * the mgmt mutex held, so only schedule work here.
	 */
	void (*luns_changed)(struct strix_session *sess);

	/*
	 * Task management (core/tmf.c).  @abort_data: the core aborted @cmd,
	 * which may be waiting for its write data (fetch_data() called,
	 * strix_cmd_data_ready() not yet): stop receiving it and return true
	 * when strix_cmd_data_ready() was still owed, the core then calls it
	 * itself.  Called under a core spinlock: take only the driver's own
	 * spinlocks, call nothing of the core.  NULL: the driver never waits
	 * for data.  @tmf_done: a strix_tmf_submit() is finished (its
	 * response is in tmf->response); any context.
	 */
	bool (*abort_data)(struct strix_cmd *cmd);
	void (*tmf_done)(struct strix_tmf *tmf);
};

int strix_register_driver(struct strix_tgt_driver *drv);
void strix_unregister_driver(struct strix_tgt_driver *drv);

/* Targets of drivers without STRIX_DRV_VIRTUAL_TARGETS (hardware ports). */
struct strix_target *strix_target_add(struct strix_tgt_driver *drv,
				      const char *name);
void strix_target_del(struct strix_target *tgt);
const char *strix_target_name(const struct strix_target *tgt);
void *strix_target_priv(const struct strix_target *tgt);
void strix_target_set_priv(struct strix_target *tgt, void *priv);
/*
 * The sysfs directories of a driver (targets/<drv>; not with the mgmt
 * mutex held), of a target, and back from a kobject to the object (in the
 * show/store of tgt_groups/sess_groups).
 */
struct kobject *strix_driver_kobj(struct strix_tgt_driver *drv);
struct kobject *strix_target_kobj(struct strix_target *tgt);
struct strix_target *strix_target_from_kobj(struct kobject *kobj);
struct strix_session *strix_session_from_kobj(struct kobject *kobj);
/* Pin a target's memory (not its life: it may still be deleted). */
void strix_target_get(struct strix_target *tgt);
void strix_target_put(struct strix_target *tgt);

/*
 * Sessions (I_T nexus).  strix_session_register() resolves which LUN table
 * the initiator sees and queues the power-on/reset unit attention.
 * strix_session_unregister() waits until every command the session
 * submitted has been given back with strix_cmd_done().
 */
struct strix_session *strix_session_register(struct strix_target *tgt,
					     const char *initiator_name,
					     void *priv);
void strix_session_unregister(struct strix_session *sess);
void *strix_session_priv(const struct strix_session *sess);
const char *strix_session_initiator(const struct strix_session *sess);
struct strix_target *strix_session_target(const struct strix_session *sess);
/*
 * Task management functions (SAM-5 7), as a driver receives them.  The
 * core runs them across every session: commands are aborted wherever they
 * are (queued, waiting for data, in the handler, being answered), each is
 * answered once or (aborted) not at all, and the function completes when
 * the last command it aborted has been given back with strix_cmd_done().
 */
enum strix_tmf_fn {
	STRIX_TMF_ABORT_TASK,
	STRIX_TMF_ABORT_TASK_SET,
	STRIX_TMF_CLEAR_TASK_SET,
	STRIX_TMF_LUN_RESET,
	STRIX_TMF_TARGET_RESET,		/* warm reset: every LUN of the target */
	STRIX_TMF_I_T_NEXUS_RESET,
	STRIX_TMF_QUERY_TASK,
	STRIX_TMF_QUERY_TASK_SET,
	STRIX_TMF_QUERY_ASYNC_EVENT,
	STRIX_TMF_CLEAR_ACA,
};

/* Service responses (SAM-5 7.1). */
enum strix_tmf_rsp {
	STRIX_TMF_COMPLETE,		/* FUNCTION COMPLETE */
	STRIX_TMF_SUCCEEDED,		/* FUNCTION SUCCEEDED (the queries) */
	STRIX_TMF_NO_TASK,		/* ABORT TASK: no such task */
	STRIX_TMF_NO_LUN,		/* INCORRECT LOGICAL UNIT NUMBER */
	STRIX_TMF_REJECTED,		/* FUNCTION REJECTED */
};

/*
 * struct strix_tmf - one task management request.
 *
 * The driver embeds it, fills the first part, calls strix_tmf_submit()
 * and owns it again when its tmf_done() is called.
 */
struct strix_tmf {
	enum strix_tmf_fn	fn;
	u64			lun;		/* ignored by TARGET RESET, I_T NEXUS RESET */
	u64			tag;		/* ABORT TASK, QUERY TASK: cmd->tag */

	/* The answer. */
	enum strix_tmf_rsp	response;
	u8			info[3];	/* QUERY ASYNC EVENT: key, ASC, ASCQ */

	/* Core-private. */
	struct strix_session	*sess;
	struct work_struct	work;
};

/*
 * Run @tmf, which arrived on @sess; the answer comes through the driver's
 * tmf_done() (possibly before this returns).  Process context.
 */
void strix_tmf_submit(struct strix_session *sess, struct strix_tmf *tmf);

/*
 * A logout was accepted and the session's commands are done: release now
 * what I_T nexus loss releases (SPC-2 reservation, medium prevention), so
 * that it is gone before the driver answers.  May sleep; no mgmt mutex.
 */
void strix_session_nexus_loss(struct strix_session *sess);
/* Does @sess see LUN @lun now? (RCU inside; any context.) */
bool strix_session_has_lun(struct strix_session *sess, u64 lun);

/*
 * Commands: see cmd.h for the life cycle.  Submit may be called in atomic
 * context when the driver says STRIX_DRV_ATOMIC_SUBMIT.
 */
void strix_cmd_init(struct strix_cmd *cmd, struct strix_session *sess);
void strix_cmd_submit(struct strix_cmd *cmd);
void strix_cmd_data_ready(struct strix_cmd *cmd, strix_sense_t result);
void strix_cmd_done(struct strix_cmd *cmd);
/*
 * A data buffer of the core's for @cmd before submit (a driver that must
 * receive write data before the core has parsed the command): @len bytes
 * in cmd->sg, freed by strix_cmd_done().  Return: 0 or -ENOMEM.
 */
int strix_cmd_alloc_buf(struct strix_cmd *cmd, u32 len, gfp_t gfp);
/* Free that buffer of a command that is not submitted after all. */
void strix_cmd_free_buf(struct strix_cmd *cmd);

/*
 * LUNs as the REPORT LUNS list has them (SAM-5 flat and peripheral
 * addressing); drivers decode the 8-byte field of their transport with it.
 */
u64 strix_lun_from_wire(const u8 lun[8]);
void strix_lun_to_wire(u64 lun, u8 out[8]);

#endif
