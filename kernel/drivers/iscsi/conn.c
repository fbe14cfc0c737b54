// SPDX-License-Identifier: GPL-2.0
/*
 * An iSCSI connection in Full Feature Phase: the receive thread, the
 * transmit thread, and teardown.
 *
 * Receive (strix_iscsi_rx): one PDU at a time off the socket, framed and
 * checked by the codec (pdu.c).  Non-immediate PDUs pass the CmdSN window:
 * outside it they are dropped (RFC 7143 4.2.2.1), ahead of ExpCmdSN they
 * wait in conn->held, so the core sees commands in CmdSN order.  Write data
 * goes straight into the command's buffer (a core buffer allocated at
 * receipt): immediate data first, then unsolicited Data-Out up to
 * FirstBurstLength, then what R2Ts solicit once the core asks for the data
 * (fetch_data).  Data must come in order (DataPDUInOrder and
 * DataSequenceInOrder are Yes): offsets, DataSN and TTT are checked and a
 * violation closes the connection.
 *
 * Transmit (strix_iscsi_tx): tasks queued on conn->tx_queue by
 * queue_response (any context), by fetch_data (R2Ts) and by the receive
 * thread (NOP-In, TMF, Logout, Text, Reject).  StatSN is numbered here;
 * ExpCmdSN and MaxCmdSN are the session's at the time of sending.  Read
 * data is sent from the core's pages without a copy.  When the connection
 * is idle for NopInInterval seconds, a NOP-In ping; no answer within
 * NopInTimeout closes the connection.
 *
 * Teardown (error recovery level 0): the receive thread, once the socket
 * fails or is shut down, stops the transmit thread, aborts the commands
 * waiting for data, waits until the core has given back every command,
 * then either ends the session or, on connection reinstatement, leaves it
 * to the new connection.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/highmem.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <linux/vmalloc.h>
#include <net/sock.h>

#include <strix/compat.h>

#include "iscsi.h"

static struct kmem_cache *strix_iscsi_task_cache;

#define CONN_PR(conn, fmt, ...)						\
	pr_info("%s from %s: " fmt, (conn)->isess->itgt->name,		\
		(conn)->isess->initiator, ##__VA_ARGS__)

/* ---- tasks ---- */

static struct strix_iscsi_task *strix_iscsi_task_alloc(
	struct strix_iscsi_conn *conn, u8 kind)
{
	struct strix_iscsi_task *t;

	t = kmem_cache_zalloc(strix_iscsi_task_cache, GFP_KERNEL);
	if (!t)
		return NULL;
	t->conn = conn;
	t->kind = kind;
	refcount_set(&t->ref, 1);
	INIT_LIST_HEAD(&t->tx_entry);
	INIT_LIST_HEAD(&t->hold_entry);
	atomic_inc(&conn->nr_tasks);
	return t;
}

static void strix_iscsi_tmf_task_done(struct strix_iscsi_task *tmf);

static void strix_iscsi_task_put(struct strix_iscsi_task *t)
{
	struct strix_iscsi_conn *conn = t->conn;
	struct strix_iscsi_task *tmf;

	if (!refcount_dec_and_test(&t->ref))
		return;
	if (test_bit(STRIX_ISCSI_T_IN_WINDOW, &t->flags))
		atomic_dec(&conn->isess->in_window);
	if (test_bit(STRIX_ISCSI_T_SUBMITTED, &t->flags))
		strix_cmd_done(&t->cmd);
	else
		strix_cmd_free_buf(&t->cmd);	/* never submitted */
	tmf = t->tmf;
	kfree(t->data);
	kmem_cache_free(strix_iscsi_task_cache, t);
	if (tmf && atomic_dec_and_test(&tmf->tmf_wait))
		strix_iscsi_tmf_task_done(tmf);
	if (atomic_dec_and_test(&conn->nr_tasks))
		wake_up_all(&conn->idle_wq);
	if (READ_ONCE(conn->logout))
		wake_up(&conn->tx_wq);
}

/* A SCSI task is finished with: out of the ITT table, its ref dropped. */
static void strix_iscsi_task_finish(struct strix_iscsi_task *t)
{
	struct strix_iscsi_conn *conn = t->conn;
	unsigned long flags;

	if (t->kind == STRIX_ISCSI_TASK_SCSI) {
		xa_lock_irqsave(&conn->tasks, flags);
		__xa_cmpxchg(&conn->tasks, t->pdu.itt, t, NULL, 0);
		xa_unlock_irqrestore(&conn->tasks, flags);
	}
	strix_iscsi_task_put(t);
}

/* The task by ITT, with a reference, or NULL. */
static struct strix_iscsi_task *strix_iscsi_task_get(
	struct strix_iscsi_conn *conn, u32 itt)
{
	struct strix_iscsi_task *t;
	unsigned long flags;

	xa_lock_irqsave(&conn->tasks, flags);
	t = xa_load(&conn->tasks, itt);
	if (t && !refcount_inc_not_zero(&t->ref))
		t = NULL;
	xa_unlock_irqrestore(&conn->tasks, flags);
	return t;
}

/*
 * Put @t on the transmit queue with @what (STRIX_ISCSI_T_SEND_*) to do.
 * Called with conn->task_lock held.  False if the connection is dead (the
 * caller then finishes the task itself).
 */
static bool __strix_iscsi_tx_queue(struct strix_iscsi_task *t, int what)
{
	struct strix_iscsi_conn *conn = t->conn;

	if (conn->dead)
		return false;
	__set_bit(what, &t->flags);
	if (!__test_and_set_bit(STRIX_ISCSI_T_ON_TXQ, &t->flags))
		list_add_tail(&t->tx_entry, &conn->tx_queue);
	wake_up(&conn->tx_wq);
	return true;
}

static void strix_iscsi_tx_queue(struct strix_iscsi_task *t, int what)
{
	struct strix_iscsi_conn *conn = t->conn;
	unsigned long flags;
	bool ok;

	spin_lock_irqsave(&conn->task_lock, flags);
	ok = __strix_iscsi_tx_queue(t, what);
	spin_unlock_irqrestore(&conn->task_lock, flags);
	if (!ok)
		strix_iscsi_task_finish(t);
}

/* ---- socket I/O ---- */

static int strix_iscsi_recv_kvec(struct strix_iscsi_conn *conn, void *buf,
				 size_t len)
{
	struct kvec kv = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {};
	int ret;

	while (kv.iov_len) {
		ret = kernel_recvmsg(conn->sock, &msg, &kv, 1, kv.iov_len,
				     MSG_WAITALL);
		if (ret <= 0)
			return ret ? ret : -ECONNRESET;
		kv.iov_base += ret;
		kv.iov_len -= ret;
	}
	return 0;
}

/* Discard @len bytes. */
static int strix_iscsi_recv_discard(struct strix_iscsi_conn *conn, u32 len)
{
	int ret;

	while (len) {
		u32 n = min(len, conn->rx_buf_len);

		ret = strix_iscsi_recv_kvec(conn, conn->rx_buf, n);
		if (ret)
			return ret;
		len -= n;
	}
	return 0;
}

/* The padded data segment of @dsl bytes, and its digest, discarded. */
static int strix_iscsi_skip_data(struct strix_iscsi_conn *conn, u32 dsl)
{
	u32 n = strix_iscsi_padded(dsl);

	if (dsl && conn->isess->params.data_digest)
		n += STRIX_ISCSI_DIGEST_LEN;
	return strix_iscsi_recv_discard(conn, n);
}

/*
 * A data segment into a linear buffer (conn->rx_buf): pad and digest read
 * and checked.  -EBADMSG on a digest mismatch.
 */
static int strix_iscsi_recv_linear(struct strix_iscsi_conn *conn, u32 dsl)
{
	u8 tail[STRIX_ISCSI_PAD + STRIX_ISCSI_DIGEST_LEN];
	u32 pad = strix_iscsi_pad_len(dsl);
	bool dd = conn->isess->params.data_digest;
	int ret;

	if (!dsl)
		return 0;
	ret = strix_iscsi_recv_kvec(conn, conn->rx_buf, dsl);
	if (!ret)
		ret = strix_iscsi_recv_kvec(conn, tail,
					    pad + (dd ? STRIX_ISCSI_DIGEST_LEN : 0));
	if (ret)
		return ret;
	if (dd && strix_iscsi_get_digest(tail + pad) !=
		  strix_iscsi_data_digest(conn->rx_buf, dsl))
		return -EBADMSG;
	return 0;
}

/* bvecs for [off, off + len) of a buffer of order-0 pages. */
static unsigned int strix_iscsi_sg_bvec(struct scatterlist *sgl,
					unsigned int nents, u32 off, u32 len,
					struct bio_vec *bv, unsigned int max)
{
	struct scatterlist *sg;
	unsigned int i, n = 0;

	for_each_sg(sgl, sg, nents, i) {
		u32 l;

		if (!len)
			break;
		if (off >= sg->length) {
			off -= sg->length;
			continue;
		}
		if (WARN_ON_ONCE(n == max))
			break;
		l = min(sg->length - off, len);
		bvec_set_page(&bv[n++], sg_page(sg), l, sg->offset + off);
		len -= l;
		off = 0;
	}
	return n;
}

static u32 strix_iscsi_bvec_crc(const struct bio_vec *bv, unsigned int n,
				u32 len)
{
	u32 crc = strix_iscsi_crc_begin();
	unsigned int i;

	for (i = 0; i < n; i++) {
		void *p = kmap_local_page(bv[i].bv_page);

		crc = strix_iscsi_crc_update(crc, p + bv[i].bv_offset,
					     bv[i].bv_len);
		kunmap_local(p);
	}
	return strix_iscsi_crc_end(strix_iscsi_crc_pad(crc, len));
}

/* A data segment into the command's buffer at @off. */
static int strix_iscsi_recv_sg(struct strix_iscsi_conn *conn,
			       struct strix_cmd *cmd, u32 off, u32 dsl)
{
	u8 tail[STRIX_ISCSI_PAD + STRIX_ISCSI_DIGEST_LEN];
	u32 pad = strix_iscsi_pad_len(dsl);
	bool dd = conn->isess->params.data_digest;
	struct msghdr msg = {};
	unsigned int n;
	int ret;

	if (!dsl)
		return 0;
	n = strix_iscsi_sg_bvec(cmd->sg, cmd->sg_cnt, off, dsl, conn->bvec,
				conn->nr_bvec);
	iov_iter_bvec(&msg.msg_iter, ITER_DEST, conn->bvec, n, dsl);
	while (iov_iter_count(&msg.msg_iter)) {
		ret = sock_recvmsg(conn->sock, &msg, MSG_WAITALL);
		if (ret <= 0)
			return ret ? ret : -ECONNRESET;
	}
	ret = strix_iscsi_recv_kvec(conn, tail,
				    pad + (dd ? STRIX_ISCSI_DIGEST_LEN : 0));
	if (ret)
		return ret;
	if (dd && strix_iscsi_get_digest(tail + pad) !=
		  strix_iscsi_bvec_crc(conn->bvec, n, dsl))
		return -EBADMSG;
	return 0;
}

static int strix_iscsi_send_kvec(struct strix_iscsi_conn *conn,
				 struct kvec *kv, unsigned int n, size_t len,
				 int flags)
{
	struct msghdr msg = { .msg_flags = flags | MSG_NOSIGNAL };
	int ret;

	iov_iter_kvec(&msg.msg_iter, ITER_SOURCE, kv, n, len);
	while (iov_iter_count(&msg.msg_iter)) {
		ret = sock_sendmsg(conn->sock, &msg);
		if (ret <= 0)
			return ret ? ret : -EPIPE;
	}
	return 0;
}

/*
 * One PDU: @bhs, then a data segment of @dsl bytes from @data (linear) or
 * from @cmd's buffer at @off.
 */
static int strix_iscsi_send_pdu(struct strix_iscsi_conn *conn, u8 *bhs,
				const void *data, struct strix_cmd *cmd,
				u32 off, u32 dsl)
{
	const struct strix_iscsi_params *p = &conn->isess->params;
	u8 hdig[STRIX_ISCSI_DIGEST_LEN];
	u8 tail[STRIX_ISCSI_PAD + STRIX_ISCSI_DIGEST_LEN] = {};
	u32 pad = strix_iscsi_pad_len(dsl);
	u32 tail_len = pad;
	struct kvec kv[4];
	unsigned int n = 0;
	size_t len = 0;
	int ret;

	kv[n].iov_base = bhs;
	kv[n++].iov_len = STRIX_ISCSI_BHS_LEN;
	len += STRIX_ISCSI_BHS_LEN;
	if (p->header_digest) {
		strix_iscsi_put_digest(hdig,
			strix_iscsi_header_digest(bhs, STRIX_ISCSI_BHS_LEN));
		kv[n].iov_base = hdig;
		kv[n++].iov_len = sizeof(hdig);
		len += sizeof(hdig);
	}
	if (!dsl)
		return strix_iscsi_send_kvec(conn, kv, n, len, 0);

	if (data) {
		if (p->data_digest) {
			strix_iscsi_put_digest(tail + pad,
				strix_iscsi_data_digest(data, dsl));
			tail_len += STRIX_ISCSI_DIGEST_LEN;
		}
		kv[n].iov_base = (void *)data;
		kv[n++].iov_len = dsl;
		len += dsl;
		if (tail_len) {
			kv[n].iov_base = tail;
			kv[n++].iov_len = tail_len;
			len += tail_len;
		}
		return strix_iscsi_send_kvec(conn, kv, n, len, 0);
	}

	/* from the command's pages, without a copy */
	{
		unsigned int nb = strix_iscsi_sg_bvec(cmd->sg, cmd->sg_cnt, off,
						      dsl, conn->tx_bvec,
						      conn->nr_tx_bvec);

		if (p->data_digest) {
			strix_iscsi_put_digest(tail + pad,
				strix_iscsi_bvec_crc(conn->tx_bvec, nb, dsl));
			tail_len += STRIX_ISCSI_DIGEST_LEN;
		}
		ret = strix_iscsi_send_kvec(conn, kv, n, len, MSG_MORE);
		if (!ret)
			ret = strix_sock_send_pages(conn->sock, conn->tx_bvec,
						    nb, dsl,
						    MSG_NOSIGNAL |
						    (tail_len ? MSG_MORE : 0));
		if (!ret && tail_len) {
			kv[0].iov_base = tail;
			kv[0].iov_len = tail_len;
			ret = strix_iscsi_send_kvec(conn, kv, 1, tail_len, 0);
		}
		return ret;
	}
}

/* ---- sequence numbers ---- */

/* ExpCmdSN and MaxCmdSN to send now; @stat: give this PDU a StatSN. */
static void strix_iscsi_sn(struct strix_iscsi_conn *conn,
			   struct strix_iscsi_sn *sn, bool stat)
{
	struct strix_iscsi_sess *s = conn->isess;
	int busy = atomic_read(&s->in_window);
	u32 max;

	spin_lock(&s->sn_lock);
	max = s->exp_cmd_sn + (u32)max_t(int, (int)s->queued_cmds - busy, 0) - 1;
	if (strix_iscsi_sn_gt(max, s->max_cmd_sn))
		s->max_cmd_sn = max;
	sn->exp_cmd_sn = s->exp_cmd_sn;
	sn->max_cmd_sn = s->max_cmd_sn;
	spin_unlock(&s->sn_lock);
	sn->stat_sn = conn->stat_sn;
	if (stat)
		conn->stat_sn++;
}

/* ---- transmit ---- */

static int strix_iscsi_send_r2ts(struct strix_iscsi_conn *conn,
				 struct strix_iscsi_task *t)
{
	const struct strix_iscsi_params *p = &conn->isess->params;
	struct strix_iscsi_r2t r2t[8];
	unsigned int i, n = 0;
	unsigned long flags;
	u32 need = t->cmd.xfer_len;
	u8 bhs[STRIX_ISCSI_BHS_LEN];
	int ret;

	do {
		spin_lock_irqsave(&conn->task_lock, flags);
		n = 0;
		if (!test_bit(STRIX_ISCSI_T_ABORTED, &t->flags) &&
		    !test_bit(STRIX_ISCSI_T_DATA_ABORTED, &t->flags) &&
		    !test_bit(STRIX_ISCSI_T_DATA_LOST, &t->flags)) {
			if (t->ttt == 0) {
				t->ttt = ++conn->next_ttt;
				if (t->ttt == STRIX_ISCSI_RSVD_TAG || !t->ttt)
					t->ttt = conn->next_ttt = 1;
			}
			while (n < ARRAY_SIZE(r2t) && t->r2t_off < need &&
			       t->r2t_outstanding < p->max_outstanding_r2t) {
				u32 len = min(p->max_burst, need - t->r2t_off);

				memset(&r2t[n], 0, sizeof(r2t[n]));
				memcpy(r2t[n].lun, t->pdu.cmd.lun, 8);
				r2t[n].itt = t->pdu.itt;
				r2t[n].ttt = t->ttt;
				r2t[n].r2t_sn = t->r2t_sn++;
				r2t[n].buffer_offset = t->r2t_off;
				r2t[n].desired_len = len;
				t->r2t_off += len;
				t->r2t_outstanding++;
				n++;
			}
		}
		spin_unlock_irqrestore(&conn->task_lock, flags);
		for (i = 0; i < n; i++) {
			strix_iscsi_sn(conn, &r2t[i].sn, false);
			strix_iscsi_build_r2t(bhs, &r2t[i]);
			ret = strix_iscsi_send_pdu(conn, bhs, NULL, NULL, 0, 0);
			if (ret)
				return ret;
		}
	} while (n == ARRAY_SIZE(r2t));
	return 0;
}

static enum strix_iscsi_residual strix_iscsi_resid(const struct strix_cmd *cmd)
{
	if (!cmd->resid)
		return STRIX_ISCSI_RESID_NONE;
	return cmd->overflow ? STRIX_ISCSI_RESID_OVERFLOW :
			       STRIX_ISCSI_RESID_UNDERFLOW;
}

static int strix_iscsi_send_scsi(struct strix_iscsi_conn *conn,
				 struct strix_iscsi_task *t)
{
	const struct strix_iscsi_params *p = &conn->isess->params;
	struct strix_cmd *cmd = &t->cmd;
	u8 bhs[STRIX_ISCSI_BHS_LEN];
	u8 sense[2 + STRIX_SENSE_LEN];
	struct strix_iscsi_scsi_rsp rsp = {};
	u32 len = 0, off, burst_left;
	bool collapse;
	int ret;

	/* this command no longer counts against the window */
	if (test_and_clear_bit(STRIX_ISCSI_T_IN_WINDOW, &t->flags))
		atomic_dec(&conn->isess->in_window);

	/* Data-In only where the initiator asked for it (the R bit) */
	if (cmd->data_dir == STRIX_DATA_READ &&
	    cmd->expected_dir == STRIX_DATA_READ && cmd->sg)
		len = min(cmd->xfer_len, cmd->expected_len);
	collapse = len && cmd->status == 0 && !cmd->sense_len;

	burst_left = p->max_burst;
	for (off = 0; off < len;) {
		struct strix_iscsi_data_in di = {};
		u32 n = min3(len - off, p->max_xmit_dsl, burst_left);
		bool last = off + n == len;

		di.itt = t->pdu.itt;
		di.ttt = STRIX_ISCSI_RSVD_TAG;
		di.data_sn = t->data_in_sn++;
		di.buffer_offset = off;
		di.dsl = n;
		burst_left -= n;
		di.final = last || !burst_left;
		if (!burst_left)
			burst_left = p->max_burst;
		if (last && collapse) {
			di.has_status = true;
			di.status = cmd->status;
			di.resid = strix_iscsi_resid(cmd);
			di.resid_count = cmd->resid;
		}
		strix_iscsi_sn(conn, &di.sn, di.has_status);
		strix_iscsi_build_data_in(bhs, &di);
		ret = strix_iscsi_send_pdu(conn, bhs, NULL, cmd, off, n);
		if (ret)
			return ret;
		off += n;
	}
	if (collapse)
		return 0;

	rsp.itt = t->pdu.itt;
	rsp.response = STRIX_ISCSI_RSP_COMPLETED;
	rsp.status = cmd->status;
	rsp.resid = strix_iscsi_resid(cmd);
	rsp.resid_count = cmd->resid;
	rsp.exp_data_sn = cmd->data_dir == STRIX_DATA_READ ? t->data_in_sn :
							     t->r2t_sn;
	if (cmd->sense_len) {
		sense[0] = 0;
		sense[1] = cmd->sense_len;
		memcpy(sense + 2, cmd->sense, cmd->sense_len);
		rsp.dsl = 2 + cmd->sense_len;
	}
	strix_iscsi_sn(conn, &rsp.sn, true);
	strix_iscsi_build_scsi_rsp(bhs, &rsp);
	return strix_iscsi_send_pdu(conn, bhs, rsp.dsl ? sense : NULL, NULL, 0,
				    rsp.dsl);
}

static int strix_iscsi_send_other(struct strix_iscsi_conn *conn,
				  struct strix_iscsi_task *t)
{
	u8 bhs[STRIX_ISCSI_BHS_LEN];

	switch (t->kind) {
	case STRIX_ISCSI_TASK_NOP_IN: {
		struct strix_iscsi_nop_in n = {};

		memcpy(n.lun, t->pdu.nop_out.lun, 8);
		n.itt = t->pdu.itt;
		n.ttt = t->pdu.nop_out.ttt;	/* ~0 answering, ours pinging */
		n.dsl = t->data_len;
		strix_iscsi_sn(conn, &n.sn, n.itt != STRIX_ISCSI_RSVD_TAG);
		strix_iscsi_build_nop_in(bhs, &n);
		break;
	}
	case STRIX_ISCSI_TASK_TMF: {
		struct strix_iscsi_tmf_rsp r = {
			.itt = t->pdu.itt, .response = t->response,
		};

		strix_iscsi_sn(conn, &r.sn, true);
		strix_iscsi_build_tmf_rsp(bhs, &r);
		break;
	}
	case STRIX_ISCSI_TASK_LOGOUT: {
		struct strix_iscsi_logout_rsp r = {
			.itt = t->pdu.itt, .response = t->response,
			.time2wait = 0, .time2retain = 0,
		};

		strix_iscsi_sn(conn, &r.sn, true);
		strix_iscsi_build_logout_rsp(bhs, &r);
		break;
	}
	case STRIX_ISCSI_TASK_TEXT: {
		struct strix_iscsi_text_rsp r = {
			.itt = t->pdu.itt, .ttt = STRIX_ISCSI_RSVD_TAG,
			.final = true, .dsl = t->data_len,
		};

		memcpy(r.lun, t->pdu.text.lun, 8);
		strix_iscsi_sn(conn, &r.sn, true);
		strix_iscsi_build_text_rsp(bhs, &r);
		break;
	}
	case STRIX_ISCSI_TASK_REJECT: {
		struct strix_iscsi_reject r = {
			.reason = t->response, .dsl = STRIX_ISCSI_BHS_LEN,
		};

		strix_iscsi_sn(conn, &r.sn, true);
		strix_iscsi_build_reject(bhs, &r);
		return strix_iscsi_send_pdu(conn, bhs, t->rej_bhs, NULL, 0,
					    STRIX_ISCSI_BHS_LEN);
	}
	default:
		return 0;
	}
	return strix_iscsi_send_pdu(conn, bhs, t->data, NULL, 0, t->data_len);
}

/*
 * The target asked for a logout: send the Async Message once, then drop
 * the connection if no Logout Request has come by the deadline (RFC 7143
 * 11.9.1: the initiator must log out within Parameter3 seconds).
 */
static int strix_iscsi_async_logout(struct strix_iscsi_conn *conn)
{
	struct strix_iscsi_async_msg m = {
		.event = STRIX_ISCSI_ASYNC_LOGOUT,
	};
	u8 bhs[STRIX_ISCSI_BHS_LEN];

	/* pairs with the release in strix_iscsi_conn_request_logout() */
	if (!smp_load_acquire(&conn->logout_asked) || conn->dead)
		return 0;
	if (!conn->async_sent) {
		conn->async_sent = true;
		m.param[2] = conn->logout_wait;
		strix_iscsi_sn(conn, &m.sn, true);
		strix_iscsi_build_async_msg(bhs, &m);
		CONN_PR(conn, "connection %u: asking the initiator to log out within %u s\n",
			conn->cid, conn->logout_wait);
		return strix_iscsi_send_pdu(conn, bhs, NULL, NULL, 0, 0);
	}
	if (!READ_ONCE(conn->logout_rcvd) &&
	    time_after(jiffies, conn->logout_deadline))
		strix_iscsi_conn_close(conn, "no logout after the target asked for one");
	return 0;
}

/* A NOP-In ping when the connection has been quiet; a dead peer closes. */
static int strix_iscsi_ping(struct strix_iscsi_conn *conn)
{
	struct strix_iscsi_sess *s = conn->isess;
	struct strix_iscsi_nop_in n = {};
	u8 bhs[STRIX_ISCSI_BHS_LEN];

	if (!s->nopin_interval)
		return 0;
	if (conn->ping_ttt != STRIX_ISCSI_RSVD_TAG) {
		if (time_after(jiffies, conn->ping_sent + s->nopin_timeout * HZ)) {
			strix_iscsi_conn_close(conn, "NOP-In timeout");
			return -ETIMEDOUT;
		}
		return 0;
	}
	if (time_before(jiffies, READ_ONCE(conn->last_rx) +
				 s->nopin_interval * HZ))
		return 0;
	conn->ping_ttt = ++conn->next_ttt;
	if (conn->ping_ttt == STRIX_ISCSI_RSVD_TAG || !conn->ping_ttt)
		conn->ping_ttt = conn->next_ttt = 1;
	conn->ping_sent = jiffies;
	n.itt = STRIX_ISCSI_RSVD_TAG;
	n.ttt = conn->ping_ttt;
	strix_iscsi_sn(conn, &n.sn, false);
	strix_iscsi_build_nop_in(bhs, &n);
	return strix_iscsi_send_pdu(conn, bhs, NULL, NULL, 0, 0);
}

static void strix_iscsi_tx_one(struct strix_iscsi_conn *conn,
			       struct strix_iscsi_task *t, unsigned long todo,
			       int *err)
{
	if (t->kind != STRIX_ISCSI_TASK_SCSI) {
		if (!*err)
			*err = strix_iscsi_send_other(conn, t);
		if (t->kind == STRIX_ISCSI_TASK_LOGOUT && !*err &&
		    t->response == STRIX_ISCSI_LOGOUT_RSP_OK) {
			conn->logout_sent = true;
			strix_iscsi_conn_close(conn, "logout");
		}
		/* RFC 7143 11.5.1: after a cold reset the connections go */
		if (t->kind == STRIX_ISCSI_TASK_TMF && !*err &&
		    t->pdu.tmf.function == STRIX_ISCSI_TMF_TARGET_COLD_RESET &&
		    t->response == STRIX_ISCSI_TMF_RSP_COMPLETE)
			strix_iscsi_conn_close(conn, "target cold reset");
		strix_iscsi_task_put(t);
		return;
	}
	if (test_bit(STRIX_ISCSI_T_SEND_R2T, &todo) && !*err)
		*err = strix_iscsi_send_r2ts(conn, t);
	if (test_bit(STRIX_ISCSI_T_SEND_RSP, &todo)) {
		if (!*err && !test_bit(STRIX_ISCSI_T_ABORTED, &t->flags))
			*err = strix_iscsi_send_scsi(conn, t);
		strix_iscsi_task_finish(t);
	}
}

static int strix_iscsi_tx(void *arg)
{
	struct strix_iscsi_conn *conn = arg;
	struct strix_iscsi_task *t;
	unsigned long todo;
	int err = 0;

	for (;;) {
		spin_lock_irq(&conn->task_lock);
		t = list_first_entry_or_null(&conn->tx_queue,
					     struct strix_iscsi_task, tx_entry);
		if (t) {
			list_del_init(&t->tx_entry);
			__clear_bit(STRIX_ISCSI_T_ON_TXQ, &t->flags);
			todo = t->flags & (BIT(STRIX_ISCSI_T_SEND_R2T) |
					   BIT(STRIX_ISCSI_T_SEND_RSP));
			t->flags &= ~todo;
		}
		spin_unlock_irq(&conn->task_lock);
		if (t) {
			strix_iscsi_tx_one(conn, t, todo, &err);
			if (err && !conn->dead)
				strix_iscsi_conn_close(conn, err == -EAGAIN ?
					"no send progress for RspTimeout" :
					"send failed");
			continue;
		}
		/*
		 * A Logout Response once the connection's commands are done,
		 * and after what the nexus held is released: the session's
		 * only connection goes, and the initiator (or another) may
		 * act on the response before the session is unregistered.
		 */
		if (READ_ONCE(conn->logout) && xa_empty(&conn->tasks)) {
			t = conn->logout;
			WRITE_ONCE(conn->logout, NULL);
			strix_session_nexus_loss(conn->isess->sess);
			strix_iscsi_tx_queue(t, STRIX_ISCSI_T_SEND_RSP);
			continue;
		}
		if (kthread_should_stop())
			break;
		if (!err && !conn->dead && strix_iscsi_async_logout(conn))
			err = -EIO;
		if (!err && !conn->dead && strix_iscsi_ping(conn))
			err = -EIO;
		wait_event_interruptible_timeout(conn->tx_wq,
			!list_empty_careful(&conn->tx_queue) ||
			kthread_should_stop() ||
			(READ_ONCE(conn->logout_asked) && !conn->async_sent) ||
			(READ_ONCE(conn->logout) && xa_empty(&conn->tasks)),
			HZ);
	}
	if (conn->logout) {
		strix_iscsi_task_put(conn->logout);
		conn->logout = NULL;
	}
	return 0;
}

/* ---- the core's callbacks ---- */

/*
 * All the Data-Out of a task whose data was lost is in: the unsolicited
 * sequence has ended and no R2T is unanswered.  Under conn->task_lock.
 */
static bool strix_iscsi_data_in(const struct strix_iscsi_task *t)
{
	return t->received >= t->unsol_end && !t->r2t_outstanding;
}

/* The core wants the write data: whatever is in, then R2Ts for the rest. */
void strix_iscsi_fetch_data(struct strix_cmd *cmd)
{
	struct strix_iscsi_task *t = container_of(cmd, struct strix_iscsi_task,
						  cmd);
	struct strix_iscsi_conn *conn = t->conn;
	unsigned long flags;
	bool ready = false, lost = false, dead;

	spin_lock_irqsave(&conn->task_lock, flags);
	dead = conn->dead || test_bit(STRIX_ISCSI_T_ABORTED, &t->flags);
	__set_bit(STRIX_ISCSI_T_WANT_DATA, &t->flags);
	if (!dead) {
		if (test_bit(STRIX_ISCSI_T_DATA_LOST, &t->flags))
			lost = strix_iscsi_data_in(t);	/* no R2T now */
		else if (t->received >= cmd->xfer_len)
			ready = true;
		else if (t->received >= t->unsol_end)
			__strix_iscsi_tx_queue(t, STRIX_ISCSI_T_SEND_R2T);
	}
	if ((ready || dead || lost) &&
	    __test_and_set_bit(STRIX_ISCSI_T_DATA_DONE, &t->flags))
		ready = dead = lost = false;
	spin_unlock_irqrestore(&conn->task_lock, flags);
	if (ready)
		strix_cmd_data_ready(cmd, STRIX_OK);
	else if (dead)
		strix_cmd_data_ready(cmd, STRIX_ABORTED);
	else if (lost)
		strix_cmd_data_ready(cmd, STRIX_PROTOCOL_CRC_ERROR);
}

void strix_iscsi_queue_response(struct strix_cmd *cmd)
{
	struct strix_iscsi_task *t = container_of(cmd, struct strix_iscsi_task,
						  cmd);
	struct strix_iscsi_conn *conn = t->conn;
	unsigned long flags;
	bool finish = false;

	spin_lock_irqsave(&conn->task_lock, flags);
	if (test_bit(STRIX_ISCSI_T_ABORTED, &t->flags) || cmd->aborted)
		finish = true;	/* no response: the core aborted it */
	else if (t->received < t->unsol_end)	/* unsolicited data to come */
		__set_bit(STRIX_ISCSI_T_RSP_HELD, &t->flags);
	else if (!__strix_iscsi_tx_queue(t, STRIX_ISCSI_T_SEND_RSP))
		finish = true;
	spin_unlock_irqrestore(&conn->task_lock, flags);
	if (finish)
		strix_iscsi_task_finish(t);
}

/*
 * The core aborted @cmd (under its spinlock: ours only here).  A command
 * waiting for Data-Out stops: no more R2Ts, what comes is dropped, and the
 * core ends the wait.
 */
bool strix_iscsi_abort_data(struct strix_cmd *cmd)
{
	struct strix_iscsi_task *t = container_of(cmd, struct strix_iscsi_task,
						  cmd);
	struct strix_iscsi_conn *conn = t->conn;
	unsigned long flags;
	bool owed = false;

	spin_lock_irqsave(&conn->task_lock, flags);
	if (cmd->expected_dir == STRIX_DATA_WRITE) {
		__set_bit(STRIX_ISCSI_T_DATA_ABORTED, &t->flags);
		owed = test_bit(STRIX_ISCSI_T_WANT_DATA, &t->flags) &&
		       !__test_and_set_bit(STRIX_ISCSI_T_DATA_DONE, &t->flags);
	}
	spin_unlock_irqrestore(&conn->task_lock, flags);
	return owed;
}

/* ---- receive ---- */

static int strix_iscsi_reject(struct strix_iscsi_conn *conn, const u8 *bhs,
			      u8 reason)
{
	struct strix_iscsi_task *t;

	t = strix_iscsi_task_alloc(conn, STRIX_ISCSI_TASK_REJECT);
	if (!t)
		return -ENOMEM;
	t->response = reason;
	t->pdu.itt = STRIX_ISCSI_RSVD_TAG;
	memcpy(t->rej_bhs, bhs, STRIX_ISCSI_BHS_LEN);
	strix_iscsi_tx_queue(t, STRIX_ISCSI_T_SEND_RSP);
	return 0;
}

static void strix_iscsi_deliver(struct strix_iscsi_conn *conn,
				struct strix_iscsi_task *t);

/*
 * The CmdSN gate for a non-immediate PDU: 1 deliver now, 0 hold (ahead of
 * ExpCmdSN), -1 drop (outside the window).
 */
static int strix_iscsi_cmd_sn_check(struct strix_iscsi_conn *conn, u32 cmd_sn)
{
	struct strix_iscsi_sess *s = conn->isess;
	int ret;

	spin_lock(&s->sn_lock);
	if (cmd_sn == s->exp_cmd_sn) {
		s->exp_cmd_sn++;
		ret = 1;
	} else if (strix_iscsi_sn_gt(cmd_sn, s->exp_cmd_sn) &&
		   strix_iscsi_sn_lte(cmd_sn, s->max_cmd_sn)) {
		ret = 0;
	} else {
		ret = -1;
	}
	spin_unlock(&s->sn_lock);
	return ret;
}

static u32 strix_iscsi_pdu_cmd_sn(const struct strix_iscsi_pdu *pdu)
{
	switch (pdu->opcode) {
	case STRIX_ISCSI_OP_SCSI_CMD:	return pdu->cmd.cmd_sn;
	case STRIX_ISCSI_OP_NOP_OUT:	return pdu->nop_out.cmd_sn;
	case STRIX_ISCSI_OP_TMF_REQ:	return pdu->tmf.cmd_sn;
	case STRIX_ISCSI_OP_LOGOUT_REQ:	return pdu->logout.cmd_sn;
	case STRIX_ISCSI_OP_TEXT_REQ:	return pdu->text.cmd_sn;
	}
	return 0;
}

/* Deliver @t, and then what waited for it, in CmdSN order. */
static void strix_iscsi_gate(struct strix_iscsi_conn *conn,
			     struct strix_iscsi_task *t)
{
	struct strix_iscsi_task *h, *tmp;
	u32 sn;
	int v;

	if (t->pdu.immediate) {
		strix_iscsi_deliver(conn, t);
		return;
	}
	sn = strix_iscsi_pdu_cmd_sn(&t->pdu);
	v = strix_iscsi_cmd_sn_check(conn, sn);
	if (v < 0) {
		/* RFC 7143 4.2.2.1: silently ignored */
		strix_iscsi_task_finish(t);
		return;
	}
	if (t->kind == STRIX_ISCSI_TASK_SCSI &&
	    !__test_and_set_bit(STRIX_ISCSI_T_IN_WINDOW, &t->flags))
		atomic_inc(&conn->isess->in_window);
	if (v == 0) {
		list_for_each_entry(h, &conn->held, hold_entry)
			if (strix_iscsi_sn_gt(strix_iscsi_pdu_cmd_sn(&h->pdu), sn))
				break;
		list_add_tail(&t->hold_entry, &h->hold_entry);
		return;
	}
	strix_iscsi_deliver(conn, t);
again:
	list_for_each_entry_safe(h, tmp, &conn->held, hold_entry) {
		if (strix_iscsi_cmd_sn_check(conn,
				strix_iscsi_pdu_cmd_sn(&h->pdu)) == 1) {
			list_del_init(&h->hold_entry);
			strix_iscsi_deliver(conn, h);
			goto again;
		}
	}
}

static void strix_iscsi_submit(struct strix_iscsi_conn *conn,
			       struct strix_iscsi_task *t)
{
	set_bit(STRIX_ISCSI_T_SUBMITTED, &t->flags);
	strix_cmd_submit(&t->cmd);
}

/* Abort @t for a TMF (or teardown when @tmf is NULL). */
static void strix_iscsi_abort(struct strix_iscsi_task *t,
			      struct strix_iscsi_task *tmf)
{
	struct strix_iscsi_conn *conn = t->conn;
	bool fail = false, finish = false;
	unsigned long flags;

	spin_lock_irqsave(&conn->task_lock, flags);
	if (test_and_set_bit(STRIX_ISCSI_T_ABORTED, &t->flags)) {
		spin_unlock_irqrestore(&conn->task_lock, flags);
		return;
	}
	if (tmf && !t->tmf) {
		t->tmf = tmf;
		atomic_inc(&tmf->tmf_wait);
	}
	if (test_bit(STRIX_ISCSI_T_WANT_DATA, &t->flags) &&
	    !__test_and_set_bit(STRIX_ISCSI_T_DATA_DONE, &t->flags))
		fail = true;
	if (__test_and_clear_bit(STRIX_ISCSI_T_RSP_HELD, &t->flags))
		finish = true;
	spin_unlock_irqrestore(&conn->task_lock, flags);
	if (fail)
		strix_cmd_data_ready(&t->cmd, STRIX_ABORTED);
	if (finish)
		strix_iscsi_task_finish(t);
}

static void strix_iscsi_tmf_task_done(struct strix_iscsi_task *tmf)
{
	strix_iscsi_tx_queue(tmf, STRIX_ISCSI_T_SEND_RSP);
}

/* The core's answer to a TMF, as iSCSI says it. */
static u8 strix_iscsi_tmf_rsp(enum strix_tmf_rsp r)
{
	switch (r) {
	case STRIX_TMF_COMPLETE:	return STRIX_ISCSI_TMF_RSP_COMPLETE;
	case STRIX_TMF_SUCCEEDED:	return STRIX_ISCSI_TMF_RSP_SUCCEEDED;
	case STRIX_TMF_NO_TASK:		return STRIX_ISCSI_TMF_RSP_COMPLETE;
	case STRIX_TMF_NO_LUN:		return STRIX_ISCSI_TMF_RSP_NO_LUN;
	default:			return STRIX_ISCSI_TMF_RSP_REJECTED;
	}
}

/* The core finished a TMF's function: the response goes once all is in. */
void strix_iscsi_tmf_done(struct strix_tmf *ct)
{
	struct strix_iscsi_task *tmf = container_of(ct, struct strix_iscsi_task,
						    core_tmf);

	tmf->response = strix_iscsi_tmf_rsp(ct->response);
	if (atomic_dec_and_test(&tmf->tmf_wait))
		strix_iscsi_tmf_task_done(tmf);
}

/* Hand the function to the core (it aborts across every session). */
static void strix_iscsi_tmf_core(struct strix_iscsi_task *tmf,
				 enum strix_tmf_fn fn, u64 lun, u64 tag)
{
	tmf->core_tmf.fn = fn;
	tmf->core_tmf.lun = lun;
	tmf->core_tmf.tag = tag;
	atomic_inc(&tmf->tmf_wait);
	strix_tmf_submit(tmf->conn->isess->sess, &tmf->core_tmf);
}

/*
 * Task management.  Tasks the core does not have yet (held for CmdSN
 * order) are this driver's to abort; the rest, across every session, and
 * the resets' effects are the core's.  The response goes when both are
 * done.  Only tasks of this LUN (or all, for the target-wide functions)
 * that are held here are ours: the held ones of a whole-LUN function.
 */
static void strix_iscsi_tmf(struct strix_iscsi_conn *conn,
			    struct strix_iscsi_task *tmf)
{
	struct strix_iscsi_tmf_req *r = &tmf->pdu.tmf;
	u64 lun = strix_lun_from_wire(r->lun);
	enum strix_tmf_fn fn;
	struct strix_iscsi_task *t;
	unsigned long idx;
	bool abort_held = true, held = false;

	atomic_set(&tmf->tmf_wait, 1);	/* ours, dropped below */
	tmf->response = STRIX_ISCSI_TMF_RSP_COMPLETE;
	switch (r->function) {
	case STRIX_ISCSI_TMF_ABORT_TASK:
	case STRIX_ISCSI_TMF_QUERY_TASK:
		t = strix_iscsi_task_get(conn, r->ref_task_tag);
		if (!t || t->kind != STRIX_ISCSI_TASK_SCSI) {
			if (t)
				strix_iscsi_task_put(t);
			tmf->response = r->function == STRIX_ISCSI_TMF_ABORT_TASK ?
					STRIX_ISCSI_TMF_RSP_NO_TASK :
					STRIX_ISCSI_TMF_RSP_COMPLETE;
			break;
		}
		if (!test_bit(STRIX_ISCSI_T_SUBMITTED, &t->flags)) {
			/* still held: it is ours (and present, for a query) */
			if (r->function == STRIX_ISCSI_TMF_ABORT_TASK)
				strix_iscsi_abort(t, tmf);
			else
				tmf->response = STRIX_ISCSI_TMF_RSP_SUCCEEDED;
		} else {
			strix_iscsi_tmf_core(tmf,
				r->function == STRIX_ISCSI_TMF_ABORT_TASK ?
				STRIX_TMF_ABORT_TASK : STRIX_TMF_QUERY_TASK,
				t->cmd.lun, t->cmd.tag);
		}
		strix_iscsi_task_put(t);
		break;
	case STRIX_ISCSI_TMF_ABORT_TASK_SET:
	case STRIX_ISCSI_TMF_CLEAR_TASK_SET:
	case STRIX_ISCSI_TMF_LOGICAL_UNIT_RESET:
	case STRIX_ISCSI_TMF_TARGET_WARM_RESET:
	case STRIX_ISCSI_TMF_TARGET_COLD_RESET:
	case STRIX_ISCSI_TMF_I_T_NEXUS_RESET:
	case STRIX_ISCSI_TMF_QUERY_TASK_SET:
	case STRIX_ISCSI_TMF_QUERY_ASYNC_EVENT:
		switch (r->function) {
		case STRIX_ISCSI_TMF_ABORT_TASK_SET:
			fn = STRIX_TMF_ABORT_TASK_SET;
			break;
		case STRIX_ISCSI_TMF_CLEAR_TASK_SET:
			fn = STRIX_TMF_CLEAR_TASK_SET;
			break;
		case STRIX_ISCSI_TMF_LOGICAL_UNIT_RESET:
			fn = STRIX_TMF_LUN_RESET;
			break;
		case STRIX_ISCSI_TMF_I_T_NEXUS_RESET:
			fn = STRIX_TMF_I_T_NEXUS_RESET;
			break;
		case STRIX_ISCSI_TMF_QUERY_TASK_SET:
			fn = STRIX_TMF_QUERY_TASK_SET;
			abort_held = false;
			break;
		case STRIX_ISCSI_TMF_QUERY_ASYNC_EVENT:
			fn = STRIX_TMF_QUERY_ASYNC_EVENT;
			abort_held = false;
			break;
		default:
			fn = STRIX_TMF_TARGET_RESET;
			break;
		}
		xa_for_each(&conn->tasks, idx, t) {
			if (fn == STRIX_TMF_QUERY_ASYNC_EVENT || held)
				break;
			t = strix_iscsi_task_get(conn, idx);
			if (!t)
				continue;
			if (t->kind == STRIX_ISCSI_TASK_SCSI &&
			    !test_bit(STRIX_ISCSI_T_SUBMITTED, &t->flags) &&
			    (fn == STRIX_TMF_TARGET_RESET ||
			     fn == STRIX_TMF_I_T_NEXUS_RESET ||
			     t->cmd.lun == lun)) {
				if (abort_held)
					strix_iscsi_abort(t, tmf);
				else		/* QUERY TASK SET: one is there */
					held = true;
			}
			strix_iscsi_task_put(t);
		}
		if (held)
			tmf->response = STRIX_ISCSI_TMF_RSP_SUCCEEDED;
		else
			strix_iscsi_tmf_core(tmf, fn, lun, 0);
		break;
	case STRIX_ISCSI_TMF_TASK_REASSIGN:
		tmf->response = STRIX_ISCSI_TMF_RSP_NO_REASSIGN;
		break;
	case STRIX_ISCSI_TMF_CLEAR_ACA:
		/* NACA=1 is refused: no ACA to clear */
		tmf->response = STRIX_ISCSI_TMF_RSP_NOT_SUPPORTED;
		break;
	default:
		tmf->response = STRIX_ISCSI_TMF_RSP_NOT_SUPPORTED;
		break;
	}
	if (atomic_dec_and_test(&tmf->tmf_wait))
		strix_iscsi_tmf_task_done(tmf);
}

/* SendTargets in a normal session: this target, at this portal. */
static void strix_iscsi_text(struct strix_iscsi_conn *conn,
			     struct strix_iscsi_task *t, const char *req,
			     u32 len)
{
	const char *p;
	char *out;
	int n = 0;

	out = kzalloc(PAGE_SIZE, GFP_KERNEL);
	t->data = out;
	if (!out)
		return;
	for (p = req; p < req + len; p += strnlen(p, req + len - p) + 1) {
		size_t klen = strcspn(p, "=");

		if (!*p)
			continue;
		if (!strncmp(p, "SendTargets=", 12)) {
			n += scnprintf(out + n, PAGE_SIZE - n,
				       "TargetName=%s", conn->isess->itgt->name);
			n++;
			n += scnprintf(out + n, PAGE_SIZE - n,
				       "TargetAddress=%s,1", conn->local);
			n++;
		} else if (klen < 64) {
			n += scnprintf(out + n, PAGE_SIZE - n,
				       "%.*s=NotUnderstood", (int)klen, p);
			n++;
		}
		if (n >= PAGE_SIZE - 1)
			break;
	}
	t->data_len = min_t(int, n, PAGE_SIZE);
}

/* A PDU whose turn has come. */
static void strix_iscsi_deliver(struct strix_iscsi_conn *conn,
				struct strix_iscsi_task *t)
{
	switch (t->kind) {
	case STRIX_ISCSI_TASK_SCSI:
		if (test_bit(STRIX_ISCSI_T_ABORTED, &t->flags))
			strix_iscsi_task_finish(t);	/* while it waited */
		else
			strix_iscsi_submit(conn, t);
		return;
	case STRIX_ISCSI_TASK_NOP_IN:
		if (t->pdu.itt == STRIX_ISCSI_RSVD_TAG) {
			strix_iscsi_task_put(t);	/* nothing to answer */
			return;
		}
		t->pdu.nop_out.ttt = STRIX_ISCSI_RSVD_TAG;
		strix_iscsi_tx_queue(t, STRIX_ISCSI_T_SEND_RSP);
		return;
	case STRIX_ISCSI_TASK_TMF:
		strix_iscsi_tmf(conn, t);
		return;
	case STRIX_ISCSI_TASK_TEXT:
		strix_iscsi_tx_queue(t, STRIX_ISCSI_T_SEND_RSP);
		return;
	case STRIX_ISCSI_TASK_LOGOUT:
		WRITE_ONCE(conn->logout_rcvd, true);
		if (t->response == STRIX_ISCSI_LOGOUT_RSP_OK) {
			/* sent when the commands are done (transmit thread) */
			WRITE_ONCE(conn->logout, t);
			wake_up(&conn->tx_wq);
		} else {
			strix_iscsi_tx_queue(t, STRIX_ISCSI_T_SEND_RSP);
		}
		return;
	default:
		strix_iscsi_task_put(t);
	}
}

static enum strix_task_attr strix_iscsi_attr(u8 a)
{
	switch (a) {
	case STRIX_ISCSI_ATTR_ORDERED:		return STRIX_TASK_ORDERED;
	case STRIX_ISCSI_ATTR_HEAD_OF_QUEUE:	return STRIX_TASK_HEAD_OF_QUEUE;
	case STRIX_ISCSI_ATTR_ACA:		return STRIX_TASK_ACA;
	}
	return STRIX_TASK_SIMPLE;
}

static int strix_iscsi_rx_scsi(struct strix_iscsi_conn *conn, const u8 *bhs,
			       struct strix_iscsi_pdu *pdu)
{
	const struct strix_iscsi_params *p = &conn->isess->params;
	struct strix_iscsi_scsi_cmd *c = &pdu->cmd;
	struct strix_iscsi_task *t;
	struct strix_cmd *cmd;
	int ret;

	if (pdu->dsl && (!p->immediate_data || pdu->dsl > p->first_burst ||
			 pdu->dsl > c->exp_xfer_len)) {
		conn->close_reason = "protocol error: immediate data";
		return -EPROTO;
	}
	if (c->write && c->exp_xfer_len > STRIX_ISCSI_MAX_XFER) {
		conn->close_reason = "protocol error: transfer too long";
		return -EPROTO;
	}
	if (c->ext_cdb_len > STRIX_MAX_CDB_LEN - STRIX_ISCSI_CDB_LEN) {
		ret = strix_iscsi_skip_data(conn, pdu->dsl);
		return ret ? ret : strix_iscsi_reject(conn, bhs,
				STRIX_ISCSI_REJECT_INVALID_FIELD);
	}

	t = strix_iscsi_task_alloc(conn, STRIX_ISCSI_TASK_SCSI);
	if (!t)
		return -ENOMEM;
	t->pdu = *pdu;
	t->pdu.cmd.ext_cdb = NULL;
	cmd = &t->cmd;
	strix_cmd_init(cmd, conn->isess->sess);
	cmd->lun = strix_lun_from_wire(c->lun);
	cmd->tag = pdu->itt;
	memcpy(cmd->cdb, c->cdb, STRIX_ISCSI_CDB_LEN);
	if (c->ext_cdb_len)
		memcpy(cmd->cdb + STRIX_ISCSI_CDB_LEN, c->ext_cdb,
		       c->ext_cdb_len);
	cmd->cdb_len = STRIX_ISCSI_CDB_LEN + c->ext_cdb_len;
	cmd->attr = strix_iscsi_attr(c->attr);
	cmd->expected_len = c->exp_xfer_len;
	cmd->expected_dir = c->write ? STRIX_DATA_WRITE :
			    c->read ? STRIX_DATA_READ : STRIX_DATA_NONE;
	if (!cmd->expected_len)
		cmd->expected_dir = STRIX_DATA_NONE;

	if (cmd->expected_dir == STRIX_DATA_WRITE) {
		t->exp_len = c->exp_xfer_len;
		ret = strix_cmd_alloc_buf(cmd, t->exp_len, GFP_KERNEL);
		if (ret) {
			strix_iscsi_task_put(t);
			return ret;
		}
		if (p->initial_r2t || pdu->final)
			t->unsol_end = pdu->dsl;
		else
			t->unsol_end = min(p->first_burst, t->exp_len);
		t->unsol_end = max(t->unsol_end, pdu->dsl);
		t->r2t_off = t->unsol_end;
		ret = strix_iscsi_recv_sg(conn, cmd, 0, pdu->dsl);
		if (ret == -EBADMSG) {
			/* RFC 7143 7.8: Reject, and the command is not run */
			strix_iscsi_task_put(t);
			return strix_iscsi_reject(conn, bhs,
					STRIX_ISCSI_REJECT_DATA_DIGEST);
		}
		if (ret) {
			strix_iscsi_task_put(t);
			return ret;
		}
		t->received = pdu->dsl;
		t->data_sn = 0;
		cmd->data_pending = t->received < t->exp_len;
	}

	ret = xa_insert_irq(&conn->tasks, pdu->itt, t, GFP_KERNEL);
	if (ret) {
		strix_iscsi_task_put(t);
		if (ret != -EBUSY)
			return ret;
		/* an ITT still in use */
		return strix_iscsi_reject(conn, bhs,
					  STRIX_ISCSI_REJECT_TASK_IN_PROGRESS);
	}
	strix_iscsi_gate(conn, t);
	return 0;
}

/* The unsolicited sequence or an R2T's burst has all its data. */
static void strix_iscsi_seq_done(struct strix_iscsi_conn *conn,
				 struct strix_iscsi_task *t, bool unsol)
{
	t->data_sn = 0;
	if (unsol) {
		/* F may end it early; no R2T has gone out yet */
		t->unsol_end = t->received;
		t->r2t_off = t->unsol_end;
		if (test_bit(STRIX_ISCSI_T_WANT_DATA, &t->flags) &&
		    t->received < t->cmd.xfer_len)
			__strix_iscsi_tx_queue(t, STRIX_ISCSI_T_SEND_R2T);
		if (__test_and_clear_bit(STRIX_ISCSI_T_RSP_HELD, &t->flags) &&
		    !__strix_iscsi_tx_queue(t, STRIX_ISCSI_T_SEND_RSP))
			__set_bit(STRIX_ISCSI_T_RSP_HELD, &t->flags);
		return;
	}
	if (t->r2t_outstanding)
		t->r2t_outstanding--;
	if (t->r2t_off < t->cmd.xfer_len)
		__strix_iscsi_tx_queue(t, STRIX_ISCSI_T_SEND_R2T);
}

/*
 * RFC 7143 7.8 and 7.9 at ErrorRecoveryLevel 0: a Data-Out whose data is
 * lost (its data digest is wrong, or its DataSN is out of order, which
 * means an earlier one was) is discarded, and its task ends with CHECK
 * CONDITION, PROTOCOL SERVICE CRC ERROR, once the sequences in flight have
 * ended (the PDU with the F bit of the unsolicited data and of each R2T
 * sent).  No more R2Ts go out; the connection and the session go on.
 * Under conn->task_lock; @end: this PDU ends its sequence.  True when the
 * task's data is all in.
 */
static bool strix_iscsi_data_lost(struct strix_iscsi_conn *conn,
				  struct strix_iscsi_task *t, bool unsol,
				  bool end)
{
	__set_bit(STRIX_ISCSI_T_DATA_LOST, &t->flags);
	if (end && unsol) {
		t->received = t->unsol_end;
		strix_iscsi_seq_done(conn, t, true);	/* a held response goes */
	} else if (end && t->r2t_outstanding) {
		t->r2t_outstanding--;
	}
	return strix_iscsi_data_in(t);
}

static int strix_iscsi_rx_data_out(struct strix_iscsi_conn *conn,
				   const u8 *bhs, struct strix_iscsi_pdu *pdu)
{
	const struct strix_iscsi_params *p = &conn->isess->params;
	struct strix_iscsi_data_out *d = &pdu->data_out;
	struct strix_iscsi_task *t;
	bool unsol, lost, in, ready = false, finish = false;
	unsigned long flags;
	u32 limit, end;
	int ret;

	t = strix_iscsi_task_get(conn, pdu->itt);
	if (!t || t->kind != STRIX_ISCSI_TASK_SCSI ||
	    t->cmd.expected_dir != STRIX_DATA_WRITE) {
		if (t)
			strix_iscsi_task_put(t);
		ret = strix_iscsi_skip_data(conn, pdu->dsl);
		return ret ? ret : strix_iscsi_reject(conn, bhs,
				STRIX_ISCSI_REJECT_INVALID_FIELD);
	}
	if (test_bit(STRIX_ISCSI_T_ABORTED, &t->flags) ||
	    test_bit(STRIX_ISCSI_T_DATA_ABORTED, &t->flags)) {
		strix_iscsi_task_put(t);
		return strix_iscsi_skip_data(conn, pdu->dsl);
	}

	spin_lock_irqsave(&conn->task_lock, flags);
	lost = test_bit(STRIX_ISCSI_T_DATA_LOST, &t->flags);
	/* once data is lost, offsets are not followed: the TTT tells */
	unsol = lost ? d->ttt == STRIX_ISCSI_RSVD_TAG :
		       t->received < t->unsol_end;
	limit = unsol ? t->unsol_end : t->r2t_off;
	spin_unlock_irqrestore(&conn->task_lock, flags);
	ret = -EPROTO;
	if (!lost && d->buffer_offset != t->received)
		conn->close_reason = "protocol error: Data-Out offset";
	else if (d->buffer_offset + pdu->dsl > limit ||
		 d->buffer_offset + pdu->dsl < d->buffer_offset ||
		 (unsol && t->received >= t->unsol_end))
		conn->close_reason = "protocol error: Data-Out beyond the burst";
	else if (unsol ? d->ttt != STRIX_ISCSI_RSVD_TAG : d->ttt != t->ttt)
		conn->close_reason = "protocol error: Data-Out TTT";
	else
		ret = 0;
	if (!ret && !lost && d->data_sn == t->data_sn) {
		ret = strix_iscsi_recv_sg(conn, &t->cmd, d->buffer_offset,
					  pdu->dsl);
		if (ret == -EBADMSG) {
			lost = true;
			ret = strix_iscsi_reject(conn, bhs,
						 STRIX_ISCSI_REJECT_DATA_DIGEST);
		}
	} else if (!ret) {
		/* lost already, or a DataSN out of order: one was lost */
		lost = true;
		ret = strix_iscsi_skip_data(conn, pdu->dsl);
	}
	if (ret) {
		strix_iscsi_task_put(t);
		return ret;
	}

	spin_lock_irqsave(&conn->task_lock, flags);
	if (lost) {
		in = strix_iscsi_data_lost(conn, t, unsol, pdu->final ||
					   d->buffer_offset + pdu->dsl == limit);
	} else {
		t->received += pdu->dsl;
		t->data_sn++;
		if (unsol && (t->received == t->unsol_end || pdu->final)) {
			strix_iscsi_seq_done(conn, t, true);
		} else if (!unsol) {
			/* the burst this PDU belongs to */
			end = t->unsol_end + rounddown(t->received - 1 -
						       t->unsol_end,
						       p->max_burst);
			end = min(end + p->max_burst, t->cmd.xfer_len);
			if (t->received >= end)
				strix_iscsi_seq_done(conn, t, false);
		}
		in = t->received >= t->cmd.xfer_len;
	}
	if (test_bit(STRIX_ISCSI_T_WANT_DATA, &t->flags) && in &&
	    !__test_and_set_bit(STRIX_ISCSI_T_DATA_DONE, &t->flags))
		ready = true;
	if (conn->dead && __test_and_clear_bit(STRIX_ISCSI_T_RSP_HELD,
					       &t->flags))
		finish = true;
	spin_unlock_irqrestore(&conn->task_lock, flags);
	if (ready)
		strix_cmd_data_ready(&t->cmd, lost ? STRIX_PROTOCOL_CRC_ERROR :
						     STRIX_OK);
	if (finish)
		strix_iscsi_task_finish(t);
	strix_iscsi_task_put(t);
	return 0;
}

static int strix_iscsi_rx_other(struct strix_iscsi_conn *conn, const u8 *bhs,
				struct strix_iscsi_pdu *pdu)
{
	struct strix_iscsi_task *t;
	u8 kind;
	int ret;

	switch (pdu->opcode) {
	case STRIX_ISCSI_OP_NOP_OUT:
		kind = STRIX_ISCSI_TASK_NOP_IN;
		if (pdu->itt == STRIX_ISCSI_RSVD_TAG &&
		    pdu->nop_out.ttt != STRIX_ISCSI_RSVD_TAG &&
		    pdu->nop_out.ttt == conn->ping_ttt)
			conn->ping_ttt = STRIX_ISCSI_RSVD_TAG;	/* answered */
		break;
	case STRIX_ISCSI_OP_TMF_REQ:
		kind = STRIX_ISCSI_TASK_TMF;
		break;
	case STRIX_ISCSI_OP_LOGOUT_REQ:
		kind = STRIX_ISCSI_TASK_LOGOUT;
		break;
	case STRIX_ISCSI_OP_TEXT_REQ:
		kind = STRIX_ISCSI_TASK_TEXT;
		if (pdu->text.cont || pdu->text.ttt != STRIX_ISCSI_RSVD_TAG) {
			/* long text exchanges: not in a normal session */
			ret = strix_iscsi_skip_data(conn, pdu->dsl);
			return ret ? ret : strix_iscsi_reject(conn, bhs,
				STRIX_ISCSI_REJECT_CMD_NOT_SUPPORTED);
		}
		break;
	case STRIX_ISCSI_OP_SNACK_REQ:
		/* error recovery level 0: no SNACK */
		ret = strix_iscsi_skip_data(conn, pdu->dsl);
		return ret ? ret : strix_iscsi_reject(conn, bhs,
				STRIX_ISCSI_REJECT_PROTOCOL_ERROR);
	default:
		ret = strix_iscsi_skip_data(conn, pdu->dsl);
		return ret ? ret : strix_iscsi_reject(conn, bhs,
				STRIX_ISCSI_REJECT_CMD_NOT_SUPPORTED);
	}

	ret = strix_iscsi_recv_linear(conn, pdu->dsl);
	if (ret == -EBADMSG)
		return strix_iscsi_reject(conn, bhs,
					  STRIX_ISCSI_REJECT_DATA_DIGEST);
	if (ret)
		return ret;
	t = strix_iscsi_task_alloc(conn, kind);
	if (!t)
		return -ENOMEM;
	t->pdu = *pdu;
	switch (kind) {
	case STRIX_ISCSI_TASK_NOP_IN:
		if (pdu->dsl && pdu->itt != STRIX_ISCSI_RSVD_TAG) {
			t->data = kmemdup(conn->rx_buf, pdu->dsl, GFP_KERNEL);
			if (!t->data) {
				strix_iscsi_task_put(t);
				return -ENOMEM;
			}
			t->data_len = pdu->dsl;
		}
		break;
	case STRIX_ISCSI_TASK_TEXT:
		strix_iscsi_text(conn, t, conn->rx_buf, pdu->dsl);
		break;
	case STRIX_ISCSI_TASK_LOGOUT:
		if (pdu->logout.reason == STRIX_ISCSI_LOGOUT_RECOVERY)
			t->response = STRIX_ISCSI_LOGOUT_RSP_NO_RECOVERY;
		else if (pdu->logout.reason == STRIX_ISCSI_LOGOUT_CONNECTION &&
			 pdu->logout.cid != conn->cid)
			t->response = STRIX_ISCSI_LOGOUT_RSP_NO_CID;
		else
			t->response = STRIX_ISCSI_LOGOUT_RSP_OK;
		break;
	}
	strix_iscsi_gate(conn, t);
	return 0;
}

static u32 strix_iscsi_pdu_exp_stat_sn(const struct strix_iscsi_pdu *pdu)
{
	switch (pdu->opcode) {
	case STRIX_ISCSI_OP_SCSI_CMD:	return pdu->cmd.exp_stat_sn;
	case STRIX_ISCSI_OP_NOP_OUT:	return pdu->nop_out.exp_stat_sn;
	case STRIX_ISCSI_OP_DATA_OUT:	return pdu->data_out.exp_stat_sn;
	case STRIX_ISCSI_OP_TMF_REQ:	return pdu->tmf.exp_stat_sn;
	case STRIX_ISCSI_OP_LOGOUT_REQ:	return pdu->logout.exp_stat_sn;
	case STRIX_ISCSI_OP_TEXT_REQ:	return pdu->text.exp_stat_sn;
	case STRIX_ISCSI_OP_SNACK_REQ:	return pdu->snack.exp_stat_sn;
	}
	return 0;
}

/* One PDU.  0, or why the connection ends. */
static int strix_iscsi_rx_pdu(struct strix_iscsi_conn *conn)
{
	const struct strix_iscsi_params *p = &conn->isess->params;
	u8 *hdr = conn->rx_hdr;
	struct strix_iscsi_pdu pdu;
	strix_iscsi_verdict_t v;
	u32 ahs_len;
	int ret;

	ret = strix_iscsi_recv_kvec(conn, hdr, STRIX_ISCSI_BHS_LEN);
	if (ret)
		return ret;
	ahs_len = strix_iscsi_bhs_ahs_len(hdr);
	ret = strix_iscsi_recv_kvec(conn, hdr + STRIX_ISCSI_BHS_LEN,
				    ahs_len + (p->header_digest ?
					       STRIX_ISCSI_DIGEST_LEN : 0));
	if (ret)
		return ret;
	if (p->header_digest &&
	    strix_iscsi_get_digest(hdr + STRIX_ISCSI_BHS_LEN + ahs_len) !=
	    strix_iscsi_header_digest(hdr, STRIX_ISCSI_BHS_LEN + ahs_len)) {
		conn->close_reason = "header digest error";
		return -EBADMSG;
	}
	WRITE_ONCE(conn->last_rx, jiffies);

	v = strix_iscsi_parse_bhs(hdr, p->max_recv_dsl, &pdu);
	if (v == STRIX_ISCSI_ACCEPT && pdu.ahs_len)
		v = strix_iscsi_parse_ahs(hdr + STRIX_ISCSI_BHS_LEN, &pdu);
	if (v == STRIX_ISCSI_DROP) {
		conn->close_reason = pdu.why;
		return -EPROTO;
	}
	if (strix_iscsi_is_reject(v)) {
		CONN_PR(conn, "Reject 0x%02x: %s\n",
			strix_iscsi_reject_reason(v), pdu.why);
		ret = strix_iscsi_skip_data(conn, pdu.dsl);
		return ret ? ret : strix_iscsi_reject(conn, hdr,
					strix_iscsi_reject_reason(v));
	}
	conn->exp_stat_sn = strix_iscsi_pdu_exp_stat_sn(&pdu);

	switch (pdu.opcode) {
	case STRIX_ISCSI_OP_SCSI_CMD:
		return strix_iscsi_rx_scsi(conn, hdr, &pdu);
	case STRIX_ISCSI_OP_DATA_OUT:
		return strix_iscsi_rx_data_out(conn, hdr, &pdu);
	default:
		return strix_iscsi_rx_other(conn, hdr, &pdu);
	}
}

/* ---- start and teardown ---- */

void strix_iscsi_conn_close(struct strix_iscsi_conn *conn, const char *why)
{
	unsigned long flags;
	bool first;

	spin_lock_irqsave(&conn->task_lock, flags);
	first = !conn->dead;
	conn->dead = true;
	if (first && !conn->close_reason)
		conn->close_reason = why;
	spin_unlock_irqrestore(&conn->task_lock, flags);
	if (first) {
		kernel_sock_shutdown(conn->sock, SHUT_RDWR);
		wake_up(&conn->tx_wq);
	}
}

/*
 * The target is being deleted (del_target, or the module unloading): ask
 * the initiator to log out (it then tries to log in again, which is
 * refused), and drop the connection after @secs seconds if it has not.
 */
void strix_iscsi_conn_request_logout(struct strix_iscsi_conn *conn, u16 secs)
{
	unsigned long flags;
	bool asked = false;

	spin_lock_irqsave(&conn->task_lock, flags);
	if (!conn->dead && !conn->logout_asked) {
		conn->logout_wait = secs;
		conn->logout_deadline = jiffies + secs * HZ;
		smp_store_release(&conn->logout_asked, true);
		asked = true;
	}
	spin_unlock_irqrestore(&conn->task_lock, flags);
	if (asked)
		wake_up(&conn->tx_wq);
}

static void strix_iscsi_sess_release(struct kref *ref)
{
	struct strix_iscsi_sess *isess =
		container_of(ref, struct strix_iscsi_sess, ref);

	strix_iscsi_tgt_put(isess->itgt);
	kfree(isess);
}

void strix_iscsi_sess_put(struct strix_iscsi_sess *isess)
{
	kref_put(&isess->ref, strix_iscsi_sess_release);
}

/*
 * The session ends: out of the target's list, the core session
 * unregistered (it waits for the core's commands), its TSIH free.
 */
void strix_iscsi_sess_end(struct strix_iscsi_sess *isess)
{
	mutex_lock(&strix_iscsi.lock);
	list_del_init(&isess->list);
	isess->closing = true;
	mutex_unlock(&strix_iscsi.lock);
	strix_session_unregister(isess->sess);
	ida_free(&strix_iscsi.tsih_ida, isess->tsih);
	complete_all(&isess->gone);
	strix_iscsi_sess_put(isess);		/* the target list's */
}

static void strix_iscsi_conn_teardown(struct strix_iscsi_conn *conn)
{
	struct strix_iscsi_sess *isess = conn->isess;
	struct strix_iscsi_task *t, *tmp;
	unsigned long idx;
	bool end;

	strix_iscsi_conn_close(conn, "peer closed");
	kthread_stop(conn->tx_thread);
	put_task_struct(conn->tx_thread);

	/* queued, never sent: finish them */
	spin_lock_irq(&conn->task_lock);
	list_for_each_entry_safe(t, tmp, &conn->tx_queue, tx_entry) {
		list_del_init(&t->tx_entry);
		__clear_bit(STRIX_ISCSI_T_ON_TXQ, &t->flags);
		if (t->kind != STRIX_ISCSI_TASK_SCSI ||
		    test_bit(STRIX_ISCSI_T_SEND_RSP, &t->flags))
			list_add(&t->hold_entry, &conn->held);
	}
	spin_unlock_irq(&conn->task_lock);
	/* held ones were never delivered; the above were never sent */
	list_for_each_entry_safe(t, tmp, &conn->held, hold_entry) {
		list_del_init(&t->hold_entry);
		strix_iscsi_task_finish(t);
	}
	/* the core's commands: abort those waiting for data */
	xa_for_each(&conn->tasks, idx, t) {
		t = strix_iscsi_task_get(conn, idx);
		if (!t)
			continue;
		if (!test_bit(STRIX_ISCSI_T_SUBMITTED, &t->flags)) {
			strix_iscsi_task_put(t);
			strix_iscsi_task_finish(t);
			continue;
		}
		strix_iscsi_abort(t, NULL);
		strix_iscsi_task_put(t);
	}
	wait_event(conn->idle_wq, !atomic_read(&conn->nr_tasks));
	xa_destroy(&conn->tasks);

	CONN_PR(conn, "connection %u closed: %s\n", conn->cid,
		conn->close_reason ?: "peer closed");
	strix_iscsi_nl_conn_closed(conn);

	mutex_lock(&strix_iscsi.lock);
	if (isess->conn == conn)
		isess->conn = NULL;
	end = !conn->replaced;
	if (end)
		isess->closing = true;	/* no connection attaches now */
	mutex_unlock(&strix_iscsi.lock);
	wake_up_all(&strix_iscsi.conns_wq);

	sockfd_put(conn->sock);
	kvfree(conn->rx_buf);
	kfree(conn->bvec);
	kfree(conn->tx_bvec);
	kfree(conn);

	if (end)
		strix_iscsi_sess_end(isess);
	strix_iscsi_sess_put(isess);		/* the connection's */
	if (atomic_dec_and_test(&strix_iscsi.nr_conns))
		wake_up_all(&strix_iscsi.conns_wq);
}

static int strix_iscsi_rx(void *arg)
{
	struct strix_iscsi_conn *conn = arg;
	int ret;

	do {
		ret = strix_iscsi_rx_pdu(conn);
	} while (!ret && !conn->dead);
	if (ret && ret != -ECONNRESET && !conn->close_reason)
		conn->close_reason = "receive error";
	strix_iscsi_conn_teardown(conn);
	return 0;
}

/*
 * Start a connection that login has brought to Full Feature Phase: send
 * the final Login Response (TSIH, ExpCmdSN, MaxCmdSN filled in here) and
 * run the threads.  @sock is ours from now on, also on failure.
 */
int strix_iscsi_conn_start(struct strix_iscsi_sess *isess,
			   struct socket *sock, u16 cid, const u8 *login_rsp,
			   u32 login_rsp_len, bool new_session)
{
	const struct strix_iscsi_params *p = &isess->params;
	struct sockaddr_storage addr;
	struct strix_iscsi_conn *conn;
	struct kvec kv;
	u8 *rsp = NULL;
	u32 max;
	int ret;

	conn = kzalloc(sizeof(*conn), GFP_KERNEL);
	if (!conn)
		goto nomem;
	conn->isess = isess;
	conn->sock = sock;
	conn->cid = cid;
	spin_lock_init(&conn->task_lock);
	xa_init_flags(&conn->tasks, XA_FLAGS_LOCK_IRQ);
	INIT_LIST_HEAD(&conn->tx_queue);
	INIT_LIST_HEAD(&conn->held);
	init_waitqueue_head(&conn->tx_wq);
	init_waitqueue_head(&conn->idle_wq);
	conn->ping_ttt = STRIX_ISCSI_RSVD_TAG;
	conn->last_rx = jiffies;
	conn->nr_bvec = p->max_recv_dsl / PAGE_SIZE + 2;
	conn->bvec = kcalloc(conn->nr_bvec, sizeof(*conn->bvec), GFP_KERNEL);
	conn->nr_tx_bvec = p->max_xmit_dsl / PAGE_SIZE + 2;
	conn->tx_bvec = kcalloc(conn->nr_tx_bvec, sizeof(*conn->tx_bvec),
				GFP_KERNEL);
	conn->rx_buf_len = max_t(u32, p->max_recv_dsl, PAGE_SIZE);
	conn->rx_buf = kvmalloc(conn->rx_buf_len, GFP_KERNEL);
	rsp = kmemdup(login_rsp, login_rsp_len, GFP_KERNEL);
	if (!conn->bvec || !conn->tx_bvec || !conn->rx_buf || !rsp)
		goto nomem;

	if (kernel_getpeername(sock, (struct sockaddr *)&addr) > 0)
		snprintf(conn->peer, sizeof(conn->peer), "%pISpc", &addr);
	if (kernel_getsockname(sock, (struct sockaddr *)&addr) > 0)
		snprintf(conn->local, sizeof(conn->local), "%pISpc", &addr);
	tcp_sock_set_nodelay(sock->sk);
	/*
	 * The daemon's socket options must not make our calls time out; a
	 * send that makes no progress for RspTimeout seconds (the initiator
	 * reads nothing) fails with -EAGAIN and drops the connection.
	 */
	sock->sk->sk_rcvtimeo = MAX_SCHEDULE_TIMEOUT;
	sock->sk->sk_sndtimeo = isess->rsp_timeout * HZ;

	/* the final Login Response: TSIH, ExpCmdSN, MaxCmdSN are ours */
	spin_lock(&isess->sn_lock);
	max = isess->exp_cmd_sn + isess->queued_cmds - 1;
	if (new_session || strix_iscsi_sn_gt(max, isess->max_cmd_sn))
		isess->max_cmd_sn = max;
	put_unaligned_be16(isess->tsih, rsp + 14);
	put_unaligned_be32(isess->exp_cmd_sn, rsp + 28);
	put_unaligned_be32(isess->max_cmd_sn, rsp + 32);
	spin_unlock(&isess->sn_lock);
	conn->stat_sn = get_unaligned_be32(rsp + 24) + 1;
	kv.iov_base = rsp;
	kv.iov_len = login_rsp_len;
	ret = strix_iscsi_send_kvec(conn, &kv, 1, login_rsp_len, 0);
	kfree(rsp);
	rsp = NULL;
	if (ret)
		goto fail;

	conn->tx_thread = kthread_create(strix_iscsi_tx, conn, "strix_itx%u",
					 isess->tsih);
	if (IS_ERR(conn->tx_thread)) {
		ret = PTR_ERR(conn->tx_thread);
		goto fail;
	}
	get_task_struct(conn->tx_thread);
	conn->rx_thread = kthread_create(strix_iscsi_rx, conn, "strix_irx%u",
					 isess->tsih);
	if (IS_ERR(conn->rx_thread)) {
		ret = PTR_ERR(conn->rx_thread);
		kthread_stop(conn->tx_thread);
		put_task_struct(conn->tx_thread);
		goto fail;
	}

	kref_get(&isess->ref);			/* the connection's */
	atomic_inc(&strix_iscsi.nr_conns);
	mutex_lock(&strix_iscsi.lock);
	isess->conn = conn;
	mutex_unlock(&strix_iscsi.lock);
	wake_up_process(conn->tx_thread);
	wake_up_process(conn->rx_thread);
	CONN_PR(conn, "connection %u from %s on %s\n", cid, conn->peer,
		conn->local);
	return 0;

nomem:
	ret = -ENOMEM;
fail:
	kfree(rsp);
	if (conn) {
		kvfree(conn->rx_buf);
		kfree(conn->bvec);
		kfree(conn->tx_bvec);
		kfree(conn);
	}
	sockfd_put(sock);
	return ret;
}

int strix_iscsi_conn_init(void)
{
	strix_iscsi_task_cache = KMEM_CACHE(strix_iscsi_task, 0);
	return strix_iscsi_task_cache ? 0 : -ENOMEM;
}

void strix_iscsi_conn_exit(void)
{
	kmem_cache_destroy(strix_iscsi_task_cache);
}
