// SPDX-License-Identifier: GPL-2.0
/*
 * Target drivers, targets, LUN tables and initiator groups:
 * targets/<driver>/ (mgmt: add_target, del_target + the driver's verbs),
 * targets/<driver>/<target>/ with luns/, ini_groups/ and sessions/.
 *
 * Deleting a target with live sessions asks the driver to close them and
 * waits until they are gone.  Deleting a LUN waits for the commands in
 * flight on it (only on it: other LUNs and devices keep going).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "core.h"
#include "scsi.h"

static const struct kobj_type strix_target_ktype;
static const struct kobj_type strix_group_ktype;

/* ---- LUN tables ------------------------------------------------------ */

static struct strix_lun *to_lun(struct kobject *kobj)
{
	return container_of(kobj, struct strix_lun, kobj);
}

static ssize_t lun_read_only_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", to_lun(kobj)->read_only);
}
static struct kobj_attribute strix_lun_attr_read_only =
	__ATTR(read_only, 0444, lun_read_only_show, NULL);

static struct attribute *strix_lun_attrs[] = {
	&strix_lun_attr_read_only.attr,
	NULL,
};
ATTRIBUTE_GROUPS(strix_lun);

static void strix_lun_release(struct kobject *kobj)
{
	kfree(to_lun(kobj));
}

static const struct kobj_type strix_lun_ktype = {
	.release = strix_lun_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = strix_lun_groups,
};

/* Link a LUN and its device both ways (device/, exported/export<N>). */
static int strix_lun_link(struct strix_lun *lun)
{
	struct strix_device *dev = lun->dev;
	char name[24];
	int ret;

	ret = sysfs_create_link(&lun->kobj, &dev->kobj, "device");
	if (ret)
		return ret;
	lun->export_id = dev->nr_exports;
	/* find a free export<N> */
	for (;;) {
		snprintf(name, sizeof(name), "export%u", lun->export_id);
		ret = sysfs_create_link(dev->exported_kobj, &lun->kobj, name);
		if (ret != -EEXIST)
			break;
		lun->export_id++;
	}
	if (ret) {
		sysfs_remove_link(&lun->kobj, "device");
		return ret;
	}
	dev->nr_exports++;
	strix_device_get(dev);
	return 0;
}

static void strix_lun_unlink(struct strix_lun *lun)
{
	struct strix_device *dev = lun->dev;
	char name[24];

	snprintf(name, sizeof(name), "export%u", lun->export_id);
	sysfs_remove_link(dev->exported_kobj, name);
	sysfs_remove_link(&lun->kobj, "device");
	dev->nr_exports--;
	strix_device_put(dev);
}

static int strix_lun_add(struct strix_group *g, struct strix_device *dev,
			 u64 nr, bool read_only)
{
	struct strix_lun *lun;
	int ret;

	lockdep_assert_held(&strix_core.mgmt_mutex);
	lun = kzalloc(sizeof(*lun), GFP_KERNEL);
	if (!lun)
		return -ENOMEM;
	lun->group = g;
	lun->lun = nr;
	lun->dev = dev;
	lun->read_only = read_only;
	ret = kobject_init_and_add(&lun->kobj, &strix_lun_ktype, g->luns_kobj,
				   "%llu", nr);
	if (ret)
		goto put;
	ret = strix_lun_link(lun);
	if (ret)
		goto del;
	ret = xa_insert(&g->luns, nr, lun, GFP_KERNEL);
	if (ret)
		goto unlink;
	return 0;

unlink:
	strix_lun_unlink(lun);
del:
	strix_kobject_del(&lun->kobj);
put:
	kobject_put(&lun->kobj);
	return ret;
}

static void strix_lun_remove(struct strix_lun *lun)
{
	lockdep_assert_held(&strix_core.mgmt_mutex);
	xa_erase(&lun->group->luns, lun->lun);
	strix_lun_unlink(lun);
	strix_kobject_del(&lun->kobj);
	kobject_put(&lun->kobj);
}

static void strix_group_clear_luns(struct strix_group *g)
{
	struct strix_lun *lun;
	unsigned long idx;

	xa_for_each(&g->luns, idx, lun)
		strix_lun_remove(lun);
}

/* The group a luns/ or ini_groups/<g>/luns/ directory belongs to. */
static struct strix_group *strix_luns_owner_group(struct kobject *dir)
{
	struct kobject *owner = strix_dir_owner(dir);

	if (owner->ktype == &strix_target_ktype)
		return &container_of(owner, struct strix_target, kobj)->default_group;
	return container_of(owner, struct strix_group, kobj);
}

static bool strix_group_dead(const struct strix_group *g)
{
	/* an initiator group dies with its target or by `del` */
	return g->tgt->dead || (!g->is_default && !g->tgt_list_live);
}

static int strix_luns_cmd(struct strix_group *g, char *line)
{
	char *pos = line, *verb, *devname = NULL, *lunstr;
	struct strix_params params;
	struct strix_device *dev = NULL;
	struct strix_lun *lun;
	bool read_only = false, replace, ua = true;
	u64 nr;
	int ret;

	verb = strix_mgmt_word(&pos);
	if (!verb)
		return -EINVAL;
	if (!strcmp(verb, "clear")) {
		if (*skip_spaces(pos))
			return -EINVAL;
		strix_group_clear_luns(g);
		strix_target_sessions_rebuild(g->tgt);
		return 0;
	}
	replace = !strcmp(verb, "replace") || !strcmp(verb, "replace_no_ua");
	if (!strcmp(verb, "replace_no_ua"))
		ua = false;
	if (strcmp(verb, "add") && strcmp(verb, "del") && !replace) {
		pr_info("luns: unknown command %s\n", verb);
		return -EINVAL;
	}
	if (strcmp(verb, "del"))
		devname = strix_mgmt_word(&pos);
	lunstr = strix_mgmt_word(&pos);
	if (!lunstr || kstrtou64(lunstr, 10, &nr) || nr > STRIX_MAX_LUN) {
		pr_info("luns: %s: expected a LUN number 0..%u\n", verb,
			STRIX_MAX_LUN);
		return -EINVAL;
	}
	ret = strix_params_parse(pos, &params);
	if (ret)
		return ret;
	if (params.count) {
		static const char *const allowed[] = { "read_only", NULL };
		const char *bad;

		if (!strcmp(verb, "del") ||
		    strix_params_check(&params, allowed, &bad))
			return -EINVAL;
		ret = strix_param_bool(&params, "read_only", &read_only);
		if (ret)
			return ret;
	}
	if (devname) {
		dev = strix_device_lookup(devname);
		if (!dev) {
			pr_info("luns: %s: no device %s\n", verb, devname);
			return -ENOENT;
		}
	}
	lun = xa_load(&g->luns, nr);

	if (!strcmp(verb, "del")) {
		if (!lun)
			return -ENOENT;
		strix_lun_remove(lun);
		strix_target_sessions_rebuild(g->tgt);
		return 0;
	}
	if (!strcmp(verb, "add")) {
		if (lun) {
			pr_info("luns: add: LUN %llu exists\n", nr);
			return -EEXIST;
		}
		ret = strix_lun_add(g, dev, nr, read_only);
		if (!ret)
			strix_target_sessions_rebuild(g->tgt);
		return ret;
	}
	/* replace: a new device at a LUN that may or may not exist */
	if (lun) {
		if (lun->dev == dev)
			return 0;
		strix_lun_remove(lun);
	}
	ret = strix_lun_add(g, dev, nr, read_only);
	if (ret)
		return ret;
	strix_target_sessions_rebuild(g->tgt);
	if (lun && ua)
		strix_lun_ua(xa_load(&g->luns, nr), STRIX_UA_INQUIRY_CHANGED);
	return 0;
}

static ssize_t luns_mgmt_show(struct kobject *kobj, struct kobj_attribute *attr,
			      char *buf)
{
	return sysfs_emit(buf,
			  "Usage: echo \"add H:C:I:L|VNAME lun [parameters]\" >mgmt\n"
			  "       echo \"del lun\" >mgmt\n"
			  "       echo \"replace H:C:I:L|VNAME lun [parameters]\" >mgmt\n"
			  "       echo \"replace_no_ua H:C:I:L|VNAME lun [parameters]\" >mgmt\n"
			  "       echo \"clear\" >mgmt\n"
			  "\nwhere parameters are one or more param_name=value pairs separated by ';'\n"
			  "\nThe following parameters available: read_only\n");
}

static ssize_t luns_mgmt_store(struct kobject *kobj, struct kobj_attribute *attr,
			       const char *buf, size_t count)
{
	struct strix_group *g = strix_luns_owner_group(kobj);
	struct kernfs_node *kn;
	char *line;
	int ret;

	line = strix_mgmt_dup(buf, count);
	if (!line)
		return -ENOMEM;
	ret = strix_mgmt_begin(kobj, &attr->attr, &kn);
	if (!ret) {
		ret = strix_group_dead(g) ? -ENODEV : strix_luns_cmd(g, line);
		strix_mgmt_end(kobj, kn);
	}
	kfree(line);
	return ret ? ret : count;
}

static struct kobj_attribute strix_luns_attr_mgmt =
	__ATTR(mgmt, 0644, luns_mgmt_show, luns_mgmt_store);
static struct attribute *strix_luns_dir_attrs[] = {
	&strix_luns_attr_mgmt.attr,
	NULL,
};
ATTRIBUTE_GROUPS(strix_luns_dir);

/* ---- initiator groups ------------------------------------------------ */

static struct strix_group *to_group(struct kobject *kobj)
{
	return container_of(kobj, struct strix_group, kobj);
}

static bool strix_initiator_name_ok(const char *name)
{
	size_t len = strlen(name), i;

	if (len == 0 || len > 223 || !strcmp(name, "mgmt") ||
	    !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (i = 0; i < len; i++)
		if (!isgraph(name[i]) || name[i] == '/')
			return false;
	return true;
}

static ssize_t initiator_show(struct kobject *kobj, struct kobj_attribute *attr,
			      char *buf)
{
	return sysfs_emit(buf, "%s\n", attr->attr.name);
}

static struct strix_initiator *strix_initiator_find(struct strix_group *g,
						    const char *name)
{
	struct strix_initiator *ini;

	list_for_each_entry(ini, &g->initiators, list)
		if (!strcmp(ini->name, name))
			return ini;
	return NULL;
}

/* Which group of @tgt (if any) lists @name, exactly or as a pattern. */
static struct strix_group *strix_initiator_owner(struct strix_target *tgt,
						 const char *name)
{
	struct strix_group *g;

	list_for_each_entry(g, &tgt->groups, list)
		if (strix_initiator_find(g, name))
			return g;
	return NULL;
}

static int strix_initiator_add(struct strix_group *g, const char *name)
{
	struct strix_initiator *ini;
	int ret;

	if (!strix_initiator_name_ok(name))
		return -EINVAL;
	if (strix_initiator_owner(g->tgt, name)) {
		pr_info("initiators: %s is already in a group of %s\n", name,
			g->tgt->name);
		return -EEXIST;
	}
	ini = kzalloc(sizeof(*ini), GFP_KERNEL);
	if (!ini)
		return -ENOMEM;
	ini->name = kstrdup(name, GFP_KERNEL);
	if (!ini->name) {
		kfree(ini);
		return -ENOMEM;
	}
	ini->group = g;
	sysfs_attr_init(&ini->attr.attr);
	ini->attr.attr.name = ini->name;
	ini->attr.attr.mode = 0444;
	ini->attr.show = initiator_show;
	ret = sysfs_create_file(g->initiators_kobj, &ini->attr.attr);
	if (ret) {
		kfree(ini->name);
		kfree(ini);
		return ret;
	}
	list_add_tail(&ini->list, &g->initiators);
	return 0;
}

static void strix_initiator_del(struct strix_initiator *ini)
{
	sysfs_remove_file(ini->group->initiators_kobj, &ini->attr.attr);
	list_del(&ini->list);
	kfree(ini->name);
	kfree(ini);
}

static int strix_initiators_cmd(struct strix_group *g, char *line)
{
	char *pos = line, *verb, *name, *other;
	struct strix_initiator *ini, *tmp;
	struct strix_group *og;
	int ret = 0;

	verb = strix_mgmt_word(&pos);
	name = strix_mgmt_word(&pos);
	if (!verb)
		return -EINVAL;
	if (!strcmp(verb, "clear")) {
		if (name)
			return -EINVAL;
		list_for_each_entry_safe(ini, tmp, &g->initiators, list)
			strix_initiator_del(ini);
	} else if (!strcmp(verb, "add")) {
		if (!name || *skip_spaces(pos))
			return -EINVAL;
		ret = strix_initiator_add(g, name);
	} else if (!strcmp(verb, "del")) {
		if (!name || *skip_spaces(pos))
			return -EINVAL;
		ini = strix_initiator_find(g, name);
		if (!ini)
			return -ENOENT;
		strix_initiator_del(ini);
	} else if (!strcmp(verb, "move")) {
		other = strix_mgmt_word(&pos);
		if (!name || !other || *skip_spaces(pos))
			return -EINVAL;
		ini = strix_initiator_find(g, name);
		if (!ini)
			return -ENOENT;
		og = NULL;
		list_for_each_entry(og, &g->tgt->groups, list)
			if (!strcmp(og->name, other))
				break;
		if (list_entry_is_head(og, &g->tgt->groups, list))
			return -ENOENT;
		if (og == g)
			return 0;
		strix_initiator_del(ini);
		ret = strix_initiator_add(og, name);
	} else {
		pr_info("initiators: unknown command %s\n", verb);
		return -EINVAL;
	}
	if (!ret)
		strix_target_sessions_rebuild(g->tgt);
	return ret;
}

static ssize_t initiators_mgmt_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf,
			  "Usage: echo \"add INITIATOR_NAME\" >mgmt\n"
			  "       echo \"del INITIATOR_NAME\" >mgmt\n"
			  "       echo \"move INITIATOR_NAME DEST_GROUP_NAME\" >mgmt\n"
			  "       echo \"clear\" >mgmt\n");
}

static ssize_t initiators_mgmt_store(struct kobject *kobj,
				     struct kobj_attribute *attr,
				     const char *buf, size_t count)
{
	struct strix_group *g = to_group(strix_dir_owner(kobj));
	struct kernfs_node *kn;
	char *line;
	int ret;

	line = strix_mgmt_dup(buf, count);
	if (!line)
		return -ENOMEM;
	ret = strix_mgmt_begin(kobj, &attr->attr, &kn);
	if (!ret) {
		ret = strix_group_dead(g) ? -ENODEV : strix_initiators_cmd(g, line);
		strix_mgmt_end(kobj, kn);
	}
	kfree(line);
	return ret ? ret : count;
}

static struct kobj_attribute strix_initiators_attr_mgmt =
	__ATTR(mgmt, 0644, initiators_mgmt_show, initiators_mgmt_store);
static struct attribute *strix_initiators_dir_attrs[] = {
	&strix_initiators_attr_mgmt.attr,
	NULL,
};
ATTRIBUTE_GROUPS(strix_initiators_dir);

static void strix_group_release(struct kobject *kobj)
{
	struct strix_group *g = to_group(kobj);

	xa_destroy(&g->luns);
	kobject_put(&g->tgt->kobj);
	kfree(g);
}

static const struct kobj_type strix_group_ktype = {
	.release = strix_group_release,
	.sysfs_ops = &kobj_sysfs_ops,
};

static void strix_group_init(struct strix_group *g, struct strix_target *tgt)
{
	g->tgt = tgt;
	xa_init(&g->luns);
	INIT_LIST_HEAD(&g->initiators);
}

static int strix_group_create(struct strix_target *tgt, const char *name)
{
	struct strix_group *g;
	int ret;

	if (!strix_name_ok(name) || !strcmp(name, "mgmt"))
		return -EINVAL;
	list_for_each_entry(g, &tgt->groups, list)
		if (!strcmp(g->name, name))
			return -EEXIST;
	g = kzalloc(sizeof(*g), GFP_KERNEL);
	if (!g)
		return -ENOMEM;
	strix_group_init(g, tgt);
	strscpy(g->name, name, sizeof(g->name));
	kobject_get(&tgt->kobj);
	ret = kobject_init_and_add(&g->kobj, &strix_group_ktype,
				   tgt->ini_groups_kobj, "%s", name);
	if (ret)
		goto put;
	ret = -ENOMEM;
	g->luns_kobj = strix_dir_create("luns", &g->kobj, &g->kobj,
					strix_luns_dir_groups);
	if (!g->luns_kobj)
		goto del;
	g->initiators_kobj = strix_dir_create("initiators", &g->kobj, &g->kobj,
					      strix_initiators_dir_groups);
	if (!g->initiators_kobj)
		goto del_luns;
	g->tgt_list_live = true;
	list_add_tail(&g->list, &tgt->groups);
	return 0;

del_luns:
	strix_dir_remove(g->luns_kobj);
del:
	strix_kobject_del(&g->kobj);
put:
	kobject_put(&g->kobj);
	return ret;
}

static void strix_group_destroy(struct strix_group *g)
{
	struct strix_initiator *ini, *tmp;

	lockdep_assert_held(&strix_core.mgmt_mutex);
	g->tgt_list_live = false;
	list_del(&g->list);
	/* sessions of this group fall back to the default LUN table */
	strix_target_sessions_rebuild(g->tgt);
	strix_group_clear_luns(g);
	list_for_each_entry_safe(ini, tmp, &g->initiators, list)
		strix_initiator_del(ini);
	strix_dir_remove(g->initiators_kobj);
	strix_dir_remove(g->luns_kobj);
	strix_kobject_del(&g->kobj);
	kobject_put(&g->kobj);
}

static int strix_ini_groups_cmd(struct strix_target *tgt, char *line)
{
	char *pos = line, *verb, *name;
	struct strix_group *g;

	verb = strix_mgmt_word(&pos);
	name = strix_mgmt_word(&pos);
	if (!verb || !name || *skip_spaces(pos))
		return -EINVAL;
	if (!strcmp(verb, "create") || !strcmp(verb, "add"))
		return strix_group_create(tgt, name);
	if (strcmp(verb, "del")) {
		pr_info("ini_groups: unknown command %s\n", verb);
		return -EINVAL;
	}
	list_for_each_entry(g, &tgt->groups, list) {
		if (!strcmp(g->name, name)) {
			strix_group_destroy(g);
			return 0;
		}
	}
	return -ENOENT;
}

static ssize_t ini_groups_mgmt_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf,
			  "Usage: echo \"create GROUP_NAME\" >mgmt\n"
			  "       echo \"del GROUP_NAME\" >mgmt\n");
}

static ssize_t ini_groups_mgmt_store(struct kobject *kobj,
				     struct kobj_attribute *attr,
				     const char *buf, size_t count)
{
	struct strix_target *tgt = container_of(strix_dir_owner(kobj),
						struct strix_target, kobj);
	struct kernfs_node *kn;
	char *line;
	int ret;

	line = strix_mgmt_dup(buf, count);
	if (!line)
		return -ENOMEM;
	ret = strix_mgmt_begin(kobj, &attr->attr, &kn);
	if (!ret) {
		ret = tgt->dead ? -ENODEV : strix_ini_groups_cmd(tgt, line);
		strix_mgmt_end(kobj, kn);
	}
	kfree(line);
	return ret ? ret : count;
}

static struct kobj_attribute strix_ini_groups_attr_mgmt =
	__ATTR(mgmt, 0644, ini_groups_mgmt_show, ini_groups_mgmt_store);
static struct attribute *strix_ini_groups_dir_attrs[] = {
	&strix_ini_groups_attr_mgmt.attr,
	NULL,
};
ATTRIBUTE_GROUPS(strix_ini_groups_dir);

/**
 * strix_group_for_initiator() - the LUN table an initiator sees
 * @tgt:       the target
 * @initiator: the initiator's name
 *
 * Exact names win over patterns; without a match, the target's own table.
 */
struct strix_group *strix_group_for_initiator(struct strix_target *tgt,
					      const char *initiator)
{
	struct strix_initiator *ini;
	struct strix_group *g;

	lockdep_assert_held(&strix_core.mgmt_mutex);
	list_for_each_entry(g, &tgt->groups, list)
		list_for_each_entry(ini, &g->initiators, list)
			if (!strcasecmp(ini->name, initiator))
				return g;
	list_for_each_entry(g, &tgt->groups, list) {
		const char *pats[32];
		unsigned int n = 0;

		list_for_each_entry(ini, &g->initiators, list)
			if (n < ARRAY_SIZE(pats))
				pats[n++] = ini->name;
		if (n && strix_names_match(pats, n, initiator))
			return g;
	}
	return &tgt->default_group;
}

/* ---- targets --------------------------------------------------------- */

static struct strix_target *to_target(struct kobject *kobj)
{
	return container_of(kobj, struct strix_target, kobj);
}

const char *strix_target_name(const struct strix_target *tgt)
{
	return tgt->name;
}
EXPORT_SYMBOL_GPL(strix_target_name);

struct kobject *strix_target_kobj(struct strix_target *tgt)
{
	return &tgt->kobj;
}
EXPORT_SYMBOL_GPL(strix_target_kobj);

struct strix_target *strix_target_from_kobj(struct kobject *kobj)
{
	return container_of(kobj, struct strix_target, kobj);
}
EXPORT_SYMBOL_GPL(strix_target_from_kobj);

/**
 * strix_driver_kobj() - targets/<drv>, for a driver's own attributes
 * @drv: a registered driver
 *
 * Call without the mgmt mutex (a driver's mgmt() verb runs without it).
 * The directory lives until strix_unregister_driver().
 */
struct kobject *strix_driver_kobj(struct strix_tgt_driver *drv)
{
	struct strix_driver_reg *dreg;
	struct kobject *kobj = NULL;

	mutex_lock(&strix_core.mgmt_mutex);
	list_for_each_entry(dreg, &strix_core.drivers, list)
		if (dreg->drv == drv)
			kobj = &dreg->kobj;
	mutex_unlock(&strix_core.mgmt_mutex);
	return kobj;
}
EXPORT_SYMBOL_GPL(strix_driver_kobj);

void *strix_target_priv(const struct strix_target *tgt)
{
	return tgt->priv;
}
EXPORT_SYMBOL_GPL(strix_target_priv);

void strix_target_set_priv(struct strix_target *tgt, void *priv)
{
	tgt->priv = priv;
}
EXPORT_SYMBOL_GPL(strix_target_set_priv);

void strix_target_get(struct strix_target *tgt)
{
	kobject_get(&tgt->kobj);
}
EXPORT_SYMBOL_GPL(strix_target_get);

void strix_target_put(struct strix_target *tgt)
{
	kobject_put(&tgt->kobj);
}
EXPORT_SYMBOL_GPL(strix_target_put);

static ssize_t enabled_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%d\n", to_target(kobj)->enabled);
}

static ssize_t enabled_store(struct kobject *kobj, struct kobj_attribute *attr,
			     const char *buf, size_t count)
{
	struct strix_target *tgt = to_target(kobj);
	struct kernfs_node *kn;
	bool on;
	int ret;

	ret = kstrtobool(buf, &on);
	if (ret)
		return ret;
	ret = strix_mgmt_begin(kobj, &attr->attr, &kn);
	if (ret)
		return ret;
	if (tgt->dead)
		ret = -ENODEV;
	else if (!tgt->dreg->drv->enable_target)
		ret = on ? 0 : -EOPNOTSUPP;	/* always enabled */
	else if (on != tgt->enabled)
		ret = tgt->dreg->drv->enable_target(tgt, on);
	if (!ret)
		tgt->enabled = on;
	strix_mgmt_end(kobj, kn);
	return ret ? ret : count;
}

static ssize_t rel_tgt_id_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", to_target(kobj)->rel_tgt_id);
}

static bool strix_rel_tgt_id_used(u16 id, struct strix_target *self)
{
	struct strix_driver_reg *dreg;
	struct strix_target *t;

	list_for_each_entry(dreg, &strix_core.drivers, list)
		list_for_each_entry(t, &dreg->targets, list)
			if (t != self && t->rel_tgt_id == id)
				return true;
	return false;
}

static ssize_t rel_tgt_id_store(struct kobject *kobj,
				struct kobj_attribute *attr, const char *buf,
				size_t count)
{
	struct strix_target *tgt = to_target(kobj);
	struct kernfs_node *kn;
	u16 id;
	int ret;

	ret = kstrtou16(buf, 0, &id);
	if (ret || id == 0)
		return -EINVAL;
	ret = strix_mgmt_begin(kobj, &attr->attr, &kn);
	if (ret)
		return ret;
	if (tgt->dead)
		ret = -ENODEV;
	else if (tgt->enabled)
		ret = -EBUSY;
	else if (strix_rel_tgt_id_used(id, tgt))
		ret = -EEXIST;
	else if (tgt->rel_tgt_id != id) {
		tgt->rel_tgt_id = id;
		strix_alua_targets_changed();
	}
	strix_mgmt_end(kobj, kn);
	return ret ? ret : count;
}

#define STRIX_COUNTER_ATTR(name, field)					\
static ssize_t name##_show(struct kobject *kobj,			\
			   struct kobj_attribute *attr, char *buf)	\
{									\
	return sysfs_emit(buf, "%lld\n",				\
			  atomic64_read(&to_target(kobj)->field));	\
}									\
static struct kobj_attribute strix_tgt_attr_##name = __ATTR_RO(name)

STRIX_COUNTER_ATTR(read_cmd_count, read_cmds);
STRIX_COUNTER_ATTR(write_cmd_count, write_cmds);
STRIX_COUNTER_ATTR(read_io_count_kb, read_kb);
STRIX_COUNTER_ATTR(write_io_count_kb, write_kb);

static struct kobj_attribute strix_tgt_attr_enabled =
	__ATTR(enabled, 0644, enabled_show, enabled_store);
static struct kobj_attribute strix_tgt_attr_rel_tgt_id =
	__ATTR(rel_tgt_id, 0644, rel_tgt_id_show, rel_tgt_id_store);

static struct attribute *strix_tgt_attrs[] = {
	&strix_tgt_attr_enabled.attr,
	&strix_tgt_attr_rel_tgt_id.attr,
	&strix_tgt_attr_read_cmd_count.attr,
	&strix_tgt_attr_write_cmd_count.attr,
	&strix_tgt_attr_read_io_count_kb.attr,
	&strix_tgt_attr_write_io_count_kb.attr,
	NULL,
};
ATTRIBUTE_GROUPS(strix_tgt);

static void strix_target_release(struct kobject *kobj)
{
	struct strix_target *tgt = to_target(kobj);

	xa_destroy(&tgt->default_group.luns);
	kfree(tgt);
}

static const struct kobj_type strix_target_ktype = {
	.release = strix_target_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = strix_tgt_groups,
};

static struct strix_target *strix_target_lookup(struct strix_driver_reg *dreg,
						const char *name)
{
	struct strix_target *tgt;

	list_for_each_entry(tgt, &dreg->targets, list)
		if (!strcmp(tgt->name, name))
			return tgt;
	return NULL;
}

static struct strix_target *strix_target_create(struct strix_driver_reg *dreg,
						const char *name)
{
	struct strix_target *tgt;
	u16 id;
	int ret;

	lockdep_assert_held(&strix_core.mgmt_mutex);
	if (!strix_name_ok(name) || !strcmp(name, "mgmt"))
		return ERR_PTR(-EINVAL);
	if (strix_target_lookup(dreg, name))
		return ERR_PTR(-EEXIST);
	tgt = kzalloc(sizeof(*tgt), GFP_KERNEL);
	if (!tgt)
		return ERR_PTR(-ENOMEM);
	tgt->dreg = dreg;
	strscpy(tgt->name, name, sizeof(tgt->name));
	INIT_LIST_HEAD(&tgt->groups);
	INIT_LIST_HEAD(&tgt->sessions);
	init_waitqueue_head(&tgt->sessions_wq);
	strix_group_init(&tgt->default_group, tgt);
	tgt->default_group.is_default = true;
	for (id = 1; strix_rel_tgt_id_used(id, NULL); id++)
		;
	tgt->rel_tgt_id = id;
	/* without an enable_target op a target is always enabled */
	tgt->enabled = !dreg->drv->enable_target;

	ret = kobject_init_and_add(&tgt->kobj, &strix_target_ktype, &dreg->kobj,
				   "%s", name);
	if (ret)
		goto put;
	if (dreg->drv->tgt_groups) {
		ret = sysfs_create_groups(&tgt->kobj, dreg->drv->tgt_groups);
		if (ret)
			goto del;
	}
	ret = -ENOMEM;
	tgt->default_group.luns_kobj =
		strix_dir_create("luns", &tgt->kobj, &tgt->kobj,
				 strix_luns_dir_groups);
	if (!tgt->default_group.luns_kobj)
		goto del;
	tgt->ini_groups_kobj = strix_dir_create("ini_groups", &tgt->kobj,
						&tgt->kobj,
						strix_ini_groups_dir_groups);
	if (!tgt->ini_groups_kobj)
		goto del_luns;
	tgt->sessions_kobj = strix_dir_create("sessions", &tgt->kobj,
					      &tgt->kobj, NULL);
	if (!tgt->sessions_kobj)
		goto del_groups;
	list_add_tail(&tgt->list, &dreg->targets);
	strix_alua_targets_changed();	/* a device group may name it */
	return tgt;

del_groups:
	strix_dir_remove(tgt->ini_groups_kobj);
del_luns:
	strix_dir_remove(tgt->default_group.luns_kobj);
del:
	strix_kobject_del(&tgt->kobj);
put:
	kobject_put(&tgt->kobj);
	return ERR_PTR(ret);
}

/*
 * Delete a target: close its sessions (waiting for them with the mgmt
 * mutex dropped, as session teardown takes it), then its tables and dirs.
 */
static void __strix_target_destroy(struct strix_target *tgt, bool drv_added)
{
	struct strix_tgt_driver *drv = tgt->dreg->drv;
	struct strix_session *sess;
	struct strix_group *g, *tmp;

	lockdep_assert_held(&strix_core.mgmt_mutex);
	tgt->dead = true;
	list_del(&tgt->list);
	if (tgt->enabled && drv->enable_target)
		drv->enable_target(tgt, false);
	if (!list_empty(&tgt->sessions)) {
		list_for_each_entry(sess, &tgt->sessions, list)
			if (drv->close_session)
				drv->close_session(sess);
		mutex_unlock(&strix_core.mgmt_mutex);
		wait_event(tgt->sessions_wq, list_empty_careful(&tgt->sessions));
		mutex_lock(&strix_core.mgmt_mutex);
	}
	if (drv_added && drv->del_target)
		drv->del_target(tgt);
	list_for_each_entry_safe(g, tmp, &tgt->groups, list)
		strix_group_destroy(g);
	strix_group_clear_luns(&tgt->default_group);
	strix_dir_remove(tgt->sessions_kobj);
	strix_dir_remove(tgt->ini_groups_kobj);
	strix_dir_remove(tgt->default_group.luns_kobj);
	strix_kobject_del(&tgt->kobj);
	strix_alua_targets_changed();	/* a member becomes a remote one */
	kobject_put(&tgt->kobj);
}

static void strix_target_destroy(struct strix_target *tgt)
{
	__strix_target_destroy(tgt, true);
}

/**
 * strix_target_add() - add a hardware target (a port the driver found)
 * @drv:  a registered driver
 * @name: the port's name
 *
 * Return: the target or an ERR_PTR.
 */
struct strix_target *strix_target_add(struct strix_tgt_driver *drv,
				      const char *name)
{
	struct strix_driver_reg *dreg;
	struct strix_target *tgt = ERR_PTR(-ENODEV);

	mutex_lock(&strix_core.mgmt_mutex);
	list_for_each_entry(dreg, &strix_core.drivers, list)
		if (dreg->drv == drv)
			tgt = strix_target_create(dreg, name);
	mutex_unlock(&strix_core.mgmt_mutex);
	return tgt;
}
EXPORT_SYMBOL_GPL(strix_target_add);

void strix_target_del(struct strix_target *tgt)
{
	mutex_lock(&strix_core.mgmt_mutex);
	strix_target_destroy(tgt);
	mutex_unlock(&strix_core.mgmt_mutex);
}
EXPORT_SYMBOL_GPL(strix_target_del);

/* ---- targets/<driver>/ ----------------------------------------------- */

static struct strix_driver_reg *to_dreg(struct kobject *kobj)
{
	return container_of(kobj, struct strix_driver_reg, kobj);
}

static int strix_add_target(struct strix_driver_reg *dreg, const char *name,
			    char *args, struct strix_target **added)
{
	struct strix_tgt_driver *drv = dreg->drv;
	struct strix_params params;
	struct strix_target *tgt;
	const char *bad;
	int ret;

	ret = strix_params_parse(args, &params);
	if (ret)
		return ret;
	if (params.count && (!drv->add_target_params ||
			     strix_params_check(&params, drv->add_target_params, &bad))) {
		pr_info("%s: add_target %s: unknown parameter\n", drv->name, name);
		return -EINVAL;
	}
	tgt = strix_target_create(dreg, name);
	if (IS_ERR(tgt))
		return PTR_ERR(tgt);
	if (drv->add_target) {
		ret = drv->add_target(tgt, &params);
		if (ret) {
			/* the driver has no transport state to undo */
			__strix_target_destroy(tgt, false);
			return ret;
		}
	}
	pr_info("%s: added target %s\n", drv->name, name);
	if (drv->target_added) {
		kobject_get(&tgt->kobj);
		*added = tgt;
	}
	return 0;
}

static int strix_driver_cmd(struct strix_driver_reg *dreg, char *line,
			    bool *unlocked_verb, struct strix_target **added)
{
	char *pos = line, *verb, *name;
	struct strix_target *tgt;

	verb = strix_mgmt_word(&pos);
	if (!verb)
		return -EINVAL;
	if (!(dreg->drv->flags & STRIX_DRV_VIRTUAL_TARGETS) ||
	    (strcmp(verb, "add_target") && strcmp(verb, "del_target"))) {
		*unlocked_verb = true;
		return 0;
	}
	name = strix_mgmt_word(&pos);
	if (!name)
		return -EINVAL;
	if (!strcmp(verb, "add_target"))
		return strix_add_target(dreg, name, pos, added);
	if (*skip_spaces(pos))
		return -EINVAL;
	tgt = strix_target_lookup(dreg, name);
	if (!tgt)
		return -ENOENT;
	strix_target_destroy(tgt);
	pr_info("%s: deleted target %s\n", dreg->drv->name, name);
	return 0;
}

/*
 * The driver's second step of add_target, without the mgmt mutex.  The
 * line is parsed again (the first parse's words live in a freed copy).
 */
static int strix_target_added(struct strix_driver_reg *dreg,
			      struct strix_target *tgt, const char *buf,
			      size_t count)
{
	struct strix_params params;
	char *line, *pos;
	int ret;

	line = strix_mgmt_dup(buf, count);
	ret = line ? 0 : -ENOMEM;
	if (!ret) {
		pos = line;
		strix_mgmt_word(&pos);		/* add_target */
		strix_mgmt_word(&pos);		/* its name */
		ret = strix_params_parse(pos, &params);
	}
	if (!ret)
		ret = dreg->drv->target_added(tgt, &params);
	if (ret) {
		mutex_lock(&strix_core.mgmt_mutex);
		if (!tgt->dead)
			strix_target_destroy(tgt);
		mutex_unlock(&strix_core.mgmt_mutex);
	}
	kfree(line);
	kobject_put(&tgt->kobj);
	return ret;
}

static ssize_t driver_mgmt_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	const struct strix_tgt_driver *drv = to_dreg(kobj)->drv;
	const char *const *p;
	int len = 0;

	if (drv->flags & STRIX_DRV_VIRTUAL_TARGETS) {
		len = sysfs_emit(buf,
				 "Usage: echo \"add_target target_name [parameters]\" >mgmt\n"
				 "       echo \"del_target target_name\" >mgmt\n");
		if (drv->add_target_params && drv->add_target_params[0]) {
			len += sysfs_emit_at(buf, len,
					     "\nThe following target parameters available:");
			for (p = drv->add_target_params; *p; p++)
				len += sysfs_emit_at(buf, len, "%s %s",
						     p == drv->add_target_params ? "" : ",", *p);
			len += sysfs_emit_at(buf, len, "\n");
		}
	}
	return len;
}

static ssize_t driver_mgmt_store(struct kobject *kobj,
				 struct kobj_attribute *attr, const char *buf,
				 size_t count)
{
	struct strix_driver_reg *dreg = to_dreg(kobj);
	struct strix_target *added = NULL;
	bool driver_verb = false;
	struct kernfs_node *kn;
	char *line, *pos, *verb;
	int ret;

	line = strix_mgmt_dup(buf, count);
	if (!line)
		return -ENOMEM;
	ret = strix_mgmt_begin(kobj, &attr->attr, &kn);
	if (ret)
		goto free;
	ret = dreg->dead ? -ENODEV :
		strix_driver_cmd(dreg, line, &driver_verb, &added);
	strix_mgmt_end(kobj, kn);
	if (added) {
		ret = strix_target_added(dreg, added, buf, count);
		goto free;
	}
	if (!ret && driver_verb) {
		/*
		 * A driver's own verb runs without the mgmt mutex: it may
		 * register sessions, which take it.  The driver module stays
		 * loaded meanwhile because this file holds its kobject and
		 * the driver unregisters (removing this file) before unload.
		 */
		kfree(line);
		line = strix_mgmt_dup(buf, count);
		if (!line)
			return -ENOMEM;
		pos = line;
		verb = strix_mgmt_word(&pos);
		ret = dreg->drv->mgmt ? dreg->drv->mgmt(dreg->drv, verb, pos) : -ENOTTY;
		if (ret == -ENOTTY) {
			pr_info("%s: mgmt: unknown command %s\n", dreg->drv->name, verb);
			ret = -EINVAL;
		}
	}
free:
	kfree(line);
	return ret ? ret : count;
}

static struct kobj_attribute strix_driver_attr_mgmt =
	__ATTR(mgmt, 0644, driver_mgmt_show, driver_mgmt_store);
static struct attribute *strix_driver_attrs[] = {
	&strix_driver_attr_mgmt.attr,
	NULL,
};
ATTRIBUTE_GROUPS(strix_driver);

static void strix_dreg_release(struct kobject *kobj)
{
	kfree(to_dreg(kobj));
}

static const struct kobj_type strix_dreg_ktype = {
	.release = strix_dreg_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = strix_driver_groups,
};

/**
 * strix_register_driver() - make a target driver available
 * @drv: the driver; must stay valid until strix_unregister_driver()
 *
 * Return: 0, -EEXIST for a duplicate name, -EINVAL for a missing op.
 */
int strix_register_driver(struct strix_tgt_driver *drv)
{
	struct strix_driver_reg *dreg, *o;
	int ret;

	if (!drv->name || !drv->queue_response)
		return -EINVAL;
	dreg = kzalloc(sizeof(*dreg), GFP_KERNEL);
	if (!dreg)
		return -ENOMEM;
	dreg->drv = drv;
	INIT_LIST_HEAD(&dreg->targets);

	mutex_lock(&strix_core.mgmt_mutex);
	list_for_each_entry(o, &strix_core.drivers, list) {
		if (!strcmp(o->drv->name, drv->name)) {
			mutex_unlock(&strix_core.mgmt_mutex);
			kfree(dreg);
			return -EEXIST;
		}
	}
	ret = kobject_init_and_add(&dreg->kobj, &strix_dreg_ktype,
				   strix_core.targets_kobj, "%s", drv->name);
	if (!ret && drv->drv_groups)
		ret = sysfs_create_groups(&dreg->kobj, drv->drv_groups);
	if (ret) {
		mutex_unlock(&strix_core.mgmt_mutex);
		strix_kobject_del(&dreg->kobj);
		kobject_put(&dreg->kobj);
		return ret;
	}
	list_add_tail(&dreg->list, &strix_core.drivers);
	mutex_unlock(&strix_core.mgmt_mutex);
	pr_info("registered target driver %s\n", drv->name);
	return 0;
}
EXPORT_SYMBOL_GPL(strix_register_driver);

/**
 * strix_unregister_driver() - remove a driver and every target it has
 * @drv: a registered driver
 */
void strix_unregister_driver(struct strix_tgt_driver *drv)
{
	struct strix_driver_reg *dreg;
	struct strix_target *tgt;

	mutex_lock(&strix_core.mgmt_mutex);
	list_for_each_entry(dreg, &strix_core.drivers, list)
		if (dreg->drv == drv)
			break;
	if (WARN_ON(list_entry_is_head(dreg, &strix_core.drivers, list))) {
		mutex_unlock(&strix_core.mgmt_mutex);
		return;
	}
	dreg->dead = true;
	while (!list_empty(&dreg->targets)) {
		tgt = list_first_entry(&dreg->targets, struct strix_target, list);
		strix_target_destroy(tgt);
	}
	list_del(&dreg->list);
	mutex_unlock(&strix_core.mgmt_mutex);
	strix_kobject_del(&dreg->kobj);
	kobject_put(&dreg->kobj);
	pr_info("unregistered target driver %s\n", drv->name);
}
EXPORT_SYMBOL_GPL(strix_unregister_driver);
