// SPDX-License-Identifier: GPL-2.0
/*
 * vdisk_nullio: a disk with no backing store, for measuring the target
 * without storage costs.  Writes are discarded; reads return zeros, or with
 * read_zero=0 leave the buffer as it is.
 *
 *	echo "add_device null1 size_mb=1024; blocksize=4096" >mgmt
 *
 * Without size or size_mb the device has STRIX_NULLIO_DEFAULT_SIZE, so
 * SCST-style `add_device NAME dummy=1` lines keep working.  The I/O ops
 * never sleep (STRIX_HANDLER_ATOMIC_IO): the core calls them in the
 * submitter's context.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/string.h>

#include <scsi/scsi_proto.h>

#include "vdisk.h"

#define STRIX_NULLIO_DEFAULT_SIZE	(1ULL << 40)	/* 1 TiB */

static const char *const strix_nullio_params[] = {
	"size", "size_mb", "blocksize", "read_only", "dummy", "rotational",
	"removable", "t10_dev_id", "thin_provisioned", NULL,
};

static int strix_nullio_add_device(struct strix_device *dev,
				   const struct strix_params *params,
				   struct strix_dev_params *p)
{
	struct strix_vdisk_opts o;
	u64 blocks;
	int ret;

	ret = strix_vdisk_get_opts(dev, &strix_nullio_handler, params, &o);
	if (ret)
		return ret;
	if (!o.block_size)
		o.block_size = 512;
	if (!(o.given & (BIT(STRIX_VDISK_SIZE) | BIT(STRIX_VDISK_SIZE_MB))))
		o.size = STRIX_NULLIO_DEFAULT_SIZE;
	blocks = o.size >> ilog2(o.block_size);
	if (!blocks) {
		pr_info("%s: add_device %s: size: smaller than one block of %u bytes\n",
			strix_nullio_handler.name, strix_device_name(dev),
			o.block_size);
		return -EINVAL;
	}
	ret = strix_vdisk_setup(dev, &o, p);
	if (ret)
		return ret;
	p->nr_blocks = blocks;
	p->write_cache = false;		/* nothing is ever cached */
	return 0;
}

static void strix_nullio_del_device(struct strix_device *dev)
{
	strix_vdisk_teardown(dev);
}

/* Zero the first @len bytes of the command's buffer, without sleeping. */
static void strix_nullio_zero(struct strix_cmd *cmd, size_t len)
{
	struct sg_mapping_iter it;

	sg_miter_start(&it, cmd->sg, cmd->sg_cnt,
		       SG_MITER_TO_SG | SG_MITER_ATOMIC);
	while (len && sg_miter_next(&it)) {
		size_t n = min(it.length, len);

		memset(it.addr, 0, n);
		it.consumed = n;
		len -= n;
	}
	sg_miter_stop(&it);
}

static void strix_nullio_read(struct strix_cmd *cmd)
{
	const struct strix_vdisk *vd = strix_device_priv(cmd->dev);

	if (READ_ONCE(vd->read_zero))
		strix_nullio_zero(cmd, (size_t)cmd->nr_blocks << vd->block_shift);
	strix_cmd_io_done(cmd, STRIX_OK);
}

static void strix_nullio_write(struct strix_cmd *cmd)
{
	strix_cmd_io_done(cmd, STRIX_OK);
}

/*
 * Nothing to deallocate or write.  LBPRZ stays 0 (params.unmap_zeroes):
 * read_zero=0 may be set at any time and then reads return anything.
 */
static strix_sense_t strix_nullio_unmap(struct strix_cmd *cmd, u64 lba,
					u64 nr_blocks)
{
	return STRIX_OK;
}

static strix_sense_t strix_nullio_write_same(struct strix_cmd *cmd, u64 lba,
					     u64 nr_blocks, const void *block)
{
	return STRIX_OK;
}

static ssize_t strix_nullio_read_zero_show(struct kobject *kobj,
					   struct kobj_attribute *attr,
					   char *buf)
{
	bool v = READ_ONCE(strix_vdisk_from_kobj(kobj)->read_zero);

	return strix_vdisk_emit_key(buf, sysfs_emit(buf, "%d\n", v), !v);
}

static ssize_t strix_nullio_read_zero_store(struct kobject *kobj,
					    struct kobj_attribute *attr,
					    const char *buf, size_t count)
{
	unsigned int v;

	if (kstrtouint(buf, 0, &v) || v > 1)
		return -EINVAL;
	WRITE_ONCE(strix_vdisk_from_kobj(kobj)->read_zero, v);
	return count;
}

static STRIX_VDISK_ATTR(read_zero, 0644, strix_nullio_read_zero_show,
			strix_nullio_read_zero_store, STRIX_VDISK_NR_KEYS);

/* size and size_mb are writable: the capacity changes, nothing else does. */
static ssize_t strix_nullio_size_store(struct kobject *kobj,
				       struct kobj_attribute *attr,
				       const char *buf, size_t count)
{
	int ret = strix_vdisk_size_store(kobj, attr, buf, false, 0, true);

	return ret ? ret : count;
}

static ssize_t strix_nullio_size_mb_store(struct kobject *kobj,
					  struct kobj_attribute *attr,
					  const char *buf, size_t count)
{
	int ret = strix_vdisk_size_store(kobj, attr, buf, true, 0, true);

	return ret ? ret : count;
}

static struct strix_vdisk_attr strix_nullio_attr_size = {
	.kattr = __ATTR(size, 0644, strix_vdisk_size_show,
			strix_nullio_size_store),
	.key = STRIX_VDISK_SIZE,
};
static struct strix_vdisk_attr strix_nullio_attr_size_mb = {
	.kattr = __ATTR(size_mb, 0644, strix_vdisk_size_mb_show,
			strix_nullio_size_mb_store),
	.key = STRIX_VDISK_SIZE_MB,
};

static struct attribute *strix_nullio_attrs[] = {
	&strix_nullio_attr_size.kattr.attr,
	&strix_nullio_attr_size_mb.kattr.attr,
	&strix_vdisk_attr_blocksize.kattr.attr,
	&strix_vdisk_attr_read_only.kattr.attr,
	&strix_vdisk_attr_dummy.kattr.attr,
	&strix_vdisk_attr_rotational.kattr.attr,
	&strix_vdisk_attr_removable.kattr.attr,
	&strix_vdisk_attr_t10_dev_id.kattr.attr,
	&strix_vdisk_attr_thin_provisioned.kattr.attr,
	&strix_vdisk_attr_read_zero.kattr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(strix_nullio);

struct strix_handler strix_nullio_handler = {
	.name			= "vdisk_nullio",
	.owner			= THIS_MODULE,
	.flags			= STRIX_HANDLER_ATOMIC_IO,
	.scsi_type		= TYPE_DISK,
	.dev_priv_size		= sizeof(struct strix_vdisk),
	.add_device_params	= strix_nullio_params,
	.dev_groups		= strix_nullio_groups,
	.add_device		= strix_nullio_add_device,
	.del_device		= strix_nullio_del_device,
	.read			= strix_nullio_read,
	.write			= strix_nullio_write,
	/* flush: NULL, the core answers SYNCHRONIZE CACHE with GOOD */
	.unmap			= strix_nullio_unmap,
	.write_same		= strix_nullio_write_same,
};

MODULE_ALIAS("strix-handler-vdisk_nullio");
