/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Events of the Strix core (strix.ko) to user space: a generic netlink
 * family with one multicast group.  Shared by both sides; it includes
 * nothing but <linux/types.h>, so user space (C++) includes it as is.
 *
 * The family has no commands a user may send: it only multicasts, in the
 * initial network namespace, to STRIX_NL_MCGRP.  A cluster agent
 * subscribes (`strixctl events` does) and reacts, e.g. to an initiator
 * moving a target port group with SET TARGET PORT GROUPS.
 *
 * STRIX_NL_EVT_ALUA_STATE: the asymmetric access state of one target port
 * group changed.  Attributes:
 *	DEVICE_GROUP	string	device_groups/<dg>
 *	TARGET_GROUP	string	device_groups/<dg>/target_groups/<tg>
 *	GROUP_ID	u16	the group's id (RTPG's TARGET PORT GROUP)
 *	OLD_STATE	u8	enum strix_nl_alua_state
 *	NEW_STATE	u8	enum strix_nl_alua_state
 *	CAUSE		u8	enum strix_nl_alua_cause
 *	FAILED		u8	1: an implicit transition failed (the group
 *				went from transitioning back to the state it
 *				had before; initiators saw 2A/07)
 * and, when CAUSE is STRIX_NL_CAUSE_STPG, the I_T_L nexus it came through:
 *	INITIATOR	string	initiator port name
 *	TARGET		string	target name
 *	REL_TGT_ID	u16	relative target port identifier
 *	DEVICE		string	the device the command addressed
 */
#ifndef _UAPI_STRIX_NL_H
#define _UAPI_STRIX_NL_H

#include <linux/types.h>

#define STRIX_NL_GENL_NAME	"strix"
#define STRIX_NL_GENL_VERSION	1
#define STRIX_NL_MCGRP		"events"

enum strix_nl_cmd {
	STRIX_NL_CMD_UNSPEC,
	STRIX_NL_EVT_ALUA_STATE,
	__STRIX_NL_CMD_MAX,
};
#define STRIX_NL_CMD_MAX (__STRIX_NL_CMD_MAX - 1)

enum strix_nl_attr {
	STRIX_NL_A_UNSPEC,
	STRIX_NL_A_DEVICE_GROUP,	/* string */
	STRIX_NL_A_TARGET_GROUP,	/* string */
	STRIX_NL_A_GROUP_ID,		/* u16 */
	STRIX_NL_A_OLD_STATE,		/* u8 */
	STRIX_NL_A_NEW_STATE,		/* u8 */
	STRIX_NL_A_CAUSE,		/* u8 */
	STRIX_NL_A_FAILED,		/* u8 */
	STRIX_NL_A_INITIATOR,		/* string */
	STRIX_NL_A_TARGET,		/* string */
	STRIX_NL_A_REL_TGT_ID,		/* u16 */
	STRIX_NL_A_DEVICE,		/* string */
	__STRIX_NL_A_MAX,
};
#define STRIX_NL_A_MAX (__STRIX_NL_A_MAX - 1)

/* The asymmetric access states, as REPORT TARGET PORT GROUPS codes them. */
enum strix_nl_alua_state {
	STRIX_NL_ALUA_ACTIVE		= 0x0,	/* active/optimized */
	STRIX_NL_ALUA_NONOPTIMIZED	= 0x1,	/* active/non-optimized */
	STRIX_NL_ALUA_STANDBY		= 0x2,
	STRIX_NL_ALUA_UNAVAILABLE	= 0x3,
	STRIX_NL_ALUA_OFFLINE		= 0xe,
	STRIX_NL_ALUA_TRANSITIONING	= 0xf,
};

enum strix_nl_alua_cause {
	STRIX_NL_CAUSE_SYSFS	= 1,	/* the group's `state` was written */
	STRIX_NL_CAUSE_STPG	= 2,	/* an initiator's SET TARGET PORT GROUPS */
};

#endif
