// SPDX-License-Identifier: GPL-2.0
/*
 * Sessions (I_T nexus) and their view of the LUNs (struct strix_tgt_dev,
 * one per LUN the session sees), unit attentions on that view.
 *
 * The I/O path finds a tgt_dev with one xarray lookup under RCU and takes
 * a percpu reference on it; management rebuilds the views under the mgmt
 * mutex and waits only for the commands on a LUN being taken away.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "core.h"
#include "scsi.h"

/* ---- tgt_dev ---------------------------------------------------------- */

static void strix_tgt_dev_ref_release(struct percpu_ref *ref)
{
	struct strix_tgt_dev *td = container_of(ref, struct strix_tgt_dev, ref);

	complete(&td->drained);
}

static struct strix_tgt_dev *strix_tgt_dev_create(struct strix_session *sess,
						  struct strix_lun *lun)
{
	struct strix_tgt_dev *td;

	td = kzalloc(sizeof(*td), GFP_KERNEL);
	if (!td)
		return NULL;
	if (percpu_ref_init(&td->ref, strix_tgt_dev_ref_release, 0, GFP_KERNEL)) {
		kfree(td);
		return NULL;
	}
	init_completion(&td->drained);
	spin_lock_init(&td->cmd_lock);
	INIT_LIST_HEAD(&td->cmds);
	spin_lock_init(&td->xcopy_lock);
	td->sess = sess;
	td->dev = lun->dev;
	td->lun = lun->lun;
	td->read_only = lun->read_only || lun->dev->params.read_only;
	strix_device_get(td->dev);
	strix_res_nexus_add(td);
	if (xa_insert(&sess->tgt_devs, lun->lun, td, GFP_KERNEL)) {
		strix_res_nexus_del(td);
		strix_device_put(td->dev);
		percpu_ref_exit(&td->ref);
		kfree(td);
		return NULL;
	}
	return td;
}

/* I_T nexus loss ends this nexus's PREVENT ALLOW MEDIUM REMOVAL. */
static void strix_tgt_dev_allow_removal(struct strix_tgt_dev *td)
{
	if (test_and_clear_bit(STRIX_TD_PREVENT, &td->flags))
		atomic_dec(&td->dev->prevent_count);
}

/* Take a LUN away from a session: wait for its commands, then free. */
static void strix_tgt_dev_destroy(struct strix_tgt_dev *td)
{
	lockdep_assert_held(&strix_core.mgmt_mutex);
	xa_erase(&td->sess->tgt_devs, td->lun);
	percpu_ref_kill(&td->ref);
	wait_for_completion(&td->drained);
	percpu_ref_exit(&td->ref);
	strix_res_nexus_del(td);
	strix_tgt_dev_allow_removal(td);
	strix_xcopy_nexus_free(td);
	strix_device_put(td->dev);
	kfree_rcu(td, rcu);
}

/* Make @sess's view equal to its group's LUN table. */
static void strix_session_sync(struct strix_session *sess, bool initial)
{
	struct strix_group *g = strix_group_for_initiator(sess->tgt, sess->initiator);
	struct strix_tgt_dev *td;
	struct strix_lun *lun;
	bool set_changed = false;
	unsigned long idx;

	lockdep_assert_held(&strix_core.mgmt_mutex);
	if (g != sess->group && !initial) {
		sysfs_remove_link(&sess->kobj, "luns");
		if (sysfs_create_link(&sess->kobj, g->luns_kobj, "luns"))
			pr_warn("session %s: cannot link luns\n", sess->initiator);
	}
	sess->group = g;

	xa_for_each(&sess->tgt_devs, idx, td) {
		lun = xa_load(&g->luns, idx);
		if (!lun) {
			set_changed = true;
			strix_tgt_dev_destroy(td);
		} else if (lun->dev != td->dev ||
			   td->read_only != (lun->read_only || lun->dev->params.read_only)) {
			strix_tgt_dev_destroy(td);
		}
	}
	xa_for_each(&g->luns, idx, lun) {
		if (xa_load(&sess->tgt_devs, idx))
			continue;
		td = strix_tgt_dev_create(sess, lun);
		if (!td) {
			pr_warn("session %s: no memory for LUN %lu\n",
				sess->initiator, idx);
			continue;
		}
		if (initial)
			set_bit(STRIX_UA_POWER_ON, &td->ua_pending);
		else
			set_changed = true;
	}
	if (set_changed && !initial) {
		xa_for_each(&sess->tgt_devs, idx, td)
			set_bit(STRIX_UA_LUNS_CHANGED, &td->ua_pending);
		if (sess->tgt->dreg->drv->luns_changed)
			sess->tgt->dreg->drv->luns_changed(sess);
	}
}

bool strix_session_has_lun(struct strix_session *sess, u64 lun)
{
	return xa_load(&sess->tgt_devs, lun) != NULL;
}
EXPORT_SYMBOL_GPL(strix_session_has_lun);

/**
 * strix_target_sessions_rebuild() - re-evaluate every session's LUN view
 * @tgt: a target whose LUN tables or groups changed
 *
 * Sessions whose view lost or gained LUNs get REPORTED LUNS DATA HAS
 * CHANGED.  Commands on other LUNs are not waited for.
 */
void strix_target_sessions_rebuild(struct strix_target *tgt)
{
	struct strix_session *sess;

	lockdep_assert_held(&strix_core.mgmt_mutex);
	list_for_each_entry(sess, &tgt->sessions, list)
		strix_session_sync(sess, false);
}

/* Raise @ua on every nexus of @lun (sessions that see its group). */
void strix_lun_ua(struct strix_lun *lun, enum strix_ua ua)
{
	struct strix_session *sess;
	struct strix_tgt_dev *td;

	lockdep_assert_held(&strix_core.mgmt_mutex);
	if (!lun)
		return;
	list_for_each_entry(sess, &lun->group->tgt->sessions, list) {
		if (sess->group != lun->group)
			continue;
		td = xa_load(&sess->tgt_devs, lun->lun);
		if (td)
			set_bit(ua, &td->ua_pending);
	}
}

/* Raise @ua on every nexus that uses @dev. */
void strix_device_ua(struct strix_device *dev, enum strix_ua ua)
{
	struct strix_driver_reg *dreg;
	struct strix_session *sess;
	struct strix_target *tgt;
	struct strix_tgt_dev *td;
	unsigned long idx;

	lockdep_assert_held(&strix_core.mgmt_mutex);
	list_for_each_entry(dreg, &strix_core.drivers, list)
		list_for_each_entry(tgt, &dreg->targets, list)
			list_for_each_entry(sess, &tgt->sessions, list)
				xa_for_each(&sess->tgt_devs, idx, td)
					if (td->dev == dev)
						set_bit(ua, &td->ua_pending);
}

/* ---- sessions/<initiator>/ ------------------------------------------- */

static struct strix_session *to_sess(struct kobject *kobj)
{
	return container_of(kobj, struct strix_session, kobj);
}

static ssize_t initiator_name_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", to_sess(kobj)->initiator);
}

static ssize_t commands_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%lld\n", atomic64_read(&to_sess(kobj)->commands));
}

static ssize_t active_commands_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&to_sess(kobj)->active));
}

/* Of the commands, those task management aborted (tmf.c). */
static ssize_t aborted_commands_show(struct kobject *kobj,
				     struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lld\n", atomic64_read(&to_sess(kobj)->aborted));
}

static ssize_t force_close_store(struct kobject *kobj,
				 struct kobj_attribute *attr, const char *buf,
				 size_t count)
{
	struct strix_session *sess = to_sess(kobj);
	struct kernfs_node *kn;
	bool on;
	int ret;

	if (kstrtobool(buf, &on) || !on)
		return -EINVAL;
	ret = strix_mgmt_begin(kobj, &attr->attr, &kn);
	if (ret)
		return ret;
	if (sess->closing)
		ret = 0;
	else if (!sess->tgt->dreg->drv->close_session)
		ret = -EOPNOTSUPP;
	else
		sess->tgt->dreg->drv->close_session(sess);
	strix_mgmt_end(kobj, kn);
	return ret ? ret : count;
}

static struct kobj_attribute strix_sess_attr_initiator_name = __ATTR_RO(initiator_name);
static struct kobj_attribute strix_sess_attr_commands = __ATTR_RO(commands);
static struct kobj_attribute strix_sess_attr_active_commands = __ATTR_RO(active_commands);
static struct kobj_attribute strix_sess_attr_aborted_commands = __ATTR_RO(aborted_commands);
static struct kobj_attribute strix_sess_attr_force_close = __ATTR_WO(force_close);

static struct attribute *strix_sess_attrs[] = {
	&strix_sess_attr_initiator_name.attr,
	&strix_sess_attr_commands.attr,
	&strix_sess_attr_active_commands.attr,
	&strix_sess_attr_aborted_commands.attr,
	&strix_sess_attr_force_close.attr,
	NULL,
};
ATTRIBUTE_GROUPS(strix_sess);

static void strix_sess_release(struct kobject *kobj)
{
	struct strix_session *sess = to_sess(kobj);

	kobject_put(&sess->tgt->kobj);
	kfree(sess->initiator);
	kfree(sess);
}

static const struct kobj_type strix_sess_ktype = {
	.release = strix_sess_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = strix_sess_groups,
};

static void strix_sess_cmds_released(struct percpu_ref *ref)
{
	struct strix_session *sess = container_of(ref, struct strix_session, cmd_ref);

	complete(&sess->cmds_drained);
}

void *strix_session_priv(const struct strix_session *sess)
{
	return sess->priv;
}
EXPORT_SYMBOL_GPL(strix_session_priv);

const char *strix_session_initiator(const struct strix_session *sess)
{
	return sess->initiator;
}
EXPORT_SYMBOL_GPL(strix_session_initiator);

struct strix_target *strix_session_target(const struct strix_session *sess)
{
	return sess->tgt;
}
EXPORT_SYMBOL_GPL(strix_session_target);

/**
 * strix_session_nexus_loss() - the session is ending, answer as if gone
 * @sess: a registered session whose commands are all done
 *
 * What I_T nexus loss releases (the SPC-2 reservation, medium removal
 * prevention) is released now, so that a driver can do this before it
 * confirms a logout: the initiator, or another, may act on the answer at
 * once, before strix_session_unregister() has run.  Persistent
 * reservations stay, as they do at nexus loss.
 *
 * Takes neither the mgmt mutex nor waits for commands, so a driver's
 * transmit thread may call it; a LUN being removed meanwhile is skipped
 * (its removal releases the same things).  May sleep.
 */
void strix_session_nexus_loss(struct strix_session *sess)
{
	struct strix_tgt_dev *td;
	unsigned long idx;

	rcu_read_lock();
	xa_for_each(&sess->tgt_devs, idx, td) {
		if (!percpu_ref_tryget_live(&td->ref))
			continue;
		rcu_read_unlock();
		strix_res_nexus_release(td);
		strix_tgt_dev_allow_removal(td);
		percpu_ref_put(&td->ref);
		rcu_read_lock();
	}
	rcu_read_unlock();
}
EXPORT_SYMBOL_GPL(strix_session_nexus_loss);

struct strix_session *strix_session_from_kobj(struct kobject *kobj)
{
	return to_sess(kobj);
}
EXPORT_SYMBOL_GPL(strix_session_from_kobj);

/**
 * strix_session_register() - an initiator has connected to @tgt
 * @tgt:            the target
 * @initiator_name: the initiator's name (iSCSI name, WWPN, ...)
 * @priv:           the driver's session pointer
 *
 * Takes the mgmt mutex: do not call it with the mutex held (a driver's
 * mgmt() verb runs without it).
 *
 * Return: the session, or an ERR_PTR (-ENODEV: target being deleted).
 */
struct strix_session *strix_session_register(struct strix_target *tgt,
					     const char *initiator_name,
					     void *priv)
{
	struct strix_session *sess;
	char name[STRIX_MAX_NAME + 8];
	int ret, n;

	if (!initiator_name || !*initiator_name || strchr(initiator_name, '/'))
		return ERR_PTR(-EINVAL);
	sess = kzalloc(sizeof(*sess), GFP_KERNEL);
	if (!sess)
		return ERR_PTR(-ENOMEM);
	sess->initiator = kstrdup(initiator_name, GFP_KERNEL);
	if (!sess->initiator) {
		kfree(sess);
		return ERR_PTR(-ENOMEM);
	}
	sess->priv = priv;
	xa_init(&sess->tgt_devs);
	init_completion(&sess->cmds_drained);
	ret = percpu_ref_init(&sess->cmd_ref, strix_sess_cmds_released, 0,
			      GFP_KERNEL);
	if (ret) {
		kfree(sess->initiator);
		kfree(sess);
		return ERR_PTR(ret);
	}

	mutex_lock(&strix_core.mgmt_mutex);
	if (tgt->dead) {
		ret = -ENODEV;
		goto unlock;
	}
	sess->tgt = tgt;
	kobject_get(&tgt->kobj);
	kobject_init(&sess->kobj, &strix_sess_ktype);
	/* several sessions of one initiator: name, name_1, name_2... */
	for (n = 0; n < 1000; n++) {
		if (n)
			snprintf(name, sizeof(name), "%.*s_%d", STRIX_MAX_NAME,
				 initiator_name, n);
		else
			snprintf(name, sizeof(name), "%.*s", STRIX_MAX_NAME,
				 initiator_name);
		ret = kobject_add(&sess->kobj, tgt->sessions_kobj, "%s", name);
		if (ret != -EEXIST)
			break;
	}
	if (ret) {
		mutex_unlock(&strix_core.mgmt_mutex);
		percpu_ref_exit(&sess->cmd_ref);
		kobject_put(&sess->kobj);	/* frees sess, drops tgt */
		return ERR_PTR(ret);
	}
	if (tgt->dreg->drv->sess_groups &&
	    sysfs_create_groups(&sess->kobj, tgt->dreg->drv->sess_groups))
		pr_warn("session %s: driver attributes missing\n", name);
	strix_session_sync(sess, true);
	if (sysfs_create_link(&sess->kobj, sess->group->luns_kobj, "luns"))
		pr_warn("session %s: cannot link luns\n", name);
	list_add_tail(&sess->list, &tgt->sessions);
	mutex_unlock(&strix_core.mgmt_mutex);
	pr_info("%s/%s: session from %s\n", tgt->dreg->drv->name, tgt->name,
		initiator_name);
	return sess;

unlock:
	mutex_unlock(&strix_core.mgmt_mutex);
	percpu_ref_exit(&sess->cmd_ref);
	kfree(sess->initiator);
	kfree(sess);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_GPL(strix_session_register);

/**
 * strix_session_unregister() - the initiator is gone
 * @sess: a registered session
 *
 * Waits until every command of the session has been given back with
 * strix_cmd_done() (the driver must complete or abort them), then frees
 * the session's view and sysfs directory.
 */
void strix_session_unregister(struct strix_session *sess)
{
	struct strix_target *tgt = sess->tgt;
	struct strix_tgt_dev *td;
	unsigned long idx;

	percpu_ref_kill(&sess->cmd_ref);
	wait_for_completion(&sess->cmds_drained);

	mutex_lock(&strix_core.mgmt_mutex);
	sess->closing = true;
	list_del_init(&sess->list);
	xa_for_each(&sess->tgt_devs, idx, td)
		strix_tgt_dev_destroy(td);
	xa_destroy(&sess->tgt_devs);
	strix_kobject_del(&sess->kobj);
	mutex_unlock(&strix_core.mgmt_mutex);
	pr_info("%s/%s: session from %s closed\n", tgt->dreg->drv->name,
		tgt->name, sess->initiator);
	percpu_ref_exit(&sess->cmd_ref);
	wake_up_all(&tgt->sessions_wq);
	kobject_put(&sess->kobj);	/* may drop the last hold on tgt */
}
EXPORT_SYMBOL_GPL(strix_session_unregister);
