// SPDX-License-Identifier: GPL-2.0
/*
 * vdisk_blockio: a disk backed by a block device, with bios straight from
 * the command's scatterlist (no page cache, no copy).
 *
 *	echo "add_device disk2 filename=/dev/vg0/lv1" >mgmt
 *
 * The block device is opened exclusively (a mounted file system or another
 * device cannot use it meanwhile).  The default blocksize is the device's
 * logical block size (512 or 4096); a blocksize below it is refused.
 *
 * A command becomes one bio per BIO_MAX_VECS buffer segments, chained with
 * bio_chain() to the last one: the block layer completes that one after
 * all the others, with the first error any of them had, and its bi_end_io
 * completes the command.  Submitting a bio may sleep (allocation from the
 * bio mempool), so the core calls us inline only where the submitter may
 * sleep (STRIX_HANDLER_INLINE_IO); completion runs in any context.
 *
 * Durability: write_through puts REQ_FUA on every write; an initiator's FUA
 * writes and SYNCHRONIZE CACHE (an empty REQ_PREFLUSH bio) go to the device
 * unless nv_cache is set.  WCE as in fileio (common.c), and 0 when the
 * block device has no volatile write cache (its queue's write_cache says
 * "write through", as null_blk without cache_size), taken at add_device.
 *
 * Thin provisioning (thin_provisioned=1): UNMAP discards when the device
 * takes discards, and then promises nothing about what the blocks read
 * back (LBPRZ 0: the block layer no longer knows whether a discard
 * zeroes); else it writes zeroes (blkdev_issue_zeroout, which lets the
 * device deallocate if it can) and LBPRZ is 1.  GET LBA STATUS reports
 * everything mapped: a block device has no generic way to say.  WRITE SAME
 * of zeroes is blkdev_issue_zeroout keeping the blocks allocated, of
 * anything else bios whose segments all point at one page of the
 * repeated block.  These run synchronously on the device's workqueue.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/module.h>
#include <linux/scatterlist.h>

#include <scsi/scsi_proto.h>

#include "vdisk.h"

static const char *const strix_blockio_params[] = {
	"filename", "blocksize", "read_only", "nv_cache", "write_through",
	"thin_provisioned", "rotational", "removable", "t10_dev_id", NULL,
};

static u64 strix_blockio_bytes(const struct strix_vdisk *vd)
{
	return bdev_nr_bytes(vd->bdev.bdev);
}

static int strix_blockio_add_device(struct strix_device *dev,
				    const struct strix_params *params,
				    struct strix_dev_params *p)
{
	const char *hname = strix_blockio_handler.name;
	const char *name = strix_device_name(dev);
	struct strix_vdisk *vd = strix_device_priv(dev);
	struct strix_vdisk_opts o;
	struct block_device *bdev;
	unsigned int lbs;
	u64 blocks;
	int ret;

	ret = strix_vdisk_get_opts(dev, &strix_blockio_handler, params, &o);
	if (ret)
		return ret;
	if (!o.filename) {
		pr_info("%s: add_device %s: filename: required\n", hname, name);
		return -EINVAL;
	}
	/* The holder is unique to this device: our private area. */
	ret = strix_bdev_open(&vd->bdev, o.filename, o.read_only, vd);
	if (ret) {
		pr_info("%s: add_device %s: %s: cannot open: %d\n", hname, name,
			o.filename, ret);
		return ret;
	}
	bdev = vd->bdev.bdev;

	ret = -EINVAL;
	lbs = bdev_logical_block_size(bdev);
	if (!o.block_size)
		o.block_size = lbs <= 512 ? 512 : 4096;
	if (o.block_size < lbs) {
		pr_info("%s: add_device %s: blocksize: %u is below %s's logical block size %u\n",
			hname, name, o.block_size, o.filename, lbs);
		goto close_bdev;
	}
	if (!(o.given & BIT(STRIX_VDISK_ROTATIONAL)))
		o.rotational = !bdev_nonrot(bdev);
	blocks = bdev_nr_bytes(bdev) >> ilog2(o.block_size);
	if (!blocks) {
		pr_info("%s: add_device %s: %s: smaller than one block of %u bytes\n",
			hname, name, o.filename, o.block_size);
		goto close_bdev;
	}

	ret = strix_vdisk_setup(dev, &o, p);
	if (ret)
		goto close_bdev;
	/* A device without a volatile write cache has nothing to flush. */
	if (!bdev_write_cache(bdev))
		p->write_cache = false;
	p->nr_blocks = blocks;
	if (o.thin_provisioned) {
		vd->discard = bdev_max_discard_sectors(bdev) > 0;
		p->unmap_zeroes = !vd->discard;
		if (vd->discard) {
			p->unmap_granularity =
				max(bdev_discard_granularity(bdev) / o.block_size, 1U);
			p->unmap_alignment =
				bdev_discard_alignment(bdev) / o.block_size;
		}
	}
	return 0;

close_bdev:
	strix_bdev_close(&vd->bdev);
	return ret;
}

static void strix_blockio_del_device(struct strix_device *dev)
{
	struct strix_vdisk *vd = strix_device_priv(dev);

	strix_bdev_close(&vd->bdev);
	strix_vdisk_teardown(dev);
}

/* The last bio of a command: all the others have completed. */
static void strix_blockio_end_io(struct bio *bio)
{
	struct strix_cmd *cmd = bio->bi_private;
	bool write = op_is_write(bio_op(bio));
	blk_status_t status = bio->bi_status;

	bio_put(bio);
	strix_cmd_io_done(cmd, status ?
			  strix_errno_to_sense(blk_status_to_errno(status), write) :
			  STRIX_OK);
}

/*
 * Can the first @len bytes of @sg go to @bdev as bios of up to BIO_MAX_VECS
 * segments each?  Every segment must meet the device's DMA alignment, and
 * every bio but the last must end on a logical block.  Sets @nr_segs.
 */
static bool strix_blockio_sg_ok(struct scatterlist *sg, unsigned int nents,
				size_t len, struct block_device *bdev,
				unsigned int *nr_segs)
{
	unsigned int align = bdev_dma_alignment(bdev);
	unsigned int lbs = bdev_logical_block_size(bdev);
	unsigned int n = 0;
	size_t done = 0;

	for (; sg && nents && done < len; sg = sg_next(sg), nents--) {
		size_t l = min_t(size_t, sg->length, len - done);

		if (!l)
			continue;
		if ((sg->offset | l) & align)
			return false;
		if (n && !(n % BIO_MAX_VECS) && (done & (lbs - 1)))
			return false;
		done += l;
		n++;
	}
	*nr_segs = n;
	return done == len;
}

static void strix_blockio_rw(struct strix_cmd *cmd, bool write)
{
	struct strix_vdisk *vd = strix_device_priv(cmd->dev);
	struct block_device *bdev = vd->bdev.bdev;
	size_t len = (size_t)cmd->nr_blocks << vd->block_shift;
	sector_t sector = cmd->lba << (vd->block_shift - SECTOR_SHIFT);
	size_t done = 0;
	blk_opf_t opf = REQ_OP_READ;
	struct scatterlist *sg = cmd->sg;
	unsigned int nents = cmd->sg_cnt;
	unsigned int nr_segs, i = 0;
	struct bio *bio = NULL;

	if (write) {
		if (bdev_read_only(bdev) || vd->o.read_only) {
			strix_cmd_io_done(cmd, STRIX_WRITE_PROTECTED);
			return;
		}
		opf = REQ_OP_WRITE | REQ_SYNC;
		if (vd->o.write_through || (cmd->fua && !vd->o.nv_cache))
			opf |= REQ_FUA;
	}
	if (!len) {		/* the core answers these itself; be safe */
		strix_cmd_io_done(cmd, STRIX_OK);
		return;
	}
	if (!strix_blockio_sg_ok(sg, nents, len, bdev, &nr_segs)) {
		pr_warn_ratelimited("%s: buffer too short or not aligned for the device\n",
				    strix_device_name(cmd->dev));
		strix_cmd_io_done(cmd, STRIX_HW_ERROR);
		return;
	}

	for (; sg && nents && done < len; sg = sg_next(sg), nents--) {
		unsigned int l = min_t(size_t, sg->length, len - done);
		unsigned int off = sg->offset;
		struct page *page = sg_page(sg);

		if (!l)
			continue;
		if (!(i % BIO_MAX_VECS)) {
			struct bio *next;

			/* Cannot fail: GFP_NOIO waits for the bio mempool. */
			next = bio_alloc(bdev, bio_max_segs(nr_segs - i), opf,
					 GFP_NOIO);
			/* strix_blockio_sg_ok(): @done is whole sectors here */
			next->bi_iter.bi_sector = sector + (done >> SECTOR_SHIFT);
			if (bio) {
				bio_chain(bio, next);
				submit_bio(bio);
			}
			bio = next;
		}
		/* With one segment per entry and room for all, this fits. */
		if (WARN_ON_ONCE(bio_add_page(bio, page, l, off) != l)) {
			bio->bi_private = cmd;
			bio->bi_end_io = strix_blockio_end_io;
			bio->bi_status = BLK_STS_IOERR;
			bio_endio(bio);
			return;
		}
		done += l;
		i++;
	}
	bio->bi_private = cmd;
	bio->bi_end_io = strix_blockio_end_io;
	submit_bio(bio);
}

static void strix_blockio_read(struct strix_cmd *cmd)
{
	strix_blockio_rw(cmd, false);
}

static void strix_blockio_write(struct strix_cmd *cmd)
{
	strix_blockio_rw(cmd, true);
}

static void strix_blockio_flush(struct strix_cmd *cmd)
{
	struct strix_vdisk *vd = strix_device_priv(cmd->dev);
	struct bio *bio;

	if (vd->o.nv_cache) {
		strix_cmd_io_done(cmd, STRIX_OK);
		return;
	}
	bio = bio_alloc(vd->bdev.bdev, 0, REQ_OP_WRITE | REQ_PREFLUSH | REQ_SYNC,
			GFP_NOIO);
	bio->bi_private = cmd;
	bio->bi_end_io = strix_blockio_end_io;
	submit_bio(bio);
}

/* ---- thin provisioning ----------------------------------------------- */

static sector_t strix_blockio_sector(const struct strix_vdisk *vd, u64 lba)
{
	return lba << (vd->block_shift - SECTOR_SHIFT);
}

static bool strix_blockio_writable(const struct strix_vdisk *vd)
{
	return !bdev_read_only(vd->bdev.bdev) && !vd->o.read_only;
}

static strix_sense_t strix_blockio_unmap(struct strix_cmd *cmd, u64 lba,
					 u64 nr_blocks)
{
	struct strix_vdisk *vd = strix_device_priv(cmd->dev);
	sector_t sector = strix_blockio_sector(vd, lba);
	sector_t nr = strix_blockio_sector(vd, nr_blocks);
	int ret;

	if (!strix_blockio_writable(vd))
		return STRIX_WRITE_PROTECTED;
	if (vd->discard)
		ret = blkdev_issue_discard(vd->bdev.bdev, sector, nr, GFP_KERNEL);
	else
		ret = blkdev_issue_zeroout(vd->bdev.bdev, sector, nr, GFP_KERNEL, 0);
	return strix_errno_to_sense(ret, true);
}

static strix_sense_t strix_blockio_write_same(struct strix_cmd *cmd, u64 lba,
					      u64 nr_blocks, const void *block)
{
	struct strix_vdisk *vd = strix_device_priv(cmd->dev);
	struct block_device *bdev = vd->bdev.bdev;
	unsigned int per_page = PAGE_SIZE >> vd->block_shift;
	sector_t sector = strix_blockio_sector(vd, lba);
	blk_opf_t opf = REQ_OP_WRITE | REQ_SYNC;
	struct page *page;
	int ret = 0;

	if (!strix_blockio_writable(vd))
		return STRIX_WRITE_PROTECTED;
	if (!block)
		return strix_errno_to_sense(blkdev_issue_zeroout(bdev, sector,
				strix_blockio_sector(vd, nr_blocks), GFP_KERNEL,
				BLKDEV_ZERO_NOUNMAP), true);
	page = strix_vdisk_pattern_page(block, vd->o.block_size);
	if (!page)
		return STRIX_BUSY;
	if (vd->o.write_through)
		opf |= REQ_FUA;
	while (nr_blocks && !ret) {
		u64 n = min_t(u64, nr_blocks, (u64)per_page * STRIX_VDISK_WS_PAGES);
		size_t left = n << vd->block_shift;
		struct bio *bio;

		bio = bio_alloc(bdev, DIV_ROUND_UP(left, PAGE_SIZE), opf, GFP_NOIO);
		bio->bi_iter.bi_sector = sector;
		while (left) {
			unsigned int l = min_t(size_t, left, PAGE_SIZE);

			if (bio_add_page(bio, page, l, 0) != l)
				break;
			left -= l;
		}
		/* the segments that fit: the rest in the next round */
		n = (bio->bi_iter.bi_size >> vd->block_shift);
		if (!n) {
			bio_put(bio);
			ret = -EIO;
			break;
		}
		ret = submit_bio_wait(bio);
		bio_put(bio);
		sector += strix_blockio_sector(vd, n);
		nr_blocks -= n;
	}
	__free_page(page);
	return strix_errno_to_sense(ret, true);
}

static ssize_t strix_blockio_resync_size_store(struct kobject *kobj,
					       struct kobj_attribute *attr,
					       const char *buf, size_t count)
{
	int ret = strix_vdisk_resync_size(kobj, attr, buf, strix_blockio_bytes);

	return ret ? ret : count;
}

/* sync: write 1 to flush the device's volatile cache, nv_cache or not. */
static ssize_t strix_blockio_sync_store(struct kobject *kobj,
					struct kobj_attribute *attr,
					const char *buf, size_t count)
{
	int ret = strix_vdisk_write_one(buf);

	if (!ret)
		ret = blkdev_issue_flush(strix_vdisk_from_kobj(kobj)->bdev.bdev);
	return ret ? ret : count;
}

static STRIX_VDISK_ATTR(resync_size, 0200, NULL,
			strix_blockio_resync_size_store, STRIX_VDISK_NR_KEYS);
static STRIX_VDISK_ATTR(sync, 0200, NULL, strix_blockio_sync_store,
			STRIX_VDISK_NR_KEYS);

/*
 * size and size_mb are writable (as in SCST): the LUN may be made smaller
 * than the block device, or as large as it again; never larger.  Not an
 * add_device parameter of blockio, so not `[key]`: recreating the device
 * (or resync_size) gives it the block device's size again.
 */
static ssize_t strix_blockio_size_store(struct kobject *kobj,
					struct kobj_attribute *attr,
					const char *buf, size_t count)
{
	int ret = strix_vdisk_size_store(kobj, attr, buf, false,
			strix_blockio_bytes(strix_vdisk_from_kobj(kobj)), false);

	return ret ? ret : count;
}

static ssize_t strix_blockio_size_mb_store(struct kobject *kobj,
					   struct kobj_attribute *attr,
					   const char *buf, size_t count)
{
	int ret = strix_vdisk_size_store(kobj, attr, buf, true,
			strix_blockio_bytes(strix_vdisk_from_kobj(kobj)), false);

	return ret ? ret : count;
}

static struct strix_vdisk_attr strix_blockio_attr_size = {
	.kattr = __ATTR(size, 0644, strix_vdisk_size_show,
			strix_blockio_size_store),
	.key = STRIX_VDISK_SIZE,
};
static struct strix_vdisk_attr strix_blockio_attr_size_mb = {
	.kattr = __ATTR(size_mb, 0644, strix_vdisk_size_mb_show,
			strix_blockio_size_mb_store),
	.key = STRIX_VDISK_SIZE_MB,
};

static struct attribute *strix_blockio_attrs[] = {
	&strix_vdisk_attr_filename.kattr.attr,
	&strix_blockio_attr_size.kattr.attr,
	&strix_blockio_attr_size_mb.kattr.attr,
	&strix_vdisk_attr_resync_size.kattr.attr,
	&strix_vdisk_attr_sync.kattr.attr,
	&strix_vdisk_attr_blocksize.kattr.attr,
	&strix_vdisk_attr_read_only.kattr.attr,
	&strix_vdisk_attr_nv_cache.kattr.attr,
	&strix_vdisk_attr_write_through.kattr.attr,
	&strix_vdisk_attr_thin_provisioned.kattr.attr,
	&strix_vdisk_attr_rotational.kattr.attr,
	&strix_vdisk_attr_removable.kattr.attr,
	&strix_vdisk_attr_t10_dev_id.kattr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(strix_blockio);

struct strix_handler strix_blockio_handler = {
	.name			= "vdisk_blockio",
	.owner			= THIS_MODULE,
	.flags			= STRIX_HANDLER_INLINE_IO,
	.scsi_type		= TYPE_DISK,
	.dev_priv_size		= sizeof(struct strix_vdisk),
	.add_device_params	= strix_blockio_params,
	.dev_groups		= strix_blockio_groups,
	.add_device		= strix_blockio_add_device,
	.del_device		= strix_blockio_del_device,
	.read			= strix_blockio_read,
	.write			= strix_blockio_write,
	.flush			= strix_blockio_flush,
	.unmap			= strix_blockio_unmap,
	.write_same		= strix_blockio_write_same,
	/* lba_status: NULL, everything is reported mapped */
};

MODULE_ALIAS("strix-handler-vdisk_blockio");
