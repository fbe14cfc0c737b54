/* SPDX-License-Identifier: GPL-2.0 */
/* Declarations shared between the files of the core module (strix.ko). */
#ifndef _STRIX_CORE_H
#define _STRIX_CORE_H

#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/percpu-refcount.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/sysfs.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include <strix/handler.h>
#include "pr.h"
#include "scsi.h"
#include "range.h"
#include <strix/target.h>

#define STRIX_SYSFS_ROOT	"scst_tgt"
#define STRIX_MAX_NAME		64	/* device, target, group names */
#define STRIX_MAX_LUN		16383	/* flat space addressing */

/*
 * The management state of the core.
 *
 * Locking: @mgmt_mutex serialises every management change (mgmt writes,
 * driver/handler (un)registration, sessions coming and going) and guards
 * @setup_id, @handlers, @drivers and @devices.  The I/O path never takes
 * it.  Readers of @setup_id that must not sleep use READ_ONCE().
 * @kobj_mutex guards @kobjs_going, the kobjects strix_kobject_del() is
 * taking out of sysfs (see strix_mgmt_begin()); it is taken after
 * @mgmt_mutex, or alone, and nothing sleeps on other locks under it but
 * kernfs's own.
 */
struct strix_core {
	struct mutex mgmt_mutex;
	struct mutex kobj_mutex;
	struct list_head kobjs_going;
	u32 setup_id;
	struct list_head handlers;	/* struct strix_handler_reg */
	struct list_head drivers;	/* struct strix_driver_reg */
	struct list_head devices;	/* struct strix_device */

	struct kobject *root;		/* /sys/kernel/scst_tgt */
	struct kobject *handlers_kobj;
	struct kobject *devices_kobj;
	struct kobject *targets_kobj;
	struct kobject *device_groups_kobj;
};

extern struct strix_core strix_core;

/*
 * A registered handler: handlers/<name>/.
 * Locking: @list under mgmt_mutex; the rest is set at registration.
 */
struct strix_handler_reg {
	struct kobject kobj;
	struct strix_handler *h;
	struct list_head list;
	bool dead;
};

/*
 * A registered target driver: targets/<name>/.
 * Locking: @list and @targets under mgmt_mutex.
 */
struct strix_driver_reg {
	struct kobject kobj;
	struct strix_tgt_driver *drv;
	struct list_head list;
	struct list_head targets;	/* struct strix_target */
	bool dead;
};

/*
 * A plain directory of an object (luns/, ini_groups/, sessions/,
 * exported/, initiators/).  It holds a reference on its owner's kobject,
 * so a mgmt write in it can reach the owner even while the owner is being
 * deleted (the owner's `dead` flag, read under mgmt_mutex, says so).
 */
struct strix_dir {
	struct kobject kobj;
	struct kobject *owner;
};

/* Unit-attention conditions, in the order they are reported. */
enum strix_ua {
	STRIX_UA_POWER_ON,		/* 29 00 */
	STRIX_UA_RESET,			/* 29 03 bus device reset function occurred */
	STRIX_UA_NEXUS_LOSS,		/* 29 07 I_T nexus loss occurred */
	STRIX_UA_CMDS_CLEARED,		/* 2f 00 commands cleared by another initiator */
	STRIX_UA_MODE_CHANGED,		/* 2a 01 mode parameters changed */
	STRIX_UA_RES_PREEMPTED,		/* 2a 03 reservations preempted */
	STRIX_UA_RES_RELEASED,		/* 2a 04 reservations released */
	STRIX_UA_REG_PREEMPTED,		/* 2a 05 registrations preempted */
	STRIX_UA_ALUA_CHANGED,		/* 2a 06 asymmetric access state changed */
	STRIX_UA_ALUA_FAILED,		/* 2a 07 implicit transition failed */
	STRIX_UA_CAPACITY_CHANGED,	/* 2a 09 */
	STRIX_UA_INQUIRY_CHANGED,	/* 3f 03 */
	STRIX_UA_LUNS_CHANGED,		/* 3f 0e */
	STRIX_UA_MAX,
};

/*
 * struct strix_device - devices/<name>/: a handler's backing store.
 *
 * Locking: @list, @exports and @nr_exports under mgmt_mutex; @params as
 * described in handler.h.  @kobj's refcount keeps the memory alive for
 * sysfs; @ref counts users (LUNs) that keep the device from deletion.
 * Removable medium (params.removable only): @medium with atomic bitops
 * (STRIX_MEDIUM_EJECTED, set by START STOP UNIT with LOEJ); @prevent_count
 * is the number of I_T nexuses whose PREVENT ALLOW MEDIUM REMOVAL is in
 * force (each nexus's STRIX_TD_PREVENT bit, see strix_tgt_dev).
 */
struct strix_device {
	struct kobject kobj;
	struct list_head list;
	struct strix_handler_reg *hreg;
	char name[STRIX_MAX_NAME];
	struct strix_dev_params params;
	char serial[17];
	u8 naa[8];
	u8 eui64[8];
	unsigned int nr_exports;	/* LUNs using this device */
	struct kobject *exported_kobj;
	struct workqueue_struct *wq;	/* I/O that may sleep */
	bool dead;
	void *priv;
	u64 added_ns;			/* ktime_get_boottime_ns() at add */
	unsigned long medium;		/* BIT(STRIX_MEDIUM_*) */
	atomic_t prevent_count;
	/*
	 * Reservations (res.c).  @res_mutex guards @pr and @spc2_holder and
	 * is taken (after mgmt_mutex, when both are) by PR and SPC-2
	 * commands on the device's workqueue and by nexus creation and
	 * loss.  @td_lock (a spinlock, under @res_mutex) guards @tgt_devs,
	 * the nexuses on this device, whose conflict bits res.c keeps.
	 */
	struct mutex res_mutex;
	struct strix_pr_state pr;
	struct strix_tgt_dev *spc2_holder;	/* SPC-2 RESERVE holder */
	spinlock_t td_lock;
	struct list_head tgt_devs;	/* struct strix_tgt_dev.dev_entry */
	/*
	 * Task management (tmf.c): @aborting counts commands aborted and not
	 * yet given back (changed under their nexus's cmd_lock), @abort_wq
	 * is woken when it reaches 0.  @tas and @qerr are the control mode
	 * page's TAS and QErr (sysfs attributes; READ_ONCE on the I/O path).
	 */
	atomic_t aborting;
	wait_queue_head_t abort_wq;
	u8 tas;
	u8 qerr;
	/*
	 * Mode pages (mode_dev.c): @wce and @d_sense are the current WCE
	 * (meaningful when params.write_cache says there is a volatile
	 * cache) and D_SENSE; the I/O path reads them with READ_ONCE.
	 * @mode_mutex serialises MODE SELECT (on the device's workqueue)
	 * and the saving of pages; @mode_saved (STRIX_MODE_SAVED_* bits) is
	 * written under it and read with READ_ONCE by MODE SENSE.
	 */
	struct mutex mode_mutex;
	bool wce;
	bool d_sense;
	u8 mode_saved;
	/*
	 * ALUA (alua.c): @alua_dg, the device group it is in, and @alua, the
	 * group's snapshot the I/O path reads under RCU, change under
	 * alua.c's mutex; @expl_alua (SET TARGET PORT GROUPS allowed) under
	 * mgmt_mutex, READ_ONCE on the I/O path.
	 */
	struct strix_alua_dg *alua_dg;
	struct strix_alua_snap __rcu *alua;
	bool expl_alua;
	/*
	 * The blocks medium-modifying commands hold (range.c; its own
	 * spinlock, see struct strix_range_lock).
	 */
	struct strix_range_lock range_lock;
};

enum {
	STRIX_MEDIUM_EJECTED,
};

/* A removable device whose medium START STOP UNIT ejected. */
static inline bool strix_dev_no_medium(struct strix_device *dev)
{
	return dev->params.removable &&
	       test_bit(STRIX_MEDIUM_EJECTED, &dev->medium);
}

/*
 * A group: the target's default LUN table (@is_default, the target's own
 * luns/) or an initiator group (ini_groups/<name>/).
 *
 * Locking: @luns and @initiators change only under mgmt_mutex; the I/O path
 * never reads them (sessions have their own tgt_dev table).
 */
struct strix_group {
	struct kobject kobj;		/* ini_groups/<name>/ (not for default) */
	struct strix_target *tgt;
	struct list_head list;		/* in tgt->groups */
	char name[STRIX_MAX_NAME];
	bool is_default;
	bool tgt_list_live;		/* in tgt->groups (not deleted) */
	struct kobject *luns_kobj;
	struct kobject *initiators_kobj;
	struct xarray luns;		/* lun number -> struct strix_lun */
	struct list_head initiators;	/* struct strix_initiator */
};

/*
 * struct strix_lun - one entry of a LUN table: luns/<n>/.
 * Locking: immutable after creation except @dev (replace), under mgmt_mutex.
 */
struct strix_lun {
	struct kobject kobj;
	struct strix_group *group;
	u64 lun;
	struct strix_device *dev;
	bool read_only;
	unsigned int export_id;		/* devices/<d>/exported/export<N> */
};

/* An initiator name or pattern of a group: initiators/<name>. */
struct strix_initiator {
	struct list_head list;
	struct strix_group *group;
	char *name;
	struct kobj_attribute attr;	/* the file named after it */
};

/*
 * struct strix_target - targets/<driver>/<name>/.
 *
 * Locking: @groups, @sessions, @enabled, @rel_tgt_id under mgmt_mutex.
 * The I/O counters are per-cpu-free atomics.
 */
struct strix_target {
	struct kobject kobj;
	struct list_head list;		/* in dreg->targets */
	struct strix_driver_reg *dreg;
	char name[STRIX_MAX_NAME];
	bool enabled;
	bool dead;
	u16 rel_tgt_id;
	struct strix_group default_group;
	struct list_head groups;	/* initiator groups */
	struct list_head sessions;
	wait_queue_head_t sessions_wq;	/* woken when a session goes away */
	struct kobject *ini_groups_kobj;
	struct kobject *sessions_kobj;
	void *priv;
	atomic64_t read_cmds, write_cmds, read_kb, write_kb;
};

/*
 * struct strix_tgt_dev - one LUN as one session sees it (I_T_L nexus).
 *
 * Locking: found under RCU through sess->tgt_devs; a command holds @ref
 * (percpu_ref_tryget_live) from lookup to strix_cmd_done().  Removing the
 * LUN kills @ref and waits for @drained before freeing after a grace
 * period.  @ua_pending and @flags are changed with atomic bitops.
 */
struct strix_tgt_dev {
	struct percpu_ref ref;
	struct completion drained;
	struct rcu_head rcu;
	struct strix_session *sess;
	struct strix_device *dev;
	u64 lun;
	bool read_only;
	unsigned long ua_pending;	/* BIT(enum strix_ua) */
	/* a PR OUT's unit attentions until it succeeds (dev->res_mutex) */
	unsigned long ua_staged;
	unsigned long flags;		/* BIT(STRIX_TD_*) */
	struct list_head dev_entry;	/* in dev->tgt_devs (dev->td_lock) */
	/* commands submitted and not yet done (tmf.c), under @cmd_lock */
	spinlock_t cmd_lock;
	struct list_head cmds;		/* struct strix_cmd.td_entry */
	/*
	 * The last EXTENDED COPY's status this nexus sent to this LUN's copy
	 * manager, for RECEIVE COPY RESULTS (xcopy.c): allocated at the
	 * first copy that holds one, freed with the nexus; the pointer and
	 * its contents under @xcopy_lock.
	 */
	spinlock_t xcopy_lock;
	struct strix_xcopy_status *xcopy;
};

enum {
	/* This nexus prevents medium removal (counted in dev->prevent_count). */
	STRIX_TD_PREVENT,
	/*
	 * What a reservation held by another nexus refuses this one (res.c
	 * sets them under dev->res_mutex; the I/O path only tests them).
	 */
	STRIX_TD_RES_READ,	/* read-class commands conflict */
	STRIX_TD_RES_WRITE,	/* write-class commands conflict */
	STRIX_TD_RES_SPC2,	/* SPC-2 reserved by another: all but a few */
	/* A PREEMPT AND ABORT preempted this nexus (dev->res_mutex). */
	STRIX_TD_ABORT_STAGED,
};
#define STRIX_TD_RES_MASK	(BIT(STRIX_TD_RES_READ) | BIT(STRIX_TD_RES_WRITE) | \
				 BIT(STRIX_TD_RES_SPC2))

/*
 * struct strix_session - targets/<driver>/<target>/sessions/<initiator>/.
 *
 * Locking: @group and @tgt_devs change under mgmt_mutex (tgt_devs is an
 * xarray: lookups are RCU-safe by themselves).  @cmd_ref counts submitted
 * commands not yet done.
 */
struct strix_session {
	struct kobject kobj;
	struct list_head list;		/* in tgt->sessions */
	struct strix_target *tgt;
	char *initiator;
	struct strix_group *group;
	struct xarray tgt_devs;		/* lun -> struct strix_tgt_dev */
	struct percpu_ref cmd_ref;
	struct completion cmds_drained;
	atomic64_t commands;		/* total submitted */
	atomic64_t aborted;		/* of those, aborted by task management */
	atomic_t active;		/* submitted, not yet done */
	bool closing;			/* unregistering (under mgmt_mutex) */
	void *priv;
};

/* res.c */
void strix_res_dev_init(struct strix_device *dev);
void strix_res_dev_exit(struct strix_device *dev);
void strix_res_nexus_add(struct strix_tgt_dev *td);
void strix_res_nexus_del(struct strix_tgt_dev *td);
void strix_res_nexus_release(struct strix_tgt_dev *td);
void strix_res_reset(struct strix_device *dev, struct strix_tgt_dev *from);
bool strix_res_conflict(const struct strix_cmd *cmd);
bool strix_res_conflict_io(const struct strix_tgt_dev *td, bool write);
void strix_res_execute(struct strix_cmd *cmd);
void strix_res_refresh(struct strix_device *dev);

/* The defaults of the control page's TAS and QErr (tmf.c, mode_dev.c). */
#define STRIX_TAS_DEFAULT	1
#define STRIX_QERR_DEFAULT	0

/* tmf.c */
void strix_tmf_dev_init(struct strix_device *dev);
void strix_tmf_cmd_start(struct strix_cmd *cmd);
void strix_tmf_cmd_done(struct strix_cmd *cmd);
void strix_tmf_qerr(struct strix_cmd *cmd);
void strix_tmf_preempt_abort(struct strix_device *dev,
			     const struct strix_cmd *except);
int strix_tmf_init_module(void);
void strix_tmf_exit_module(void);
extern struct kobj_attribute strix_dev_attr_tas;
extern struct kobj_attribute strix_dev_attr_qerr;

/* alua.c */
struct strix_alua_view {
	bool alua;		/* the device is in a device group */
	bool explicit;		/* SET TARGET PORT GROUPS allowed */
	u8 state;		/* enum strix_alua_state of the port */
	u16 group_id;		/* the port's target port group, 0: none */
};
void strix_alua_view(struct strix_device *dev, u16 rel_tgt_id,
		     struct strix_alua_view *v);
const u8 *strix_alua_rtpg(struct strix_device *dev, u32 *len);
strix_sense_t strix_alua_stpg(struct strix_cmd *cmd);
void strix_alua_targets_changed(void);
void strix_alua_dev_gone(struct strix_device *dev);
int strix_alua_init(void);
void strix_alua_exit(void);
extern struct kobj_attribute strix_dev_attr_expl_alua;

/* nl.c: events to user space (<uapi/strix_nl.h>) */
struct strix_nl_alua_event {
	const char *dg;
	const char *tg;
	u16 group_id;
	u8 old_state;
	u8 new_state;
	bool stpg;		/* else sysfs */
	bool failed;
	/* SET TARGET PORT GROUPS only: where it came from */
	const char *initiator;
	const char *target;
	u16 rel_tgt_id;
	const char *device;
};
void strix_nl_alua_event(const struct strix_nl_alua_event *e);
int strix_nl_init(void);
void strix_nl_exit(void);

/* mode_dev.c: mode pages of a device, MODE SELECT, LOG SENSE */
void strix_mode_dev_init(struct strix_device *dev);
int strix_mode_file_restore(struct strix_device *dev);
void strix_mode_view(struct strix_device *dev, bool read_only,
		     struct strix_mode_pages *mp);
strix_sense_t strix_mode_select(struct strix_cmd *cmd);
strix_sense_t strix_log_execute(struct strix_cmd *cmd);
void strix_mode_changed(struct strix_device *dev,
			const struct strix_tgt_dev *except);

/* pr_file.c: per-device state files, the APTPL state, pr_state, pr_file_name */
char *strix_state_file_path(const char *subdir, const char *name);
int strix_state_file_save(const char *subdir, const char *name,
			  const char *buf, size_t len);
ssize_t strix_state_file_read(const char *subdir, const char *name, char *buf,
			      size_t max);
int strix_pr_file_save(struct strix_device *dev);
int strix_pr_file_restore(struct strix_device *dev);
extern struct kobj_attribute strix_dev_attr_pr_state;
extern struct kobj_attribute strix_dev_attr_pr_file_name;

/* sysfs.c */
struct kobject *strix_dir_create(const char *name, struct kobject *parent,
				 struct kobject *owner,
				 const struct attribute_group **groups);
struct kobject *strix_dir_owner(struct kobject *dir);
void strix_dir_remove(struct kobject *dir);
void strix_kobject_del(struct kobject *kobj);
int strix_sysfs_init(void);
void strix_sysfs_exit(void);
int strix_mgmt_begin(struct kobject *kobj, const struct attribute *attr,
		     struct kernfs_node **kn);
void strix_mgmt_end(struct kobject *kobj, struct kernfs_node *kn);
char *strix_mgmt_dup(const char *buf, size_t count);
bool strix_name_ok(const char *name);

/* device.c */
int strix_handlers_init(void);
struct strix_device *strix_device_lookup(const char *name);
void strix_device_get(struct strix_device *dev);
void strix_device_put(struct strix_device *dev);

/* target.c */
struct strix_group *strix_group_for_initiator(struct strix_target *tgt,
					      const char *initiator);

/* session.c */
void strix_target_sessions_rebuild(struct strix_target *tgt);
void strix_device_ua(struct strix_device *dev, enum strix_ua ua);
void strix_lun_ua(struct strix_lun *lun, enum strix_ua ua);

/* cmd.c */
void strix_cmd_range_granted(struct strix_range *r);
bool strix_ua_peek(struct strix_tgt_dev *td, u8 *asc, u8 *ascq);
gfp_t strix_cmd_gfp(const struct strix_cmd *cmd);

/* thin.c: UNMAP, WRITE SAME, GET LBA STATUS on the handler's ops */
void strix_thin_execute(struct strix_cmd *cmd);

/* cmd.c: a core-internal command on any device (xcopy.c) */
void strix_cmd_internal_io(struct strix_cmd *cmd);

/* xcopy.c: EXTENDED COPY, RECEIVE COPY RESULTS */
void strix_xcopy_execute(struct strix_cmd *cmd);
void strix_copy_results_execute(struct strix_cmd *cmd);
void strix_xcopy_nexus_free(struct strix_tgt_dev *td);
int strix_xcopy_init(void);
void strix_xcopy_exit(void);

#endif
