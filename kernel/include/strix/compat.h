/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the kernels Strix builds against (Debian's 6.1 and
 * 6.12), in one place.
 */
#ifndef _STRIX_COMPAT_H
#define _STRIX_COMPAT_H

#include <linux/version.h>

/* get_unaligned_be32() and friends moved to <linux/unaligned.h> in 6.12. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

#endif
