// SPDX-License-Identifier: GPL-2.0
/*
 * Task management (SAM-5 7): aborting commands wherever they are, and the
 * task management functions drivers hand in with strix_tmf_submit().
 *
 * Every command that found its nexus is on that nexus's list
 * (tgt_dev->cmds) from submit to strix_cmd_done().  Aborting one sets
 * STRIX_CMD_ABORTED under the list's lock and counts it in the device's
 * @aborting; the command then runs to its end on its own path:
 *
 *   queued, not yet executed   the core answers STRIX_ABORTED without I/O
 *   waiting for write data     the driver's abort_data() stops the
 *                              transfer and the core ends the wait
 *   waiting for its LBA range  taken out of the range lock's queue
 *                              (range.c) and answered STRIX_ABORTED
 *   in the handler             the I/O finishes (it cannot be called back)
 *   answered already           nothing changes: the response goes
 *
 * and at its response the core either suppresses it (cmd->aborted: the
 * nexus that asked, or TAS=0) or sends TASK ABORTED status (TAS=1, another
 * nexus).  A task management function completes once @aborting of each
 * device it touched has dropped back to 0, i.e. the last aborted command
 * has been given back; so every command is answered once or not at all,
 * and its resources are freed, before the function's response goes.
 *
 * Lock order: dev->td_lock, then a nexus's cmd_lock, then the driver's
 * own spinlocks (abort_data) or the device's range lock (range.c).  The
 * core's locks are taken with interrupts off: commands end in any context.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/wait.h>

#include <scsi/scsi_proto.h>

#include "core.h"
#include "scsi.h"

static struct workqueue_struct *strix_tmf_wq;

void strix_tmf_dev_init(struct strix_device *dev)
{
	atomic_set(&dev->aborting, 0);
	init_waitqueue_head(&dev->abort_wq);
	dev->tas = STRIX_TAS_DEFAULT;
	dev->qerr = STRIX_QERR_DEFAULT;
}

/* ---- the command list ------------------------------------------------ */

/* A command has found its nexus: list it. */
void strix_tmf_cmd_start(struct strix_cmd *cmd)
{
	struct strix_tgt_dev *td = cmd->tgt_dev;
	unsigned long flags;

	spin_lock_irqsave(&td->cmd_lock, flags);
	list_add_tail(&cmd->td_entry, &td->cmds);
	__set_bit(STRIX_CMD_LISTED, &cmd->state);
	spin_unlock_irqrestore(&td->cmd_lock, flags);
}

/* The driver gave the command back: off the list, and count an abort. */
void strix_tmf_cmd_done(struct strix_cmd *cmd)
{
	struct strix_tgt_dev *td = cmd->tgt_dev;
	struct strix_device *dev = td->dev;
	unsigned long flags;
	bool aborted;

	if (!test_bit(STRIX_CMD_LISTED, &cmd->state))
		return;
	spin_lock_irqsave(&td->cmd_lock, flags);
	list_del(&cmd->td_entry);
	__clear_bit(STRIX_CMD_LISTED, &cmd->state);
	aborted = test_bit(STRIX_CMD_ABORTED, &cmd->state);
	spin_unlock_irqrestore(&td->cmd_lock, flags);
	if (!aborted)
		return;
	atomic64_inc(&cmd->sess->aborted);
	if (atomic_dec_and_test(&dev->aborting))
		wake_up_all(&dev->abort_wq);
}

/*
 * Abort @cmd (on its nexus's list, cmd_lock held): @tas, it gets TASK
 * ABORTED status rather than no response.  A command waiting for data
 * whose wait the driver gave up goes on @ended, for strix_tmf_end_data().
 */
static bool strix_tmf_abort_cmd(struct strix_cmd *cmd, bool tas,
				struct list_head *ended)
{
	const struct strix_tgt_driver *drv = cmd->sess->tgt->dreg->drv;

	if (test_bit(STRIX_CMD_ANSWERED, &cmd->state) ||
	    test_and_set_bit(STRIX_CMD_ABORTED, &cmd->state))
		return false;
	if (tas)
		set_bit(STRIX_CMD_TAS, &cmd->state);
	atomic_inc(&cmd->dev->aborting);
	/*
	 * A command waiting for write data whose wait the driver gave up,
	 * or waiting for its LBA range (taken out of the queue here: it will
	 * never be granted), ends with strix_tmf_end_data().
	 */
	if ((drv->abort_data && drv->abort_data(cmd)) ||
	    strix_range_cancel(&cmd->dev->range_lock, &cmd->range))
		list_add_tail(&cmd->abort_entry, ended);
	return true;
}

/* The data waits the drivers gave up: those commands end here. */
static void strix_tmf_end_data(struct list_head *ended)
{
	struct strix_cmd *cmd, *tmp;

	list_for_each_entry_safe(cmd, tmp, ended, abort_entry) {
		list_del(&cmd->abort_entry);
		strix_cmd_data_ready(cmd, STRIX_ABORTED);
	}
}

/* What one abort pass takes: commands of a nexus, maybe one tag. */
struct strix_tmf_match {
	bool by_tag;
	u64 tag;
	const struct strix_cmd *except;	/* never aborted (PREEMPT AND ABORT) */
};

static bool strix_tmf_matches(const struct strix_cmd *cmd,
			      const struct strix_tmf_match *m)
{
	if (cmd == m->except)
		return false;
	return !m->by_tag || cmd->tag == m->tag;
}

/*
 * Abort the matching commands of nexus @td; @tas as above.  Returns how
 * many were aborted.  dev->td_lock may be held; cmd_lock is taken here.
 */
static unsigned int strix_tmf_abort_td(struct strix_tgt_dev *td,
				       const struct strix_tmf_match *m,
				       bool tas, struct list_head *ended)
{
	struct strix_cmd *cmd;
	unsigned long flags;
	unsigned int n = 0;

	spin_lock_irqsave(&td->cmd_lock, flags);
	list_for_each_entry(cmd, &td->cmds, td_entry)
		if (strix_tmf_matches(cmd, m) &&
		    strix_tmf_abort_cmd(cmd, tas, ended))
			n++;
	spin_unlock_irqrestore(&td->cmd_lock, flags);
	return n;
}

/*
 * Abort the commands of every nexus of @from's device (CLEAR TASK SET,
 * LOGICAL UNIT RESET, QErr 01b).  Other nexuses' commands get TASK
 * ABORTED when TAS is set; otherwise, when @cleared_ua, those nexuses get
 * COMMANDS CLEARED BY ANOTHER INITIATOR.
 */
static void strix_tmf_abort_all(struct strix_tgt_dev *from,
				const struct strix_tmf_match *m,
				bool cleared_ua, struct list_head *ended)
{
	struct strix_device *dev = from->dev;
	bool tas = READ_ONCE(dev->tas);
	struct strix_tgt_dev *td;
	unsigned long flags;

	spin_lock_irqsave(&dev->td_lock, flags);
	list_for_each_entry(td, &dev->tgt_devs, dev_entry) {
		bool other = td != from;

		if (strix_tmf_abort_td(td, m, other && tas, ended) &&
		    other && !tas && cleared_ua)
			set_bit(STRIX_UA_CMDS_CLEARED, &td->ua_pending);
	}
	spin_unlock_irqrestore(&dev->td_lock, flags);
}

/* ---- QErr and PREEMPT AND ABORT ---------------------------------------- */

/*
 * @cmd ended with CHECK CONDITION: with QErr 01b every other command of
 * the device is aborted, with 11b every other command of its nexus
 * (SPC-4 7.5.8).  Any context.
 */
void strix_tmf_qerr(struct strix_cmd *cmd)
{
	struct strix_tmf_match m = { .except = cmd };
	u8 qerr = READ_ONCE(cmd->dev->qerr);
	LIST_HEAD(ended);

	if (qerr == 1)
		strix_tmf_abort_all(cmd->tgt_dev, &m, true, &ended);
	else if (qerr == 3)
		strix_tmf_abort_td(cmd->tgt_dev, &m, false, &ended);
	/* drivers' queue_response() takes any context: end the waits here */
	strix_tmf_end_data(&ended);
}

/*
 * A PREEMPT AND ABORT succeeded: abort the commands of the nexuses it
 * preempted (marked STRIX_TD_ABORT_STAGED), but not @except, the PREEMPT
 * AND ABORT itself.  No COMMANDS CLEARED unit attention: the preempted
 * get REGISTRATIONS PREEMPTED (SPC-4 5.13.11.2.4).  dev->res_mutex held.
 */
void strix_tmf_preempt_abort(struct strix_device *dev,
			     const struct strix_cmd *except)
{
	struct strix_tmf_match m = { .except = except };
	bool tas = READ_ONCE(dev->tas);
	struct strix_tgt_dev *td;
	unsigned long flags;
	LIST_HEAD(ended);

	lockdep_assert_held(&dev->res_mutex);
	spin_lock_irqsave(&dev->td_lock, flags);
	list_for_each_entry(td, &dev->tgt_devs, dev_entry)
		if (test_and_clear_bit(STRIX_TD_ABORT_STAGED, &td->flags))
			strix_tmf_abort_td(td, &m, tas && td != except->tgt_dev,
					   &ended);
	spin_unlock_irqrestore(&dev->td_lock, flags);
	strix_tmf_end_data(&ended);
}

/* ---- task management functions --------------------------------------- */

/* The nexuses a function acts on, pinned. */
struct strix_tmf_scope {
	unsigned int n;
	struct strix_tgt_dev *td[];
};

static struct strix_tmf_scope *strix_tmf_scope(struct strix_session *sess,
					       bool all, u64 lun)
{
	struct strix_tmf_scope *s;
	struct strix_tgt_dev *td;
	unsigned long idx;
	unsigned int cap = 0;

	if (all) {
		rcu_read_lock();
		xa_for_each(&sess->tgt_devs, idx, td)
			cap++;
		rcu_read_unlock();
	} else {
		cap = 1;
	}
	s = kzalloc(struct_size(s, td, cap), GFP_KERNEL);
	if (!s)
		return NULL;
	rcu_read_lock();
	if (all) {
		xa_for_each(&sess->tgt_devs, idx, td) {
			if (s->n == cap)
				break;
			if (percpu_ref_tryget_live(&td->ref))
				s->td[s->n++] = td;
		}
	} else {
		td = xa_load(&sess->tgt_devs, lun);
		if (td && percpu_ref_tryget_live(&td->ref))
			s->td[s->n++] = td;
	}
	rcu_read_unlock();
	return s;
}

static void strix_tmf_scope_put(struct strix_tmf_scope *s)
{
	unsigned int i;

	for (i = 0; i < s->n; i++)
		percpu_ref_put(&s->td[i]->ref);
	kfree(s);
}

/* Is a command of @td, matching @m, still to be answered? */
static bool strix_tmf_query(struct strix_tgt_dev *td,
			    const struct strix_tmf_match *m)
{
	struct strix_cmd *cmd;
	unsigned long flags;
	bool found = false;

	spin_lock_irqsave(&td->cmd_lock, flags);
	list_for_each_entry(cmd, &td->cmds, td_entry)
		if (strix_tmf_matches(cmd, m) &&
		    !test_bit(STRIX_CMD_ANSWERED, &cmd->state) &&
		    !test_bit(STRIX_CMD_ABORTED, &cmd->state)) {
			found = true;
			break;
		}
	spin_unlock_irqrestore(&td->cmd_lock, flags);
	return found;
}

/* I_T NEXUS RESET of one nexus: what nexus loss releases, and its UA. */
static void strix_tmf_nexus_reset(struct strix_tgt_dev *td)
{
	strix_res_nexus_release(td);
	if (test_and_clear_bit(STRIX_TD_PREVENT, &td->flags))
		atomic_dec(&td->dev->prevent_count);
	set_bit(STRIX_UA_NEXUS_LOSS, &td->ua_pending);
}

/* Does @fn abort commands (and so wait for them)? */
static bool strix_tmf_aborts(enum strix_tmf_fn fn)
{
	switch (fn) {
	case STRIX_TMF_ABORT_TASK:
	case STRIX_TMF_ABORT_TASK_SET:
	case STRIX_TMF_CLEAR_TASK_SET:
	case STRIX_TMF_LUN_RESET:
	case STRIX_TMF_TARGET_RESET:
	case STRIX_TMF_I_T_NEXUS_RESET:
		return true;
	default:
		return false;
	}
}

static void strix_tmf_run(struct strix_tmf *tmf)
{
	const bool all = tmf->fn == STRIX_TMF_TARGET_RESET ||
			 tmf->fn == STRIX_TMF_I_T_NEXUS_RESET;
	struct strix_tmf_match m = {
		.by_tag = tmf->fn == STRIX_TMF_ABORT_TASK ||
			  tmf->fn == STRIX_TMF_QUERY_TASK,
		.tag = tmf->tag,
	};
	struct strix_tmf_scope *s;
	unsigned int i, n = 0;
	LIST_HEAD(ended);

	s = strix_tmf_scope(tmf->sess, all, tmf->lun);
	if (!s) {
		tmf->response = STRIX_TMF_REJECTED;
		return;
	}
	if (!all && !s->n) {
		tmf->response = STRIX_TMF_NO_LUN;
		goto out;
	}
	tmf->response = STRIX_TMF_COMPLETE;
	for (i = 0; i < s->n; i++) {
		struct strix_tgt_dev *td = s->td[i];
		u8 asc, ascq;

		switch (tmf->fn) {
		case STRIX_TMF_ABORT_TASK:
		case STRIX_TMF_ABORT_TASK_SET:
			n += strix_tmf_abort_td(td, &m, false, &ended);
			break;
		case STRIX_TMF_CLEAR_TASK_SET:
			strix_tmf_abort_all(td, &m, true, &ended);
			break;
		case STRIX_TMF_LUN_RESET:
		case STRIX_TMF_TARGET_RESET:
			strix_tmf_abort_all(td, &m, false, &ended);
			break;
		case STRIX_TMF_I_T_NEXUS_RESET:
			strix_tmf_abort_td(td, &m, false, &ended);
			break;
		case STRIX_TMF_QUERY_TASK:
		case STRIX_TMF_QUERY_TASK_SET:
			if (strix_tmf_query(td, &m))
				tmf->response = STRIX_TMF_SUCCEEDED;
			break;
		case STRIX_TMF_QUERY_ASYNC_EVENT:
			if (strix_ua_peek(td, &asc, &ascq)) {
				tmf->response = STRIX_TMF_SUCCEEDED;
				tmf->info[0] = UNIT_ATTENTION;
				tmf->info[1] = asc;
				tmf->info[2] = ascq;
			}
			break;
		case STRIX_TMF_CLEAR_ACA:
		default:
			/* NACA=1 is refused: no ACA is ever established */
			tmf->response = STRIX_TMF_REJECTED;
			break;
		}
	}
	strix_tmf_end_data(&ended);
	if (tmf->fn == STRIX_TMF_ABORT_TASK && !n)
		tmf->response = STRIX_TMF_NO_TASK;
	/* the queries abort nothing: they never wait for another's aborts */
	if (!strix_tmf_aborts(tmf->fn))
		goto out;

	/* the aborted commands are given back before the function ends */
	for (i = 0; i < s->n; i++) {
		struct strix_device *dev = s->td[i]->dev;

		wait_event(dev->abort_wq, !atomic_read(&dev->aborting));
	}

	/* then the resets' effect on the logical units */
	for (i = 0; i < s->n; i++) {
		if (tmf->fn == STRIX_TMF_LUN_RESET ||
		    tmf->fn == STRIX_TMF_TARGET_RESET)
			strix_res_reset(s->td[i]->dev, s->td[i]);
		else if (tmf->fn == STRIX_TMF_I_T_NEXUS_RESET)
			strix_tmf_nexus_reset(s->td[i]);
	}
out:
	strix_tmf_scope_put(s);
}

static void strix_tmf_work(struct work_struct *work)
{
	struct strix_tmf *tmf = container_of(work, struct strix_tmf, work);
	const struct strix_tgt_driver *drv = tmf->sess->tgt->dreg->drv;

	strix_tmf_run(tmf);
	drv->tmf_done(tmf);
}

/**
 * strix_tmf_submit() - run a task management function
 * @sess: the session (I_T nexus) it arrived on
 * @tmf:  filled in by the driver (fn, lun, tag)
 *
 * The function runs on the core's task management workqueue (it waits for
 * the commands it aborts) and ends with the driver's tmf_done().  The
 * driver keeps @sess registered until then.
 */
void strix_tmf_submit(struct strix_session *sess, struct strix_tmf *tmf)
{
	tmf->sess = sess;
	tmf->response = STRIX_TMF_COMPLETE;
	memset(tmf->info, 0, sizeof(tmf->info));
	INIT_WORK(&tmf->work, strix_tmf_work);
	queue_work(strix_tmf_wq, &tmf->work);
}
EXPORT_SYMBOL_GPL(strix_tmf_submit);

/* ---- device attributes: tas, qerr -------------------------------------- */

static ssize_t tas_show(struct kobject *kobj, struct kobj_attribute *attr,
			char *buf)
{
	u8 v = READ_ONCE(strix_device_from_kobj(kobj)->tas);

	return sysfs_emit(buf, "%u\n%s", v,
			  v != STRIX_TAS_DEFAULT ? "[key]\n" : "");
}

static ssize_t tas_store(struct kobject *kobj, struct kobj_attribute *attr,
			 const char *buf, size_t count)
{
	struct strix_device *dev = strix_device_from_kobj(kobj);
	bool v;

	if (kstrtobool(buf, &v))
		return -EINVAL;
	mutex_lock(&dev->mode_mutex);	/* not in the middle of a MODE SELECT */
	if (xchg(&dev->tas, v) != v)
		strix_mode_changed(dev, NULL);
	mutex_unlock(&dev->mode_mutex);
	return count;
}
struct kobj_attribute strix_dev_attr_tas = __ATTR_RW(tas);

static ssize_t qerr_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	u8 v = READ_ONCE(strix_device_from_kobj(kobj)->qerr);

	return sysfs_emit(buf, "%u\n%s", v,
			  v != STRIX_QERR_DEFAULT ? "[key]\n" : "");
}

static ssize_t qerr_store(struct kobject *kobj, struct kobj_attribute *attr,
			  const char *buf, size_t count)
{
	struct strix_device *dev = strix_device_from_kobj(kobj);
	u8 v;

	/* 10b is reserved */
	if (kstrtou8(buf, 0, &v) || v > 3 || v == 2)
		return -EINVAL;
	mutex_lock(&dev->mode_mutex);
	if (xchg(&dev->qerr, v) != v)
		strix_mode_changed(dev, NULL);
	mutex_unlock(&dev->mode_mutex);
	return count;
}
struct kobj_attribute strix_dev_attr_qerr = __ATTR_RW(qerr);

int strix_tmf_init_module(void)
{
	strix_tmf_wq = alloc_workqueue("strix_tmf", WQ_UNBOUND | WQ_MEM_RECLAIM,
				       0);
	return strix_tmf_wq ? 0 : -ENOMEM;
}

void strix_tmf_exit_module(void)
{
	destroy_workqueue(strix_tmf_wq);
}
