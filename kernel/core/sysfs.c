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

#include <linux/kernel.h>
#include <linux/kobject.h>
#include <linux/sysfs.h>

#include <strix/version.h>

#include "core.h"

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
	mutex_lock(&strix_core.mgmt_mutex);
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
	c->handlers = kobject_create_and_add("handlers", c->root);
	if (!c->handlers)
		goto remove_group;
	c->devices = kobject_create_and_add("devices", c->root);
	if (!c->devices)
		goto put_handlers;
	c->targets = kobject_create_and_add("targets", c->root);
	if (!c->targets)
		goto put_devices;
	c->device_groups = kobject_create_and_add("device_groups", c->root);
	if (!c->device_groups)
		goto put_targets;
	return 0;

put_targets:
	kobject_put(c->targets);
put_devices:
	kobject_put(c->devices);
put_handlers:
	kobject_put(c->handlers);
remove_group:
	sysfs_remove_group(c->root, &strix_root_group);
put_root:
	kobject_put(c->root);
	return ret;
}

void strix_sysfs_exit(void)
{
	struct strix_core *c = &strix_core;

	kobject_put(c->device_groups);
	kobject_put(c->targets);
	kobject_put(c->devices);
	kobject_put(c->handlers);
	sysfs_remove_group(c->root, &strix_root_group);
	kobject_put(c->root);
}
