// SPDX-License-Identifier: GPL-2.0
/*
 * strix_iscsi: the module, the target driver ops, targets and their
 * attributes, sessions in sysfs.  See iscsi.h for the map.
 *
 *	echo "add_target iqn.2026-12.org.example:t1" > targets/iscsi/mgmt
 *	echo "add_target_attribute iqn.2026-12.org.example:t1 IncomingUser joe secret12chars" \
 *		> targets/iscsi/mgmt
 *	echo "add_attribute IncomingUser disc discsecret12" > targets/iscsi/mgmt
 *	echo 1 > targets/iscsi/iqn.2026-12.org.example:t1/enabled
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <uapi/strix_iscsi_nl.h>

#include "iscsi.h"

struct strix_iscsi_drv strix_iscsi;

/* ---- target settings ---- */

struct strix_iscsi_key_def {
	const char	*name;
	u32		def, min, max;
	bool		yes_no;		/* shown as Yes/No */
};

static const struct strix_iscsi_key_def strix_iscsi_keys[STRIX_ISCSI_K_NR_NUM] = {
	[STRIX_ISCSI_K_INITIAL_R2T]	= { "InitialR2T", 0, 0, 1, true },
	[STRIX_ISCSI_K_IMMEDIATE_DATA]	= { "ImmediateData", 1, 0, 1, true },
	[STRIX_ISCSI_K_MAX_RECV_DSL]	= { "MaxRecvDataSegmentLength", 262144,
					    512, 16777215 },
	[STRIX_ISCSI_K_MAX_XMIT_DSL]	= { "MaxXmitDataSegmentLength", 262144,
					    512, 16777215 },
	[STRIX_ISCSI_K_MAX_BURST]	= { "MaxBurstLength", 1048576, 512,
					    16777215 },
	[STRIX_ISCSI_K_FIRST_BURST]	= { "FirstBurstLength", 65536, 512,
					    16777215 },
	[STRIX_ISCSI_K_MAX_OUTSTANDING_R2T] = { "MaxOutstandingR2T", 32, 1,
						65535 },
	[STRIX_ISCSI_K_QUEUED_COMMANDS]	= { "QueuedCommands", 128, 1, 2048 },
	[STRIX_ISCSI_K_MAX_SESSIONS]	= { "MaxSessions", 0, 0, 65535 },
	[STRIX_ISCSI_K_NOPIN_INTERVAL]	= { "NopInInterval", 30, 0, 3600 },
	[STRIX_ISCSI_K_NOPIN_TIMEOUT]	= { "NopInTimeout", 30, 1, 3600 },
	[STRIX_ISCSI_K_RSP_TIMEOUT]	= { "RspTimeout", 90, 1, 65535 },
	[STRIX_ISCSI_K_PER_PORTAL_ACL]	= { "per_portal_acl", 0, 0, 1 },
};

static const char *const strix_iscsi_str_keys[] = {
	[STRIX_ISCSI_K_HEADER_DIGEST - STRIX_ISCSI_K_NR_NUM] = "HeaderDigest",
	[STRIX_ISCSI_K_DATA_DIGEST - STRIX_ISCSI_K_NR_NUM] = "DataDigest",
	[STRIX_ISCSI_K_ALIAS - STRIX_ISCSI_K_NR_NUM] = "alias",
};

static const char *const strix_iscsi_str_defaults[] = {
	[STRIX_ISCSI_K_HEADER_DIGEST - STRIX_ISCSI_K_NR_NUM] = "CRC32C,None",
	[STRIX_ISCSI_K_DATA_DIGEST - STRIX_ISCSI_K_NR_NUM] = "CRC32C,None",
	[STRIX_ISCSI_K_ALIAS - STRIX_ISCSI_K_NR_NUM] = "",
};

static int strix_iscsi_key_index(const struct attribute *attr)
{
	int i;

	for (i = 0; i < STRIX_ISCSI_K_NR_NUM; i++)
		if (!strcmp(attr->name, strix_iscsi_keys[i].name))
			return i;
	for (i = 0; i < ARRAY_SIZE(strix_iscsi_str_keys); i++)
		if (!strcmp(attr->name, strix_iscsi_str_keys[i]))
			return STRIX_ISCSI_K_NR_NUM + i;
	return -1;
}

static struct strix_iscsi_tgt *to_itgt(struct kobject *kobj)
{
	return strix_target_priv(strix_target_from_kobj(kobj));
}

static ssize_t strix_iscsi_key_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	struct strix_iscsi_tgt *itgt = to_itgt(kobj);
	int k = strix_iscsi_key_index(&attr->attr);
	ssize_t n;

	if (k < 0)
		return -EIO;
	mutex_lock(&strix_iscsi.lock);
	if (k < STRIX_ISCSI_K_NR_NUM) {
		const struct strix_iscsi_key_def *d = &strix_iscsi_keys[k];
		u32 v = itgt->num[k];

		if (d->yes_no)
			n = sysfs_emit(buf, "%s\n", v ? "Yes" : "No");
		else
			n = sysfs_emit(buf, "%u\n", v);
		if (v != d->def)
			n += sysfs_emit_at(buf, n, "[key]\n");
	} else {
		const char *v = itgt->str[k - STRIX_ISCSI_K_NR_NUM];

		n = sysfs_emit(buf, "%s\n", v);
		if (strcmp(v, strix_iscsi_str_defaults[k - STRIX_ISCSI_K_NR_NUM]))
			n += sysfs_emit_at(buf, n, "[key]\n");
	}
	mutex_unlock(&strix_iscsi.lock);
	return n;
}

/* "CRC32C,None", "None", "CRC32C": a preference list of digests. */
static bool strix_iscsi_digest_list_ok(const char *s)
{
	while (*s) {
		size_t len = strcspn(s, ",");

		if (!((len == 6 && !strncmp(s, "CRC32C", 6)) ||
		      (len == 4 && !strncmp(s, "None", 4))))
			return false;
		s += len;
		if (*s == ',' && !*++s)
			return false;
	}
	return true;
}

static ssize_t strix_iscsi_key_store(struct kobject *kobj,
				     struct kobj_attribute *attr,
				     const char *buf, size_t count)
{
	struct strix_iscsi_tgt *itgt = to_itgt(kobj);
	int k = strix_iscsi_key_index(&attr->attr);
	char val[STRIX_ISCSI_STR_LEN];
	u32 v = 0;

	if (k < 0)
		return -EIO;
	if (count >= sizeof(val))
		return -EINVAL;
	memcpy(val, buf, count);
	val[count] = 0;
	strim(val);
	if (k < STRIX_ISCSI_K_NR_NUM) {
		const struct strix_iscsi_key_def *d = &strix_iscsi_keys[k];

		if (d->yes_no && (!strcasecmp(val, "Yes") || !strcmp(val, "1")))
			v = 1;
		else if (d->yes_no && (!strcasecmp(val, "No") || !strcmp(val, "0")))
			v = 0;
		else if (d->yes_no || kstrtou32(val, 0, &v))
			return -EINVAL;
		if (v < d->min || v > d->max)
			return -ERANGE;
	} else if (k != STRIX_ISCSI_K_ALIAS && !strix_iscsi_digest_list_ok(val)) {
		return -EINVAL;
	}
	mutex_lock(&strix_iscsi.lock);
	if (k < STRIX_ISCSI_K_NR_NUM)
		itgt->num[k] = v;
	else
		strscpy(itgt->str[k - STRIX_ISCSI_K_NR_NUM], val,
			STRIX_ISCSI_STR_LEN);
	mutex_unlock(&strix_iscsi.lock);
	strix_iscsi_nl_target_event(STRIX_ISCSI_EVENT_ATTR_CHANGED, itgt->name,
				    attr->attr.name);
	return count;
}

#define STRIX_ISCSI_KEY_ATTR(n)						\
	static struct kobj_attribute strix_iscsi_attr_##n =		\
		__ATTR(n, 0644, strix_iscsi_key_show, strix_iscsi_key_store)

STRIX_ISCSI_KEY_ATTR(InitialR2T);
STRIX_ISCSI_KEY_ATTR(ImmediateData);
STRIX_ISCSI_KEY_ATTR(MaxRecvDataSegmentLength);
STRIX_ISCSI_KEY_ATTR(MaxXmitDataSegmentLength);
STRIX_ISCSI_KEY_ATTR(MaxBurstLength);
STRIX_ISCSI_KEY_ATTR(FirstBurstLength);
STRIX_ISCSI_KEY_ATTR(MaxOutstandingR2T);
STRIX_ISCSI_KEY_ATTR(QueuedCommands);
STRIX_ISCSI_KEY_ATTR(MaxSessions);
STRIX_ISCSI_KEY_ATTR(NopInInterval);
STRIX_ISCSI_KEY_ATTR(NopInTimeout);
STRIX_ISCSI_KEY_ATTR(RspTimeout);
STRIX_ISCSI_KEY_ATTR(per_portal_acl);
STRIX_ISCSI_KEY_ATTR(HeaderDigest);
STRIX_ISCSI_KEY_ATTR(DataDigest);
STRIX_ISCSI_KEY_ATTR(alias);

static ssize_t tid_show(struct kobject *kobj, struct kobj_attribute *attr,
			char *buf)
{
	return sysfs_emit(buf, "%u\n", to_itgt(kobj)->tid);
}
static struct kobj_attribute strix_iscsi_attr_tid = __ATTR_RO(tid);

static struct attribute *strix_iscsi_tgt_attrs[] = {
	&strix_iscsi_attr_InitialR2T.attr,
	&strix_iscsi_attr_ImmediateData.attr,
	&strix_iscsi_attr_MaxRecvDataSegmentLength.attr,
	&strix_iscsi_attr_MaxXmitDataSegmentLength.attr,
	&strix_iscsi_attr_MaxBurstLength.attr,
	&strix_iscsi_attr_FirstBurstLength.attr,
	&strix_iscsi_attr_MaxOutstandingR2T.attr,
	&strix_iscsi_attr_QueuedCommands.attr,
	&strix_iscsi_attr_MaxSessions.attr,
	&strix_iscsi_attr_NopInInterval.attr,
	&strix_iscsi_attr_NopInTimeout.attr,
	&strix_iscsi_attr_RspTimeout.attr,
	&strix_iscsi_attr_per_portal_acl.attr,
	&strix_iscsi_attr_HeaderDigest.attr,
	&strix_iscsi_attr_DataDigest.attr,
	&strix_iscsi_attr_alias.attr,
	&strix_iscsi_attr_tid.attr,
	NULL,
};

static const struct attribute_group strix_iscsi_tgt_group = {
	.attrs = strix_iscsi_tgt_attrs,
};

static const struct attribute_group *strix_iscsi_tgt_groups[] = {
	&strix_iscsi_tgt_group,
	NULL,
};

/* ---- multi-valued attributes: a file per value ---- */

static ssize_t strix_iscsi_dattr_show(struct kobject *kobj,
				      struct kobj_attribute *attr, char *buf)
{
	struct strix_iscsi_dattr *d =
		container_of(attr, struct strix_iscsi_dattr, ka);
	ssize_t n;

	mutex_lock(&strix_iscsi.lock);
	n = sysfs_emit(buf, "%s\n[key]\n", d->value);
	mutex_unlock(&strix_iscsi.lock);
	return n;
}

/* Which names take values through add_attribute, and how many. */
static int strix_iscsi_dattr_kind(const char *name, bool target)
{
	if (!strcmp(name, "IncomingUser"))
		return 0;		/* any number */
	if (!strcmp(name, "OutgoingUser"))
		return 1;		/* one */
	if (target && !strcmp(name, "allowed_portal"))
		return 0;
	return -1;
}

/* "user secret": two words of printable characters. */
static int strix_iscsi_user_check(const char *v)
{
	const char *sp = strchr(v, ' ');
	const char *p;

	if (!sp || sp == v || !sp[1] || strchr(sp + 1, ' '))
		return -EINVAL;
	for (p = v; *p; p++)
		if (!isgraph(*p) && *p != ' ')
			return -EINVAL;
	return 0;
}

/* The key a value is known by for del_attribute: the user, the address. */
static bool strix_iscsi_dattr_match(const char *value, const char *key)
{
	size_t klen = strcspn(key, " ");

	return !strcmp(value, key) ||
	       (!strncmp(value, key, klen) && value[klen] == ' ');
}

/*
 * A mgmt verb (no mgmt mutex).  @itgt: the target, NULL for the driver
 * level.  The file is created under strix_iscsi.lock, while a target is
 * known not to be deleted (del_target marks it dead under the lock before
 * its directory goes).
 */
static int strix_iscsi_dattr_add(struct kobject *kobj, struct list_head *head,
				 const char *base, struct strix_iscsi_tgt *itgt,
				 char *value)
{
	bool target = itgt;
	struct strix_iscsi_dattr *d, *o;
	int kind = strix_iscsi_dattr_kind(base, target);
	int idx, ret;

	value = strim(value);
	if (kind < 0)
		return -EINVAL;
	if (strcmp(base, "allowed_portal")) {
		ret = strix_iscsi_user_check(value);
		if (ret)
			return ret;
	} else if (!*value || strchr(value, ' ')) {
		return -EINVAL;
	}
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	d->value = kstrdup(value, GFP_KERNEL);
	if (!d->value) {
		kfree(d);
		return -ENOMEM;
	}

	mutex_lock(&strix_iscsi.lock);
	/* the lowest free name: base, base1, base2... */
	for (idx = 0; idx < 1000; idx++) {
		bool used = false;

		if (idx)
			snprintf(d->name, sizeof(d->name), "%s%d", base, idx);
		else
			strscpy(d->name, base, sizeof(d->name));
		list_for_each_entry(o, head, list) {
			if (!strcmp(o->name, d->name))
				used = true;
			if (strncmp(o->name, base, strlen(base)))
				continue;
			if (strix_iscsi_dattr_match(o->value, value) ||
			    (kind == 1 && !strcmp(o->name, base))) {
				ret = -EEXIST;
				goto fail;
			}
		}
		if (!used)
			break;
	}
	if (idx == 1000) {
		ret = -ENOSPC;
		goto fail;
	}
	if (itgt && itgt->dead) {
		ret = -ENOENT;
		goto fail;
	}
	sysfs_attr_init(&d->ka.attr);
	d->ka.attr.name = d->name;
	d->ka.attr.mode = 0400;
	d->ka.show = strix_iscsi_dattr_show;
	ret = sysfs_create_file(kobj, &d->ka.attr);
	if (ret)
		goto fail;
	list_add_tail(&d->list, head);
	mutex_unlock(&strix_iscsi.lock);
	return 0;

fail:
	mutex_unlock(&strix_iscsi.lock);
	kfree(d->value);
	kfree(d);
	return ret;
}

static void strix_iscsi_dattr_free(struct kobject *kobj,
				   struct strix_iscsi_dattr *d)
{
	if (kobj)
		sysfs_remove_file(kobj, &d->ka.attr);
	kfree_sensitive(d->value);
	kfree(d);
}

static int strix_iscsi_dattr_del(struct kobject *kobj, struct list_head *head,
				 const char *base, bool target, char *key)
{
	struct strix_iscsi_dattr *d, *found = NULL;

	key = strim(key);
	if (strix_iscsi_dattr_kind(base, target) < 0 || !*key)
		return -EINVAL;
	mutex_lock(&strix_iscsi.lock);
	list_for_each_entry(d, head, list) {
		if (!strncmp(d->name, base, strlen(base)) &&
		    (d->name[strlen(base)] == 0 || isdigit(d->name[strlen(base)])) &&
		    strix_iscsi_dattr_match(d->value, key)) {
			found = d;
			break;
		}
	}
	if (found)
		list_del(&found->list);
	mutex_unlock(&strix_iscsi.lock);
	if (!found)
		return -ENOENT;
	strix_iscsi_dattr_free(kobj, found);
	return 0;
}

/* ---- targets ---- */

static void strix_iscsi_tgt_release(struct kref *ref)
{
	struct strix_iscsi_tgt *itgt =
		container_of(ref, struct strix_iscsi_tgt, ref);

	strix_target_put(itgt->tgt);
	kfree(itgt);
}

void strix_iscsi_tgt_put(struct strix_iscsi_tgt *itgt)
{
	kref_put(&itgt->ref, strix_iscsi_tgt_release);
}

/* A live target by name, with a reference; NULL if none. */
struct strix_iscsi_tgt *strix_iscsi_tgt_find(const char *name)
{
	struct strix_iscsi_tgt *itgt;

	mutex_lock(&strix_iscsi.lock);
	list_for_each_entry(itgt, &strix_iscsi.targets, list) {
		if (!itgt->dead && !strcmp(itgt->name, name)) {
			kref_get(&itgt->ref);
			mutex_unlock(&strix_iscsi.lock);
			return itgt;
		}
	}
	mutex_unlock(&strix_iscsi.lock);
	return NULL;
}

static int strix_iscsi_add_target(struct strix_target *tgt,
				  const struct strix_params *p)
{
	const char *name = strix_target_name(tgt);
	struct strix_iscsi_tgt *itgt;
	int i;

	if (strlen(name) >= STRIX_ISCSI_NAME_LEN)
		return -ENAMETOOLONG;
	itgt = kzalloc(sizeof(*itgt), GFP_KERNEL);
	if (!itgt)
		return -ENOMEM;
	kref_init(&itgt->ref);
	itgt->tgt = tgt;
	strix_target_get(tgt);
	strscpy(itgt->name, name, sizeof(itgt->name));
	for (i = 0; i < STRIX_ISCSI_K_NR_NUM; i++)
		itgt->num[i] = strix_iscsi_keys[i].def;
	for (i = 0; i < ARRAY_SIZE(strix_iscsi_str_defaults); i++)
		strscpy(itgt->str[i], strix_iscsi_str_defaults[i],
			STRIX_ISCSI_STR_LEN);
	INIT_LIST_HEAD(&itgt->dattrs);
	INIT_LIST_HEAD(&itgt->sessions);
	mutex_lock(&strix_iscsi.lock);
	itgt->tid = ++strix_iscsi.next_tid;
	list_add_tail(&itgt->list, &strix_iscsi.targets);
	mutex_unlock(&strix_iscsi.lock);
	strix_target_set_priv(tgt, itgt);
	strix_iscsi_nl_target_event(STRIX_ISCSI_EVENT_TARGET_ADDED, name, NULL);
	return 0;
}

/* The core has closed every session (close_session, then waited). */
static void strix_iscsi_del_target(struct strix_target *tgt)
{
	struct strix_iscsi_tgt *itgt = strix_target_priv(tgt);
	struct strix_iscsi_dattr *d, *tmp;

	mutex_lock(&strix_iscsi.lock);
	itgt->dead = true;
	list_del(&itgt->list);
	mutex_unlock(&strix_iscsi.lock);
	list_for_each_entry_safe(d, tmp, &itgt->dattrs, list) {
		list_del(&d->list);
		strix_iscsi_dattr_free(strix_target_kobj(tgt), d);
	}
	strix_iscsi_nl_target_event(STRIX_ISCSI_EVENT_TARGET_REMOVED,
				    itgt->name, NULL);
	strix_iscsi_tgt_put(itgt);
}

static int strix_iscsi_enable_target(struct strix_target *tgt, bool enable)
{
	struct strix_iscsi_tgt *itgt = strix_target_priv(tgt);

	mutex_lock(&strix_iscsi.lock);
	itgt->enabled = enable;
	mutex_unlock(&strix_iscsi.lock);
	strix_iscsi_nl_target_event(STRIX_ISCSI_EVENT_ATTR_CHANGED, itgt->name,
				    "enabled");
	return 0;
}

/*
 * Driver mgmt verbs: add_attribute/del_attribute (driver level) and
 * add_target_attribute/del_target_attribute TARGET.  Called without the
 * core's mgmt mutex.
 */
static int strix_iscsi_mgmt(struct strix_tgt_driver *drv, const char *verb,
			    char *args)
{
	bool add, target;
	struct strix_iscsi_tgt *itgt = NULL;
	struct kobject *kobj;
	struct list_head *head;
	char *name, *attr;
	int ret;

	if (!strcmp(verb, "add_attribute") || !strcmp(verb, "del_attribute"))
		target = false;
	else if (!strcmp(verb, "add_target_attribute") ||
		 !strcmp(verb, "del_target_attribute"))
		target = true;
	else
		return -ENOTTY;
	add = verb[0] == 'a';

	args = skip_spaces(args);
	if (target) {
		name = strsep(&args, " \t");
		if (!name || !*name || !args)
			return -EINVAL;
		itgt = strix_iscsi_tgt_find(name);
		if (!itgt)
			return -ENOENT;
		args = skip_spaces(args);
		kobj = strix_target_kobj(itgt->tgt);
		head = &itgt->dattrs;
	} else {
		kobj = strix_driver_kobj(drv);
		head = &strix_iscsi.dattrs;
		if (!kobj)
			return -ENODEV;
	}
	attr = strsep(&args, " \t");
	if (!attr || !*attr || !args) {
		ret = -EINVAL;
		goto out;
	}
	args = skip_spaces(args);
	if (add)
		ret = strix_iscsi_dattr_add(kobj, head, attr, itgt, args);
	else
		ret = strix_iscsi_dattr_del(kobj, head, attr, target, args);
	if (!ret)
		strix_iscsi_nl_target_event(STRIX_ISCSI_EVENT_ATTR_CHANGED,
					    itgt ? itgt->name : NULL, attr);
out:
	if (itgt)
		strix_iscsi_tgt_put(itgt);
	return ret;
}

/* ---- driver level attributes ---- */

static ssize_t enabled_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	bool on = READ_ONCE(strix_iscsi.enabled);

	return sysfs_emit(buf, "%d\n%s", on, on ? "" : "[key]\n");
}

static ssize_t enabled_store(struct kobject *kobj, struct kobj_attribute *attr,
			     const char *buf, size_t count)
{
	bool on;

	if (kstrtobool(buf, &on))
		return -EINVAL;
	WRITE_ONCE(strix_iscsi.enabled, on);
	strix_iscsi_nl_target_event(STRIX_ISCSI_EVENT_ATTR_CHANGED, NULL,
				    "enabled");
	return count;
}
static struct kobj_attribute strix_iscsi_attr_enabled = __ATTR_RW(enabled);

static struct attribute *strix_iscsi_drv_attrs[] = {
	&strix_iscsi_attr_enabled.attr,
	NULL,
};

static const struct attribute_group strix_iscsi_drv_group = {
	.attrs = strix_iscsi_drv_attrs,
};

static const struct attribute_group *strix_iscsi_drv_groups[] = {
	&strix_iscsi_drv_group,
	NULL,
};

/* ---- sessions in sysfs: the negotiated parameters, the peer ---- */

static struct strix_iscsi_sess *to_isess(struct kobject *kobj)
{
	return strix_session_priv(strix_session_from_kobj(kobj));
}

#define STRIX_ISCSI_SESS_ATTR(n, fmt, ...)				\
static ssize_t sess_##n##_show(struct kobject *kobj,			\
			       struct kobj_attribute *attr, char *buf)	\
{									\
	struct strix_iscsi_sess *s = to_isess(kobj);			\
									\
	return sysfs_emit(buf, fmt "\n", __VA_ARGS__);		\
}									\
static struct kobj_attribute strix_iscsi_sess_attr_##n =		\
	__ATTR(n, 0444, sess_##n##_show, NULL)

#define YN(b) ((b) ? "Yes" : "No")
#define DIG(b) ((b) ? "CRC32C" : "None")

STRIX_ISCSI_SESS_ATTR(sid, "0x%012llx%04x", s->isid, s->tsih);
STRIX_ISCSI_SESS_ATTR(tsih, "%u", s->tsih);
STRIX_ISCSI_SESS_ATTR(initiator_alias, "%s", s->alias);
STRIX_ISCSI_SESS_ATTR(HeaderDigest, "%s", DIG(s->params.header_digest));
STRIX_ISCSI_SESS_ATTR(DataDigest, "%s", DIG(s->params.data_digest));
STRIX_ISCSI_SESS_ATTR(MaxRecvDataSegmentLength, "%u", s->params.max_recv_dsl);
STRIX_ISCSI_SESS_ATTR(MaxXmitDataSegmentLength, "%u", s->params.max_xmit_dsl);
STRIX_ISCSI_SESS_ATTR(MaxBurstLength, "%u", s->params.max_burst);
STRIX_ISCSI_SESS_ATTR(FirstBurstLength, "%u", s->params.first_burst);
STRIX_ISCSI_SESS_ATTR(InitialR2T, "%s", YN(s->params.initial_r2t));
STRIX_ISCSI_SESS_ATTR(ImmediateData, "%s", YN(s->params.immediate_data));
STRIX_ISCSI_SESS_ATTR(MaxOutstandingR2T, "%u", s->params.max_outstanding_r2t);
STRIX_ISCSI_SESS_ATTR(DataPDUInOrder, "%s", YN(s->params.data_pdu_in_order));
STRIX_ISCSI_SESS_ATTR(DataSequenceInOrder, "%s",
		      YN(s->params.data_seq_in_order));
STRIX_ISCSI_SESS_ATTR(ErrorRecoveryLevel, "%u", s->params.erl);
STRIX_ISCSI_SESS_ATTR(QueuedCommands, "%u", s->queued_cmds);

static ssize_t sess_peer_show(struct kobject *kobj, struct kobj_attribute *attr,
			      char *buf)
{
	struct strix_iscsi_sess *s = to_isess(kobj);
	ssize_t n;

	mutex_lock(&strix_iscsi.lock);
	n = sysfs_emit(buf, "%s\n", s->conn ? s->conn->peer : "");
	mutex_unlock(&strix_iscsi.lock);
	return n;
}
static struct kobj_attribute strix_iscsi_sess_attr_peer =
	__ATTR(peer, 0444, sess_peer_show, NULL);

static ssize_t sess_portal_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	struct strix_iscsi_sess *s = to_isess(kobj);
	ssize_t n;

	mutex_lock(&strix_iscsi.lock);
	n = sysfs_emit(buf, "%s\n", s->conn ? s->conn->local : "");
	mutex_unlock(&strix_iscsi.lock);
	return n;
}
static struct kobj_attribute strix_iscsi_sess_attr_portal =
	__ATTR(portal, 0444, sess_portal_show, NULL);

static struct attribute *strix_iscsi_sess_attrs[] = {
	&strix_iscsi_sess_attr_sid.attr,
	&strix_iscsi_sess_attr_tsih.attr,
	&strix_iscsi_sess_attr_initiator_alias.attr,
	&strix_iscsi_sess_attr_peer.attr,
	&strix_iscsi_sess_attr_portal.attr,
	&strix_iscsi_sess_attr_HeaderDigest.attr,
	&strix_iscsi_sess_attr_DataDigest.attr,
	&strix_iscsi_sess_attr_MaxRecvDataSegmentLength.attr,
	&strix_iscsi_sess_attr_MaxXmitDataSegmentLength.attr,
	&strix_iscsi_sess_attr_MaxBurstLength.attr,
	&strix_iscsi_sess_attr_FirstBurstLength.attr,
	&strix_iscsi_sess_attr_InitialR2T.attr,
	&strix_iscsi_sess_attr_ImmediateData.attr,
	&strix_iscsi_sess_attr_MaxOutstandingR2T.attr,
	&strix_iscsi_sess_attr_DataPDUInOrder.attr,
	&strix_iscsi_sess_attr_DataSequenceInOrder.attr,
	&strix_iscsi_sess_attr_ErrorRecoveryLevel.attr,
	&strix_iscsi_sess_attr_QueuedCommands.attr,
	NULL,
};

static const struct attribute_group strix_iscsi_sess_group = {
	.attrs = strix_iscsi_sess_attrs,
};

static const struct attribute_group *strix_iscsi_sess_groups[] = {
	&strix_iscsi_sess_group,
	NULL,
};

/*
 * force_close on an enabled target drops the connection at once.  When
 * the target is going (the core disables it before closing its sessions:
 * del_target, or the module unloading), the initiator is asked to log out
 * first and the connection dropped after STRIX_ISCSI_LOGOUT_WAIT seconds
 * if it has not.
 */
static void strix_iscsi_close_session(struct strix_session *sess)
{
	struct strix_iscsi_sess *isess = strix_session_priv(sess);

	mutex_lock(&strix_iscsi.lock);
	isess->closing = true;
	if (isess->conn && !isess->itgt->enabled)
		strix_iscsi_conn_request_logout(isess->conn,
						STRIX_ISCSI_LOGOUT_WAIT);
	else if (isess->conn)
		strix_iscsi_conn_close(isess->conn, "force_close");
	mutex_unlock(&strix_iscsi.lock);
}

struct strix_tgt_driver strix_iscsi_driver = {
	.name		= STRIX_ISCSI_DRV_NAME,
	.owner		= THIS_MODULE,
	.flags		= STRIX_DRV_VIRTUAL_TARGETS,
	.drv_groups	= strix_iscsi_drv_groups,
	.tgt_groups	= strix_iscsi_tgt_groups,
	.sess_groups	= strix_iscsi_sess_groups,
	.mgmt		= strix_iscsi_mgmt,
	.add_target	= strix_iscsi_add_target,
	.del_target	= strix_iscsi_del_target,
	.enable_target	= strix_iscsi_enable_target,
	.fetch_data	= strix_iscsi_fetch_data,
	.queue_response	= strix_iscsi_queue_response,
	.abort_data	= strix_iscsi_abort_data,
	.tmf_done	= strix_iscsi_tmf_done,
	.close_session	= strix_iscsi_close_session,
};

static int __init strix_iscsi_init(void)
{
	int ret;

	mutex_init(&strix_iscsi.lock);
	INIT_LIST_HEAD(&strix_iscsi.targets);
	INIT_LIST_HEAD(&strix_iscsi.dattrs);
	ida_init(&strix_iscsi.tsih_ida);
	init_waitqueue_head(&strix_iscsi.conns_wq);
	strix_iscsi.enabled = true;

	ret = strix_iscsi_conn_init();
	if (ret)
		return ret;
	ret = strix_register_driver(&strix_iscsi_driver);
	if (ret)
		goto conn_exit;
	ret = strix_iscsi_nl_init();
	if (ret)
		goto unregister;
	return 0;

unregister:
	strix_unregister_driver(&strix_iscsi_driver);
conn_exit:
	strix_iscsi_conn_exit();
	return ret;
}

static void __exit strix_iscsi_exit(void)
{
	struct strix_iscsi_dattr *d, *tmp;

	/* no new connections, then every target (and session) goes */
	strix_iscsi_nl_exit();
	strix_unregister_driver(&strix_iscsi_driver);
	wait_event(strix_iscsi.conns_wq, !atomic_read(&strix_iscsi.nr_conns));
	list_for_each_entry_safe(d, tmp, &strix_iscsi.dattrs, list) {
		list_del(&d->list);
		strix_iscsi_dattr_free(NULL, d);	/* the dir is gone */
	}
	strix_iscsi_conn_exit();
	ida_destroy(&strix_iscsi.tsih_ida);
}

module_init(strix_iscsi_init);
module_exit(strix_iscsi_exit);

MODULE_DESCRIPTION("Strix iSCSI target driver");
MODULE_LICENSE("GPL");
