// SPDX-License-Identifier: GPL-2.0
/*
 * What the vdisk handlers share: the common part of setting up and tearing
 * down a device (the parameters themselves are parsed in params.c), the
 * run-time attributes several handlers show, and the module entry, which
 * registers the three handlers.
 *
 * Attributes follow the management ABI: the value, then a line `[key]` when
 * the attribute must be saved to recreate the device, i.e. it was given to
 * add_device (blocksize: or is not 512).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitops.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/log2.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <strix/version.h>

#include "vdisk.h"

/**
 * strix_vdisk_get_opts() - strix_vdisk_parse(), logging a refusal
 * @dev:    the device being added
 * @h:      its handler
 * @params: the add_device parameters
 * @o:      filled in
 *
 * Return: 0 or -EINVAL.
 */
int strix_vdisk_get_opts(struct strix_device *dev, const struct strix_handler *h,
			 const struct strix_params *params,
			 struct strix_vdisk_opts *o)
{
	const char *bad = NULL;
	int ret;

	ret = strix_vdisk_parse(params, o, &bad);
	if (ret)
		pr_info("%s: add_device %s: %s: invalid value: %s\n", h->name,
			strix_device_name(dev), bad,
			bad ? strix_param_get(params, bad) : "");
	return ret;
}

/**
 * strix_vdisk_setup() - the common part of add_device
 * @dev: the device (not visible yet)
 * @o:   its parameters, with the handler's defaults filled in
 * @p:   what the core reports; nr_blocks is left to the handler
 *
 * Copies what outlives the command line.  Undo with strix_vdisk_teardown().
 *
 * Return: 0 or -ENOMEM.
 */
int strix_vdisk_setup(struct strix_device *dev,
		      const struct strix_vdisk_opts *o,
		      struct strix_dev_params *p)
{
	struct strix_vdisk *vd = strix_device_priv(dev);

	vd->o = *o;
	vd->block_shift = ilog2(o->block_size);
	vd->read_zero = true;
	vd->o.t10_dev_id = NULL;
	if (o->t10_dev_id) {
		strscpy(vd->t10_dev_id, o->t10_dev_id, sizeof(vd->t10_dev_id));
		vd->o.t10_dev_id = vd->t10_dev_id;
	}
	vd->filename = NULL;
	if (o->filename) {
		vd->filename = kstrdup(o->filename, GFP_KERNEL);
		if (!vd->filename)
			return -ENOMEM;
	}
	vd->o.filename = vd->filename;

	p->block_size = o->block_size;
	p->read_only = o->read_only;
	/*
	 * WCE tells initiators whether they must send SYNCHRONIZE CACHE (or
	 * FUA) for durability: not when every write is already durable
	 * (write_through) nor when the admin declared the cache non-volatile
	 * (nv_cache, which also makes our flush a no-op).
	 */
	p->write_cache = !o->write_through && !o->nv_cache;
	p->fua = true;
	p->thin_provisioned = o->thin_provisioned;
	p->rotational = o->rotational;
	p->removable = o->removable;
	return 0;
}

void strix_vdisk_teardown(struct strix_device *dev)
{
	struct strix_vdisk *vd = strix_device_priv(dev);

	kfree(vd->filename);
	vd->filename = NULL;
	vd->o.filename = NULL;
}

/**
 * strix_vdisk_pattern_page() - a page of WRITE SAME's block, repeated
 * @block:      one block (NULL: zeroes)
 * @block_size: its size, a divisor of PAGE_SIZE (512 or 4096)
 *
 * WRITE SAME points every segment of its writes at this one page, so a
 * range of any size costs one page.  Free with __free_page().
 *
 * Return: the page, or NULL.
 */
struct page *strix_vdisk_pattern_page(const void *block, u32 block_size)
{
	struct page *page = alloc_page(GFP_KERNEL | (block ? 0 : __GFP_ZERO));
	unsigned int off;

	if (page && block)
		for (off = 0; off < PAGE_SIZE; off += block_size)
			memcpy(page_address(page) + off, block, block_size);
	return page;
}

/* ---- attributes of devices/<name>/ --------------------------------- */

struct strix_vdisk *strix_vdisk_from_kobj(struct kobject *kobj)
{
	return strix_device_priv(strix_device_from_kobj(kobj));
}

static bool strix_vdisk_given(const struct strix_vdisk *vd,
			      enum strix_vdisk_key k)
{
	return vd->o.given & BIT(k);
}

/* Append the `[key]` line to an attribute of @len bytes when @key. */
ssize_t strix_vdisk_emit_key(char *buf, int len, bool key)
{
	return key ? len + sysfs_emit_at(buf, len, "[key]\n") : len;
}

/**
 * strix_vdisk_write_one() - the value written to a trigger attribute
 * @buf: what was written
 *
 * Return: 0 when it is `1` (resync_size, sync), else -EINVAL.
 */
int strix_vdisk_write_one(const char *buf)
{
	unsigned int v;

	if (kstrtouint(buf, 0, &v) || v != 1)
		return -EINVAL;
	return 0;
}

/* A 0/1 add_device parameter, [key] when given. */
ssize_t strix_vdisk_bool_show(struct kobject *kobj,
			      struct kobj_attribute *attr, char *buf)
{
	const struct strix_vdisk *vd = strix_vdisk_from_kobj(kobj);
	enum strix_vdisk_key k = container_of(attr, struct strix_vdisk_attr,
					      kattr)->key;
	const struct strix_vdisk_key_info *ki = &strix_vdisk_keys[k];

	if (WARN_ON_ONCE(k >= STRIX_VDISK_NR_KEYS || !ki->is_bool))
		return -EIO;
	return strix_vdisk_emit_key(buf, sysfs_emit(buf, "%d\n",
				    *(const bool *)((const u8 *)&vd->o + ki->off)),
				    strix_vdisk_given(vd, k));
}

static u64 strix_vdisk_bytes(struct kobject *kobj)
{
	struct strix_device *dev = strix_device_from_kobj(kobj);
	const struct strix_vdisk *vd = strix_device_priv(dev);

	return READ_ONCE(strix_device_params(dev)->nr_blocks) << vd->block_shift;
}

ssize_t strix_vdisk_size_show(struct kobject *kobj,
				     struct kobj_attribute *attr, char *buf)
{
	return strix_vdisk_emit_key(buf, sysfs_emit(buf, "%llu\n",
						     strix_vdisk_bytes(kobj)),
				    strix_vdisk_given(strix_vdisk_from_kobj(kobj),
						      STRIX_VDISK_SIZE));
}

ssize_t strix_vdisk_size_mb_show(struct kobject *kobj,
					struct kobj_attribute *attr, char *buf)
{
	return strix_vdisk_emit_key(buf, sysfs_emit(buf, "%llu\n",
						     strix_vdisk_bytes(kobj) >> 20),
				    strix_vdisk_given(strix_vdisk_from_kobj(kobj),
						      STRIX_VDISK_SIZE_MB));
}

static ssize_t strix_vdisk_blocksize_show(struct kobject *kobj,
					  struct kobj_attribute *attr, char *buf)
{
	const struct strix_vdisk *vd = strix_vdisk_from_kobj(kobj);

	return strix_vdisk_emit_key(buf, sysfs_emit(buf, "%u\n", vd->o.block_size),
				    strix_vdisk_given(vd, STRIX_VDISK_BLOCKSIZE) ||
				    vd->o.block_size != 512);
}

static ssize_t strix_vdisk_filename_show(struct kobject *kobj,
					 struct kobj_attribute *attr, char *buf)
{
	const struct strix_vdisk *vd = strix_vdisk_from_kobj(kobj);

	return strix_vdisk_emit_key(buf, sysfs_emit(buf, "%s\n", vd->filename),
				    true);
}

/* Without t10_dev_id the device reports its name there (core/cmd.c). */
static ssize_t strix_vdisk_t10_dev_id_show(struct kobject *kobj,
					   struct kobj_attribute *attr, char *buf)
{
	struct strix_device *dev = strix_device_from_kobj(kobj);
	const struct strix_vdisk *vd = strix_device_priv(dev);
	bool given = strix_vdisk_given(vd, STRIX_VDISK_T10_DEV_ID);

	return strix_vdisk_emit_key(buf, sysfs_emit(buf, "%s\n",
				    given ? vd->t10_dev_id : strix_device_name(dev)),
				    given);
}

/*
 * write_through: given to add_device, or the write cache turned off since
 * by MODE SELECT (WCE 0 of the caching page: the core then writes every
 * write through).  The two say the same thing, as in SCST.
 */
static ssize_t strix_vdisk_write_through_show(struct kobject *kobj,
					      struct kobj_attribute *attr,
					      char *buf)
{
	struct strix_device *dev = strix_device_from_kobj(kobj);
	const struct strix_vdisk *vd = strix_device_priv(dev);
	bool wt = vd->o.write_through ||
		  (strix_device_params(dev)->write_cache && !strix_device_wce(dev));

	return strix_vdisk_emit_key(buf, sysfs_emit(buf, "%d\n", wt),
				    strix_vdisk_given(vd, STRIX_VDISK_WRITE_THROUGH));
}

/**
 * strix_vdisk_size_store() - store of a writable size or size_mb
 * @kobj:      the device's kobject
 * @attr:      the attribute written
 * @buf:       the new size: bytes (a multiple of the block size) or MiB
 * @mb:        @buf is in MiB (size_mb)
 * @max_bytes: the most the backing store holds (0: no limit, nullio)
 * @key:       the size is an add_device parameter of the handler (nullio):
 *             the attribute written becomes `[key]`, so a saved
 *             configuration recreates the device with it
 *
 * Changes the capacity as resync_size does (CAPACITY DATA HAS CHANGED).
 *
 * Return: 0 or -errno (-EINVAL: not a number, 0, not whole blocks, or more
 * than @max_bytes; nothing changes then).
 */
int strix_vdisk_size_store(struct kobject *kobj, struct kobj_attribute *attr,
			   const char *buf, bool mb, u64 max_bytes, bool key)
{
	struct strix_device *dev = strix_device_from_kobj(kobj);
	struct strix_vdisk *vd = strix_device_priv(dev);
	struct kernfs_node *kn;
	u64 v, bytes;
	int ret;

	if (kstrtou64(buf, 0, &v) || !v)
		return -EINVAL;
	if (mb && check_shl_overflow(v, 20, &bytes))
		return -EINVAL;
	if (!mb)
		bytes = v;
	if (bytes & (vd->o.block_size - 1) || (max_bytes && bytes > max_bytes)) {
		pr_info("%s: size: %llu is not whole blocks of %u bytes or more than the backing store holds (%llu)\n",
			strix_device_name(dev), bytes, vd->o.block_size, max_bytes);
		return -EINVAL;
	}
	ret = strix_mgmt_begin(kobj, &attr->attr, &kn);
	if (ret)
		return ret;
	if (strix_device_dead(dev)) {
		ret = -ENODEV;
		goto end;
	}
	if (key) {
		if (mb) {
			set_bit(STRIX_VDISK_SIZE_MB, &vd->o.given);
			clear_bit(STRIX_VDISK_SIZE, &vd->o.given);
		} else {
			set_bit(STRIX_VDISK_SIZE, &vd->o.given);
			clear_bit(STRIX_VDISK_SIZE_MB, &vd->o.given);
		}
	}
	pr_info("%s: size: %llu blocks of %u bytes\n", strix_device_name(dev),
		bytes >> vd->block_shift, vd->o.block_size);
	strix_device_resized(dev, bytes >> vd->block_shift);
end:
	strix_mgmt_end(kobj, kn);
	return ret;
}

STRIX_VDISK_ATTR(size, 0444, strix_vdisk_size_show, NULL, STRIX_VDISK_SIZE);
STRIX_VDISK_ATTR(size_mb, 0444, strix_vdisk_size_mb_show, NULL,
		 STRIX_VDISK_SIZE_MB);
STRIX_VDISK_ATTR(blocksize, 0444, strix_vdisk_blocksize_show, NULL,
		 STRIX_VDISK_BLOCKSIZE);
STRIX_VDISK_ATTR(filename, 0444, strix_vdisk_filename_show, NULL,
		 STRIX_VDISK_FILENAME);
STRIX_VDISK_ATTR(t10_dev_id, 0444, strix_vdisk_t10_dev_id_show, NULL,
		 STRIX_VDISK_T10_DEV_ID);
STRIX_VDISK_ATTR(read_only, 0444, strix_vdisk_bool_show, NULL,
		 STRIX_VDISK_READ_ONLY);
STRIX_VDISK_ATTR(nv_cache, 0444, strix_vdisk_bool_show, NULL,
		 STRIX_VDISK_NV_CACHE);
STRIX_VDISK_ATTR(write_through, 0444, strix_vdisk_write_through_show, NULL,
		 STRIX_VDISK_WRITE_THROUGH);
STRIX_VDISK_ATTR(o_direct, 0444, strix_vdisk_bool_show, NULL,
		 STRIX_VDISK_O_DIRECT);
STRIX_VDISK_ATTR(thin_provisioned, 0444, strix_vdisk_bool_show, NULL,
		 STRIX_VDISK_THIN_PROVISIONED);
STRIX_VDISK_ATTR(rotational, 0444, strix_vdisk_bool_show, NULL,
		 STRIX_VDISK_ROTATIONAL);
STRIX_VDISK_ATTR(removable, 0444, strix_vdisk_bool_show, NULL,
		 STRIX_VDISK_REMOVABLE);
STRIX_VDISK_ATTR(dummy, 0444, strix_vdisk_bool_show, NULL, STRIX_VDISK_DUMMY);

/**
 * strix_vdisk_resync_size() - store of resync_size: re-read the size
 * @kobj:  the device's kobject
 * @attr:  the attribute written
 * @buf:   what was written (must be `1`)
 * @bytes: the backing store's size now
 *
 * Takes the core's mgmt mutex (strix_device_resized() needs it), which
 * also keeps the device from being deleted meanwhile.
 *
 * Return: 0 or -errno (-EINVAL: not `1`, or the store shrank below one
 * block; -ENODEV: the device is being deleted).
 */
int strix_vdisk_resync_size(struct kobject *kobj, struct kobj_attribute *attr,
			    const char *buf,
			    u64 (*bytes)(const struct strix_vdisk *vd))
{
	struct strix_device *dev = strix_device_from_kobj(kobj);
	struct strix_vdisk *vd = strix_device_priv(dev);
	struct kernfs_node *kn;
	u64 blocks;
	int ret;

	ret = strix_vdisk_write_one(buf);
	if (ret)
		return ret;
	ret = strix_mgmt_begin(kobj, &attr->attr, &kn);
	if (ret)
		return ret;
	if (strix_device_dead(dev)) {
		ret = -ENODEV;
		goto end;
	}
	blocks = bytes(vd) >> vd->block_shift;
	if (!blocks) {
		pr_info("%s: resync_size: %s: smaller than one block\n",
			strix_device_name(dev), vd->filename);
		ret = -EINVAL;
		goto end;
	}
	if (blocks != READ_ONCE(strix_device_params(dev)->nr_blocks))
		pr_info("%s: resync_size: %llu blocks of %u bytes\n",
			strix_device_name(dev), blocks, vd->o.block_size);
	strix_device_resized(dev, blocks);
end:
	strix_mgmt_end(kobj, kn);
	return ret;
}

/* ---- module ---------------------------------------------------------- */

static struct strix_handler *const strix_vdisk_handlers[] = {
	&strix_nullio_handler,
	&strix_fileio_handler,
	&strix_blockio_handler,
};

static int __init strix_vdisk_init(void)
{
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(strix_vdisk_handlers); i++) {
		ret = strix_register_handler(strix_vdisk_handlers[i]);
		if (ret) {
			pr_err("%s: cannot register: %d\n",
			       strix_vdisk_handlers[i]->name, ret);
			goto unregister;
		}
	}
	return 0;

unregister:
	while (i--)
		strix_unregister_handler(strix_vdisk_handlers[i]);
	return ret;
}

static void __exit strix_vdisk_exit(void)
{
	unsigned int i = ARRAY_SIZE(strix_vdisk_handlers);

	while (i--)
		strix_unregister_handler(strix_vdisk_handlers[i]);
}

module_init(strix_vdisk_init);
module_exit(strix_vdisk_exit);

MODULE_DESCRIPTION("Strix virtual disk handlers (vdisk_nullio, vdisk_fileio, vdisk_blockio)");
MODULE_AUTHOR("The Strix developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(STRIX_VERSION);
