// SPDX-License-Identifier: GPL-2.0
/*
 * ALUA: asymmetric logical unit access (SPC-4 5.15), the device_groups/
 * tree of the management ABI, and the two commands that go with it.
 *
 *   device_groups/<dg>/devices/<device>			the devices of a group
 *   device_groups/<dg>/target_groups/<tg>/		group_id, preferred, state
 *   device_groups/<dg>/target_groups/<tg>/<target>/	rel_tgt_id
 *
 * A target port group (tg) of a device group (dg) is a set of target
 * ports, named by target; every device of the dg is reached through
 * each of its ports in the group's state.  A member that names no target
 * of this box is a remote one (the other node of a cluster): only its
 * rel_tgt_id matters, for REPORT TARGET PORT GROUPS.
 *
 * The I/O path never looks at the tree: each device of a group points
 * (RCU, dev->alua) to a snapshot of it made whenever something changes
 * (struct strix_alua_snap): the port table (relative target port id to
 * state and group id), which the parser checks every command against
 * (cdb.c), and the REPORT TARGET PORT GROUPS descriptors ready to copy.
 * A port of no group with a group id (or a device of no dg) is
 * active/optimized and reports no target port group.
 *
 * State changes come from sysfs (`state`, "implicit" ALUA: a cluster
 * agent's decision) or from an initiator's SET TARGET PORT GROUPS
 * (explicit ALUA, when the device's expl_alua is 1).  Either raises
 * ASYMMETRIC ACCESS STATE CHANGED on the nexuses of the group's devices
 * (SET TARGET PORT GROUPS: except its own I_T nexus) and multicasts an
 * event to user space (nl.c).  A group that goes from transitioning back
 * to the state it had before has failed its transition: IMPLICIT
 * ASYMMETRIC ACCESS STATE TRANSITION FAILED instead.  A change to what
 * INQUIRY reports (a device joins or leaves a group, a port's group id,
 * expl_alua) raises INQUIRY DATA HAS CHANGED.
 *
 * Locking: strix_alua_mutex guards the whole tree and every device's
 * alua_dg and snapshot.  Management changes take it inside mgmt_mutex;
 * SET TARGET PORT GROUPS (on the device's workqueue) takes it alone, never
 * mgmt_mutex (management may wait for that workqueue's commands), which
 * is why each member keeps its resolved rel_tgt_id: resolving a target
 * name needs mgmt_mutex (strix_alua_targets_changed() re-resolves).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/rculist.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <scsi/scsi_proto.h>

#include <strix/compat.h>

#include "core.h"
#include "scsi.h"

static DEFINE_MUTEX(strix_alua_mutex);
static LIST_HEAD(strix_alua_dgs);		/* struct strix_alua_dg */

#define STRIX_ALUA_MAX_DESCS	255		/* RTPG's port count is one byte */
#define STRIX_STPG_MAX_PARAM	(4 + 4 * 1024)

/* RTPG status codes (SPC-4 6.37). */
#define STRIX_RTPG_STATUS_NONE		0x00
#define STRIX_RTPG_STATUS_STPG		0x01
#define STRIX_RTPG_STATUS_IMPLICIT	0x02

/* Supported states of every group: T_SUP O_SUP U_SUP S_SUP AN_SUP AO_SUP. */
#define STRIX_RTPG_SUPPORTED		0xcf

/*
 * struct strix_alua_dg - device_groups/<dg>/.
 * Locking: everything under strix_alua_mutex; @dead also under mgmt_mutex.
 */
struct strix_alua_dg {
	struct kobject kobj;
	struct list_head list;		/* in strix_alua_dgs */
	char name[STRIX_MAX_NAME];
	bool dead;
	struct kobject *devices_kobj;
	struct kobject *tgs_kobj;
	struct list_head devs;		/* struct strix_alua_dev */
	struct list_head tgs;		/* struct strix_alua_tg */
	struct strix_alua_snap *snap;	/* what the devices point to */
};

/* A device of a group: device_groups/<dg>/devices/<device> (a link). */
struct strix_alua_dev {
	struct list_head list;
	struct strix_device *dev;
};

/*
 * struct strix_alua_tg - device_groups/<dg>/target_groups/<tg>/.
 * @prev_state: the state before the group went transitioning.
 * @status: the RTPG status code of the last change.
 * Locking: strix_alua_mutex (sysfs shows read with READ_ONCE).
 */
struct strix_alua_tg {
	struct kobject kobj;
	struct list_head list;		/* in dg->tgs */
	struct strix_alua_dg *dg;
	char name[STRIX_MAX_NAME];
	bool dead;
	u16 group_id;			/* 0: not set yet (not reported) */
	bool preferred;
	u8 state;			/* enum strix_alua_state */
	u8 prev_state;
	u8 status;
	struct list_head members;	/* struct strix_alua_member */
};

/*
 * struct strix_alua_member - a target port of a group: <tg>/<target>/.
 * @remote_id: the rel_tgt_id given for a target not on this box.
 * @rel_tgt_id: resolved: the local target's, else @remote_id (0: none).
 * Locking: strix_alua_mutex.
 */
struct strix_alua_member {
	struct kobject kobj;
	struct list_head list;		/* in tg->members */
	struct strix_alua_tg *tg;
	char name[STRIX_MAX_NAME];
	bool local;
	u16 remote_id;
	u16 rel_tgt_id;
};

/* One target port of a snapshot. */
struct strix_alua_port {
	u16 rel_tgt_id;
	u16 group_id;
	u8 state;
};

/*
 * struct strix_alua_snap - the group as the I/O path sees it: the ports
 * (@nr_ports of them) and the RTPG descriptors (@rtpg_len bytes).
 * Immutable; replaced as a whole and freed after a grace period.
 */
struct strix_alua_snap {
	struct rcu_head rcu;
	u32 nr_ports;
	u32 rtpg_len;
	struct strix_alua_port *ports;
	u8 *rtpg;
	u8 data[];
};

static const char *const strix_alua_state_names[16] = {
	[STRIX_ALUA_OPTIMIZED]		= "active",
	[STRIX_ALUA_NONOPTIMIZED]	= "nonoptimized",
	[STRIX_ALUA_STANDBY]		= "standby",
	[STRIX_ALUA_UNAVAILABLE]	= "unavailable",
	[STRIX_ALUA_OFFLINE]		= "offline",
	[STRIX_ALUA_TRANSITIONING]	= "transitioning",
};

/* ---- snapshots and the I/O path --------------------------------------- */

static struct strix_alua_member *
strix_alua_member_of(struct strix_alua_dg *dg, const char *name)
{
	struct strix_alua_member *m;
	struct strix_alua_tg *tg;

	list_for_each_entry(tg, &dg->tgs, list)
		list_for_each_entry(m, &tg->members, list)
			if (!strcmp(m->name, name))
				return m;
	return NULL;
}

/* A new snapshot of @dg; NULL when memory runs out. */
static struct strix_alua_snap *strix_alua_snap_build(struct strix_alua_dg *dg)
{
	struct strix_alua_snap *s;
	struct strix_alua_member *m;
	struct strix_alua_tg *tg;
	u32 nr_ports = 0, len = 0;
	u8 *p;

	lockdep_assert_held(&strix_alua_mutex);
	list_for_each_entry(tg, &dg->tgs, list) {
		u32 n = 0;

		if (!tg->group_id)
			continue;
		list_for_each_entry(m, &tg->members, list)
			if (m->rel_tgt_id && n < STRIX_ALUA_MAX_DESCS)
				n++;
		nr_ports += n;
		len += 8 + 4 * n;
	}
	s = kzalloc(struct_size(s, data, 0) +
		    nr_ports * sizeof(struct strix_alua_port) + len, GFP_KERNEL);
	if (!s)
		return NULL;
	s->ports = (struct strix_alua_port *)s->data;
	s->rtpg = (u8 *)(s->ports + nr_ports);
	s->rtpg_len = len;
	p = s->rtpg;
	list_for_each_entry(tg, &dg->tgs, list) {
		u8 *count;

		if (!tg->group_id)
			continue;
		p[0] = (tg->preferred ? 0x80 : 0) | tg->state;
		p[1] = STRIX_RTPG_SUPPORTED;
		put_unaligned_be16(tg->group_id, p + 2);
		p[5] = tg->status;
		count = p + 7;
		p += 8;
		list_for_each_entry(m, &tg->members, list) {
			if (!m->rel_tgt_id || *count == STRIX_ALUA_MAX_DESCS)
				continue;
			(*count)++;
			put_unaligned_be16(m->rel_tgt_id, p + 2);
			p += 4;
			s->ports[s->nr_ports++] = (struct strix_alua_port) {
				.rel_tgt_id = m->rel_tgt_id,
				.group_id = tg->group_id,
				.state = tg->state,
			};
		}
	}
	return s;
}

/*
 * Point @dg's devices at a fresh snapshot.  Out of memory the old one
 * stays (the change is then refused by the caller, which checks the
 * return value before changing anything it cannot undo: see callers).
 */
static int strix_alua_publish(struct strix_alua_dg *dg)
{
	struct strix_alua_snap *s, *old = dg->snap;
	struct strix_alua_dev *d;

	lockdep_assert_held(&strix_alua_mutex);
	s = strix_alua_snap_build(dg);
	if (!s)
		return -ENOMEM;
	dg->snap = s;
	list_for_each_entry(d, &dg->devs, list)
		rcu_assign_pointer(d->dev->alua, s);
	if (old)
		kfree_rcu(old, rcu);
	return 0;
}

/**
 * strix_alua_view() - what a command through a target port sees of ALUA
 * @dev:        the device
 * @rel_tgt_id: the port's relative target port identifier
 * @v:          filled in
 *
 * Lock-free (RCU): the I/O path calls it for every command.
 */
void strix_alua_view(struct strix_device *dev, u16 rel_tgt_id,
		     struct strix_alua_view *v)
{
	const struct strix_alua_snap *s;
	u32 i;

	*v = (struct strix_alua_view) {};
	rcu_read_lock();
	s = rcu_dereference(dev->alua);
	if (s) {
		v->alua = true;
		v->explicit = READ_ONCE(dev->expl_alua);
		for (i = 0; i < s->nr_ports; i++) {
			if (s->ports[i].rel_tgt_id == rel_tgt_id) {
				v->state = s->ports[i].state;
				v->group_id = s->ports[i].group_id;
				break;
			}
		}
	}
	rcu_read_unlock();
}

/**
 * strix_alua_rtpg() - the REPORT TARGET PORT GROUPS descriptors of a device
 * @dev: the device
 * @len: set to their length
 *
 * Call under rcu_read_lock(); the bytes stay valid until it is dropped.
 * Return: the descriptors, or NULL for a device in no device group.
 */
const u8 *strix_alua_rtpg(struct strix_device *dev, u32 *len)
{
	const struct strix_alua_snap *s = rcu_dereference(dev->alua);

	*len = s ? s->rtpg_len : 0;
	return s ? s->rtpg : NULL;
}

/* ---- unit attentions and events ---------------------------------------- */

/* Raise @ua on every nexus of @dev but those of session @except. */
static void strix_alua_dev_ua(struct strix_device *dev, enum strix_ua ua,
			      const struct strix_session *except)
{
	struct strix_tgt_dev *td;

	spin_lock_irq(&dev->td_lock);
	list_for_each_entry(td, &dev->tgt_devs, dev_entry)
		if (td->sess != except)
			set_bit(ua, &td->ua_pending);
	spin_unlock_irq(&dev->td_lock);
}

static void strix_alua_dg_ua(struct strix_alua_dg *dg, enum strix_ua ua,
			     const struct strix_session *except)
{
	struct strix_alua_dev *d;

	list_for_each_entry(d, &dg->devs, list)
		strix_alua_dev_ua(d->dev, ua, except);
}

/* What a state change alters in a group, to put it back. */
struct strix_alua_saved {
	struct strix_alua_tg *tg;
	u8 state;
	u8 prev_state;
	u8 status;
};

/*
 * @tg goes to @state, from sysfs or (@stpg) by SET TARGET PORT GROUPS;
 * @saved says how to undo it.  Return: true when this ends a failed
 * implicit transition (see the top of the file).
 */
static bool strix_alua_move(struct strix_alua_tg *tg, u8 state, bool stpg,
			    struct strix_alua_saved *saved)
{
	bool failed = !stpg && tg->state == STRIX_ALUA_TRANSITIONING &&
		      state == tg->prev_state;

	lockdep_assert_held(&strix_alua_mutex);
	*saved = (struct strix_alua_saved) {
		.tg = tg, .state = tg->state, .prev_state = tg->prev_state,
		.status = tg->status,
	};
	if (state == STRIX_ALUA_TRANSITIONING)
		tg->prev_state = tg->state;
	WRITE_ONCE(tg->state, state);
	tg->status = stpg ? STRIX_RTPG_STATUS_STPG : STRIX_RTPG_STATUS_IMPLICIT;
	return failed;
}

static void strix_alua_undo(const struct strix_alua_saved *saved)
{
	struct strix_alua_tg *tg = saved->tg;

	WRITE_ONCE(tg->state, saved->state);
	tg->prev_state = saved->prev_state;
	tg->status = saved->status;
}

/* Log a change that was made and tell user space (nl.c). */
static void strix_alua_tell(const struct strix_alua_tg *tg, u8 old,
			    bool failed, const struct strix_cmd *cmd)
{
	struct strix_nl_alua_event e = {
		.dg = tg->dg->name,
		.tg = tg->name,
		.group_id = tg->group_id,
		.old_state = old,
		.new_state = tg->state,
		.stpg = !!cmd,
		.failed = failed,
	};

	if (cmd) {
		e.initiator = cmd->sess->initiator;
		e.target = cmd->sess->tgt->name;
		e.rel_tgt_id = READ_ONCE(cmd->sess->tgt->rel_tgt_id);
		e.device = cmd->dev->name;
	}
	pr_info("device group %s: target group %s (id %u): %s -> %s%s%s%s\n",
		e.dg, e.tg, e.group_id, strix_alua_state_names[old],
		strix_alua_state_names[e.new_state], failed ? " (failed)" : "",
		cmd ? " by SET TARGET PORT GROUPS from " : "",
		cmd ? e.initiator : "");
	strix_nl_alua_event(&e);
}

/* ---- SET TARGET PORT GROUPS ---------------------------------------------- */

/**
 * strix_alua_stpg() - carry out SET TARGET PORT GROUPS
 * @cmd: the command, its parameter list in cmd->sg
 *
 * Every descriptor is checked before any is applied: a state other than
 * the active ones, standby and unavailable, or a group id the device's
 * group does not have, fails the whole command with INVALID FIELD IN
 * PARAMETER LIST pointing at it.  Runs on the device's workqueue.
 */
strix_sense_t strix_alua_stpg(struct strix_cmd *cmd)
{
	struct strix_device *dev = cmd->dev;
	u32 len = min_t(u32, cmd->data_len, cmd->xfer_len), n, i;
	struct strix_alua_saved *saved = NULL;
	strix_sense_t ret = STRIX_OK;
	struct strix_alua_dg *dg;
	struct strix_alua_tg *tg;
	u8 *param, *old_states;
	bool changed = false;

	if (len < 4)
		return STRIX_OK;	/* no descriptor: nothing to do */
	if (len > STRIX_STPG_MAX_PARAM || (len - 4) % 4)
		return STRIX_PARAM_LIST_LENGTH;
	n = (len - 4) / 4;
	param = kmalloc(len + n, GFP_KERNEL);
	saved = kcalloc(max(n, 1U), sizeof(*saved), GFP_KERNEL);
	if (!param || !saved) {
		ret = STRIX_BUSY;
		goto out;
	}
	old_states = param + len;
	if (sg_copy_to_buffer(cmd->sg, cmd->sg_cnt, param, len) != len) {
		ret = STRIX_PARAM_LIST_LENGTH;
		goto out;
	}

	mutex_lock(&strix_alua_mutex);
	dg = dev->alua_dg;
	if (!dg) {			/* left its group meanwhile */
		ret = STRIX_INVALID_OPCODE;
		goto unlock;
	}
	for (i = 0; i < n; i++) {
		const u8 *d = param + 4 + 4 * i;
		u8 state = d[0] & 0x0f;
		u16 id = get_unaligned_be16(d + 2);

		if (state > STRIX_ALUA_UNAVAILABLE) {
			cmd->sense_field_byte = 4 + 4 * i;
			cmd->sense_field_bit = 3;
			ret = STRIX_INVALID_FIELD_PARAM;
			goto unlock;
		}
		saved[i].tg = NULL;
		list_for_each_entry(tg, &dg->tgs, list)
			if (id && tg->group_id == id)
				saved[i].tg = tg;
		if (!saved[i].tg) {
			cmd->sense_field_byte = 4 + 4 * i + 2;
			cmd->sense_field_bit = -1;
			ret = STRIX_INVALID_FIELD_PARAM;
			goto unlock;
		}
	}
	for (i = 0; i < n; i++) {
		u8 state = param[4 + 4 * i] & 0x0f;

		old_states[i] = saved[i].tg->state;
		strix_alua_move(saved[i].tg, state, true, &saved[i]);
	}
	if (strix_alua_publish(dg)) {
		while (i-- > 0)
			strix_alua_undo(&saved[i]);
		ret = STRIX_BUSY;
		goto unlock;
	}
	for (i = 0; i < n; i++) {
		if (saved[i].tg->state == old_states[i])
			continue;
		strix_alua_tell(saved[i].tg, old_states[i], false, cmd);
		changed = true;
	}
	if (changed)
		strix_alua_dg_ua(dg, STRIX_UA_ALUA_CHANGED, cmd->sess);
unlock:
	mutex_unlock(&strix_alua_mutex);
out:
	kfree(saved);
	kfree(param);
	return ret;
}

/* ---- member targets: <tg>/<target>/ ------------------------------------- */

/* The local target called @name, or NULL.  mgmt_mutex held. */
static struct strix_target *strix_alua_find_target(const char *name)
{
	struct strix_driver_reg *dreg;
	struct strix_target *t;

	lockdep_assert_held(&strix_core.mgmt_mutex);
	list_for_each_entry(dreg, &strix_core.drivers, list)
		list_for_each_entry(t, &dreg->targets, list)
			if (!t->dead && !strcmp(t->name, name))
				return t;
	return NULL;
}

static void strix_alua_member_resolve(struct strix_alua_member *m)
{
	struct strix_target *t = strix_alua_find_target(m->name);

	m->local = t;
	m->rel_tgt_id = t ? t->rel_tgt_id : m->remote_id;
}

/**
 * strix_alua_targets_changed() - a target came, went or got a new id
 *
 * Called by target.c under mgmt_mutex: members are resolved again and
 * every group's snapshot remade.
 */
void strix_alua_targets_changed(void)
{
	struct strix_alua_member *m;
	struct strix_alua_tg *tg;
	struct strix_alua_dg *dg;

	lockdep_assert_held(&strix_core.mgmt_mutex);
	mutex_lock(&strix_alua_mutex);
	list_for_each_entry(dg, &strix_alua_dgs, list) {
		list_for_each_entry(tg, &dg->tgs, list)
			list_for_each_entry(m, &tg->members, list)
				strix_alua_member_resolve(m);
		if (strix_alua_publish(dg))
			pr_warn("device group %s: no memory for the new ports\n",
				dg->name);
	}
	mutex_unlock(&strix_alua_mutex);
}

static struct strix_alua_member *to_member(struct kobject *kobj)
{
	return container_of(kobj, struct strix_alua_member, kobj);
}

static ssize_t member_rel_tgt_id_show(struct kobject *kobj,
				      struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(to_member(kobj)->rel_tgt_id));
}

/*
 * Only a remote target's id is set here; a local target's is its own
 * (targets/<driver>/<target>/rel_tgt_id), and writing that same value
 * is accepted so that a saved configuration applies again.
 */
static ssize_t member_rel_tgt_id_store(struct kobject *kobj,
				       struct kobj_attribute *attr,
				       const char *buf, size_t count)
{
	struct strix_alua_member *m = to_member(kobj);
	struct kernfs_node *kn;
	u16 id;
	int ret;

	if (kstrtou16(buf, 0, &id) || !id)
		return -EINVAL;
	ret = strix_mgmt_begin(kobj, &attr->attr, &kn);
	if (ret)
		return ret;
	mutex_lock(&strix_alua_mutex);
	if (m->tg->dead) {
		ret = -ENODEV;
	} else if (m->local) {
		if (id != m->rel_tgt_id) {
			pr_info("target group %s: %s is a local target: its rel_tgt_id is set on the target\n",
				m->tg->name, m->name);
			ret = -EINVAL;
		}
	} else if (id != m->remote_id) {
		u16 old = m->remote_id;

		m->remote_id = id;
		m->rel_tgt_id = id;
		ret = strix_alua_publish(m->tg->dg);
		if (ret) {
			m->remote_id = old;
			m->rel_tgt_id = old;
		} else {
			strix_alua_dg_ua(m->tg->dg, STRIX_UA_ALUA_CHANGED, NULL);
		}
	}
	mutex_unlock(&strix_alua_mutex);
	strix_mgmt_end(kobj, kn);
	return ret ? ret : count;
}

static struct kobj_attribute strix_member_attr_rel_tgt_id =
	__ATTR(rel_tgt_id, 0644, member_rel_tgt_id_show, member_rel_tgt_id_store);
static struct attribute *strix_member_attrs[] = {
	&strix_member_attr_rel_tgt_id.attr,
	NULL,
};
ATTRIBUTE_GROUPS(strix_member);

static void strix_member_release(struct kobject *kobj)
{
	struct strix_alua_member *m = to_member(kobj);

	kobject_put(&m->tg->kobj);
	kfree(m);
}

static const struct kobj_type strix_member_ktype = {
	.release = strix_member_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = strix_member_groups,
};

/* ---- target groups: <tg>/ --------------------------------------------- */

static struct strix_alua_tg *to_tg(struct kobject *kobj)
{
	return container_of(kobj, struct strix_alua_tg, kobj);
}

static int strix_alua_member_add(struct strix_alua_tg *tg, const char *name)
{
	struct strix_alua_member *m;
	int ret;

	lockdep_assert_held(&strix_core.mgmt_mutex);
	if (!strix_name_ok(name) || !strcmp(name, "mgmt") ||
	    !strcmp(name, "group_id") || !strcmp(name, "preferred") ||
	    !strcmp(name, "state"))
		return -EINVAL;
	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	m->tg = tg;
	strscpy(m->name, name, sizeof(m->name));
	mutex_lock(&strix_alua_mutex);
	if (strix_alua_member_of(tg->dg, name)) {
		mutex_unlock(&strix_alua_mutex);
		pr_info("device group %s: target %s is in a target group already\n",
			tg->dg->name, name);
		kfree(m);
		return -EEXIST;
	}
	strix_alua_member_resolve(m);
	list_add_tail(&m->list, &tg->members);
	ret = strix_alua_publish(tg->dg);
	if (ret)
		list_del(&m->list);
	mutex_unlock(&strix_alua_mutex);
	if (ret) {
		kfree(m);
		return ret;
	}
	kobject_get(&tg->kobj);
	ret = kobject_init_and_add(&m->kobj, &strix_member_ktype, &tg->kobj,
				   "%s", name);
	if (ret) {
		mutex_lock(&strix_alua_mutex);
		list_del(&m->list);
		strix_alua_publish(tg->dg);
		mutex_unlock(&strix_alua_mutex);
		kobject_put(&m->kobj);
		return ret;
	}
	strix_alua_dg_ua(tg->dg, STRIX_UA_INQUIRY_CHANGED, NULL);
	return 0;
}

/* Take @m out of its group; mgmt_mutex held, strix_alua_mutex not. */
static void strix_alua_member_del(struct strix_alua_member *m)
{
	mutex_lock(&strix_alua_mutex);
	list_del(&m->list);
	if (strix_alua_publish(m->tg->dg))
		pr_warn("device group %s: no memory: stale ports until the next change\n",
			m->tg->dg->name);
	strix_alua_dg_ua(m->tg->dg, STRIX_UA_INQUIRY_CHANGED, NULL);
	mutex_unlock(&strix_alua_mutex);
	strix_kobject_del(&m->kobj);
	kobject_put(&m->kobj);
}

static int strix_alua_tg_cmd(struct strix_alua_tg *tg, char *line)
{
	char *pos = line, *verb, *name;
	struct strix_alua_member *m;

	verb = strix_mgmt_word(&pos);
	name = strix_mgmt_word(&pos);
	if (!verb || !name || *skip_spaces(pos))
		return -EINVAL;
	if (!strcmp(verb, "add"))
		return strix_alua_member_add(tg, name);
	if (strcmp(verb, "del")) {
		pr_info("target group %s: unknown command %s\n", tg->name, verb);
		return -EINVAL;
	}
	list_for_each_entry(m, &tg->members, list) {
		if (!strcmp(m->name, name)) {
			strix_alua_member_del(m);
			return 0;
		}
	}
	return -ENOENT;
}

static ssize_t tg_mgmt_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf,
			  "Usage: echo \"add TARGET_NAME\" >mgmt\n"
			  "       echo \"del TARGET_NAME\" >mgmt\n");
}

/*
 * A write to one of a target group's files: parse, then run @fn under the
 * mgmt mutex unless the group is being deleted.
 */
static ssize_t strix_alua_tg_write(struct kobject *kobj,
				   struct kobj_attribute *attr,
				   const char *buf, size_t count,
				   int (*fn)(struct strix_alua_tg *tg, char *s))
{
	struct strix_alua_tg *tg = to_tg(kobj);
	struct kernfs_node *kn;
	char *s;
	int ret;

	s = strix_mgmt_dup(buf, count);
	if (!s)
		return -ENOMEM;
	ret = strix_mgmt_begin(kobj, &attr->attr, &kn);
	if (!ret) {
		ret = tg->dead ? -ENODEV : fn(tg, s);
		strix_mgmt_end(kobj, kn);
	}
	kfree(s);
	return ret ? ret : count;
}

static ssize_t tg_mgmt_store(struct kobject *kobj, struct kobj_attribute *attr,
			     const char *buf, size_t count)
{
	return strix_alua_tg_write(kobj, attr, buf, count, strix_alua_tg_cmd);
}

static ssize_t group_id_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	u16 id = READ_ONCE(to_tg(kobj)->group_id);

	return sysfs_emit(buf, "%u\n%s", id, id ? "[key]\n" : "");
}

static int strix_alua_set_group_id(struct strix_alua_tg *tg, char *s)
{
	struct strix_alua_tg *other;
	u16 id, old;
	int ret = 0;

	if (kstrtou16(s, 0, &id) || !id)
		return -EINVAL;
	mutex_lock(&strix_alua_mutex);
	list_for_each_entry(other, &tg->dg->tgs, list) {
		if (other != tg && other->group_id == id) {
			pr_info("device group %s: group id %u is %s's\n",
				tg->dg->name, id, other->name);
			ret = -EEXIST;
			goto out;
		}
	}
	old = tg->group_id;
	if (old == id)
		goto out;
	WRITE_ONCE(tg->group_id, id);
	ret = strix_alua_publish(tg->dg);
	if (ret) {
		WRITE_ONCE(tg->group_id, old);
		goto out;
	}
	/* the target port group designator of VPD page 83h changed */
	strix_alua_dg_ua(tg->dg, STRIX_UA_INQUIRY_CHANGED, NULL);
out:
	mutex_unlock(&strix_alua_mutex);
	return ret;
}

static ssize_t group_id_store(struct kobject *kobj, struct kobj_attribute *attr,
			      const char *buf, size_t count)
{
	return strix_alua_tg_write(kobj, attr, buf, count,
				   strix_alua_set_group_id);
}

static ssize_t preferred_show(struct kobject *kobj, struct kobj_attribute *attr,
			      char *buf)
{
	bool v = READ_ONCE(to_tg(kobj)->preferred);

	return sysfs_emit(buf, "%u\n%s", v, v ? "[key]\n" : "");
}

static int strix_alua_set_preferred(struct strix_alua_tg *tg, char *s)
{
	bool v;
	int ret = 0;

	if (kstrtobool(s, &v))
		return -EINVAL;
	mutex_lock(&strix_alua_mutex);
	if (tg->preferred != v) {
		WRITE_ONCE(tg->preferred, v);
		ret = strix_alua_publish(tg->dg);
		if (ret)
			WRITE_ONCE(tg->preferred, !v);
		else
			strix_alua_dg_ua(tg->dg, STRIX_UA_ALUA_CHANGED, NULL);
	}
	mutex_unlock(&strix_alua_mutex);
	return ret;
}

static ssize_t preferred_store(struct kobject *kobj, struct kobj_attribute *attr,
			       const char *buf, size_t count)
{
	return strix_alua_tg_write(kobj, attr, buf, count,
				   strix_alua_set_preferred);
}

static ssize_t state_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	u8 st = READ_ONCE(to_tg(kobj)->state);

	return sysfs_emit(buf, "%s\n%s", strix_alua_state_names[st],
			  st != STRIX_ALUA_OPTIMIZED ? "[key]\n" : "");
}

/* The state called @s, or -EINVAL. */
static int strix_alua_state_parse(const char *s)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(strix_alua_state_names); i++)
		if (strix_alua_state_names[i] &&
		    !strcmp(s, strix_alua_state_names[i]))
			return i;
	return -EINVAL;
}

static int strix_alua_set_state_sysfs(struct strix_alua_tg *tg, char *s)
{
	int st = strix_alua_state_parse(s);
	struct strix_alua_saved saved;
	bool failed;
	u8 old;
	int ret = 0;

	if (st < 0) {
		pr_info("target group %s: state: one of active, nonoptimized, standby, unavailable, offline, transitioning\n",
			tg->name);
		return -EINVAL;
	}
	mutex_lock(&strix_alua_mutex);
	old = tg->state;
	if (old == st)
		goto out;
	failed = strix_alua_move(tg, st, false, &saved);
	ret = strix_alua_publish(tg->dg);
	if (ret) {
		strix_alua_undo(&saved);
		goto out;
	}
	strix_alua_tell(tg, old, failed, NULL);
	strix_alua_dg_ua(tg->dg, failed ? STRIX_UA_ALUA_FAILED :
			 STRIX_UA_ALUA_CHANGED, NULL);
out:
	mutex_unlock(&strix_alua_mutex);
	return ret;
}

static ssize_t state_store(struct kobject *kobj, struct kobj_attribute *attr,
			   const char *buf, size_t count)
{
	return strix_alua_tg_write(kobj, attr, buf, count,
				   strix_alua_set_state_sysfs);
}

static struct kobj_attribute strix_tg_attr_mgmt =
	__ATTR(mgmt, 0644, tg_mgmt_show, tg_mgmt_store);
static struct kobj_attribute strix_tg_attr_group_id = __ATTR_RW(group_id);
static struct kobj_attribute strix_tg_attr_preferred = __ATTR_RW(preferred);
static struct kobj_attribute strix_tg_attr_state = __ATTR_RW(state);
static struct attribute *strix_tg_attrs[] = {
	&strix_tg_attr_mgmt.attr,
	&strix_tg_attr_group_id.attr,
	&strix_tg_attr_preferred.attr,
	&strix_tg_attr_state.attr,
	NULL,
};
ATTRIBUTE_GROUPS(strix_tg);

static void strix_tg_release(struct kobject *kobj)
{
	struct strix_alua_tg *tg = to_tg(kobj);

	kobject_put(&tg->dg->kobj);
	kfree(tg);
}

static const struct kobj_type strix_tg_ktype = {
	.release = strix_tg_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = strix_tg_groups,
};

/* ---- device groups: <dg>/ --------------------------------------------- */

static struct strix_alua_dg *to_dg(struct kobject *kobj)
{
	return container_of(kobj, struct strix_alua_dg, kobj);
}

static int strix_alua_tg_create(struct strix_alua_dg *dg, const char *name)
{
	struct strix_alua_tg *tg;
	int ret;

	if (!strix_name_ok(name) || !strcmp(name, "mgmt"))
		return -EINVAL;
	list_for_each_entry(tg, &dg->tgs, list)
		if (!strcmp(tg->name, name))
			return -EEXIST;
	tg = kzalloc(sizeof(*tg), GFP_KERNEL);
	if (!tg)
		return -ENOMEM;
	tg->dg = dg;
	strscpy(tg->name, name, sizeof(tg->name));
	INIT_LIST_HEAD(&tg->members);
	tg->state = STRIX_ALUA_OPTIMIZED;
	kobject_get(&dg->kobj);
	ret = kobject_init_and_add(&tg->kobj, &strix_tg_ktype, dg->tgs_kobj,
				   "%s", name);
	if (ret) {
		kobject_put(&tg->kobj);
		return ret;
	}
	/* no group id yet: nothing to publish */
	mutex_lock(&strix_alua_mutex);
	list_add_tail(&tg->list, &dg->tgs);
	mutex_unlock(&strix_alua_mutex);
	return 0;
}

static void strix_alua_tg_destroy(struct strix_alua_tg *tg)
{
	struct strix_alua_member *m, *tmp;

	lockdep_assert_held(&strix_core.mgmt_mutex);
	list_for_each_entry_safe(m, tmp, &tg->members, list)
		strix_alua_member_del(m);
	mutex_lock(&strix_alua_mutex);
	tg->dead = true;
	list_del(&tg->list);
	if (tg->group_id) {
		if (strix_alua_publish(tg->dg))
			pr_warn("device group %s: no memory: stale groups until the next change\n",
				tg->dg->name);
		strix_alua_dg_ua(tg->dg, STRIX_UA_ALUA_CHANGED, NULL);
	}
	mutex_unlock(&strix_alua_mutex);
	strix_kobject_del(&tg->kobj);
	kobject_put(&tg->kobj);
}

/* A device joins @dg: devices/<device> links to it. */
static int strix_alua_dev_add(struct strix_alua_dg *dg, const char *name)
{
	struct strix_device *dev = strix_device_lookup(name);
	struct strix_alua_dev *d;
	int ret;

	if (!dev || dev->dead) {
		pr_info("device group %s: no device %s\n", dg->name, name);
		return -ENOENT;
	}
	if (dev->alua_dg) {
		pr_info("device group %s: device %s is in device group %s\n",
			dg->name, name, dev->alua_dg->name);
		return dev->alua_dg == dg ? -EEXIST : -EBUSY;
	}
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	d->dev = dev;
	ret = sysfs_create_link(dg->devices_kobj, &dev->kobj, dev->name);
	if (ret) {
		kfree(d);
		return ret;
	}
	mutex_lock(&strix_alua_mutex);
	ret = dg->snap ? 0 : strix_alua_publish(dg);
	if (!ret) {
		list_add_tail(&d->list, &dg->devs);
		dev->alua_dg = dg;
		rcu_assign_pointer(dev->alua, dg->snap);
	}
	mutex_unlock(&strix_alua_mutex);
	if (ret) {
		sysfs_remove_link(dg->devices_kobj, dev->name);
		kfree(d);
		return ret;
	}
	strix_alua_dev_ua(dev, STRIX_UA_INQUIRY_CHANGED, NULL);	/* TPGS */
	return 0;
}

/* Take @d's device out of its group; mgmt_mutex held. */
static void strix_alua_dev_remove(struct strix_alua_dg *dg,
				  struct strix_alua_dev *d)
{
	struct strix_device *dev = d->dev;

	mutex_lock(&strix_alua_mutex);
	list_del(&d->list);
	dev->alua_dg = NULL;
	/* the snapshot is dg's: it outlives the readers (kfree_rcu) */
	RCU_INIT_POINTER(dev->alua, NULL);
	mutex_unlock(&strix_alua_mutex);
	sysfs_remove_link(dg->devices_kobj, dev->name);
	strix_alua_dev_ua(dev, STRIX_UA_INQUIRY_CHANGED, NULL);
	kfree(d);
}

static struct strix_alua_dev *strix_alua_dev_find(struct strix_alua_dg *dg,
						  const char *name)
{
	struct strix_alua_dev *d;

	list_for_each_entry(d, &dg->devs, list)
		if (!strcmp(d->dev->name, name))
			return d;
	return NULL;
}

/**
 * strix_alua_dev_gone() - a device is being deleted: it leaves its group
 * @dev: the device (mgmt_mutex held)
 */
void strix_alua_dev_gone(struct strix_device *dev)
{
	struct strix_alua_dg *dg = dev->alua_dg;

	lockdep_assert_held(&strix_core.mgmt_mutex);
	if (dg)
		strix_alua_dev_remove(dg, strix_alua_dev_find(dg, dev->name));
}

/* Parse "VERB NAME" with nothing after. */
static int strix_alua_verb_name(char *line, char **verb, char **name)
{
	char *pos = line;

	*verb = strix_mgmt_word(&pos);
	*name = strix_mgmt_word(&pos);
	return *verb && *name && !*skip_spaces(pos) ? 0 : -EINVAL;
}

static int strix_alua_devices_cmd(struct strix_alua_dg *dg, char *line)
{
	struct strix_alua_dev *d;
	char *verb, *name;

	if (strix_alua_verb_name(line, &verb, &name))
		return -EINVAL;
	if (!strcmp(verb, "add"))
		return strix_alua_dev_add(dg, name);
	if (strcmp(verb, "del")) {
		pr_info("device group %s: devices: unknown command %s\n",
			dg->name, verb);
		return -EINVAL;
	}
	d = strix_alua_dev_find(dg, name);
	if (!d)
		return -ENOENT;
	strix_alua_dev_remove(dg, d);
	return 0;
}

static int strix_alua_tgs_cmd(struct strix_alua_dg *dg, char *line)
{
	struct strix_alua_tg *tg;
	char *verb, *name;

	if (strix_alua_verb_name(line, &verb, &name))
		return -EINVAL;
	if (!strcmp(verb, "create") || !strcmp(verb, "add"))
		return strix_alua_tg_create(dg, name);
	if (strcmp(verb, "del")) {
		pr_info("device group %s: target_groups: unknown command %s\n",
			dg->name, verb);
		return -EINVAL;
	}
	list_for_each_entry(tg, &dg->tgs, list) {
		if (!strcmp(tg->name, name)) {
			strix_alua_tg_destroy(tg);
			return 0;
		}
	}
	return -ENOENT;
}

/* A write to a mgmt file of a directory of a device group. */
static ssize_t strix_alua_dg_write(struct kobject *kobj,
				   struct kobj_attribute *attr,
				   const char *buf, size_t count,
				   int (*fn)(struct strix_alua_dg *dg, char *s))
{
	struct strix_alua_dg *dg = to_dg(strix_dir_owner(kobj));
	struct kernfs_node *kn;
	char *s;
	int ret;

	s = strix_mgmt_dup(buf, count);
	if (!s)
		return -ENOMEM;
	ret = strix_mgmt_begin(kobj, &attr->attr, &kn);
	if (!ret) {
		ret = dg->dead ? -ENODEV : fn(dg, s);
		strix_mgmt_end(kobj, kn);
	}
	kfree(s);
	return ret ? ret : count;
}

static ssize_t devices_mgmt_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf,
			  "Usage: echo \"add DEVICE_NAME\" >mgmt\n"
			  "       echo \"del DEVICE_NAME\" >mgmt\n");
}

static ssize_t devices_mgmt_store(struct kobject *kobj,
				  struct kobj_attribute *attr,
				  const char *buf, size_t count)
{
	return strix_alua_dg_write(kobj, attr, buf, count,
				   strix_alua_devices_cmd);
}

static ssize_t tgs_mgmt_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf,
			  "Usage: echo \"create TARGET_GROUP_NAME\" >mgmt\n"
			  "       echo \"del TARGET_GROUP_NAME\" >mgmt\n");
}

static ssize_t tgs_mgmt_store(struct kobject *kobj, struct kobj_attribute *attr,
			      const char *buf, size_t count)
{
	return strix_alua_dg_write(kobj, attr, buf, count, strix_alua_tgs_cmd);
}

static struct kobj_attribute strix_dg_devices_attr_mgmt =
	__ATTR(mgmt, 0644, devices_mgmt_show, devices_mgmt_store);
static struct attribute *strix_dg_devices_attrs[] = {
	&strix_dg_devices_attr_mgmt.attr,
	NULL,
};
ATTRIBUTE_GROUPS(strix_dg_devices);

static struct kobj_attribute strix_dg_tgs_attr_mgmt =
	__ATTR(mgmt, 0644, tgs_mgmt_show, tgs_mgmt_store);
static struct attribute *strix_dg_tgs_attrs[] = {
	&strix_dg_tgs_attr_mgmt.attr,
	NULL,
};
ATTRIBUTE_GROUPS(strix_dg_tgs);

static void strix_dg_release(struct kobject *kobj)
{
	struct strix_alua_dg *dg = to_dg(kobj);

	/* no device points to the snapshot any more; readers are gone */
	kfree(dg->snap);
	kfree(dg);
}

static const struct kobj_type strix_dg_ktype = {
	.release = strix_dg_release,
	.sysfs_ops = &kobj_sysfs_ops,
};

static struct strix_alua_dg *strix_alua_dg_find(const char *name)
{
	struct strix_alua_dg *dg;

	list_for_each_entry(dg, &strix_alua_dgs, list)
		if (!strcmp(dg->name, name))
			return dg;
	return NULL;
}

static int strix_alua_dg_create(const char *name)
{
	struct strix_alua_dg *dg;
	int ret;

	lockdep_assert_held(&strix_core.mgmt_mutex);
	if (!strix_name_ok(name) || !strcmp(name, "mgmt"))
		return -EINVAL;
	if (strix_alua_dg_find(name))
		return -EEXIST;
	dg = kzalloc(sizeof(*dg), GFP_KERNEL);
	if (!dg)
		return -ENOMEM;
	strscpy(dg->name, name, sizeof(dg->name));
	INIT_LIST_HEAD(&dg->devs);
	INIT_LIST_HEAD(&dg->tgs);
	ret = kobject_init_and_add(&dg->kobj, &strix_dg_ktype,
				   strix_core.device_groups_kobj, "%s", name);
	if (ret)
		goto put;
	ret = -ENOMEM;
	dg->devices_kobj = strix_dir_create("devices", &dg->kobj, &dg->kobj,
					    strix_dg_devices_groups);
	if (!dg->devices_kobj)
		goto del;
	dg->tgs_kobj = strix_dir_create("target_groups", &dg->kobj, &dg->kobj,
					strix_dg_tgs_groups);
	if (!dg->tgs_kobj)
		goto del_devices;
	mutex_lock(&strix_alua_mutex);
	list_add_tail(&dg->list, &strix_alua_dgs);
	mutex_unlock(&strix_alua_mutex);
	return 0;

del_devices:
	strix_dir_remove(dg->devices_kobj);
del:
	strix_kobject_del(&dg->kobj);
put:
	kobject_put(&dg->kobj);
	return ret;
}

static void strix_alua_dg_destroy(struct strix_alua_dg *dg)
{
	struct strix_alua_tg *tg, *ttmp;
	struct strix_alua_dev *d, *dtmp;

	lockdep_assert_held(&strix_core.mgmt_mutex);
	dg->dead = true;
	list_for_each_entry_safe(d, dtmp, &dg->devs, list)
		strix_alua_dev_remove(dg, d);
	list_for_each_entry_safe(tg, ttmp, &dg->tgs, list)
		strix_alua_tg_destroy(tg);
	mutex_lock(&strix_alua_mutex);
	list_del(&dg->list);
	mutex_unlock(&strix_alua_mutex);
	strix_dir_remove(dg->tgs_kobj);
	strix_dir_remove(dg->devices_kobj);
	strix_kobject_del(&dg->kobj);
	/* readers of the snapshot may still be in their grace period */
	synchronize_rcu();
	kobject_put(&dg->kobj);
}

static ssize_t dgs_mgmt_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf,
			  "Usage: echo \"create DEVICE_GROUP_NAME\" >mgmt\n"
			  "       echo \"del DEVICE_GROUP_NAME\" >mgmt\n");
}

static int strix_alua_dgs_cmd(char *line)
{
	struct strix_alua_dg *dg;
	char *verb, *name;

	if (strix_alua_verb_name(line, &verb, &name))
		return -EINVAL;
	if (!strcmp(verb, "create") || !strcmp(verb, "add"))
		return strix_alua_dg_create(name);
	if (strcmp(verb, "del")) {
		pr_info("device_groups: unknown command %s\n", verb);
		return -EINVAL;
	}
	dg = strix_alua_dg_find(name);
	if (!dg)
		return -ENOENT;
	strix_alua_dg_destroy(dg);
	return 0;
}

static ssize_t dgs_mgmt_store(struct kobject *kobj, struct kobj_attribute *attr,
			      const char *buf, size_t count)
{
	struct kernfs_node *kn;
	char *line;
	int ret;

	line = strix_mgmt_dup(buf, count);
	if (!line)
		return -ENOMEM;
	ret = strix_mgmt_begin(kobj, &attr->attr, &kn);
	if (!ret) {
		ret = strix_alua_dgs_cmd(line);
		strix_mgmt_end(kobj, kn);
	}
	kfree(line);
	return ret ? ret : count;
}

static struct kobj_attribute strix_dgs_attr_mgmt =
	__ATTR(mgmt, 0644, dgs_mgmt_show, dgs_mgmt_store);

/* ---- devices/<device>/expl_alua ------------------------------------------ */

static ssize_t expl_alua_show(struct kobject *kobj, struct kobj_attribute *attr,
			      char *buf)
{
	bool v = READ_ONCE(strix_device_from_kobj(kobj)->expl_alua);

	return sysfs_emit(buf, "%u\n%s", v, v ? "[key]\n" : "");
}

/* INQUIRY's TPGS changes with it, for a device of a group. */
static ssize_t expl_alua_store(struct kobject *kobj, struct kobj_attribute *attr,
			       const char *buf, size_t count)
{
	struct strix_device *dev = strix_device_from_kobj(kobj);
	struct kernfs_node *kn;
	bool v;
	int ret;

	if (kstrtobool(buf, &v))
		return -EINVAL;
	ret = strix_mgmt_begin(kobj, &attr->attr, &kn);
	if (ret)
		return ret;
	if (dev->dead) {
		ret = -ENODEV;
	} else if (xchg(&dev->expl_alua, v) != v) {
		mutex_lock(&strix_alua_mutex);
		if (dev->alua_dg)
			strix_alua_dev_ua(dev, STRIX_UA_INQUIRY_CHANGED, NULL);
		mutex_unlock(&strix_alua_mutex);
	}
	strix_mgmt_end(kobj, kn);
	return ret ? ret : count;
}
struct kobj_attribute strix_dev_attr_expl_alua = __ATTR_RW(expl_alua);

/* ---- module ------------------------------------------------------------- */

int strix_alua_init(void)
{
	return sysfs_create_file(strix_core.device_groups_kobj,
				 &strix_dgs_attr_mgmt.attr);
}

void strix_alua_exit(void)
{
	struct strix_alua_dg *dg, *tmp;

	mutex_lock(&strix_core.mgmt_mutex);
	list_for_each_entry_safe(dg, tmp, &strix_alua_dgs, list)
		strix_alua_dg_destroy(dg);
	mutex_unlock(&strix_core.mgmt_mutex);
	sysfs_remove_file(strix_core.device_groups_kobj,
			  &strix_dgs_attr_mgmt.attr);
}
