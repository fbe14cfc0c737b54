/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device handler contract.  A handler does I/O on a backing store
 * (a file, a block device, nothing) or forwards CDBs to a real SCSI device;
 * the core decodes every CDB, checks ranges, builds sense and answers
 * everything that is not I/O.  It registers one struct strix_handler.
 */
#ifndef _STRIX_HANDLER_H
#define _STRIX_HANDLER_H

#include <linux/module.h>
#include <linux/sysfs.h>

#include <strix/cmd.h>
#include <strix/params.h>

struct strix_device;

/* handler->flags */
enum {
	/*
	 * The I/O ops never sleep (nullio, bio submission with GFP_ATOMIC
	 * fallbacks): the core calls them in the submitter's context even
	 * when that context is atomic.
	 */
	STRIX_HANDLER_ATOMIC_IO		= 1 << 0,
	/* The I/O ops may sleep but need no worker of their own when the
	 * submitter may sleep (bio submission). */
	STRIX_HANDLER_INLINE_IO		= 1 << 1,
	/* add_device takes H:C:I:L of a real SCSI device (dev_disk...). */
	STRIX_HANDLER_PASSTHROUGH	= 1 << 2,
};

/*
 * What a device is, as the core reports it to initiators.  The handler
 * fills it in add_device() and may change size with strix_device_resized().
 *
 * Locking: written by the handler in add_device() before the device is
 * visible, afterwards only under the core's mgmt mutex; the I/O path reads
 * @nr_blocks with READ_ONCE().
 */
struct strix_dev_params {
	u8	scsi_type;		/* TYPE_DISK, TYPE_ROM... */
	u32	block_size;		/* 512 or 4096 */
	u64	nr_blocks;
	bool	read_only;
	bool	write_cache;		/* WCE: volatile cache, needs flush */
	bool	fua;			/* honours FUA itself */
	bool	rotational;
	bool	removable;
	u32	opt_xfer_blocks;	/* 0: not reported */

	/*
	 * Thin provisioning (logical block provisioning, SBC-3 4.7).
	 * @thin_provisioned: the handler deallocates blocks (its unmap op) and
	 *	the admin asked for it: LBPME, LBPU, LBPWS, LBPWS10, UNMAP and
	 *	WRITE SAME with UNMAP.  The core clears it for a handler without
	 *	an unmap op.
	 * @unmap_zeroes: a deallocated block reads back as zeroes (LBPRZ).
	 *	Set it only when the backing store guarantees it.
	 * @unmap_granularity: the handler deallocates whole runs of this many
	 *	blocks (a file system block); 0: not reported.
	 * @unmap_alignment: where those runs start (LBA modulo granularity).
	 */
	bool	thin_provisioned;
	bool	unmap_zeroes;
	u32	unmap_granularity;
	u32	unmap_alignment;
};

/*
 * struct strix_handler - what a device handler gives the core.
 *
 * Locking: registered once, then read only.
 */
struct strix_handler {
	const char		*name;		/* sysfs: handlers/<name> */
	struct module		*owner;
	unsigned int		flags;
	u8			scsi_type;	/* for handlers/<name>/type */
	size_t			dev_priv_size;	/* allocated with each device */

	/* Parameters `add_device NAME p=v;...` accepts (NULL-terminated). */
	const char *const	*add_device_params;
	/* Run-time attributes of each device (size, resync_size, ...). */
	const struct attribute_group **dev_groups;

	/* Open the backing store, fill @p.  Called under the mgmt mutex. */
	int (*add_device)(struct strix_device *dev,
			  const struct strix_params *params,
			  struct strix_dev_params *p);
	/* Close it.  No command is in flight on the device any more. */
	void (*del_device)(struct strix_device *dev);

	/*
	 * I/O.  Each transfers cmd->nr_blocks blocks at cmd->lba to or from
	 * cmd->sg (cmd->fua: write through) and ends, in any context, with
	 * strix_cmd_io_done().  A NULL @flush means the core answers
	 * SYNCHRONIZE CACHE with GOOD.
	 */
	void (*read)(struct strix_cmd *cmd);
	void (*write)(struct strix_cmd *cmd);
	void (*flush)(struct strix_cmd *cmd);
	/* Pass-through handlers: send cmd->cdb to the device. */
	void (*execute_cdb)(struct strix_cmd *cmd);

	/*
	 * Optional, for the logical block provisioning log page: the space
	 * of the backing store in logical blocks, @avail_blocks it can still
	 * grow into and @used_blocks allocated to it.  May sleep.  0, or
	 * -errno (the page then reports nothing).
	 */
	int (*space)(struct strix_device *dev, u64 *avail_blocks,
		     u64 *used_blocks);

	/*
	 * Thin provisioning and WRITE SAME.  Unlike read/write these are
	 * synchronous: each does its part of a command and returns STRIX_OK
	 * or why it failed; the core calls them (several times for an UNMAP
	 * with several descriptors) and completes the command.  They may
	 * sleep: the core calls them on the device's workqueue, in the
	 * submitter's context only for a STRIX_HANDLER_ATOMIC_IO handler (whose
	 * ops then must not sleep).  Ranges are on the device (the core
	 * checked them); a range is never longer than the limits the core
	 * reports in the Block Limits VPD page, but a handler must still work
	 * in bounded chunks and never allocate @nr_blocks * block size.
	 *
	 * @unmap: deallocate [@lba, @lba + @nr_blocks): afterwards they read
	 *	back as zeroes if the handler set params.unmap_zeroes.  NULL: the
	 *	device cannot be thin provisioned.
	 * @write_same: write the block @block (one block of the device's size)
	 *	to each of [@lba, @lba + @nr_blocks), leaving them mapped;
	 *	@block NULL means a block of zeroes.  NULL: WRITE SAME is an
	 *	unknown command on the device.
	 * @lba_status: the provisioning state of the run of blocks starting at
	 *	@lba: set @mapped, and @nr_blocks (at most its value on entry,
	 *	at least 1) to how many blocks from @lba share it.  A handler
	 *	that cannot tell reports mapped.  NULL: everything is mapped.
	 */
	strix_sense_t (*unmap)(struct strix_cmd *cmd, u64 lba, u64 nr_blocks);
	strix_sense_t (*write_same)(struct strix_cmd *cmd, u64 lba, u64 nr_blocks,
				    const void *block);
	strix_sense_t (*lba_status)(struct strix_cmd *cmd, u64 lba,
				    u64 *nr_blocks, bool *mapped);
};

int strix_register_handler(struct strix_handler *h);
void strix_unregister_handler(struct strix_handler *h);

void *strix_device_priv(const struct strix_device *dev);
const char *strix_device_name(const struct strix_device *dev);
struct strix_device *strix_device_from_kobj(struct kobject *kobj);
const struct strix_dev_params *strix_device_params(const struct strix_device *dev);
/*
 * The volatile write cache is on: params.write_cache, and WCE of the
 * caching mode page not turned off by MODE SELECT (the core then sends
 * every write with cmd->fua).
 */
bool strix_device_wce(const struct strix_device *dev);
/* The backing store changed size: update and raise CAPACITY DATA HAS CHANGED. */
void strix_device_resized(struct strix_device *dev, u64 nr_blocks);

/*
 * Run-time attribute stores that change a device (resync_size, size) enter
 * the core's management lock with these, which also make the write safe
 * against the device being deleted meanwhile (see core/sysfs.c).
 * strix_mgmt_begin() returns 0 with the lock held, or -errno.
 */
int strix_mgmt_begin(struct kobject *kobj, const struct attribute *attr,
		     struct kernfs_node **kn);
void strix_mgmt_end(struct kobject *kobj, struct kernfs_node *kn);
/* True once del_device has started on @dev (check under the lock). */
bool strix_device_dead(const struct strix_device *dev);

/* End of a handler's I/O: STRIX_OK, or why it failed. */
void strix_cmd_io_done(struct strix_cmd *cmd, strix_sense_t result);
/* A blocking-errno from the backing store, as sense (ENOSPC: SPACE ALLOC). */
strix_sense_t strix_errno_to_sense(int err, bool write);

#endif
