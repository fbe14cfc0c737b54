// SPDX-License-Identifier: GPL-2.0
/*
 * Strix target core: module entry.  The core owns the management tree, the
 * objects (drivers, targets, sessions, devices, LUN tables) and all SCSI
 * semantics; drivers and handlers plug in through kernel/include/strix/.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include <strix/version.h>

#include "buf.h"
#include "core.h"
#include "scsi.h"

struct strix_core strix_core = {
	.mgmt_mutex = __MUTEX_INITIALIZER(strix_core.mgmt_mutex),
	.kobj_mutex = __MUTEX_INITIALIZER(strix_core.kobj_mutex),
	.kobjs_going = LIST_HEAD_INIT(strix_core.kobjs_going),
	.handlers = LIST_HEAD_INIT(strix_core.handlers),
	.drivers = LIST_HEAD_INIT(strix_core.drivers),
	.devices = LIST_HEAD_INIT(strix_core.devices),
};

static int __init strix_init(void)
{
	int ret;

	strix_cdb_init();
	ret = strix_buf_init();
	if (ret)
		return ret;
	ret = strix_tmf_init_module();
	if (ret) {
		strix_buf_exit();
		return ret;
	}
	ret = strix_xcopy_init();
	if (ret)
		goto tmf_exit;
	ret = strix_sysfs_init();
	if (ret)
		goto xcopy_exit;
	ret = strix_alua_init();
	if (ret)
		goto sysfs_exit;
	ret = strix_nl_init();
	if (ret)
		goto alua_exit;
	pr_info("Strix target core %s loaded\n", STRIX_VERSION);
	return 0;

alua_exit:
	strix_alua_exit();
sysfs_exit:
	strix_sysfs_exit();
xcopy_exit:
	strix_xcopy_exit();
tmf_exit:
	strix_tmf_exit_module();
	strix_buf_exit();
	return ret;
}

static void __exit strix_exit(void)
{
	strix_nl_exit();
	strix_alua_exit();
	strix_sysfs_exit();
	rcu_barrier();	/* nexus structures freed with kfree_rcu() */
	strix_xcopy_exit();
	strix_tmf_exit_module();
	strix_buf_exit();
	pr_info("Strix target core unloaded\n");
}

module_init(strix_init);
module_exit(strix_exit);

MODULE_DESCRIPTION("Strix SCSI target core");
MODULE_AUTHOR("The Strix developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(STRIX_VERSION);
