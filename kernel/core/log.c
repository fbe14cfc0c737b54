// SPDX-License-Identifier: GPL-2.0
/*
 * LOG SENSE (SPC-4 6.6, 7.3) as a pure function: the pages a virtual disk
 * can answer honestly.
 *
 *   00h  supported log pages (subpage 00h), and with subpage FFh the
 *        supported pages and subpages
 *   0Ch  logical block provisioning (SBC-3): listed only when the
 *        handler reports its backing store's space (space() op):
 *        available LBA mapping resources (0001h, shared with whatever
 *        else uses the file system: scope "not dedicated") and used ones
 *        (0002h, the blocks allocated to the backing file: "dedicated"),
 *        both in logical blocks; a count that does not fit the 32-bit
 *        field is left out rather than clipped
 *   0Dh  temperature: 0000h (temperature) and 0001h (reference
 *        temperature), both FFh, "not available": there is no sensor
 *   15h  background scan results (SBC-3): the status parameter (0000h)
 *        only: minutes since the device was added as its accumulated
 *        power on minutes, no scan active, none performed, and no
 *        medium scan result parameters: nothing scans a virtual disk
 *
 * Every page control (threshold, cumulative, defaults) returns the same
 * values, none of which can be reset or saved: DS is set, and the parser
 * refuses PPC and SP (INVALID FIELD IN CDB).  The parameter pointer
 * starts a page at the first parameter whose code is at least its value;
 * one above the page's last code is INVALID FIELD IN CDB.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/export.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "scsi.h"

#define LOG_SUPPORTED		0x00
#define LOG_LBP			0x0c
#define LOG_TEMPERATURE		0x0d
#define LOG_BACKGROUND_SCAN	0x15
#define LOG_ALL_SUBPAGES	0xff

#define LOG_DS			0x80	/* page byte 0: disable save */
#define LOG_SPF			0x40	/* page byte 0: subpage format */
#define LOG_PARAM_BINARY	0x03	/* control byte: format and linking 11b */

#define LOG_TEMP_NOT_AVAILABLE	0xff
#define LOG_SCOPE_DEDICATED	0x01
#define LOG_SCOPE_NOT_DEDICATED	0x02

#define LOG_MAX			128	/* longer than any page here */

struct log_out {
	u8 b[LOG_MAX];
	u32 pos;
};

static void log_u8(struct log_out *o, u8 v)
{
	if (!WARN_ON_ONCE(o->pos >= LOG_MAX))
		o->b[o->pos++] = v;
}

static void log_be(struct log_out *o, u64 v, unsigned int n)
{
	while (n--)
		log_u8(o, v >> (8 * n));
}

/* A parameter header: code, control byte, length. */
static void log_param(struct log_out *o, u16 code, u8 len)
{
	log_be(o, code, 2);
	log_u8(o, LOG_PARAM_BINARY);
	log_u8(o, len);
}

static bool log_has_lbp(const struct strix_log_ctx *lc)
{
	return lc->space;
}

/* The parameter pages, ascending: what page 00h lists after itself. */
static const u8 log_pages[] = { LOG_LBP, LOG_TEMPERATURE, LOG_BACKGROUND_SCAN };

static bool log_page_available(const struct strix_log_ctx *lc, u8 page)
{
	return page != LOG_LBP || log_has_lbp(lc);
}

static void log_supported(const struct strix_log_ctx *lc, bool subpages,
			  struct log_out *o)
{
	unsigned int i;

	log_u8(o, LOG_SUPPORTED);
	if (subpages) {
		log_u8(o, 0);
		log_u8(o, LOG_SUPPORTED);
		log_u8(o, LOG_ALL_SUBPAGES);
	}
	for (i = 0; i < ARRAY_SIZE(log_pages); i++) {
		if (!log_page_available(lc, log_pages[i]))
			continue;
		log_u8(o, log_pages[i]);
		if (subpages)
			log_u8(o, 0);
	}
}

/* An LBA mapping resource count parameter, if the count fits. */
static void log_lbp_param(struct log_out *o, u16 code, u64 blocks, u8 scope,
			  u16 ptr)
{
	if (code < ptr || blocks > U32_MAX)
		return;
	log_param(o, code, 8);
	log_be(o, blocks, 4);
	log_u8(o, scope);			/* SCOPE, bits 1-0 */
	log_be(o, 0, 3);
}

static void log_temperature(struct log_out *o, u16 ptr)
{
	u16 code;

	for (code = 0; code <= 1; code++) {
		if (code < ptr)
			continue;
		log_param(o, code, 2);
		log_u8(o, 0);
		log_u8(o, LOG_TEMP_NOT_AVAILABLE);
	}
}

/*
 * The background scanning status parameter: power on minutes, then
 * reserved, status 00h (no background scan active), scans performed,
 * scan progress and medium scans performed, all 0.
 */
static void log_background_scan(struct log_out *o, u32 minutes, u16 ptr)
{
	if (ptr)
		return;
	log_param(o, 0, 12);
	log_be(o, minutes, 4);
	log_be(o, 0, 8);
}

/* The highest parameter code of each page: the parameter pointer's bound. */
static u16 log_last_code(u8 page)
{
	switch (page) {
	case LOG_LBP:
		return 2;
	case LOG_TEMPERATURE:
		return 1;
	default:
		return 0;
	}
}

strix_sense_t strix_log_sense(struct strix_cmd *cmd,
			      const struct strix_log_ctx *lc, u8 *buf, u32 len,
			      u32 *produced)
{
	const u8 *cdb = cmd->cdb;
	u8 page = cdb[2] & 0x3f;
	u8 subpage = cdb[3];
	u16 ptr = (u16)cdb[5] << 8 | cdb[6];
	struct log_out out = {}, *o = &out;
	u8 b0 = page;

	*produced = 0;
	if (page == LOG_SUPPORTED) {
		if (subpage && subpage != LOG_ALL_SUBPAGES)
			return strix_invalid_field(cmd, 3, -1);
		if (ptr)
			return strix_invalid_field(cmd, 5, -1);
		if (subpage)
			b0 |= LOG_SPF;
	} else {
		if (!memchr(log_pages, page, sizeof(log_pages)) ||
		    !log_page_available(lc, page))
			return strix_invalid_field(cmd, 2, 5);
		if (subpage)
			return strix_invalid_field(cmd, 3, -1);
		if (ptr > log_last_code(page))
			return strix_invalid_field(cmd, 5, -1);
		b0 |= LOG_DS;
	}

	/* One page is at most a few dozen bytes: built whole, then cut. */
	log_u8(o, b0);
	log_u8(o, subpage);
	log_be(o, 0, 2);			/* page length: below */
	switch (page) {
	case LOG_SUPPORTED:
		log_supported(lc, subpage == LOG_ALL_SUBPAGES, o);
		break;
	case LOG_LBP:
		log_lbp_param(o, 1, lc->avail_blocks, LOG_SCOPE_NOT_DEDICATED,
			      ptr);
		log_lbp_param(o, 2, lc->used_blocks, LOG_SCOPE_DEDICATED, ptr);
		break;
	case LOG_TEMPERATURE:
		log_temperature(o, ptr);
		break;
	default:
		log_background_scan(o, lc->power_on_minutes, ptr);
		break;
	}
	o->b[2] = (o->pos - 4) >> 8;
	o->b[3] = (o->pos - 4) & 0xff;
	memcpy(buf, o->b, min(len, o->pos));
	*produced = o->pos;
	return STRIX_OK;
}
EXPORT_SYMBOL_GPL(strix_log_sense);
