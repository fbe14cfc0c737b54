// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family of strix-iscsid (contract and error codes in
 * <uapi/strix_iscsi_nl.h>): CONN_ADD hands over a logged-in connection;
 * CONN_CLOSED events go to the "events" group.
 *
 * CONN_ADD runs in the daemon's context (sockfd_lookup needs its file
 * table) and may sleep: a reinstatement waits for the old session or
 * connection to be torn down (parallel_ops: no global genl lock held).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/idr.h>
#include <linux/net.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include <uapi/strix_iscsi_nl.h>

#include "iscsi.h"

static const struct nla_policy strix_iscsi_nl_policy[STRIX_ISCSI_A_MAX + 1] = {
	[STRIX_ISCSI_A_FD]		= { .type = NLA_U32 },
	[STRIX_ISCSI_A_TARGET]		= { .type = NLA_NUL_STRING,
					    .len = STRIX_ISCSI_NAME_LEN - 1 },
	[STRIX_ISCSI_A_INITIATOR]	= { .type = NLA_NUL_STRING,
					    .len = STRIX_ISCSI_NAME_LEN - 1 },
	[STRIX_ISCSI_A_INITIATOR_ALIAS]	= { .type = NLA_NUL_STRING,
					    .len = STRIX_ISCSI_NAME_LEN - 1 },
	[STRIX_ISCSI_A_ISID]		= { .type = NLA_U64 },
	[STRIX_ISCSI_A_TSIH]		= { .type = NLA_U16 },
	[STRIX_ISCSI_A_CID]		= { .type = NLA_U16 },
	[STRIX_ISCSI_A_CMD_SN]		= { .type = NLA_U32 },
	[STRIX_ISCSI_A_LOGIN_RSP]	= { .type = NLA_BINARY, .len = 32768 },
	[STRIX_ISCSI_A_HEADER_DIGEST]	= { .type = NLA_U8 },
	[STRIX_ISCSI_A_DATA_DIGEST]	= { .type = NLA_U8 },
	[STRIX_ISCSI_A_MAX_RECV_DSL]	= { .type = NLA_U32 },
	[STRIX_ISCSI_A_MAX_XMIT_DSL]	= { .type = NLA_U32 },
	[STRIX_ISCSI_A_MAX_BURST]	= { .type = NLA_U32 },
	[STRIX_ISCSI_A_FIRST_BURST]	= { .type = NLA_U32 },
	[STRIX_ISCSI_A_INITIAL_R2T]	= { .type = NLA_U8 },
	[STRIX_ISCSI_A_IMMEDIATE_DATA]	= { .type = NLA_U8 },
	[STRIX_ISCSI_A_MAX_OUTSTANDING_R2T] = { .type = NLA_U32 },
	[STRIX_ISCSI_A_DATA_PDU_IN_ORDER] = { .type = NLA_U8 },
	[STRIX_ISCSI_A_DATA_SEQ_IN_ORDER] = { .type = NLA_U8 },
	[STRIX_ISCSI_A_ERL]		= { .type = NLA_U8 },
	[STRIX_ISCSI_A_TIME2WAIT]	= { .type = NLA_U16 },
	[STRIX_ISCSI_A_TIME2RETAIN]	= { .type = NLA_U16 },
	[STRIX_ISCSI_A_REASON]		= { .type = NLA_NUL_STRING },
	[STRIX_ISCSI_A_ATTR]		= { .type = NLA_NUL_STRING },
};

static struct genl_family strix_iscsi_nl_family;

static const int strix_iscsi_nl_required[] = {
	STRIX_ISCSI_A_FD, STRIX_ISCSI_A_TARGET, STRIX_ISCSI_A_INITIATOR,
	STRIX_ISCSI_A_ISID, STRIX_ISCSI_A_TSIH, STRIX_ISCSI_A_CID,
	STRIX_ISCSI_A_CMD_SN, STRIX_ISCSI_A_LOGIN_RSP,
	STRIX_ISCSI_A_HEADER_DIGEST, STRIX_ISCSI_A_DATA_DIGEST,
	STRIX_ISCSI_A_MAX_RECV_DSL, STRIX_ISCSI_A_MAX_XMIT_DSL,
	STRIX_ISCSI_A_MAX_BURST, STRIX_ISCSI_A_FIRST_BURST,
	STRIX_ISCSI_A_INITIAL_R2T, STRIX_ISCSI_A_IMMEDIATE_DATA,
	STRIX_ISCSI_A_MAX_OUTSTANDING_R2T, STRIX_ISCSI_A_DATA_PDU_IN_ORDER,
	STRIX_ISCSI_A_DATA_SEQ_IN_ORDER, STRIX_ISCSI_A_ERL,
};

/* The negotiated parameters; -EINVAL for values we cannot run with. */
static int strix_iscsi_nl_params(struct nlattr **a,
				 struct strix_iscsi_params *p)
{
	p->header_digest = nla_get_u8(a[STRIX_ISCSI_A_HEADER_DIGEST]);
	p->data_digest = nla_get_u8(a[STRIX_ISCSI_A_DATA_DIGEST]);
	p->max_recv_dsl = nla_get_u32(a[STRIX_ISCSI_A_MAX_RECV_DSL]);
	p->max_xmit_dsl = nla_get_u32(a[STRIX_ISCSI_A_MAX_XMIT_DSL]);
	p->max_burst = nla_get_u32(a[STRIX_ISCSI_A_MAX_BURST]);
	p->first_burst = nla_get_u32(a[STRIX_ISCSI_A_FIRST_BURST]);
	p->initial_r2t = nla_get_u8(a[STRIX_ISCSI_A_INITIAL_R2T]);
	p->immediate_data = nla_get_u8(a[STRIX_ISCSI_A_IMMEDIATE_DATA]);
	p->max_outstanding_r2t =
		nla_get_u32(a[STRIX_ISCSI_A_MAX_OUTSTANDING_R2T]);
	p->data_pdu_in_order = nla_get_u8(a[STRIX_ISCSI_A_DATA_PDU_IN_ORDER]);
	p->data_seq_in_order = nla_get_u8(a[STRIX_ISCSI_A_DATA_SEQ_IN_ORDER]);
	p->erl = nla_get_u8(a[STRIX_ISCSI_A_ERL]);
	p->time2wait = a[STRIX_ISCSI_A_TIME2WAIT] ?
		       nla_get_u16(a[STRIX_ISCSI_A_TIME2WAIT]) : 2;
	p->time2retain = a[STRIX_ISCSI_A_TIME2RETAIN] ?
			 nla_get_u16(a[STRIX_ISCSI_A_TIME2RETAIN]) : 0;

	/* RFC 7143 ranges, and what this driver implements */
	if (p->max_recv_dsl < 512 || p->max_recv_dsl > STRIX_ISCSI_MAX_DSL ||
	    p->max_xmit_dsl < 512 || p->max_xmit_dsl > STRIX_ISCSI_MAX_DSL ||
	    p->max_burst < 512 || p->max_burst > STRIX_ISCSI_MAX_DSL ||
	    p->first_burst < 512 || p->first_burst > p->max_burst ||
	    !p->max_outstanding_r2t || p->max_outstanding_r2t > 65535 ||
	    !p->data_pdu_in_order || !p->data_seq_in_order || p->erl)
		return -EINVAL;
	return 0;
}

/* A login Response: BHS opcode 0x23, T set, NSG 3, padded segment. */
static bool strix_iscsi_nl_login_rsp_ok(const u8 *rsp, u32 len)
{
	if (len < STRIX_ISCSI_BHS_LEN ||
	    (rsp[0] & STRIX_ISCSI_OPCODE_MASK) != STRIX_ISCSI_OP_LOGIN_RSP ||
	    !(rsp[1] & 0x80) || (rsp[1] & 0x03) != 3 || rsp[4])
		return false;
	return len == STRIX_ISCSI_BHS_LEN +
		      strix_iscsi_padded(strix_iscsi_bhs_dsl(rsp));
}

static struct strix_iscsi_sess *strix_iscsi_nl_find(
	struct strix_iscsi_tgt *itgt, const char *ini, u64 isid, u16 tsih)
{
	struct strix_iscsi_sess *s;

	list_for_each_entry(s, &itgt->sessions, list)
		if (s->isid == isid && !strcmp(s->initiator, ini) &&
		    (!tsih || s->tsih == tsih) && !s->closing)
			return s;
	return NULL;
}

static int strix_iscsi_nl_reply(struct genl_info *info, u16 tsih)
{
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(nla_total_size(sizeof(u16)), GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	hdr = genlmsg_put_reply(skb, info, &strix_iscsi_nl_family, 0,
				STRIX_ISCSI_CMD_CONN_ADD);
	if (!hdr || nla_put_u16(skb, STRIX_ISCSI_A_TSIH, tsih)) {
		nlmsg_free(skb);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return genlmsg_reply(skb, info);
}

/* A new session, or the reinstatement of an old one (same ISID). */
static int strix_iscsi_nl_new_session(struct strix_iscsi_tgt *itgt,
				      struct nlattr **a,
				      const struct strix_iscsi_params *p,
				      struct strix_iscsi_sess **out)
{
	const char *ini = nla_data(a[STRIX_ISCSI_A_INITIATOR]);
	u64 isid = nla_get_u64(a[STRIX_ISCSI_A_ISID]);
	struct strix_iscsi_sess *old, *isess;
	struct strix_session *sess;
	unsigned int n = 0;
	int ret;

	/* session reinstatement: the old one goes first */
	mutex_lock(&strix_iscsi.lock);
	old = strix_iscsi_nl_find(itgt, ini, isid, 0);
	if (old) {
		kref_get(&old->ref);
		old->closing = true;
		if (old->conn)
			strix_iscsi_conn_close(old->conn, "reinstated");
	}
	mutex_unlock(&strix_iscsi.lock);
	if (old) {
		wait_for_completion(&old->gone);
		strix_iscsi_sess_put(old);
	}

	isess = kzalloc(sizeof(*isess), GFP_KERNEL);
	if (!isess)
		return -ENOMEM;
	kref_init(&isess->ref);
	kref_get(&itgt->ref);
	isess->itgt = itgt;
	INIT_LIST_HEAD(&isess->list);
	spin_lock_init(&isess->sn_lock);
	init_completion(&isess->gone);
	strscpy(isess->initiator, ini, sizeof(isess->initiator));
	if (a[STRIX_ISCSI_A_INITIATOR_ALIAS])
		strscpy(isess->alias, nla_data(a[STRIX_ISCSI_A_INITIATOR_ALIAS]),
			sizeof(isess->alias));
	isess->isid = isid & 0xffffffffffffULL;
	isess->params = *p;
	isess->exp_cmd_sn = nla_get_u32(a[STRIX_ISCSI_A_CMD_SN]);

	mutex_lock(&strix_iscsi.lock);
	isess->queued_cmds = itgt->num[STRIX_ISCSI_K_QUEUED_COMMANDS];
	isess->nopin_interval = itgt->num[STRIX_ISCSI_K_NOPIN_INTERVAL];
	isess->nopin_timeout = itgt->num[STRIX_ISCSI_K_NOPIN_TIMEOUT];
	isess->rsp_timeout = itgt->num[STRIX_ISCSI_K_RSP_TIMEOUT];
	list_for_each_entry(old, &itgt->sessions, list)
		n++;
	ret = itgt->num[STRIX_ISCSI_K_MAX_SESSIONS] &&
	      n >= itgt->num[STRIX_ISCSI_K_MAX_SESSIONS] ? -EUSERS : 0;
	mutex_unlock(&strix_iscsi.lock);
	if (ret)
		goto put;

	/* cyclic: a TSIH just freed is not handed out again at once */
	ret = ida_alloc_range(&strix_iscsi.tsih_ida,
			      READ_ONCE(strix_iscsi.next_tsih) ?: 1, 0xffff,
			      GFP_KERNEL);
	if (ret == -ENOSPC)
		ret = ida_alloc_range(&strix_iscsi.tsih_ida, 1, 0xffff,
				      GFP_KERNEL);
	if (ret < 0)
		goto put;
	WRITE_ONCE(strix_iscsi.next_tsih, ret + 1);
	isess->tsih = ret;

	sess = strix_session_register(itgt->tgt, ini, isess);
	if (IS_ERR(sess)) {
		ret = PTR_ERR(sess);
		ida_free(&strix_iscsi.tsih_ida, isess->tsih);
		goto put;
	}
	isess->sess = sess;
	mutex_lock(&strix_iscsi.lock);
	if (itgt->dead || !itgt->enabled) {
		mutex_unlock(&strix_iscsi.lock);
		ret = -ENODEV;
		kref_get(&isess->ref);		/* sess_end drops the list's */
		strix_iscsi_sess_end(isess);
		goto put;
	}
	list_add_tail(&isess->list, &itgt->sessions);
	kref_get(&isess->ref);			/* the list's */
	mutex_unlock(&strix_iscsi.lock);
	*out = isess;
	return 0;

put:
	strix_iscsi_sess_put(isess);
	return ret;
}

static int strix_iscsi_nl_conn_add(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **a = info->attrs;
	struct strix_iscsi_sess *isess = NULL;
	struct strix_iscsi_params p;
	struct strix_iscsi_tgt *itgt;
	struct socket *sock;
	const char *ini;
	u16 tsih, cid;
	bool fresh;
	int i, ret;

	for (i = 0; i < ARRAY_SIZE(strix_iscsi_nl_required); i++)
		if (!a[strix_iscsi_nl_required[i]]) {
			GENL_SET_ERR_MSG(info, "a required attribute is missing");
			return -EINVAL;
		}
	ret = strix_iscsi_nl_params(a, &p);
	if (ret) {
		GENL_SET_ERR_MSG(info, "negotiated parameters out of range");
		return ret;
	}
	if (!strix_iscsi_nl_login_rsp_ok(nla_data(a[STRIX_ISCSI_A_LOGIN_RSP]),
					 nla_len(a[STRIX_ISCSI_A_LOGIN_RSP]))) {
		GENL_SET_ERR_MSG(info, "not a final Login Response");
		return -EINVAL;
	}
	ini = nla_data(a[STRIX_ISCSI_A_INITIATOR]);
	tsih = nla_get_u16(a[STRIX_ISCSI_A_TSIH]);
	cid = nla_get_u16(a[STRIX_ISCSI_A_CID]);
	if (!*ini)
		return -EINVAL;

	sock = sockfd_lookup(nla_get_u32(a[STRIX_ISCSI_A_FD]), &ret);
	if (!sock)
		return ret;
	if (sock->type != SOCK_STREAM || sock->sk->sk_protocol != IPPROTO_TCP) {
		sockfd_put(sock);
		GENL_SET_ERR_MSG(info, "not a TCP socket");
		return -EINVAL;
	}

	itgt = strix_iscsi_tgt_find(nla_data(a[STRIX_ISCSI_A_TARGET]));
	if (!itgt) {
		sockfd_put(sock);
		return -ENOENT;
	}
	mutex_lock(&strix_iscsi.lock);
	ret = itgt->enabled && READ_ONCE(strix_iscsi.enabled) ? 0 : -ENODEV;
	mutex_unlock(&strix_iscsi.lock);
	if (ret)
		goto out;

	fresh = !tsih;
	if (fresh) {
		ret = strix_iscsi_nl_new_session(itgt, a, &p, &isess);
		if (ret)
			goto out;
	} else {
		struct strix_iscsi_conn *old = NULL;

		mutex_lock(&strix_iscsi.lock);
		isess = strix_iscsi_nl_find(itgt, ini,
				nla_get_u64(a[STRIX_ISCSI_A_ISID]) &
				0xffffffffffffULL, tsih);
		if (!isess) {
			ret = -ESRCH;
		} else if (isess->conn && isess->conn->cid != cid) {
			ret = -EMLINK;
		} else {
			kref_get(&isess->ref);
			old = isess->conn;
			if (old) {	/* connection reinstatement */
				old->replaced = true;
				strix_iscsi_conn_close(old, "reinstated");
			}
		}
		mutex_unlock(&strix_iscsi.lock);
		if (ret)
			goto out;
		if (old)
			wait_event(strix_iscsi.conns_wq,
				   READ_ONCE(isess->conn) != old);
		/* connection parameters are the new login's */
		isess->params = p;
	}

	tsih = isess->tsih;
	ret = strix_iscsi_conn_start(isess, sock, cid,
				     nla_data(a[STRIX_ISCSI_A_LOGIN_RSP]),
				     nla_len(a[STRIX_ISCSI_A_LOGIN_RSP]), fresh);
	sock = NULL;			/* conn_start owns it now */
	if (ret) {
		/* no connection: the session cannot go on */
		mutex_lock(&strix_iscsi.lock);
		if (!isess->conn && !list_empty(&isess->list)) {
			mutex_unlock(&strix_iscsi.lock);
			strix_iscsi_sess_end(isess);
		} else {
			mutex_unlock(&strix_iscsi.lock);
		}
		strix_iscsi_sess_put(isess);
		goto out;
	}
	strix_iscsi_sess_put(isess);
	ret = strix_iscsi_nl_reply(info, tsih);
	ret = 0;		/* the connection runs whatever the reply did */
out:
	if (sock)
		sockfd_put(sock);
	strix_iscsi_tgt_put(itgt);
	return ret;
}

static const struct genl_small_ops strix_iscsi_nl_ops[] = {
	{
		.cmd	= STRIX_ISCSI_CMD_CONN_ADD,
		.doit	= strix_iscsi_nl_conn_add,
		.flags	= GENL_ADMIN_PERM,
	},
};

static const struct genl_multicast_group strix_iscsi_nl_mcgrps[] = {
	{ .name = STRIX_ISCSI_GENL_MCGRP },
};

static struct genl_family strix_iscsi_nl_family = {
	.name		= STRIX_ISCSI_GENL_NAME,
	.version	= STRIX_ISCSI_GENL_VERSION,
	.maxattr	= STRIX_ISCSI_A_MAX,
	.policy		= strix_iscsi_nl_policy,
	.module		= THIS_MODULE,
	.parallel_ops	= true,
	.netnsok	= true,	/* a daemon in a network namespace */
	.small_ops	= strix_iscsi_nl_ops,
	.n_small_ops	= ARRAY_SIZE(strix_iscsi_nl_ops),
	.resv_start_op	= STRIX_ISCSI_CMD_CONN_ADD + 1,
	.mcgrps		= strix_iscsi_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(strix_iscsi_nl_mcgrps),
};

/* Events go out between register and unregister; RCU orders them. */
static bool strix_iscsi_nl_up;

/*
 * An event to the "events" group of every network namespace (a daemon may
 * run in one).  Events after strix_iscsi_nl_exit() (connections and
 * targets going as the module unloads) are dropped.
 */
static void strix_iscsi_nl_event(struct sk_buff *skb, void *hdr)
{
	genlmsg_end(skb, hdr);
	rcu_read_lock();
	if (READ_ONCE(strix_iscsi_nl_up))
		genlmsg_multicast_allns(&strix_iscsi_nl_family, skb, 0, 0);
	else
		nlmsg_free(skb);
	rcu_read_unlock();
}

static struct sk_buff *strix_iscsi_nl_event_new(u8 cmd, void **hdr)
{
	struct sk_buff *skb;

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return NULL;
	*hdr = genlmsg_put(skb, 0, 0, &strix_iscsi_nl_family, 0, cmd);
	if (!*hdr) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

void strix_iscsi_nl_conn_closed(struct strix_iscsi_conn *conn)
{
	struct strix_iscsi_sess *s = conn->isess;
	struct sk_buff *skb;
	void *hdr;

	skb = strix_iscsi_nl_event_new(STRIX_ISCSI_EVENT_CONN_CLOSED, &hdr);
	if (!skb)
		return;
	if (nla_put_string(skb, STRIX_ISCSI_A_TARGET, s->itgt->name) ||
	    nla_put_string(skb, STRIX_ISCSI_A_INITIATOR, s->initiator) ||
	    nla_put_u64_64bit(skb, STRIX_ISCSI_A_ISID, s->isid,
			      STRIX_ISCSI_A_UNSPEC) ||
	    nla_put_u16(skb, STRIX_ISCSI_A_TSIH, s->tsih) ||
	    nla_put_u16(skb, STRIX_ISCSI_A_CID, conn->cid) ||
	    nla_put_string(skb, STRIX_ISCSI_A_REASON,
			   conn->close_reason ?: "peer closed")) {
		nlmsg_free(skb);
		return;
	}
	strix_iscsi_nl_event(skb, hdr);
}

/**
 * strix_iscsi_nl_target_event() - a target added or removed, an attribute
 * @cmd: STRIX_ISCSI_EVENT_TARGET_ADDED, _TARGET_REMOVED or _ATTR_CHANGED
 * @target: its name; NULL for a driver attribute
 * @attr: the attribute's name (ATTR_CHANGED), else NULL
 *
 * Process context, no locks needed.
 */
void strix_iscsi_nl_target_event(u8 cmd, const char *target, const char *attr)
{
	struct sk_buff *skb;
	void *hdr;

	skb = strix_iscsi_nl_event_new(cmd, &hdr);
	if (!skb)
		return;
	if ((target && nla_put_string(skb, STRIX_ISCSI_A_TARGET, target)) ||
	    (attr && nla_put_string(skb, STRIX_ISCSI_A_ATTR, attr))) {
		nlmsg_free(skb);
		return;
	}
	strix_iscsi_nl_event(skb, hdr);
}

int strix_iscsi_nl_init(void)
{
	int ret = genl_register_family(&strix_iscsi_nl_family);

	if (!ret)
		WRITE_ONCE(strix_iscsi_nl_up, true);
	return ret;
}

void strix_iscsi_nl_exit(void)
{
	WRITE_ONCE(strix_iscsi_nl_up, false);
	synchronize_rcu();
	genl_unregister_family(&strix_iscsi_nl_family);
}
