// SPDX-License-Identifier: GPL-2.0
/*
 * Device handlers and devices: handlers/<handler>/ with its mgmt file
 * (add_device, del_device) and devices/<device>/.
 *
 * A device in use by a LUN cannot be deleted: del_device fails with -EBUSY
 * until every LUN using it is removed.  A handler module cannot be unloaded
 * while it has devices (each device holds a reference on the module).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "core.h"
#include "scsi.h"

static const char *strix_type_name(u8 type)
{
	switch (type) {
	case 0x00: return "direct-access device (e.g., magnetic disk)";
	case 0x01: return "sequential-access device (e.g., magnetic tape)";
	case 0x05: return "CD-ROM device";
	case 0x08: return "medium changer device";
	default: return "other device";
	}
}

/* ---- devices/<name>/ ------------------------------------------------- */

struct strix_device *strix_device_from_kobj(struct kobject *kobj)
{
	return container_of(kobj, struct strix_device, kobj);
}
EXPORT_SYMBOL_GPL(strix_device_from_kobj);

void *strix_device_priv(const struct strix_device *dev)
{
	return dev->priv;
}
EXPORT_SYMBOL_GPL(strix_device_priv);

const char *strix_device_name(const struct strix_device *dev)
{
	return dev->name;
}
EXPORT_SYMBOL_GPL(strix_device_name);

bool strix_device_dead(const struct strix_device *dev)
{
	lockdep_assert_held(&strix_core.mgmt_mutex);
	return dev->dead;
}
EXPORT_SYMBOL_GPL(strix_device_dead);

const struct strix_dev_params *strix_device_params(const struct strix_device *dev)
{
	return &dev->params;
}
EXPORT_SYMBOL_GPL(strix_device_params);

/**
 * strix_device_resized() - the backing store has a new size
 * @dev:       the device
 * @nr_blocks: its size in blocks
 *
 * Called under the mgmt mutex (from a handler's attribute store, which
 * takes it).  Raises CAPACITY DATA HAS CHANGED on every nexus using it.
 */
void strix_device_resized(struct strix_device *dev, u64 nr_blocks)
{
	lockdep_assert_held(&strix_core.mgmt_mutex);
	if (READ_ONCE(dev->params.nr_blocks) == nr_blocks)
		return;
	WRITE_ONCE(dev->params.nr_blocks, nr_blocks);
	strix_device_ua(dev, STRIX_UA_CAPACITY_CHANGED);
}
EXPORT_SYMBOL_GPL(strix_device_resized);

static void strix_device_release(struct kobject *kobj)
{
	struct strix_device *dev = strix_device_from_kobj(kobj);

	strix_res_dev_exit(dev);
	kfree(dev);
}

static ssize_t type_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	u8 t = strix_device_from_kobj(kobj)->params.scsi_type;

	return sysfs_emit(buf, "%d - %s\n", t, strix_type_name(t));
}
static struct kobj_attribute strix_dev_attr_type = __ATTR_RO(type);

static struct attribute *strix_dev_attrs[] = {
	&strix_dev_attr_type.attr,
	&strix_dev_attr_pr_state.attr,
	&strix_dev_attr_pr_file_name.attr,
	&strix_dev_attr_tas.attr,
	&strix_dev_attr_qerr.attr,
	&strix_dev_attr_expl_alua.attr,
	NULL,
};
ATTRIBUTE_GROUPS(strix_dev);

static const struct kobj_type strix_device_ktype = {
	.release = strix_device_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = strix_dev_groups,
};

void strix_device_get(struct strix_device *dev)
{
	kobject_get(&dev->kobj);
}

void strix_device_put(struct strix_device *dev)
{
	kobject_put(&dev->kobj);
}

struct strix_device *strix_device_lookup(const char *name)
{
	struct strix_device *dev;

	lockdep_assert_held(&strix_core.mgmt_mutex);
	list_for_each_entry(dev, &strix_core.devices, list)
		if (!strcmp(dev->name, name))
			return dev;
	return NULL;
}

static int strix_device_add(struct strix_handler_reg *hreg, const char *name,
			    char *args)
{
	struct strix_handler *h = hreg->h;
	struct strix_params params;
	struct strix_device *dev;
	const char *bad = NULL;
	int ret;

	lockdep_assert_held(&strix_core.mgmt_mutex);
	if (!strix_name_ok(name)) {
		pr_info("%s: add_device: invalid device name\n", h->name);
		return -EINVAL;
	}
	if (strix_device_lookup(name)) {
		pr_info("%s: add_device %s: device exists\n", h->name, name);
		return -EEXIST;
	}
	ret = strix_params_parse(args, &params);
	if (ret) {
		pr_info("%s: add_device %s: malformed parameters\n", h->name, name);
		return ret;
	}
	if (h->add_device_params &&
	    strix_params_check(&params, h->add_device_params, &bad)) {
		pr_info("%s: add_device %s: unknown parameter %s\n", h->name,
			name, bad);
		return -EINVAL;
	}
	if (!h->add_device_params && params.count) {
		pr_info("%s: add_device %s: takes no parameters\n", h->name, name);
		return -EINVAL;
	}
	if (!try_module_get(h->owner))
		return -ENODEV;

	ret = -ENOMEM;
	dev = kzalloc(sizeof(*dev) + h->dev_priv_size, GFP_KERNEL);
	if (!dev)
		goto put_module;
	dev->hreg = hreg;
	dev->added_ns = ktime_get_boottime_ns();
	strix_res_dev_init(dev);
	strix_tmf_dev_init(dev);
	strix_range_lock_init(&dev->range_lock, strix_cmd_range_granted);
	strscpy(dev->name, name, sizeof(dev->name));
	dev->priv = h->dev_priv_size ? (void *)(dev + 1) : NULL;
	dev->params.scsi_type = h->scsi_type;
	dev->params.block_size = 512;
	strix_dev_ident_derive(strix_core.setup_id, name, dev->serial,
			       dev->naa, dev->eui64);

	ret = strix_pr_file_restore(dev);
	if (ret) {
		pr_info("%s: add_device %s: its reservation state does not load\n",
			h->name, name);
		goto free_dev;
	}

	ret = h->add_device(dev, &params, &dev->params);
	if (ret) {
		pr_info("%s: add_device %s: failed: %d\n", h->name, name, ret);
		goto free_dev;
	}
	strix_mode_dev_init(dev);
	ret = strix_mode_file_restore(dev);
	if (ret) {
		pr_info("%s: add_device %s: its saved mode pages do not load\n",
			h->name, name);
		goto del_device;
	}
	/* nothing is advertised that the handler cannot do (thin.c) */
	if (!h->unmap) {
		dev->params.thin_provisioned = false;
		dev->params.unmap_zeroes = false;
	}

	ret = -ENOMEM;
	dev->wq = alloc_workqueue("strix_%s", WQ_UNBOUND | WQ_MEM_RECLAIM, 0,
				  name);
	if (!dev->wq)
		goto del_device;

	ret = kobject_init_and_add(&dev->kobj, &strix_device_ktype,
				   strix_core.devices_kobj, "%s", name);
	if (ret) {
		destroy_workqueue(dev->wq);
		h->del_device(dev);
		/* the kobject owns the memory now: this frees it, so last */
		kobject_put(&dev->kobj);
		module_put(h->owner);
		return ret;
	}
	if (h->dev_groups)
		ret = sysfs_create_groups(&dev->kobj, h->dev_groups);
	if (!ret)
		ret = sysfs_create_link(&dev->kobj, &hreg->kobj, "handler");
	if (!ret)
		ret = sysfs_create_link(&hreg->kobj, &dev->kobj, dev->name);
	if (!ret) {
		dev->exported_kobj = strix_dir_create("exported", &dev->kobj,
						      &dev->kobj, NULL);
		if (!dev->exported_kobj)
			ret = -ENOMEM;
	}
	if (ret) {
		sysfs_remove_link(&hreg->kobj, dev->name);
		strix_kobject_del(&dev->kobj);
		destroy_workqueue(dev->wq);
		h->del_device(dev);
		kobject_put(&dev->kobj);
		module_put(h->owner);
		return ret;
	}
	list_add_tail(&dev->list, &strix_core.devices);
	pr_info("%s: added device %s (%llu blocks of %u bytes)\n", h->name,
		name, dev->params.nr_blocks, dev->params.block_size);
	return 0;

del_device:
	h->del_device(dev);
free_dev:
	strix_res_dev_exit(dev);
	kfree(dev);
put_module:
	module_put(h->owner);
	return ret;
}

/* Remove a device that no LUN uses any more. */
static void strix_device_destroy(struct strix_device *dev)
{
	struct strix_handler *h = dev->hreg->h;

	lockdep_assert_held(&strix_core.mgmt_mutex);
	dev->dead = true;
	list_del(&dev->list);
	strix_alua_dev_gone(dev);
	sysfs_remove_link(&dev->hreg->kobj, dev->name);
	strix_dir_remove(dev->exported_kobj);
	strix_kobject_del(&dev->kobj);
	destroy_workqueue(dev->wq);
	h->del_device(dev);
	pr_info("%s: deleted device %s\n", h->name, dev->name);
	kobject_put(&dev->kobj);
	module_put(h->owner);
}

static int strix_device_del(struct strix_handler_reg *hreg, const char *name)
{
	struct strix_device *dev = strix_device_lookup(name);

	if (!dev || dev->hreg != hreg) {
		pr_info("%s: del_device %s: no such device\n", hreg->h->name,
			name ? name : "");
		return -ENOENT;
	}
	if (dev->nr_exports) {
		pr_info("%s: del_device %s: in use by %u LUN(s)\n",
			hreg->h->name, name, dev->nr_exports);
		return -EBUSY;
	}
	strix_device_destroy(dev);
	return 0;
}

/* ---- handlers/<name>/ ------------------------------------------------ */

static struct strix_handler_reg *to_hreg(struct kobject *kobj)
{
	return container_of(kobj, struct strix_handler_reg, kobj);
}

static ssize_t handler_type_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	u8 t = to_hreg(kobj)->h->scsi_type;

	return sysfs_emit(buf, "%d - %s\n", t, strix_type_name(t));
}

static ssize_t handler_mgmt_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	const struct strix_handler *h = to_hreg(kobj)->h;
	const char *const *p;
	int len;

	len = sysfs_emit(buf,
			 "Usage: echo \"add_device device_name [parameters]\" >mgmt\n"
			 "       echo \"del_device device_name\" >mgmt\n");
	if (h->add_device_params && h->add_device_params[0]) {
		len += sysfs_emit_at(buf, len,
				     "where parameters are one or more param_name=value pairs separated by ';'\n"
				     "\nThe following parameters available:");
		for (p = h->add_device_params; *p; p++)
			len += sysfs_emit_at(buf, len, "%s %s", p == h->add_device_params ? "" : ",", *p);
		len += sysfs_emit_at(buf, len, "\n");
	}
	return len;
}

static ssize_t handler_mgmt_store(struct kobject *kobj,
				  struct kobj_attribute *attr, const char *buf,
				  size_t count)
{
	struct strix_handler_reg *hreg = to_hreg(kobj);
	struct kernfs_node *kn;
	char *line, *pos, *verb, *name;
	int ret;

	line = strix_mgmt_dup(buf, count);
	if (!line)
		return -ENOMEM;
	pos = line;
	verb = strix_mgmt_word(&pos);
	name = strix_mgmt_word(&pos);

	ret = strix_mgmt_begin(kobj, &attr->attr, &kn);
	if (ret)
		goto free;
	if (hreg->dead) {
		ret = -ENODEV;
	} else if (!verb || !name) {
		pr_info("%s: mgmt: expected a command and a device name\n",
			hreg->h->name);
		ret = -EINVAL;
	} else if (!strcmp(verb, "add_device")) {
		ret = strix_device_add(hreg, name, pos);
	} else if (!strcmp(verb, "del_device")) {
		ret = *skip_spaces(pos) ? -EINVAL : strix_device_del(hreg, name);
	} else {
		pr_info("%s: mgmt: unknown command %s\n", hreg->h->name, verb);
		ret = -EINVAL;
	}
	strix_mgmt_end(kobj, kn);
free:
	kfree(line);
	return ret ? ret : count;
}

static struct kobj_attribute strix_handler_attr_type =
	__ATTR(type, 0444, handler_type_show, NULL);
static struct kobj_attribute strix_handler_attr_mgmt =
	__ATTR(mgmt, 0644, handler_mgmt_show, handler_mgmt_store);

static struct attribute *strix_handler_attrs[] = {
	&strix_handler_attr_type.attr,
	&strix_handler_attr_mgmt.attr,
	NULL,
};
ATTRIBUTE_GROUPS(strix_handler);

static void strix_hreg_release(struct kobject *kobj)
{
	kfree(to_hreg(kobj));
}

static const struct kobj_type strix_hreg_ktype = {
	.release = strix_hreg_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = strix_handler_groups,
};

/**
 * strix_register_handler() - make a device handler available
 * @h: the handler; must stay valid until strix_unregister_handler()
 *
 * Return: 0, -EEXIST for a duplicate name, -EINVAL for an incomplete ops
 * table, -ENOMEM.
 */
int strix_register_handler(struct strix_handler *h)
{
	struct strix_handler_reg *hreg, *o;
	int ret;

	if (!h->name || !h->add_device || !h->del_device ||
	    (!(h->flags & STRIX_HANDLER_PASSTHROUGH) && (!h->read || !h->write)))
		return -EINVAL;
	hreg = kzalloc(sizeof(*hreg), GFP_KERNEL);
	if (!hreg)
		return -ENOMEM;
	hreg->h = h;

	mutex_lock(&strix_core.mgmt_mutex);
	list_for_each_entry(o, &strix_core.handlers, list) {
		if (!strcmp(o->h->name, h->name)) {
			mutex_unlock(&strix_core.mgmt_mutex);
			kfree(hreg);
			return -EEXIST;
		}
	}
	ret = kobject_init_and_add(&hreg->kobj, &strix_hreg_ktype,
				   strix_core.handlers_kobj, "%s", h->name);
	if (ret) {
		mutex_unlock(&strix_core.mgmt_mutex);
		kobject_put(&hreg->kobj);
		return ret;
	}
	list_add_tail(&hreg->list, &strix_core.handlers);
	mutex_unlock(&strix_core.mgmt_mutex);
	pr_info("registered handler %s\n", h->name);
	return 0;
}
EXPORT_SYMBOL_GPL(strix_register_handler);

/**
 * strix_unregister_handler() - remove a handler
 * @h: a registered handler with no devices left (devices pin its module)
 */
void strix_unregister_handler(struct strix_handler *h)
{
	struct strix_handler_reg *hreg;

	mutex_lock(&strix_core.mgmt_mutex);
	list_for_each_entry(hreg, &strix_core.handlers, list)
		if (hreg->h == h)
			break;
	if (WARN_ON(list_entry_is_head(hreg, &strix_core.handlers, list))) {
		mutex_unlock(&strix_core.mgmt_mutex);
		return;
	}
	hreg->dead = true;
	list_del(&hreg->list);
	mutex_unlock(&strix_core.mgmt_mutex);
	strix_kobject_del(&hreg->kobj);
	kobject_put(&hreg->kobj);
	pr_info("unregistered handler %s\n", h->name);
}
EXPORT_SYMBOL_GPL(strix_unregister_handler);
