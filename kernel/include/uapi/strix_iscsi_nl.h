/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The control channel between strix-iscsid (user space) and strix_iscsi.ko:
 * a generic netlink family.  Shared by both sides; it includes nothing but
 * <linux/types.h>, so user space (C++) includes it as is.
 *
 * The split: the daemon listens on the portals, runs the login phase of
 * every connection (security and operational negotiation, CHAP, discovery
 * sessions) on its own socket, and when a normal session's login reaches
 * Full Feature Phase it hands the socket to the kernel with
 * STRIX_ISCSI_CMD_CONN_ADD.  The daemon does NOT send the final Login
 * Response: it builds it (T=1, NSG=3, StatSN set) and passes it in
 * STRIX_ISCSI_A_LOGIN_RSP; the kernel attaches the connection, fills in
 * TSIH (bytes 14-15), ExpCmdSN (28-31) and MaxCmdSN (32-35) and sends it,
 * then reads the socket itself.  Its next StatSN is the one of that
 * response plus 1.  After a successful CONN_ADD the daemon closes its file
 * descriptor and never touches the connection again; when CONN_ADD fails
 * the kernel has sent nothing and the daemon answers the login with a Login
 * Reject chosen from the errno:
 *
 *	ENOENT	no such target				0x0203 not found
 *	ENODEV	target disabled or being deleted	0x0301 service unavailable
 *	ESRCH	TSIH names no session (or another
 *		initiator's, or another ISID's)		0x020a session does not exist
 *	EMLINK	a new CID on a session that has its
 *		MaxConnections (1) already		0x0206 too many connections
 *	EUSERS	the target's MaxSessions reached	0x0302 out of resources
 *	EINVAL	a missing or malformed attribute	0x0300 target error
 *	other						0x0300 target error
 *
 * Session rules (error recovery level 0, one connection a session):
 * TSIH 0 with an (initiator name, ISID, target) that has a session already
 * is session reinstatement: the old session's tasks are aborted and it is
 * closed before the new one is attached (CONN_ADD waits for that).  TSIH
 * of a live session and the CID of its connection is connection
 * reinstatement: the old connection is dropped, its tasks aborted, and the
 * session goes on over the new one (CmdSN continues).
 *
 * The kernel sends events to the multicast group STRIX_ISCSI_GENL_MCGRP in
 * every network namespace (the daemon logs them).  CONN_ADD needs
 * CAP_NET_ADMIN.
 */
#ifndef _UAPI_STRIX_ISCSI_NL_H
#define _UAPI_STRIX_ISCSI_NL_H

#include <linux/types.h>

#define STRIX_ISCSI_GENL_NAME		"strix_iscsi"
#define STRIX_ISCSI_GENL_VERSION	1
#define STRIX_ISCSI_GENL_MCGRP		"events"

enum strix_iscsi_nl_cmd {
	STRIX_ISCSI_CMD_UNSPEC,
	/*
	 * daemon -> kernel: a logged-in connection.  Required: FD, TARGET,
	 * INITIATOR, ISID, TSIH, CID, CMD_SN, LOGIN_RSP and every negotiated
	 * parameter below.  Reply (same command): TSIH of the session.
	 */
	STRIX_ISCSI_CMD_CONN_ADD,
	/*
	 * kernel -> group: a connection closed.  TARGET, INITIATOR, ISID,
	 * TSIH, CID, REASON (a short text: "logout", "peer closed",
	 * "force_close", "reinstated", "protocol error: ...").
	 */
	STRIX_ISCSI_EVENT_CONN_CLOSED,
	/* kernel -> group: a target was added (add_target).  TARGET. */
	STRIX_ISCSI_EVENT_TARGET_ADDED,
	/* kernel -> group: a target was deleted (del_target).  TARGET. */
	STRIX_ISCSI_EVENT_TARGET_REMOVED,
	/*
	 * kernel -> group: an attribute was written or added/deleted through
	 * mgmt.  ATTR (its name: "enabled", "MaxBurstLength", "IncomingUser",
	 * "allowed_portal", ...) and TARGET, absent for a driver attribute.
	 * Values are not sent (secrets); read them from sysfs.
	 */
	STRIX_ISCSI_EVENT_ATTR_CHANGED,
	__STRIX_ISCSI_CMD_MAX,
};
#define STRIX_ISCSI_CMD_MAX (__STRIX_ISCSI_CMD_MAX - 1)

enum strix_iscsi_nl_attr {
	STRIX_ISCSI_A_UNSPEC,
	STRIX_ISCSI_A_FD,			/* u32: the socket, in the caller */
	STRIX_ISCSI_A_TARGET,			/* string: target name */
	STRIX_ISCSI_A_INITIATOR,		/* string: InitiatorName */
	STRIX_ISCSI_A_INITIATOR_ALIAS,		/* string, optional */
	STRIX_ISCSI_A_ISID,			/* u64: the 6-byte ISID */
	STRIX_ISCSI_A_TSIH,			/* u16: 0 for a new session */
	STRIX_ISCSI_A_CID,			/* u16 */
	STRIX_ISCSI_A_CMD_SN,			/* u32: CmdSN of the Login Request */
	STRIX_ISCSI_A_LOGIN_RSP,		/* binary: final Login Response, BHS
						 * + data segment + padding */
	/* The negotiated operational parameters (RFC 7143, section 13). */
	STRIX_ISCSI_A_HEADER_DIGEST,		/* u8: 1 CRC32C, 0 None */
	STRIX_ISCSI_A_DATA_DIGEST,		/* u8: 1 CRC32C, 0 None */
	STRIX_ISCSI_A_MAX_RECV_DSL,		/* u32: what the target declared */
	STRIX_ISCSI_A_MAX_XMIT_DSL,		/* u32: the initiator's declared
						 * MaxRecvDataSegmentLength */
	STRIX_ISCSI_A_MAX_BURST,		/* u32: MaxBurstLength */
	STRIX_ISCSI_A_FIRST_BURST,		/* u32: FirstBurstLength */
	STRIX_ISCSI_A_INITIAL_R2T,		/* u8 */
	STRIX_ISCSI_A_IMMEDIATE_DATA,		/* u8 */
	STRIX_ISCSI_A_MAX_OUTSTANDING_R2T,	/* u32 */
	STRIX_ISCSI_A_DATA_PDU_IN_ORDER,	/* u8 */
	STRIX_ISCSI_A_DATA_SEQ_IN_ORDER,	/* u8 */
	STRIX_ISCSI_A_ERL,			/* u8: ErrorRecoveryLevel (0) */
	STRIX_ISCSI_A_TIME2WAIT,		/* u16: DefaultTime2Wait */
	STRIX_ISCSI_A_TIME2RETAIN,		/* u16: DefaultTime2Retain */
	STRIX_ISCSI_A_REASON,			/* string, events */
	STRIX_ISCSI_A_ATTR,			/* string: attribute name, events */
	__STRIX_ISCSI_A_MAX,
};
#define STRIX_ISCSI_A_MAX (__STRIX_ISCSI_A_MAX - 1)

#endif
