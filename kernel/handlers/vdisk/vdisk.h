/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Declarations shared by the files of strix_vdisk.ko: the three virtual
 * disk handlers (nullio.c, fileio.c, blockio.c) and what they have in
 * common (common.c): the add_device parameters, the per-device state and
 * the sysfs attributes built on them.
 */
#ifndef _STRIX_VDISK_H
#define _STRIX_VDISK_H

#include <linux/bits.h>
#include <linux/fs.h>
#include <linux/kobject.h>
#include <linux/log2.h>
#include <linux/sysfs.h>

#include <strix/handler.h>

#include <strix/compat.h>

/* Every add_device parameter any vdisk handler takes. */
enum strix_vdisk_key {
	STRIX_VDISK_FILENAME,
	STRIX_VDISK_SIZE,
	STRIX_VDISK_SIZE_MB,
	STRIX_VDISK_BLOCKSIZE,
	STRIX_VDISK_READ_ONLY,
	STRIX_VDISK_NV_CACHE,
	STRIX_VDISK_WRITE_THROUGH,
	STRIX_VDISK_O_DIRECT,
	STRIX_VDISK_THIN_PROVISIONED,
	STRIX_VDISK_ROTATIONAL,
	STRIX_VDISK_REMOVABLE,
	STRIX_VDISK_DUMMY,
	STRIX_VDISK_T10_DEV_ID,
	STRIX_VDISK_NR_KEYS,
};

/* Longest t10_dev_id (T10 vendor identification, printable ASCII). */
#define STRIX_VDISK_T10_DEV_ID_MAX	63

/*
 * struct strix_vdisk_opts - the add_device parameters of one device.
 *
 * Filled by strix_vdisk_parse() from the command line; @filename and
 * @t10_dev_id point into that line until add_device makes its own copies.
 * @given has BIT(enum strix_vdisk_key) set for each parameter that was on
 * the line: those attributes print `[key]`.  Immutable once the device
 * exists.
 */
struct strix_vdisk_opts {
	unsigned long	given;
	const char	*filename;
	const char	*t10_dev_id;
	u64		size;		/* bytes, from size or size_mb */
	u32		block_size;
	bool		read_only;
	bool		nv_cache;
	bool		write_through;
	bool		o_direct;
	bool		thin_provisioned;
	bool		rotational;
	bool		removable;
	bool		dummy;
};

/*
 * struct strix_vdisk - a vdisk device's private state (dev_priv_size),
 * the same for the three handlers; each uses the members it needs.
 *
 * Locking: set up in add_device() before the device is visible and
 * immutable afterwards, except @read_zero (nullio; a lone flag written by
 * its attribute store with WRITE_ONCE(), read with READ_ONCE()).  The
 * backing store (@file, @bdev) is closed only in del_device(), when no
 * command and no attribute handler runs any more.  The device's size lives
 * in the core (strix_device_params()), changed under the mgmt mutex.
 */
struct strix_vdisk {
	struct strix_vdisk_opts	o;		/* o.filename is @filename */
	unsigned int		block_shift;	/* log2(o.block_size) */
	bool			read_zero;	/* nullio: reads return zeros */
	bool			discard;	/* blockio: unmap by discard */
	char			*filename;	/* fileio, blockio */
	char			t10_dev_id[STRIX_VDISK_T10_DEV_ID_MAX + 1];
	struct file		*file;		/* fileio */
	struct strix_bdev	bdev;		/* blockio */
};

/* How each add_device parameter is named and, for a 0/1 one, stored. */
struct strix_vdisk_key_info {
	const char	*name;
	bool		is_bool;
	size_t		off;	/* of the bool in struct strix_vdisk_opts */
};

extern const struct strix_vdisk_key_info strix_vdisk_keys[STRIX_VDISK_NR_KEYS];

/*
 * A run-time attribute of a vdisk device.  @key names the add_device
 * parameter it shows (for the generic boolean show and the `[key]` rule);
 * STRIX_VDISK_NR_KEYS when it shows none.
 */
struct strix_vdisk_attr {
	struct kobj_attribute	kattr;
	enum strix_vdisk_key	key;
};

#define STRIX_VDISK_ATTR(_name, _mode, _show, _store, _key)		\
	struct strix_vdisk_attr strix_vdisk_attr_##_name = {		\
		.kattr = __ATTR(_name, _mode, _show, _store),		\
		.key = _key,						\
	}

/* params.c */
int strix_vdisk_parse(const struct strix_params *params,
		      struct strix_vdisk_opts *o, const char **bad);

/* common.c */
int strix_vdisk_get_opts(struct strix_device *dev, const struct strix_handler *h,
			 const struct strix_params *params,
			 struct strix_vdisk_opts *o);
int strix_vdisk_setup(struct strix_device *dev,
		      const struct strix_vdisk_opts *o,
		      struct strix_dev_params *p);
void strix_vdisk_teardown(struct strix_device *dev);
struct page *strix_vdisk_pattern_page(const void *block, u32 block_size);

/* WRITE SAME writes at most this many pages of the pattern per call. */
#define STRIX_VDISK_WS_PAGES	256
struct strix_vdisk *strix_vdisk_from_kobj(struct kobject *kobj);
ssize_t strix_vdisk_emit_key(char *buf, int len, bool key);
int strix_vdisk_write_one(const char *buf);
ssize_t strix_vdisk_bool_show(struct kobject *kobj,
			      struct kobj_attribute *attr, char *buf);
ssize_t strix_vdisk_size_show(struct kobject *kobj, struct kobj_attribute *attr,
			      char *buf);
ssize_t strix_vdisk_size_mb_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf);
int strix_vdisk_size_store(struct kobject *kobj, struct kobj_attribute *attr,
			   const char *buf, bool mb, u64 max_bytes, bool key);
int strix_vdisk_resync_size(struct kobject *kobj, struct kobj_attribute *attr,
			    const char *buf,
			    u64 (*bytes)(const struct strix_vdisk *vd));

extern struct strix_vdisk_attr strix_vdisk_attr_size;
extern struct strix_vdisk_attr strix_vdisk_attr_size_mb;
extern struct strix_vdisk_attr strix_vdisk_attr_blocksize;
extern struct strix_vdisk_attr strix_vdisk_attr_filename;
extern struct strix_vdisk_attr strix_vdisk_attr_read_only;
extern struct strix_vdisk_attr strix_vdisk_attr_nv_cache;
extern struct strix_vdisk_attr strix_vdisk_attr_write_through;
extern struct strix_vdisk_attr strix_vdisk_attr_o_direct;
extern struct strix_vdisk_attr strix_vdisk_attr_thin_provisioned;
extern struct strix_vdisk_attr strix_vdisk_attr_rotational;
extern struct strix_vdisk_attr strix_vdisk_attr_removable;
extern struct strix_vdisk_attr strix_vdisk_attr_dummy;
extern struct strix_vdisk_attr strix_vdisk_attr_t10_dev_id;

/* The handlers, registered by common.c's module init. */
extern struct strix_handler strix_nullio_handler;
extern struct strix_handler strix_fileio_handler;
extern struct strix_handler strix_blockio_handler;

#endif
