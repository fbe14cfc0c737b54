/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one kernel difference the iSCSI PDU codec meets, tested by name.
 * (Unaligned access is not one: <asm/unaligned.h> became
 * <linux/unaligned.h> in 6.12, and the sparse of Debian 12 cannot parse
 * __has_include; pdu.c reads and writes big-endian fields byte by byte.)
 *
 * CRC32C: crc32c() of <linux/crc32c.h> lives in lib/libcrc32c
 * (CONFIG_LIBCRC32C), which runs through the crypto API and so uses the
 * CPU's CRC32 instruction where there is one (crc32c-intel); Debian's 6.1
 * and 6.12 build it as a module.  The Strix debug kernel (x86_64_defconfig
 * plus scripts/debug-kernel/strix-debug.config) does not have it, and its
 * cached build must not change for this; every kernel exports the table
 * driven __crc32c_le() of lib/crc32.c (CONFIG_CRC32), the same function,
 * only slower.  The test is CONFIG_LIBCRC32C.
 */
#ifndef _STRIX_ISCSI_COMPAT_H
#define _STRIX_ISCSI_COMPAT_H

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

#endif
