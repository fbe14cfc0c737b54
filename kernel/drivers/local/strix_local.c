// SPDX-License-Identifier: GPL-2.0
/*
 * strix_local: the local loopback target driver (`scst_local` in sysfs).
 *
 * Every session is a Linux SCSI host in this machine: the host's commands
 * go straight into the Strix core with the initiator's own scatterlist
 * (zero-copy), so the local SCSI stack (sd, sg) uses Strix LUNs as disks.
 *
 *	echo "add_target t1" > targets/scst_local/mgmt
 *	echo "add_session t1 host1" > targets/scst_local/mgmt
 *	echo "add_target t2 session_name=host2" > targets/scst_local/mgmt
 *	echo "del_session t1 host1" > targets/scst_local/mgmt
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include <scsi/scsi.h>
#include <scsi/scsi_cmnd.h>
#include <scsi/scsi_device.h>
#include <scsi/scsi_host.h>

#include <strix/target.h>

#define STRIX_LOCAL_NAME	"scst_local"
#define STRIX_LOCAL_EH_WAIT	(60 * HZ)

/*
 * A target of ours.
 * Locking: @list and @sessions under strix_local_mutex.
 */
struct strix_local_tgt {
	struct strix_target *tgt;
	struct list_head list;
	struct list_head sessions;
};

/*
 * A session: one SCSI host.
 * Locking: @list under strix_local_mutex; @removing is set once, under it.
 * @inflight counts commands the core holds (for the error handler).
 */
struct strix_local_sess {
	struct Scsi_Host *shost;
	struct strix_session *sess;
	struct strix_local_tgt *ltgt;
	struct list_head list;
	char name[64];
	bool removing;
	struct work_struct remove_work;
	struct work_struct rescan_work;
	atomic_t inflight;
	atomic_t aborted_done;	/* aborted commands being given back */
	wait_queue_head_t idle_wq;
};

/* A task management function from the SCSI error handler. */
struct strix_local_tmf {
	struct strix_tmf tmf;
	struct completion done;
};

/* Our part of each scsi_cmnd (host template cmd_size). */
struct strix_local_cmd {
	struct strix_cmd cmd;
	struct scsi_cmnd *sc;
	struct strix_local_sess *ls;
	bool in_core;
};

/*
 * Lock order: the core's mgmt mutex, then strix_local_mutex.  Nothing here
 * calls into the core while holding strix_local_mutex.
 */
static DEFINE_MUTEX(strix_local_mutex);
static LIST_HEAD(strix_local_targets);
static struct device *strix_local_root;
static struct workqueue_struct *strix_local_wq;
static struct strix_tgt_driver strix_local_driver;

static struct strix_local_sess *shost_to_ls(struct Scsi_Host *shost)
{
	return *(struct strix_local_sess **)shost_priv(shost);
}

static enum strix_data_dir strix_local_dir(const struct scsi_cmnd *sc)
{
	switch (sc->sc_data_direction) {
	case DMA_TO_DEVICE:
		return STRIX_DATA_WRITE;
	case DMA_FROM_DEVICE:
		return STRIX_DATA_READ;
	default:
		return STRIX_DATA_NONE;
	}
}

static int strix_local_queuecommand(struct Scsi_Host *shost,
				    struct scsi_cmnd *sc)
{
	struct strix_local_sess *ls = shost_to_ls(shost);
	struct strix_local_cmd *lc = scsi_cmd_priv(sc);
	struct strix_cmd *cmd = &lc->cmd;
	struct scsi_lun wire;

	if (unlikely(READ_ONCE(ls->removing) || !ls->sess)) {
		sc->result = DID_NO_CONNECT << 16;
		scsi_done(sc);
		return 0;
	}
	strix_cmd_init(cmd, ls->sess);
	lc->sc = sc;
	lc->ls = ls;
	int_to_scsilun(sc->device->lun, &wire);
	cmd->lun = strix_lun_from_wire(wire.scsi_lun);
	cmd->tag = blk_mq_unique_tag(scsi_cmd_to_rq(sc));
	cmd->cdb_len = min_t(unsigned int, sc->cmd_len, STRIX_MAX_CDB_LEN);
	memcpy(cmd->cdb, sc->cmnd, cmd->cdb_len);
	cmd->attr = STRIX_TASK_SIMPLE;
	cmd->expected_dir = strix_local_dir(sc);
	cmd->expected_len = scsi_bufflen(sc);
	if (scsi_sg_count(sc)) {
		cmd->sg = scsi_sglist(sc);
		cmd->sg_cnt = scsi_sg_count(sc);
	}
	lc->in_core = true;
	atomic_inc(&ls->inflight);
	strix_cmd_submit(cmd);
	return 0;
}

static void strix_local_queue_response(struct strix_cmd *cmd)
{
	struct strix_local_cmd *lc = container_of(cmd, struct strix_local_cmd, cmd);
	struct strix_local_sess *ls = lc->ls;
	struct scsi_cmnd *sc = lc->sc;
	bool aborted = cmd->aborted;

	if (aborted) {
		/*
		 * Aborted by task management: the midlayer retries it (a
		 * command its error handler holds ignores this completion).
		 * The handler that asked waits for aborted_done to drop, so
		 * this scsi_done() is over before it returns.
		 */
		atomic_inc(&ls->aborted_done);
		sc->result = DID_RESET << 16;
	} else {
		if (cmd->sense_len)
			memcpy(sc->sense_buffer, cmd->sense,
			       min_t(unsigned int, cmd->sense_len,
				     SCSI_SENSE_BUFFERSIZE));
		sc->result = cmd->status;
		scsi_set_resid(sc, cmd->overflow ? 0 : cmd->resid);
	}
	strix_cmd_done(cmd);
	WRITE_ONCE(lc->in_core, false);
	atomic_dec(&ls->inflight);
	scsi_done(sc);
	if (aborted)
		atomic_dec(&ls->aborted_done);
	if (wq_has_sleeper(&ls->idle_wq))	/* the error handler waits */
		wake_up_all(&ls->idle_wq);
}

static void strix_local_tmf_done(struct strix_tmf *tmf)
{
	complete(&container_of(tmf, struct strix_local_tmf, tmf)->done);
}

/*
 * Error handling: each handler is a task management function of the core
 * (ABORT TASK, LOGICAL UNIT RESET, TARGET RESET, I_T NEXUS RESET for the
 * bus and the host).  The core answers once every command it aborted has
 * been given back; the handler then also waits until those commands'
 * scsi_done() calls are over, so none touches a command the midlayer has
 * taken back.
 */
static int strix_local_tmf(struct scsi_cmnd *sc, enum strix_tmf_fn fn)
{
	struct strix_local_sess *ls = shost_to_ls(sc->device->host);
	struct strix_local_tmf t = { .tmf = { .fn = fn } };
	struct scsi_lun wire;

	if (READ_ONCE(ls->removing) || !ls->sess)
		return FAILED;
	int_to_scsilun(sc->device->lun, &wire);
	t.tmf.lun = strix_lun_from_wire(wire.scsi_lun);
	/*
	 * Only an abort names a command.  The resets may come from the
	 * SG_SCSI_RESET ioctl, whose scsi_cmnd has a request without a
	 * queue: blk_mq_unique_tag() on it dereferences NULL.
	 */
	if (fn == STRIX_TMF_ABORT_TASK)
		t.tmf.tag = blk_mq_unique_tag(scsi_cmd_to_rq(sc));
	init_completion(&t.done);
	strix_tmf_submit(ls->sess, &t.tmf);
	wait_for_completion(&t.done);
	wait_event(ls->idle_wq, !atomic_read(&ls->aborted_done));
	switch (t.tmf.response) {
	case STRIX_TMF_COMPLETE:
	case STRIX_TMF_NO_TASK:		/* answered meanwhile */
	case STRIX_TMF_NO_LUN:		/* the LUN went: nothing to reset */
		return SUCCESS;
	default:
		return FAILED;
	}
}

static int strix_local_eh_abort(struct scsi_cmnd *sc)
{
	struct strix_local_cmd *lc = scsi_cmd_priv(sc);
	struct strix_local_sess *ls = shost_to_ls(sc->device->host);

	if (strix_local_tmf(sc, STRIX_TMF_ABORT_TASK) != SUCCESS)
		return FAILED;
	/* answered before the abort: its response is on its way */
	return wait_event_timeout(ls->idle_wq, !READ_ONCE(lc->in_core),
				  STRIX_LOCAL_EH_WAIT) ? SUCCESS : FAILED;
}

static int strix_local_eh_device_reset(struct scsi_cmnd *sc)
{
	return strix_local_tmf(sc, STRIX_TMF_LUN_RESET);
}

static int strix_local_eh_target_reset(struct scsi_cmnd *sc)
{
	return strix_local_tmf(sc, STRIX_TMF_TARGET_RESET);
}

static int strix_local_eh_host_reset(struct scsi_cmnd *sc)
{
	struct strix_local_sess *ls = shost_to_ls(sc->device->host);

	if (strix_local_tmf(sc, STRIX_TMF_I_T_NEXUS_RESET) != SUCCESS)
		return FAILED;
	return wait_event_timeout(ls->idle_wq, !atomic_read(&ls->inflight),
				  STRIX_LOCAL_EH_WAIT) ? SUCCESS : FAILED;
}

/* Not const: 6.1's scsi_host_alloc() takes a writable template. */
static struct scsi_host_template strix_local_sht = {
	.module			= THIS_MODULE,
	.name			= "Strix local target",
	.proc_name		= "strix_local",
	.queuecommand		= strix_local_queuecommand,
	.eh_abort_handler	= strix_local_eh_abort,
	.eh_device_reset_handler = strix_local_eh_device_reset,
	.eh_target_reset_handler = strix_local_eh_target_reset,
	.eh_bus_reset_handler	= strix_local_eh_host_reset,
	.eh_host_reset_handler	= strix_local_eh_host_reset,
	.can_queue		= 256,
	.cmd_per_lun		= 64,
	.this_id		= -1,
	.sg_tablesize		= SG_MAX_SEGMENTS,
	.max_sectors		= 0x4000,	/* 8 MiB */
	.cmd_size		= sizeof(struct strix_local_cmd),
	.skip_settle_delay	= 1,
	.track_queue_depth	= 1,
};

/* ---- sessions -------------------------------------------------------- */

static void strix_local_rescan(struct work_struct *work)
{
	struct strix_local_sess *ls = container_of(work, struct strix_local_sess,
						   rescan_work);
	struct scsi_device *sdev, *gone = NULL;

	if (READ_ONCE(ls->removing))
		return;
	/* LUNs taken away: remove their SCSI devices, one at a time */
	do {
		gone = NULL;
		shost_for_each_device(sdev, ls->shost) {
			struct scsi_lun wire;

			int_to_scsilun(sdev->lun, &wire);
			if (!strix_session_has_lun(ls->sess,
						   strix_lun_from_wire(wire.scsi_lun))) {
				gone = sdev;	/* the iterator holds a reference */
				break;
			}
		}
		if (gone) {
			scsi_remove_device(gone);
			scsi_device_put(gone);
		}
	} while (gone);
	/* LUNs added: scan for them */
	scsi_scan_host(ls->shost);
}

static void strix_local_luns_changed(struct strix_session *sess)
{
	struct strix_local_sess *ls = strix_session_priv(sess);

	if (ls)
		queue_work(strix_local_wq, &ls->rescan_work);
}

/*
 * Tear a session down: the host first (it drains its commands), then the
 * core's side.  The session leaves our target's list before the core
 * learns it is gone: a del_target waiting in the core for its sessions
 * frees our target as soon as the last one unregisters.
 */
static void strix_local_sess_teardown(struct strix_local_sess *ls)
{
	cancel_work_sync(&ls->rescan_work);
	scsi_remove_host(ls->shost);
	mutex_lock(&strix_local_mutex);
	list_del(&ls->list);
	mutex_unlock(&strix_local_mutex);
	strix_session_unregister(ls->sess);
	pr_info("session %s closed\n", ls->name);
	scsi_host_put(ls->shost);
	kfree(ls);	/* may be our own remove_work's container: allowed */
}

static void strix_local_remove_work(struct work_struct *work)
{
	strix_local_sess_teardown(container_of(work, struct strix_local_sess,
					       remove_work));
}

/* The core asks us to close a session (force_close, del_target). */
static void strix_local_close_session(struct strix_session *sess)
{
	struct strix_local_sess *ls = strix_session_priv(sess);
	bool start;

	mutex_lock(&strix_local_mutex);
	start = !ls->removing;
	ls->removing = true;
	mutex_unlock(&strix_local_mutex);
	if (start)
		queue_work(strix_local_wq, &ls->remove_work);
}

static struct strix_local_tgt *strix_local_find_tgt(const char *name)
{
	struct strix_local_tgt *lt;

	lockdep_assert_held(&strix_local_mutex);
	list_for_each_entry(lt, &strix_local_targets, list)
		if (!strcmp(strix_target_name(lt->tgt), name))
			return lt;
	return NULL;
}

static struct strix_local_sess *strix_local_find_sess(struct strix_local_tgt *lt,
						      const char *name)
{
	struct strix_local_sess *ls;

	list_for_each_entry(ls, &lt->sessions, list)
		if (!strcmp(ls->name, name))
			return ls;
	return NULL;
}

static int strix_local_add_session(const char *tname, const char *sname)
{
	struct strix_local_tgt *lt;
	struct strix_local_sess *ls;
	struct strix_session *sess;
	struct Scsi_Host *shost;
	struct strix_target *tgt;
	int ret;

	if (strlen(sname) >= sizeof(ls->name))
		return -EINVAL;
	shost = scsi_host_alloc(&strix_local_sht, sizeof(ls));
	if (!shost)
		return -ENOMEM;
	ls = kzalloc(sizeof(*ls), GFP_KERNEL);
	if (!ls) {
		scsi_host_put(shost);
		return -ENOMEM;
	}
	ls->shost = shost;
	*(struct strix_local_sess **)shost_priv(shost) = ls;
	strscpy(ls->name, sname, sizeof(ls->name));
	INIT_WORK(&ls->remove_work, strix_local_remove_work);
	INIT_WORK(&ls->rescan_work, strix_local_rescan);
	init_waitqueue_head(&ls->idle_wq);
	shost->max_id = 1;
	shost->max_lun = 16384;
	shost->max_channel = 0;
	shost->max_cmd_len = STRIX_MAX_CDB_LEN;

	mutex_lock(&strix_local_mutex);
	lt = strix_local_find_tgt(tname);
	if (!lt || strix_local_find_sess(lt, sname)) {
		ret = lt ? -EEXIST : -ENOENT;
		mutex_unlock(&strix_local_mutex);
		goto free;
	}
	tgt = lt->tgt;
	strix_target_get(tgt);
	ls->ltgt = lt;
	/* reserve the name; the entry is not live until ls->sess is set */
	list_add_tail(&ls->list, &lt->sessions);
	mutex_unlock(&strix_local_mutex);

	sess = strix_session_register(tgt, sname, ls);
	strix_target_put(tgt);
	if (IS_ERR(sess)) {
		ret = PTR_ERR(sess);
		goto unlist;
	}
	ls->sess = sess;
	ret = scsi_add_host(shost, strix_local_root);
	if (ret) {
		strix_session_unregister(sess);
		goto unlist;
	}
	scsi_scan_host(shost);
	pr_info("session %s on target %s: host%u\n", sname, tname, shost->host_no);
	return 0;

unlist:
	mutex_lock(&strix_local_mutex);
	list_del(&ls->list);
	mutex_unlock(&strix_local_mutex);
free:
	scsi_host_put(shost);
	kfree(ls);
	return ret;
}

static int strix_local_del_session(const char *tname, const char *sname)
{
	struct strix_local_tgt *lt;
	struct strix_local_sess *ls;
	bool queued;

	mutex_lock(&strix_local_mutex);
	lt = strix_local_find_tgt(tname);
	ls = lt ? strix_local_find_sess(lt, sname) : NULL;
	if (!ls || !ls->sess) {
		mutex_unlock(&strix_local_mutex);
		return -ENOENT;
	}
	queued = ls->removing;
	ls->removing = true;
	mutex_unlock(&strix_local_mutex);
	if (queued) {
		/* already being closed: wait for it, report done */
		flush_workqueue(strix_local_wq);
		return 0;
	}
	strix_local_sess_teardown(ls);
	return 0;
}

/* ---- the driver ------------------------------------------------------ */

static int strix_local_mgmt(struct strix_tgt_driver *drv, const char *verb,
			    char *args)
{
	char *pos = args, *tname, *sname;

	if (strcmp(verb, "add_session") && strcmp(verb, "del_session"))
		return -ENOTTY;
	tname = strsep(&pos, " \t");
	while (pos && (*pos == ' ' || *pos == '\t'))
		pos++;
	sname = pos ? strsep(&pos, " \t") : NULL;
	if (!tname || !*tname || !sname || !*sname ||
	    (pos && *skip_spaces(pos)) || strchr(sname, '/')) {
		pr_info("%s: expected TARGET SESSION\n", verb);
		return -EINVAL;
	}
	if (!strcmp(verb, "add_session"))
		return strix_local_add_session(tname, sname);
	return strix_local_del_session(tname, sname);
}

static int strix_local_add_target(struct strix_target *tgt,
				  const struct strix_params *p)
{
	struct strix_local_tgt *lt = kzalloc(sizeof(*lt), GFP_KERNEL);

	if (!lt)
		return -ENOMEM;
	lt->tgt = tgt;
	INIT_LIST_HEAD(&lt->sessions);
	strix_target_set_priv(tgt, lt);
	mutex_lock(&strix_local_mutex);
	list_add_tail(&lt->list, &strix_local_targets);
	mutex_unlock(&strix_local_mutex);
	return 0;
}

/* add_target t1 session_name=host1: the session in the same write */
static int strix_local_target_added(struct strix_target *tgt,
				    const struct strix_params *p)
{
	const char *sname = strix_param_get(p, "session_name");

	if (!sname)
		return 0;
	if (strchr(sname, '/') || strchr(sname, ' '))
		return -EINVAL;
	return strix_local_add_session(strix_target_name(tgt), sname);
}

static const char *const strix_local_target_params[] = {
	"session_name",
	NULL,
};

/* Called after the core closed and waited for every session. */
static void strix_local_del_target(struct strix_target *tgt)
{
	struct strix_local_tgt *lt = strix_target_priv(tgt);

	mutex_lock(&strix_local_mutex);
	WARN_ON(!list_empty(&lt->sessions));
	list_del(&lt->list);
	mutex_unlock(&strix_local_mutex);
	kfree(lt);
}

static struct strix_tgt_driver strix_local_driver = {
	.name		= STRIX_LOCAL_NAME,
	.owner		= THIS_MODULE,
	.flags		= STRIX_DRV_ATOMIC_SUBMIT | STRIX_DRV_VIRTUAL_TARGETS,
	.mgmt		= strix_local_mgmt,
	.add_target_params = strix_local_target_params,
	.add_target	= strix_local_add_target,
	.target_added	= strix_local_target_added,
	.del_target	= strix_local_del_target,
	.queue_response	= strix_local_queue_response,
	.tmf_done	= strix_local_tmf_done,
	.close_session	= strix_local_close_session,
	.luns_changed	= strix_local_luns_changed,
};

static int __init strix_local_init(void)
{
	int ret;

	strix_local_wq = alloc_workqueue("strix_local", WQ_UNBOUND, 0);
	if (!strix_local_wq)
		return -ENOMEM;
	strix_local_root = root_device_register("strix_local");
	if (IS_ERR(strix_local_root)) {
		ret = PTR_ERR(strix_local_root);
		goto destroy_wq;
	}
	ret = strix_register_driver(&strix_local_driver);
	if (ret)
		goto unregister_root;
	return 0;

unregister_root:
	root_device_unregister(strix_local_root);
destroy_wq:
	destroy_workqueue(strix_local_wq);
	return ret;
}

static void __exit strix_local_exit(void)
{
	/* deletes every target, closing (and waiting for) every session */
	strix_unregister_driver(&strix_local_driver);
	destroy_workqueue(strix_local_wq);
	root_device_unregister(strix_local_root);
}

module_init(strix_local_init);
module_exit(strix_local_exit);

MODULE_DESCRIPTION("Strix local loopback target driver (scst_local)");
MODULE_LICENSE("GPL");
