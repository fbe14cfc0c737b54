// SPDX-License-Identifier: GPL-2.0
/*
 * LUNs on the wire (SAM-5 4.7): the 8-byte LUN field of a transport or of
 * the REPORT LUNS list, and the number the core's LUN tables use.
 *
 * Strix uses single level LUNs only:
 *   0 .. 255	   peripheral device addressing: 00 LL 00 00 00 00 00 00
 *   256 .. 16383  flat space addressing:        (40 | LL >> 8) LL 00 ...
 *   the REPORT LUNS well-known LUN:            C1 01 00 00 00 00 00 00
 *		   decodes to STRIX_WLUN_REPORT_LUNS (0xc101, above every
 *		   LUN a table can hold)
 * Decoding also takes a LUN below 256 in flat space form (40 05 = LUN 5).
 * Anything else (a bus identifier, a second level, extended or logical
 * unit addressing, another well-known LUN, non-zero bytes 2..7) decodes to
 * STRIX_LUN_INVALID, which no LUN table holds: the command then addresses
 * a LUN that does not exist.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/export.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include <strix/target.h>

#include "scsi.h"


#define STRIX_LUN_FLAT_MAX	0x3fff
#define STRIX_AM_PERIPHERAL	0x00	/* byte 0 bits 7-6: address method */
#define STRIX_AM_FLAT		0x40
#define STRIX_AM_MASK		0xc0

static bool strix_lun_tail_zero(const u8 lun[8])
{
	unsigned int i;

	for (i = 2; i < 8; i++)
		if (lun[i])
			return false;
	return true;
}

/**
 * strix_lun_from_wire() - the LUN number of an 8-byte LUN field
 * @lun: the field as received
 *
 * Return: 0 .. 16383, STRIX_WLUN_REPORT_LUNS, or STRIX_LUN_INVALID for a
 * form Strix does not use (see the top of this file).
 */
u64 strix_lun_from_wire(const u8 lun[8])
{
	if (!strix_lun_tail_zero(lun))
		return STRIX_LUN_INVALID;

	switch (lun[0] & STRIX_AM_MASK) {
	case STRIX_AM_PERIPHERAL:
		/* bits 5-0 are the bus identifier: only bus 0 */
		if (lun[0])
			return STRIX_LUN_INVALID;
		return lun[1];
	case STRIX_AM_FLAT:
		return (lun[0] & 0x3f) << 8 | lun[1];
	default:
		if (lun[0] == 0xc1 && lun[1] == 0x01)
			return STRIX_WLUN_REPORT_LUNS;
		return STRIX_LUN_INVALID;
	}
}
EXPORT_SYMBOL_GPL(strix_lun_from_wire);

/**
 * strix_lun_to_wire() - the 8-byte LUN field of a LUN number
 * @lun: 0 .. 16383 or STRIX_WLUN_REPORT_LUNS
 * @out: the field
 *
 * A number that has no single level form (above 16383, STRIX_LUN_INVALID)
 * is written as eight 0xff bytes, which strix_lun_from_wire() decodes back
 * to STRIX_LUN_INVALID.
 */
void strix_lun_to_wire(u64 lun, u8 out[8])
{
	memset(out, 0, 8);
	if (lun == STRIX_WLUN_REPORT_LUNS) {
		out[0] = 0xc1;
		out[1] = 0x01;
	} else if (lun < 256) {
		out[1] = lun;
	} else if (lun <= STRIX_LUN_FLAT_MAX) {
		out[0] = STRIX_AM_FLAT | lun >> 8;
		out[1] = lun & 0xff;
	} else {
		memset(out, 0xff, 8);
	}
}
EXPORT_SYMBOL_GPL(strix_lun_to_wire);
