// SPDX-License-Identifier: GPL-2.0
/*
 * The management tree under /sys/kernel/scst_tgt (see
 * Documentation/sysfs-abi.md in shared references): the root, its
 * attributes and its top-level directories.
 *
 * Every store is synchronous: it returns the byte count or the errno of that
 * very write, and a refused write changes nothing.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/kobject.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include <strix/version.h>

#include "core.h"

static void strix_dir_release(struct kobject *kobj)
{
	struct strix_dir *d = container_of(kobj, struct strix_dir, kobj);

	kobject_put(d->owner);
	kfree(d);
}

static const struct kobj_type strix_dir_ktype = {
	.release = strix_dir_release,
	.sysfs_ops = &kobj_sysfs_ops,
};

/**
 * strix_dir_create() - a plain directory belonging to an object
 * @name:   directory name
 * @parent: where it goes
 * @owner:  the object's kobject; referenced until the directory is freed
 * @groups: its attributes (a `mgmt` file...), or NULL
 *
 * Return: the directory's kobject or NULL.
 */
struct kobject *strix_dir_create(const char *name, struct kobject *parent,
				 struct kobject *owner,
				 const struct attribute_group **groups)
{
	struct strix_dir *d = kzalloc(sizeof(*d), GFP_KERNEL);

	if (!d)
		return NULL;
	d->owner = kobject_get(owner);
	if (kobject_init_and_add(&d->kobj, &strix_dir_ktype, parent, "%s", name))
		goto put;
	if (groups && sysfs_create_groups(&d->kobj, groups))
		goto put;
	return &d->kobj;
put:
	kobject_put(&d->kobj);
	return NULL;
}

/* The object a directory made by strix_dir_create() belongs to. */
struct kobject *strix_dir_owner(struct kobject *dir)
{
	return container_of(dir, struct strix_dir, kobj)->owner;
}

/* A kobject strix_kobject_del() is removing (on the deleter's stack). */
struct strix_kobj_going {
	struct list_head list;
	struct kobject *kobj;
};

/*
 * strix_kobject_del() - kobject_del() that mgmt writers can race with
 *
 * kobject_del() clears @kobj->sd before it waits for the writers of its
 * files to leave, and a writer that then enters strix_mgmt_begin() would
 * look its file up through that NULL.  So the kobject is first marked as
 * going, under @kobj_mutex: a writer that sees the mark gives up, one that
 * does not has finished its lookup before kobject_del() starts.
 */
void strix_kobject_del(struct kobject *kobj)
{
	struct strix_kobj_going g = { .kobj = kobj };

	mutex_lock(&strix_core.kobj_mutex);
	list_add(&g.list, &strix_core.kobjs_going);
	mutex_unlock(&strix_core.kobj_mutex);
	kobject_del(kobj);
	mutex_lock(&strix_core.kobj_mutex);
	list_del(&g.list);
	mutex_unlock(&strix_core.kobj_mutex);
}

static bool strix_kobject_going(struct kobject *kobj)
{
	struct strix_kobj_going *g;

	lockdep_assert_held(&strix_core.kobj_mutex);
	list_for_each_entry(g, &strix_core.kobjs_going, list)
		if (g->kobj == kobj)
			return true;
	return false;
}

/* Remove a directory (and its files) from sysfs and drop it. */
void strix_dir_remove(struct kobject *dir)
{
	if (!dir)
		return;
	strix_kobject_del(dir);
	kobject_put(dir);
}

/**
 * strix_mgmt_begin() - enter a management write
 * @kobj: the kobject of the attribute being written
 * @attr: the attribute
 * @kn:   set to the node to hand to strix_mgmt_end()
 *
 * A management write may delete objects whose sysfs files are being
 * written at the same moment, and sysfs waits for writers before removing
 * a file: with the mgmt mutex held that would deadlock.  So the writer
 * first gives up sysfs's active protection (holding a reference on @kobj
 * instead), then takes the mutex.  Objects may have died meanwhile: the
 * caller checks their `dead` flag under the mutex.
 *
 * Return: 0 with the mgmt mutex held, or -errno.
 */
int strix_mgmt_begin(struct kobject *kobj, const struct attribute *attr,
		     struct kernfs_node **kn)
{
	mutex_lock(&strix_core.kobj_mutex);
	if (!kobj->sd || strix_kobject_going(kobj))
		*kn = NULL;		/* being deleted: see strix_kobject_del() */
	else
		*kn = sysfs_break_active_protection(kobj, attr);
	mutex_unlock(&strix_core.kobj_mutex);
	if (!*kn)
		return -ENODEV;
	if (mutex_lock_interruptible(&strix_core.mgmt_mutex)) {
		sysfs_unbreak_active_protection(*kn);
		return -EINTR;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(strix_mgmt_begin);

/* Leave a management write entered with strix_mgmt_begin(). */
void strix_mgmt_end(struct kobject *kobj, struct kernfs_node *kn)
{
	mutex_unlock(&strix_core.mgmt_mutex);
	sysfs_unbreak_active_protection(kn);
}
EXPORT_SYMBOL_GPL(strix_mgmt_end);

/* A writable, NUL-terminated copy of a sysfs write, without its newline. */
char *strix_mgmt_dup(const char *buf, size_t count)
{
	char *s = kmemdup_nul(buf, count, GFP_KERNEL);

	if (s)
		strim(s);
	return s;
}

/*
 * Names of devices, targets and groups: letters, digits and `._-:@`
 * (enough for IQNs and WWNs), not starting with `.`, shorter than
 * STRIX_MAX_NAME.  No `=` or `;`, which would read as parameters, no `/`.
 * (Initiator names and patterns are checked by their own rules.)
 */
bool strix_name_ok(const char *name)
{
	size_t len = strlen(name), i;

	if (len == 0 || len >= STRIX_MAX_NAME || name[0] == '.')
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum(name[i]) && !strchr("._-:@", name[i]))
			return false;
	return true;
}

/* Compiled-in features, printed one a line after the version. */
static const char *const strix_features[] = {
	"SYNC_MGMT",		/* mgmt writes return their own result */
#if IS_ENABLED(CONFIG_KUNIT)
	"KUNIT",		/* KUnit suites can be loaded */
#endif
#if IS_ENABLED(CONFIG_LOCKDEP)
	"LOCKDEP",
#endif
#if IS_ENABLED(CONFIG_KASAN)
	"KASAN",
#endif
};

static ssize_t version_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	int len = sysfs_emit(buf, "%s\n", STRIX_VERSION);
	size_t i;

	for (i = 0; i < ARRAY_SIZE(strix_features); i++)
		len += sysfs_emit_at(buf, len, "%s\n", strix_features[i]);
	return len;
}

static ssize_t setup_id_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	u32 id = READ_ONCE(strix_core.setup_id);

	/* The default (0) need not be saved; anything else is a [key]. */
	return sysfs_emit(buf, "%#x\n%s", id, id ? "[key]\n" : "");
}

static ssize_t setup_id_store(struct kobject *kobj, struct kobj_attribute *attr,
			      const char *buf, size_t count)
{
	u32 id;
	int ret;

	ret = kstrtou32(buf, 0, &id);
	if (ret) {
		pr_info("setup_id: not a 32-bit number: %.*s\n",
			(int)strcspn(buf, "\n"), buf);
		return ret;
	}
	if (mutex_lock_interruptible(&strix_core.mgmt_mutex))
		return -EINTR;
	/* Identifiers already reported must not change under initiators. */
	if (!list_empty(&strix_core.devices) && id != strix_core.setup_id) {
		mutex_unlock(&strix_core.mgmt_mutex);
		pr_info("setup_id: devices exist: delete them first\n");
		return -EBUSY;
	}
	WRITE_ONCE(strix_core.setup_id, id);
	mutex_unlock(&strix_core.mgmt_mutex);
	return count;
}

static struct kobj_attribute strix_attr_version = __ATTR_RO(version);
static struct kobj_attribute strix_attr_setup_id = __ATTR_RW_MODE(setup_id, 0644);

static struct attribute *strix_root_attrs[] = {
	&strix_attr_version.attr,
	&strix_attr_setup_id.attr,
	NULL,
};

static const struct attribute_group strix_root_group = {
	.attrs = strix_root_attrs,
};

int strix_sysfs_init(void)
{
	struct strix_core *c = &strix_core;
	int ret = -ENOMEM;

	c->root = kobject_create_and_add(STRIX_SYSFS_ROOT, kernel_kobj);
	if (!c->root)
		return -ENOMEM;

	ret = sysfs_create_group(c->root, &strix_root_group);
	if (ret)
		goto put_root;

	ret = -ENOMEM;
	c->handlers_kobj = kobject_create_and_add("handlers", c->root);
	if (!c->handlers_kobj)
		goto remove_group;
	c->devices_kobj = kobject_create_and_add("devices", c->root);
	if (!c->devices_kobj)
		goto put_handlers;
	c->targets_kobj = kobject_create_and_add("targets", c->root);
	if (!c->targets_kobj)
		goto put_devices;
	c->device_groups_kobj = kobject_create_and_add("device_groups", c->root);
	if (!c->device_groups_kobj)
		goto put_targets;
	return 0;

put_targets:
	kobject_put(c->targets_kobj);
put_devices:
	kobject_put(c->devices_kobj);
put_handlers:
	kobject_put(c->handlers_kobj);
remove_group:
	sysfs_remove_group(c->root, &strix_root_group);
put_root:
	kobject_put(c->root);
	return ret;
}

void strix_sysfs_exit(void)
{
	struct strix_core *c = &strix_core;

	kobject_put(c->device_groups_kobj);
	kobject_put(c->targets_kobj);
	kobject_put(c->devices_kobj);
	kobject_put(c->handlers_kobj);
	sysfs_remove_group(c->root, &strix_root_group);
	kobject_put(c->root);
}
