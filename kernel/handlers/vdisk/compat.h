/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one kernel API difference between Debian's 6.1 and 6.12 that the
 * vdisk handlers meet: opening a block device by path.
 *
 * 6.1 opens it with blkdev_get_by_path(path, fmode_t, holder), which
 * returns the struct block_device, and closes it with blkdev_put() and the
 * same mode.  Since 6.9 a block device is opened as a struct file:
 * bdev_file_open_by_path(path, blk_mode_t, holder, ops), file_bdev() to
 * reach the block_device, bdev_fput() to close (it gives up the exclusive
 * claim at once, unlike a plain fput()).
 *
 * The test is BLK_OPEN_READ, a macro of <linux/blkdev.h> that came with
 * blk_mode_t in 6.5: of the kernels we build for only 6.12 has it.  (6.5 to
 * 6.8 have BLK_OPEN_READ but other open functions; they are not targets.)
 *
 * Other differences were checked and need nothing here: ITER_SOURCE and
 * ITER_DEST exist in both; vfs_iter_write() takes the file system's
 * freeze protection itself only since 6.7, which fileio.c sidesteps by
 * calling ->write_iter() with its own file_start_write().
 */
#ifndef _STRIX_VDISK_COMPAT_H
#define _STRIX_VDISK_COMPAT_H

#include <linux/blkdev.h>
#include <linux/err.h>
#include <linux/fs.h>

/* An open block device. */
struct strix_bdev {
	struct block_device	*bdev;
#ifdef BLK_OPEN_READ
	struct file		*file;
#else
	fmode_t			mode;
#endif
};

/*
 * Open @path for reading (and writing unless @read_only), exclusively for
 * @holder.  Return: 0 or -errno.
 */
static inline int strix_bdev_open(struct strix_bdev *b, const char *path,
				  bool read_only, void *holder)
{
#ifdef BLK_OPEN_READ
	blk_mode_t mode = BLK_OPEN_READ | (read_only ? 0 : BLK_OPEN_WRITE);
	struct file *file = bdev_file_open_by_path(path, mode, holder, NULL);

	if (IS_ERR(file))
		return PTR_ERR(file);
	b->file = file;
	b->bdev = file_bdev(file);
#else
	fmode_t mode = FMODE_READ | FMODE_EXCL | (read_only ? 0 : FMODE_WRITE);
	struct block_device *bdev = blkdev_get_by_path(path, mode, holder);

	if (IS_ERR(bdev))
		return PTR_ERR(bdev);
	b->bdev = bdev;
	b->mode = mode;
#endif
	return 0;
}

static inline void strix_bdev_close(struct strix_bdev *b)
{
#ifdef BLK_OPEN_READ
	bdev_fput(b->file);
	b->file = NULL;
#else
	blkdev_put(b->bdev, b->mode);
#endif
	b->bdev = NULL;
}

#endif
