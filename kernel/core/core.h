/* SPDX-License-Identifier: GPL-2.0 */
/* Declarations shared between the files of the core module (strix.ko). */
#ifndef _STRIX_CORE_H
#define _STRIX_CORE_H

#include <linux/kobject.h>
#include <linux/mutex.h>

#define STRIX_SYSFS_ROOT "scst_tgt"

/*
 * The management state of the core.
 *
 * Locking: @mgmt_mutex serialises every management write (sysfs stores,
 * later netlink requests) and guards @setup_id against a concurrent write.
 * Readers of @setup_id on paths that must not sleep use READ_ONCE().
 * The kobjects are created at init and removed at exit; they are not
 * changed in between.
 */
struct strix_core {
	struct mutex mgmt_mutex;
	u32 setup_id;

	struct kobject *root;		/* /sys/kernel/scst_tgt */
	struct kobject *handlers;
	struct kobject *devices;
	struct kobject *targets;
	struct kobject *device_groups;
};

extern struct strix_core strix_core;

int strix_sysfs_init(void);
void strix_sysfs_exit(void);

#endif
