/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the kernels Strix builds against (Debian's 6.1 and
 * 6.12), in one place.
 */
#ifndef _STRIX_COMPAT_H
#define _STRIX_COMPAT_H

#include <linux/version.h>

/*
 * get_unaligned_be32() and friends moved to <linux/unaligned.h> in 6.12.
 * Tested by version: the sparse of Debian 12 cannot parse __has_include.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif


/*
 * Sending pages without copying them: TCP keeps a reference on each page
 * until the data is acknowledged.  6.5 replaced kernel_sendpage() by
 * sendmsg() with MSG_SPLICE_PAGES.  Returns 0 once all of @len is queued,
 * or a negative errno.
 */
#include <linux/bvec.h>
#include <linux/net.h>
#include <linux/socket.h>
#include <linux/uio.h>

#ifdef MSG_SPLICE_PAGES
static inline int strix_sock_send_pages(struct socket *sock,
					struct bio_vec *bv, unsigned int nr,
					size_t len, int flags)
{
	struct msghdr msg = { .msg_flags = flags | MSG_SPLICE_PAGES };
	int ret;

	iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, bv, nr, len);
	while (iov_iter_count(&msg.msg_iter)) {
		ret = sock_sendmsg(sock, &msg);
		if (ret <= 0)
			return ret ? ret : -EPIPE;
	}
	return 0;
}
#else
static inline int strix_sock_send_pages(struct socket *sock,
					struct bio_vec *bv, unsigned int nr,
					size_t len, int flags)
{
	unsigned int i, off;
	int ret;

	for (i = 0; i < nr; i++) {
		int f = flags | (i + 1 < nr ? MSG_MORE : 0);

		for (off = 0; off < bv[i].bv_len; off += ret) {
			ret = kernel_sendpage(sock, bv[i].bv_page,
					      bv[i].bv_offset + off,
					      bv[i].bv_len - off, f);
			if (ret <= 0)
				return ret ? ret : -EPIPE;
		}
	}
	return 0;
}
#endif

/*
 * CRC32C (the iSCSI digests): crc32c() of <linux/crc32c.h> lives in lib/libcrc32c
 * (CONFIG_LIBCRC32C), which runs through the crypto API and so uses the
 * CPU's CRC32 instruction where there is one (crc32c-intel); Debian's 6.1
 * and 6.12 build it as a module.  The Strix debug kernel (x86_64_defconfig
 * plus scripts/debug-kernel/strix-debug.config) does not have it, and its
 * cached build must not change for this; every kernel exports the table
 * driven __crc32c_le() of lib/crc32.c (CONFIG_CRC32), the same function,
 * only slower.  The test is CONFIG_LIBCRC32C.
 */

#include <linux/kconfig.h>
#include <linux/types.h>

#if IS_ENABLED(CONFIG_LIBCRC32C)
#include <linux/crc32c.h>

static inline u32 strix_iscsi_crc32c_update(u32 crc, const void *p, size_t len)
{
	return crc32c(crc, p, len);
}
#else
#include <linux/crc32.h>

static inline u32 strix_iscsi_crc32c_update(u32 crc, const void *p, size_t len)
{
	return __crc32c_le(crc, p, len);
}
#endif

/*
 * Opening a block device by path (the vdisk handlers).
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

/*
 * Files the core writes itself (the APTPL state, pr_file.c): the mount's
 * id mapping became struct mnt_idmap in 6.3 (a user namespace before).
 */
#include <linux/mount.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
#define strix_mnt_idmap(mnt)		mnt_idmap(mnt)
#define strix_renamedata_idmap(rd, mnt)				\
	do {							\
		(rd)->old_mnt_idmap = mnt_idmap(mnt);		\
		(rd)->new_mnt_idmap = mnt_idmap(mnt);		\
	} while (0)
#else
#define strix_mnt_idmap(mnt)		mnt_user_ns(mnt)
#define strix_renamedata_idmap(rd, mnt)				\
	do {							\
		(rd)->old_mnt_userns = mnt_user_ns(mnt);	\
		(rd)->new_mnt_userns = mnt_user_ns(mnt);	\
	} while (0)
#endif

#endif
