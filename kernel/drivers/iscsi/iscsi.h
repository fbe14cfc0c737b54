/* SPDX-License-Identifier: GPL-2.0 */
/*
 * strix_iscsi: the iSCSI target driver (`iscsi` in sysfs).
 *
 * The login phase runs in user space (strix-iscsid); a connection that has
 * reached Full Feature Phase is handed to the kernel over generic netlink
 * (nl.c, contract in <uapi/strix_iscsi_nl.h>).  From then on:
 *
 *   iscsi.c  the module: driver ops, targets and their attributes, sessions
 *   conn.c   a connection: its receive thread (PDUs in, CmdSN window,
 *            Data-Out into the command's buffer) and transmit thread
 *            (responses, Data-In, R2T, NOP-In pings), teardown
 *   nl.c     the netlink family: CONN_ADD, session and connection
 *            reinstatement, events
 *   pdu.c    the PDU codec (pure functions, KUnit)
 *
 * Error recovery level 0, one connection a session (MaxConnections=1).
 */
#ifndef _STRIX_ISCSI_H
#define _STRIX_ISCSI_H

#include <linux/completion.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/net.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/xarray.h>

#include <strix/target.h>

#include "pdu.h"

#define STRIX_ISCSI_DRV_NAME	"iscsi"
#define STRIX_ISCSI_NAME_LEN	224	/* iSCSI names: up to 223 bytes */
/* Larger expected transfers are refused (the connection is closed). */
#define STRIX_ISCSI_MAX_XFER	(64U << 20)
/*
 * Seconds an initiator has to log out when its target is disabled or
 * deleted (the Async Message's Parameter3) before the connection is
 * dropped.
 */
#define STRIX_ISCSI_LOGOUT_WAIT	3

/* Target settings: the negotiation limits and the session policy. */
enum strix_iscsi_key {
	STRIX_ISCSI_K_INITIAL_R2T,
	STRIX_ISCSI_K_IMMEDIATE_DATA,
	STRIX_ISCSI_K_MAX_RECV_DSL,
	STRIX_ISCSI_K_MAX_XMIT_DSL,
	STRIX_ISCSI_K_MAX_BURST,
	STRIX_ISCSI_K_FIRST_BURST,
	STRIX_ISCSI_K_MAX_OUTSTANDING_R2T,
	STRIX_ISCSI_K_QUEUED_COMMANDS,
	STRIX_ISCSI_K_MAX_SESSIONS,
	STRIX_ISCSI_K_NOPIN_INTERVAL,
	STRIX_ISCSI_K_NOPIN_TIMEOUT,
	STRIX_ISCSI_K_RSP_TIMEOUT,
	STRIX_ISCSI_K_PER_PORTAL_ACL,
	STRIX_ISCSI_K_NR_NUM,		/* numbers and booleans above */
	STRIX_ISCSI_K_HEADER_DIGEST = STRIX_ISCSI_K_NR_NUM,
	STRIX_ISCSI_K_DATA_DIGEST,
	STRIX_ISCSI_K_ALIAS,
	STRIX_ISCSI_K_NR,
};
#define STRIX_ISCSI_STR_LEN	64

/*
 * One value of a multi-valued attribute (IncomingUser, IncomingUser1, ...,
 * OutgoingUser, allowed_portal...): a sysfs file of its own.
 * Locking: the list it is on and @value under strix_iscsi.lock.
 */
struct strix_iscsi_dattr {
	struct list_head	list;
	struct kobj_attribute	ka;
	char			name[32];
	char			*value;
};

/*
 * An iSCSI target.
 * Locking: @list, @sessions, @dattrs, @enabled, @dead and the settings
 * (@num, @str) under strix_iscsi.lock.  @ref: the targets list holds one,
 * so does every netlink lookup in progress.
 */
struct strix_iscsi_tgt {
	struct kref		ref;
	struct strix_target	*tgt;
	struct list_head	list;
	unsigned int		tid;
	bool			enabled;
	bool			dead;
	u32			num[STRIX_ISCSI_K_NR_NUM];
	char			str[STRIX_ISCSI_K_NR - STRIX_ISCSI_K_NR_NUM]
				   [STRIX_ISCSI_STR_LEN];
	struct list_head	dattrs;
	struct list_head	sessions;	/* struct strix_iscsi_sess */
	char			name[STRIX_ISCSI_NAME_LEN];
};

/* What login negotiated (per session: one connection a session). */
struct strix_iscsi_params {
	bool	header_digest;
	bool	data_digest;
	u32	max_recv_dsl;		/* we declared: what we accept */
	u32	max_xmit_dsl;		/* the initiator declared: we send */
	u32	max_burst;
	u32	first_burst;
	bool	initial_r2t;
	bool	immediate_data;
	u32	max_outstanding_r2t;
	bool	data_pdu_in_order;
	bool	data_seq_in_order;
	u8	erl;
	u16	time2wait;
	u16	time2retain;
};

struct strix_iscsi_conn;

/*
 * An iSCSI session: one core session (I_T nexus).
 * Locking: @list under strix_iscsi.lock; @conn under strix_iscsi.lock and
 * changed only by nl.c (attach) and conn.c (teardown); the CmdSN state
 * (@exp_cmd_sn, @max_cmd_sn) under @sn_lock.  @params is written before
 * the first connection starts, then read only.  @ref: the target's list
 * holds one, so does the connection.
 */
struct strix_iscsi_sess {
	struct kref		ref;
	struct strix_session	*sess;
	struct strix_iscsi_tgt	*itgt;
	struct list_head	list;
	char			initiator[STRIX_ISCSI_NAME_LEN];
	char			alias[STRIX_ISCSI_NAME_LEN];
	u64			isid;
	u16			tsih;
	struct strix_iscsi_params params;
	u32			queued_cmds;	/* QueuedCommands at login */
	u32			nopin_interval, nopin_timeout;	/* seconds */
	u32			rsp_timeout;	/* seconds: RspTimeout */

	spinlock_t		sn_lock;
	u32			exp_cmd_sn;
	u32			max_cmd_sn;	/* last sent; never decreases */
	atomic_t		in_window;	/* non-immediate tasks alive */

	struct strix_iscsi_conn	*conn;
	bool			closing;	/* no new connection attaches */
	struct completion	gone;		/* core session unregistered */
};

/* Task kinds: what a task sends. */
enum strix_iscsi_task_kind {
	STRIX_ISCSI_TASK_SCSI,
	STRIX_ISCSI_TASK_NOP_IN,	/* answer to a NOP-Out, or our ping */
	STRIX_ISCSI_TASK_TMF,
	STRIX_ISCSI_TASK_LOGOUT,
	STRIX_ISCSI_TASK_TEXT,
	STRIX_ISCSI_TASK_REJECT,
	STRIX_ISCSI_TASK_ASYNC,
};

/* task->flags (under conn->task_lock) */
enum {
	STRIX_ISCSI_T_ON_TXQ,		/* on conn->tx_queue */
	STRIX_ISCSI_T_SEND_R2T,		/* tx: send the R2Ts allowed now */
	STRIX_ISCSI_T_SEND_RSP,		/* tx: send data/status */
	STRIX_ISCSI_T_WANT_DATA,	/* the core asked for the write data */
	STRIX_ISCSI_T_DATA_DONE,	/* strix_cmd_data_ready() called */
	STRIX_ISCSI_T_RSP_HELD,		/* response waits for unsolicited data */
	STRIX_ISCSI_T_ABORTED,		/* TMF or teardown: no response */
	STRIX_ISCSI_T_SUBMITTED,	/* given to the core */
	STRIX_ISCSI_T_IN_WINDOW,	/* counted in sess->in_window */
	STRIX_ISCSI_T_DATA_LOST,	/* see strix_iscsi_data_lost() */
	STRIX_ISCSI_T_DATA_ABORTED,	/* the core aborted it: no R2T, data dropped */
};

/*
 * One received PDU that needs an answer: a SCSI command (with its core
 * command) or a NOP-Out, TMF, Logout, Text, or a Reject we owe.
 *
 * Locking: a SCSI task is in conn->tasks (by ITT) from receipt until its
 * response is sent; @ref counts the lookups in progress plus that.  The
 * receive state (@received ... @seq_end, @data_sn) is the receive thread's;
 * @flags and the R2T state (@r2t_off, @r2t_outstanding, @r2t_sn) are under
 * conn->task_lock; @cmd is the core's between submit and queue_response.
 */
struct strix_iscsi_task {
	struct strix_cmd	cmd;
	struct strix_iscsi_conn	*conn;
	refcount_t		ref;
	u8			kind;
	unsigned long		flags;
	struct list_head	tx_entry;	/* conn->tx_queue */
	struct list_head	hold_entry;	/* conn->held: CmdSN ahead */
	struct strix_iscsi_pdu	pdu;		/* as received */
	u8			rej_bhs[STRIX_ISCSI_BHS_LEN];	/* Reject */

	/* writes */
	u32			exp_len;	/* Expected Data Transfer Length */
	u32			received;	/* in order: next offset expected */
	u32			unsol_end;	/* unsolicited data ends here */
	u32			seq_end;	/* current data sequence ends here */
	u32			data_sn;	/* next DataSN in that sequence */
	u32			ttt;
	u32			r2t_off;	/* solicited up to here */
	u32			r2t_outstanding;
	u32			r2t_sn;
	/* reads */
	u32			data_in_sn;	/* DataSN of Data-In sent */

	/* answers other than SCSI: the data segment to send, kmalloc'ed */
	void			*data;
	u32			data_len;
	u8			response;	/* TMF, Logout */
	/* TMF: tasks it waits for (and the core's function, as one) */
	atomic_t		tmf_wait;
	struct strix_tmf	core_tmf;
	struct strix_iscsi_task	*tmf;		/* SCSI: the TMF waiting on us */
};

/*
 * A connection.
 * Locking: @tx_queue and the tasks' flags under @task_lock (taken from any
 * context, with interrupts off); @tasks (xarray by ITT) is changed under
 * @task_lock too and read under it; @stat_sn is the transmit thread's;
 * @exp_stat_sn, @held and the receive buffers are the receive thread's.
 * @dead is set once (under @task_lock) when the connection goes down.
 */
struct strix_iscsi_conn {
	struct strix_iscsi_sess	*isess;
	struct socket		*sock;
	u16			cid;
	char			peer[64];	/* address:port */
	char			local[64];

	spinlock_t		task_lock;
	struct xarray		tasks;
	struct list_head	tx_queue;
	wait_queue_head_t	tx_wq;
	bool			dead;
	bool			logout_pending;	/* Logout Response waits */
	bool			logout_sent;
	bool			logout_rcvd;	/* a Logout Request came in */
	/*
	 * The target asked for a logout (Async Message, event 1): @asked set
	 * under @task_lock, the message sent and the deadline watched by the
	 * transmit thread.
	 */
	bool			logout_asked;
	bool			async_sent;
	u16			logout_wait;	/* seconds: Parameter3 */
	unsigned long		logout_deadline;	/* jiffies */
	struct strix_iscsi_task	*logout;
	wait_queue_head_t	idle_wq;	/* woken when a task goes */
	atomic_t		nr_tasks;

	struct task_struct	*rx_thread;
	struct task_struct	*tx_thread;
	u32			stat_sn;
	u32			exp_stat_sn;
	u32			next_ttt;
	struct list_head	held;		/* tasks with CmdSN ahead */
	unsigned long		last_rx;	/* jiffies */
	u32			ping_ttt;	/* NOP-In ping awaiting answer, or ~0 */
	unsigned long		ping_sent;
	const char		*close_reason;

	u8			rx_hdr[STRIX_ISCSI_BHS_LEN +
				       STRIX_ISCSI_MAX_AHS_LEN +
				       STRIX_ISCSI_DIGEST_LEN];
	struct bio_vec		*bvec;		/* for receiving into a buffer */
	unsigned int		nr_bvec;
	struct bio_vec		*tx_bvec;	/* for sending from a buffer */
	unsigned int		nr_tx_bvec;
	void			*rx_buf;	/* data segments not for a buffer */
	u32			rx_buf_len;
	struct completion	done;		/* torn down */
	bool			replaced;	/* connection reinstatement */
};

/*
 * The driver.
 * Locking: @lock (a mutex) guards the targets list and everything marked
 * so above; it nests inside the core's mgmt mutex.  @enabled is read
 * without it (READ_ONCE).
 */
struct strix_iscsi_drv {
	struct mutex		lock;
	struct list_head	targets;
	struct list_head	dattrs;		/* driver level: discovery CHAP */
	bool			enabled;
	struct ida		tsih_ida;
	u32			next_tsih;	/* where the next search starts */
	unsigned int		next_tid;
	atomic_t		nr_conns;
	wait_queue_head_t	conns_wq;
};

extern struct strix_iscsi_drv strix_iscsi;
extern struct strix_tgt_driver strix_iscsi_driver;

/* iscsi.c */
struct strix_iscsi_tgt *strix_iscsi_tgt_find(const char *name);
void strix_iscsi_tgt_put(struct strix_iscsi_tgt *itgt);
void strix_iscsi_sess_put(struct strix_iscsi_sess *isess);

/* conn.c */
int strix_iscsi_conn_start(struct strix_iscsi_sess *isess,
			   struct socket *sock, u16 cid, const u8 *login_rsp,
			   u32 login_rsp_len, bool new_session);
void strix_iscsi_conn_close(struct strix_iscsi_conn *conn, const char *why);
void strix_iscsi_conn_request_logout(struct strix_iscsi_conn *conn, u16 secs);
void strix_iscsi_sess_end(struct strix_iscsi_sess *isess);
void strix_iscsi_fetch_data(struct strix_cmd *cmd);
void strix_iscsi_queue_response(struct strix_cmd *cmd);
bool strix_iscsi_abort_data(struct strix_cmd *cmd);
void strix_iscsi_tmf_done(struct strix_tmf *tmf);
int strix_iscsi_conn_init(void);
void strix_iscsi_conn_exit(void);

/* nl.c */
int strix_iscsi_nl_init(void);
void strix_iscsi_nl_exit(void);
void strix_iscsi_nl_conn_closed(struct strix_iscsi_conn *conn);
void strix_iscsi_nl_target_event(u8 cmd, const char *target, const char *attr);

#endif
