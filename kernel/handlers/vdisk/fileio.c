// SPDX-License-Identifier: GPL-2.0
/*
 * vdisk_fileio: a disk backed by a file (or a block device through the
 * page cache).
 *
 *	echo "add_device disk1 filename=/srv/disk1.img; blocksize=4096" >mgmt
 *
 * The file is opened once, in add_device; its size, rounded down to whole
 * blocks, is the disk's size until resync_size is written.  I/O is
 * synchronous and runs on the core's per-device workers (no ATOMIC/INLINE
 * flag): a read or write calls the file's ->read_iter()/->write_iter() on
 * an iov_iter over the command's scatterlist.
 *
 * Why ->write_iter() and not vfs_iter_write(): until 6.6 vfs_iter_write()
 * left the file system's freeze protection (file_start_write()) to its
 * caller, since 6.7 it takes it itself; calling ->write_iter() between our
 * own file_start_write()/file_end_write() means the same on 6.1 and 6.12.
 *
 * Durability: write_through opens the file O_DSYNC; a FUA write is written
 * with IOCB_DSYNC (the file system syncs that range before returning);
 * SYNCHRONIZE CACHE syncs the range it names.  nv_cache (the admin says the
 * backing store's cache survives power loss) turns the last two into
 * no-ops.  The core reports WCE = !write_through && !nv_cache.
 *
 * Thin provisioning (thin_provisioned=1, a regular file on a file system
 * that punches holes): UNMAP punches a hole (fallocate PUNCH_HOLE |
 * KEEP_SIZE), after which the blocks read back as zeroes (LBPRZ 1; the
 * file system zeroes the parts of its blocks it cannot free); GET LBA
 * STATUS asks the file for its holes with SEEK_DATA/SEEK_HOLE.  WRITE
 * SAME writes one page of the repeated block, over and over, in chunks of
 * STRIX_VDISK_WS_PAGES pages.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bvec.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/statfs.h>
#include <linux/uio.h>

#include <scsi/scsi_proto.h>

#include "vdisk.h"

/* Commands with up to this many buffer segments need no allocation. */
#define STRIX_FILEIO_INLINE_BVECS	16

static const char *const strix_fileio_params[] = {
	"filename", "blocksize", "read_only", "nv_cache", "write_through",
	"o_direct", "thin_provisioned", "rotational", "removable",
	"t10_dev_id", NULL,
};

/* Size of the backing store in bytes (a block device's too). */
static u64 strix_fileio_bytes(const struct strix_vdisk *vd)
{
	return i_size_read(vd->file->f_mapping->host);
}

static int strix_fileio_add_device(struct strix_device *dev,
				   const struct strix_params *params,
				   struct strix_dev_params *p)
{
	const char *hname = strix_fileio_handler.name;
	const char *name = strix_device_name(dev);
	struct strix_vdisk *vd = strix_device_priv(dev);
	struct strix_vdisk_opts o;
	struct file *file;
	umode_t mode;
	u64 blocks;
	int flags, ret;

	ret = strix_vdisk_get_opts(dev, &strix_fileio_handler, params, &o);
	if (ret)
		return ret;
	if (!o.filename) {
		pr_info("%s: add_device %s: filename: required\n", hname, name);
		return -EINVAL;
	}
	if (!o.block_size)
		o.block_size = 512;
	if (!(o.given & BIT(STRIX_VDISK_ROTATIONAL)))
		o.rotational = true;

	flags = O_LARGEFILE | (o.read_only ? O_RDONLY : O_RDWR);
	if (o.o_direct)
		flags |= O_DIRECT;
	if (o.write_through)
		flags |= O_DSYNC;
	file = filp_open(o.filename, flags, 0);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		pr_info("%s: add_device %s: %s: cannot open: %d\n", hname, name,
			o.filename, ret);
		return ret;
	}

	ret = -EINVAL;
	mode = file_inode(file)->i_mode;
	if (!S_ISREG(mode) && !S_ISBLK(mode)) {
		pr_info("%s: add_device %s: %s: not a regular file or block device\n",
			hname, name, o.filename);
		goto close_file;
	}
	if (!file->f_op->read_iter ||
	    (!o.read_only && !file->f_op->write_iter)) {
		pr_info("%s: add_device %s: %s: file system cannot do iter I/O\n",
			hname, name, o.filename);
		goto close_file;
	}
	if (o.thin_provisioned && (!S_ISREG(mode) || !file->f_op->fallocate)) {
		pr_info("%s: add_device %s: thin_provisioned: %s cannot punch holes (a regular file on a file system with fallocate is needed)\n",
			hname, name, o.filename);
		goto close_file;
	}
	vd->file = file;
	blocks = strix_fileio_bytes(vd) >> ilog2(o.block_size);
	if (!blocks) {
		pr_info("%s: add_device %s: %s: smaller than one block of %u bytes\n",
			hname, name, o.filename, o.block_size);
		goto close_file;
	}

	ret = strix_vdisk_setup(dev, &o, p);
	if (ret)
		goto close_file;
	p->nr_blocks = blocks;
	if (o.thin_provisioned) {
		u32 fs_block = file_inode(file)->i_sb->s_blocksize;

		p->unmap_zeroes = true;		/* a hole reads as zeroes */
		p->unmap_granularity = max(fs_block / o.block_size, 1U);
		p->unmap_alignment = 0;
	}
	return 0;

close_file:
	vd->file = NULL;
	filp_close(file, NULL);
	return ret;
}

static void strix_fileio_del_device(struct strix_device *dev)
{
	struct strix_vdisk *vd = strix_device_priv(dev);

	filp_close(vd->file, NULL);
	vd->file = NULL;
	strix_vdisk_teardown(dev);
}

/* The number of entries of @sg (@nents of them) holding its first @len bytes. */
static unsigned int strix_fileio_count_sg(struct scatterlist *sg,
					  unsigned int nents, size_t len)
{
	unsigned int n = 0;

	for (; sg && nents && len; sg = sg_next(sg), nents--) {
		if (!sg->length)
			continue;
		len -= min_t(size_t, sg->length, len);
		n++;
	}
	return n;
}

/*
 * Describe the first @len bytes of @sg in @bv (@n entries, counted by
 * strix_fileio_count_sg()).  Return: false when @sg is shorter than @len.
 */
static bool strix_fileio_fill_bvec(struct scatterlist *sg, unsigned int nents,
				   size_t len, struct bio_vec *bv,
				   unsigned int n)
{
	unsigned int i = 0;

	for (; sg && nents && len && i < n; sg = sg_next(sg), nents--) {
		size_t l = min_t(size_t, sg->length, len);

		if (!l)
			continue;
		bvec_set_page(&bv[i++], sg_page(sg), l, sg->offset);
		len -= l;
	}
	return !len;
}

/*
 * Transfer all of @iter at @pos.  A short transfer is continued from where
 * it stopped; one that makes no progress (end of file on a read: the file
 * shrank under us) is an error, never a silent success.
 */
static int strix_fileio_transfer(struct file *file, struct iov_iter *iter,
				 loff_t pos, bool write, int ki_flags)
{
	struct kiocb kiocb;
	ssize_t ret;

	init_sync_kiocb(&kiocb, file);
	kiocb.ki_flags |= ki_flags;
	if (write)
		kiocb.ki_flags |= IOCB_WRITE;
	while (iov_iter_count(iter)) {
		kiocb.ki_pos = pos;
		if (write) {
			file_start_write(file);
			ret = file->f_op->write_iter(&kiocb, iter);
			file_end_write(file);
		} else {
			ret = file->f_op->read_iter(&kiocb, iter);
		}
		if (WARN_ON_ONCE(ret == -EIOCBQUEUED))
			return -EIO;
		if (ret < 0)
			return ret;
		if (!ret)
			return -EIO;
		pos += ret;
	}
	return 0;
}

static strix_sense_t strix_fileio_do_rw(struct strix_cmd *cmd, bool write)
{
	struct strix_vdisk *vd = strix_device_priv(cmd->dev);
	struct bio_vec inline_bv[STRIX_FILEIO_INLINE_BVECS], *bv = inline_bv;
	size_t len = (size_t)cmd->nr_blocks << vd->block_shift;
	loff_t pos = (loff_t)cmd->lba << vd->block_shift;
	struct iov_iter iter;
	strix_sense_t result;
	unsigned int n;
	int ki_flags = 0;

	/* The core refuses writes to read-only devices; never rely on it. */
	if (write && !(vd->file->f_mode & FMODE_WRITE))
		return STRIX_WRITE_PROTECTED;
	n = strix_fileio_count_sg(cmd->sg, cmd->sg_cnt, len);
	if (n > ARRAY_SIZE(inline_bv)) {
		bv = kmalloc_array(n, sizeof(*bv), GFP_KERNEL);
		if (!bv)
			return STRIX_BUSY;
	}
	if (!strix_fileio_fill_bvec(cmd->sg, cmd->sg_cnt, len, bv, n)) {
		pr_warn_ratelimited("%s: buffer shorter than the %zu bytes to transfer\n",
				    strix_device_name(cmd->dev), len);
		result = STRIX_HW_ERROR;
		goto free;
	}
	iov_iter_bvec(&iter, write ? ITER_SOURCE : ITER_DEST, bv, n, len);
	if (write && cmd->fua && !vd->o.nv_cache)
		ki_flags |= IOCB_DSYNC;
	result = strix_errno_to_sense(strix_fileio_transfer(vd->file, &iter, pos,
							    write, ki_flags),
				      write);
free:
	if (bv != inline_bv)
		kfree(bv);
	return result;
}

static void strix_fileio_read(struct strix_cmd *cmd)
{
	strix_cmd_io_done(cmd, strix_fileio_do_rw(cmd, false));
}

static void strix_fileio_write(struct strix_cmd *cmd)
{
	strix_cmd_io_done(cmd, strix_fileio_do_rw(cmd, true));
}

/* SYNCHRONIZE CACHE: LBA and number of blocks, 0 meaning to the end. */
static void strix_fileio_flush(struct strix_cmd *cmd)
{
	struct strix_vdisk *vd = strix_device_priv(cmd->dev);
	loff_t start = (loff_t)cmd->lba << vd->block_shift;
	loff_t end = LLONG_MAX;
	int ret = 0;

	if (cmd->nr_blocks)
		end = start + ((loff_t)cmd->nr_blocks << vd->block_shift) - 1;
	if (!vd->o.nv_cache)
		ret = vfs_fsync_range(vd->file, start, end, 1);
	strix_cmd_io_done(cmd, strix_errno_to_sense(ret, true));
}

/*
 * The logical block provisioning log page: the free space of the file
 * system the file is on (shared with everything else there) and the
 * blocks allocated to the file, both in the device's logical blocks.
 */
static int strix_fileio_space(struct strix_device *dev, u64 *avail_blocks,
			      u64 *used_blocks)
{
	struct strix_vdisk *vd = strix_device_priv(dev);
	struct kstatfs st;
	int ret;

	ret = vfs_statfs(&vd->file->f_path, &st);
	if (ret)
		return ret;
	*avail_blocks = (st.f_bavail * st.f_bsize) >> vd->block_shift;
	*used_blocks = inode_get_bytes(file_inode(vd->file)) >> vd->block_shift;
	return 0;
}

/* ---- thin provisioning ----------------------------------------------- */

/* UNMAP: punch a hole; the file keeps its size. */
static strix_sense_t strix_fileio_unmap(struct strix_cmd *cmd, u64 lba,
					u64 nr_blocks)
{
	struct strix_vdisk *vd = strix_device_priv(cmd->dev);
	loff_t pos = (loff_t)lba << vd->block_shift;
	loff_t len = (loff_t)nr_blocks << vd->block_shift;
	int ret;

	if (!(vd->file->f_mode & FMODE_WRITE))
		return STRIX_WRITE_PROTECTED;
	ret = vfs_fallocate(vd->file, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			    pos, len);
	if (!ret && vd->o.write_through)
		ret = vfs_fsync_range(vd->file, pos, pos + len - 1, 1);
	if (ret)
		pr_warn_ratelimited("%s: punching a hole: %d\n",
				    strix_device_name(cmd->dev), ret);
	return strix_errno_to_sense(ret, true);
}

/* WRITE SAME: the pattern page as many times as the range needs. */
static strix_sense_t strix_fileio_write_same(struct strix_cmd *cmd, u64 lba,
					     u64 nr_blocks, const void *block)
{
	struct strix_vdisk *vd = strix_device_priv(cmd->dev);
	unsigned int per_page = PAGE_SIZE >> vd->block_shift;
	loff_t pos = (loff_t)lba << vd->block_shift;
	struct bio_vec *bv;
	struct page *page;
	int ret = 0;

	if (!(vd->file->f_mode & FMODE_WRITE))
		return STRIX_WRITE_PROTECTED;
	page = strix_vdisk_pattern_page(block, vd->o.block_size);
	bv = kmalloc_array(STRIX_VDISK_WS_PAGES, sizeof(*bv), GFP_KERNEL);
	if (!page || !bv) {
		ret = -ENOMEM;
		goto out;
	}
	while (nr_blocks && !ret) {
		u64 n = min_t(u64, nr_blocks, (u64)per_page * STRIX_VDISK_WS_PAGES);
		size_t len = n << vd->block_shift, left = len;
		struct iov_iter iter;
		unsigned int i;

		for (i = 0; left; i++) {
			size_t l = min_t(size_t, left, PAGE_SIZE);

			bvec_set_page(&bv[i], page, l, 0);
			left -= l;
		}
		iov_iter_bvec(&iter, ITER_SOURCE, bv, i, len);
		ret = strix_fileio_transfer(vd->file, &iter, pos, true, 0);
		pos += len;
		nr_blocks -= n;
	}
out:
	kfree(bv);
	if (page)
		__free_page(page);
	return strix_errno_to_sense(ret, true);
}

/*
 * GET LBA STATUS: the file's data and holes from @lba on.  A block with
 * any data in it is mapped; a hole counts only in whole blocks.  A file
 * system without SEEK_DATA/SEEK_HOLE (the generic llseek) reports all
 * data: mapped, which is true enough.
 */
static strix_sense_t strix_fileio_lba_status(struct strix_cmd *cmd, u64 lba,
					     u64 *nr_blocks, bool *mapped)
{
	struct strix_vdisk *vd = strix_device_priv(cmd->dev);
	unsigned int shift = vd->block_shift;
	loff_t pos = (loff_t)lba << shift, data, hole;
	u64 n;

	data = vfs_llseek(vd->file, pos, SEEK_DATA);
	if (data == -ENXIO) {			/* no data from here on */
		*mapped = false;
		return STRIX_OK;
	}
	if (data < 0)
		return strix_errno_to_sense(data, false);
	if ((u64)data >> shift > lba) {		/* a hole of whole blocks */
		*mapped = false;
		n = ((u64)data >> shift) - lba;
	} else {
		hole = vfs_llseek(vd->file, data, SEEK_HOLE);
		if (hole < 0)
			return strix_errno_to_sense(hole, false);
		*mapped = true;
		n = DIV_ROUND_UP_ULL((u64)hole, 1U << shift) - lba;
	}
	*nr_blocks = clamp_t(u64, n, 1, *nr_blocks);
	return STRIX_OK;
}

static ssize_t strix_fileio_resync_size_store(struct kobject *kobj,
					      struct kobj_attribute *attr,
					      const char *buf, size_t count)
{
	int ret = strix_vdisk_resync_size(kobj, attr, buf, strix_fileio_bytes);

	return ret ? ret : count;
}

/* sync: write 1 to write back everything cached, nv_cache or not. */
static ssize_t strix_fileio_sync_store(struct kobject *kobj,
				       struct kobj_attribute *attr,
				       const char *buf, size_t count)
{
	int ret = strix_vdisk_write_one(buf);

	if (!ret)
		ret = vfs_fsync(strix_vdisk_from_kobj(kobj)->file, 0);
	return ret ? ret : count;
}

static STRIX_VDISK_ATTR(resync_size, 0200, NULL,
			strix_fileio_resync_size_store, STRIX_VDISK_NR_KEYS);
static STRIX_VDISK_ATTR(sync, 0200, NULL, strix_fileio_sync_store,
			STRIX_VDISK_NR_KEYS);

static struct attribute *strix_fileio_attrs[] = {
	&strix_vdisk_attr_filename.kattr.attr,
	&strix_vdisk_attr_size.kattr.attr,
	&strix_vdisk_attr_size_mb.kattr.attr,
	&strix_vdisk_attr_resync_size.kattr.attr,
	&strix_vdisk_attr_sync.kattr.attr,
	&strix_vdisk_attr_blocksize.kattr.attr,
	&strix_vdisk_attr_read_only.kattr.attr,
	&strix_vdisk_attr_nv_cache.kattr.attr,
	&strix_vdisk_attr_write_through.kattr.attr,
	&strix_vdisk_attr_o_direct.kattr.attr,
	&strix_vdisk_attr_thin_provisioned.kattr.attr,
	&strix_vdisk_attr_rotational.kattr.attr,
	&strix_vdisk_attr_removable.kattr.attr,
	&strix_vdisk_attr_t10_dev_id.kattr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(strix_fileio);

struct strix_handler strix_fileio_handler = {
	.name			= "vdisk_fileio",
	.owner			= THIS_MODULE,
	.flags			= 0,	/* synchronous I/O: the core's workers */
	.scsi_type		= TYPE_DISK,
	.dev_priv_size		= sizeof(struct strix_vdisk),
	.add_device_params	= strix_fileio_params,
	.dev_groups		= strix_fileio_groups,
	.add_device		= strix_fileio_add_device,
	.del_device		= strix_fileio_del_device,
	.read			= strix_fileio_read,
	.write			= strix_fileio_write,
	.flush			= strix_fileio_flush,
	.space			= strix_fileio_space,
	.unmap			= strix_fileio_unmap,
	.write_same		= strix_fileio_write_same,
	.lba_status		= strix_fileio_lba_status,
};

MODULE_ALIAS("strix-handler-vdisk_fileio");
