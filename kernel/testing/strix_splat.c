// SPDX-License-Identifier: GPL-2.0
/*
 * strix_splat: a test-only module that produces a kernel WARNING on demand,
 * so the harness can prove that a splat during a test fails the run.
 *
 *	insmod strix_splat.ko warn_on_load=1	WARN while loading
 *	echo 1 > /sys/module/strix_splat/parameters/warn_now
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bug.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

static bool warn_on_load;
module_param(warn_on_load, bool, 0444);
MODULE_PARM_DESC(warn_on_load, "WARN from the module's init");

static int strix_splat_warn_set(const char *val, const struct kernel_param *kp)
{
	bool now;
	int ret = kstrtobool(val, &now);

	if (ret)
		return ret;
	WARN(now, "strix_splat: WARNING requested through warn_now\n");
	return 0;
}

static const struct kernel_param_ops strix_splat_warn_ops = {
	.set = strix_splat_warn_set,
};
module_param_cb(warn_now, &strix_splat_warn_ops, NULL, 0200);
MODULE_PARM_DESC(warn_now, "write 1: WARN now");

static int __init strix_splat_init(void)
{
	WARN(warn_on_load, "strix_splat: WARNING requested at load\n");
	return 0;
}

static void __exit strix_splat_exit(void)
{
}

module_init(strix_splat_init);
module_exit(strix_splat_exit);

MODULE_DESCRIPTION("Strix test-only module: WARNs on demand");
MODULE_LICENSE("GPL");
