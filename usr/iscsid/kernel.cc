#include "kernel.h"

#include <linux/genetlink.h>
#include <netlink/attr.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include <strix_iscsi_nl.h>

#include <cerrno>

#include <fmt/format.h>

#include "error.h"
#include "log.h"

namespace strix::iscsid {

nl_msg *build_conn_add(int family, const ConnAdd &r)
{
	nl_msg *msg = nlmsg_alloc_size(static_cast<std::size_t>(r.login_rsp.size()) + 4096);
	if (!msg)
		return nullptr;
	const iscsi::Params &p = r.params;
	const bool ok =
		genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, 0,
			    STRIX_ISCSI_CMD_CONN_ADD, STRIX_ISCSI_GENL_VERSION) &&
		nla_put_u32(msg, STRIX_ISCSI_A_FD, static_cast<std::uint32_t>(r.fd)) == 0 &&
		nla_put_string(msg, STRIX_ISCSI_A_TARGET, r.target.c_str()) == 0 &&
		nla_put_string(msg, STRIX_ISCSI_A_INITIATOR, r.initiator.c_str()) == 0 &&
		(r.initiator_alias.empty() ||
		 nla_put_string(msg, STRIX_ISCSI_A_INITIATOR_ALIAS, r.initiator_alias.c_str()) == 0) &&
		nla_put_u64(msg, STRIX_ISCSI_A_ISID, r.isid) == 0 &&
		nla_put_u16(msg, STRIX_ISCSI_A_TSIH, r.tsih) == 0 &&
		nla_put_u16(msg, STRIX_ISCSI_A_CID, r.cid) == 0 &&
		nla_put_u32(msg, STRIX_ISCSI_A_CMD_SN, r.cmd_sn) == 0 &&
		nla_put(msg, STRIX_ISCSI_A_LOGIN_RSP, static_cast<int>(r.login_rsp.size()),
			r.login_rsp.data()) == 0 &&
		nla_put_u8(msg, STRIX_ISCSI_A_HEADER_DIGEST, static_cast<std::uint8_t>(p.header_digest)) == 0 &&
		nla_put_u8(msg, STRIX_ISCSI_A_DATA_DIGEST, static_cast<std::uint8_t>(p.data_digest)) == 0 &&
		nla_put_u32(msg, STRIX_ISCSI_A_MAX_RECV_DSL, p.max_recv_dsl) == 0 &&
		nla_put_u32(msg, STRIX_ISCSI_A_MAX_XMIT_DSL, p.max_xmit_dsl) == 0 &&
		nla_put_u32(msg, STRIX_ISCSI_A_MAX_BURST, p.max_burst) == 0 &&
		nla_put_u32(msg, STRIX_ISCSI_A_FIRST_BURST, p.first_burst) == 0 &&
		nla_put_u8(msg, STRIX_ISCSI_A_INITIAL_R2T, p.initial_r2t) == 0 &&
		nla_put_u8(msg, STRIX_ISCSI_A_IMMEDIATE_DATA, p.immediate_data) == 0 &&
		nla_put_u32(msg, STRIX_ISCSI_A_MAX_OUTSTANDING_R2T, p.max_outstanding_r2t) == 0 &&
		nla_put_u8(msg, STRIX_ISCSI_A_DATA_PDU_IN_ORDER, p.data_pdu_in_order) == 0 &&
		nla_put_u8(msg, STRIX_ISCSI_A_DATA_SEQ_IN_ORDER, p.data_seq_in_order) == 0 &&
		nla_put_u8(msg, STRIX_ISCSI_A_ERL, p.erl) == 0 &&
		nla_put_u16(msg, STRIX_ISCSI_A_TIME2WAIT, p.time2wait) == 0 &&
		nla_put_u16(msg, STRIX_ISCSI_A_TIME2RETAIN, p.time2retain) == 0;
	if (!ok) {
		nlmsg_free(msg);
		return nullptr;
	}
	return msg;
}

NetlinkKernel::NetlinkKernel()
{
	sock_ = nl_socket_alloc();
	if (!sock_)
		throw Error::from_errno(ENOMEM, "netlink", "cannot allocate a socket");
	int err = genl_connect(sock_);
	if (err < 0) {
		nl_socket_free(sock_);
		throw Error(std::error_code(EPROTO, std::generic_category()), "netlink",
			    "cannot connect a generic netlink socket", nl_geterror(err));
	}
	// Events arrive with sequence number 0, replies with ours.
	nl_socket_disable_seq_check(sock_);
	nl_socket_modify_cb(sock_, NL_CB_VALID, NL_CB_CUSTOM, &NetlinkKernel::on_valid, this);
	nl_socket_modify_cb(sock_, NL_CB_ACK, NL_CB_CUSTOM, &NetlinkKernel::on_ack, this);
	nl_socket_modify_err_cb(sock_, NL_CB_CUSTOM, &NetlinkKernel::on_error, this);
	nl_socket_set_nonblocking(sock_);
	resolve();
}

NetlinkKernel::~NetlinkKernel()
{
	nl_socket_free(sock_);
}

bool NetlinkKernel::resolve()
{
	if (family_ >= 0)
		return true;
	const int family = genl_ctrl_resolve(sock_, STRIX_ISCSI_GENL_NAME);
	if (family < 0)
		return false;
	family_ = family;
	const int group = genl_ctrl_resolve_grp(sock_, STRIX_ISCSI_GENL_NAME, STRIX_ISCSI_GENL_MCGRP);
	if (group < 0 || nl_socket_add_membership(sock_, group) < 0)
		log::warning("netlink: {}: cannot join the \"{}\" group: connection events "
			     "will not be logged", STRIX_ISCSI_GENL_NAME, STRIX_ISCSI_GENL_MCGRP);
	log::info("netlink: found family {} (id {})", STRIX_ISCSI_GENL_NAME, family_);
	return true;
}

int NetlinkKernel::fd() const
{
	return nl_socket_get_fd(sock_);
}

void NetlinkKernel::conn_add(const ConnAdd &req, ConnAddDone done)
{
	if (!resolve()) {
		log::error("netlink: family {} not found: is strix_iscsi loaded?",
			   STRIX_ISCSI_GENL_NAME);
		done(ENODEV, 0);
		return;
	}
	nl_msg *msg = build_conn_add(family_, req);
	if (!msg) {
		done(ENOMEM, 0);
		return;
	}
	// nl_send_auto() completes the header (port, sequence, NLM_F_ACK).
	const int err = nl_send_auto(sock_, msg);
	const std::uint32_t seq = nlmsg_hdr(msg)->nlmsg_seq;
	nlmsg_free(msg);
	if (err < 0) {
		log::error("netlink: cannot send CONN_ADD: {}", nl_geterror(err));
		// The module may have been reloaded: look the family up again.
		family_ = -1;
		done(EIO, 0);
		return;
	}
	pending_[seq] = Pending{std::move(done)};
	// The kernel answers in our sendmsg() already; read what is there.
	process();
}

void NetlinkKernel::process()
{
	for (;;) {
		const int err = nl_recvmsgs_default(sock_);
		if (err == -NLE_AGAIN)
			return;
		if (err < 0) {
			log::warning("netlink: receive: {}", nl_geterror(err));
			return;
		}
	}
}

void NetlinkKernel::complete(std::uint32_t seq, int err)
{
	const auto it = pending_.find(seq);
	if (it == pending_.end())
		return;
	Pending p = std::move(it->second);
	pending_.erase(it);
	if (err == 0 && !p.replied)
		err = EPROTO; // acknowledged without the TSIH reply
	p.done(err, p.tsih);
}

int NetlinkKernel::on_valid(nl_msg *msg, void *arg)
{
	auto *self = static_cast<NetlinkKernel *>(arg);
	nlmsghdr *nlh = nlmsg_hdr(msg);
	auto *gh = static_cast<genlmsghdr *>(nlmsg_data(nlh));
	if (gh->cmd == STRIX_ISCSI_CMD_CONN_ADD) {
		nlattr *a[STRIX_ISCSI_A_MAX + 1] = {};
		if (genlmsg_parse(nlh, 0, a, STRIX_ISCSI_A_MAX, nullptr) < 0)
			return NL_SKIP;
		const auto it = self->pending_.find(nlh->nlmsg_seq);
		if (it != self->pending_.end() && a[STRIX_ISCSI_A_TSIH]) {
			it->second.tsih = nla_get_u16(a[STRIX_ISCSI_A_TSIH]);
			it->second.replied = true;
		}
	} else if (const std::string line = describe_event(msg); !line.empty()) {
		log::info("{}", line);
	}
	return NL_OK;
}

std::string describe_event(nl_msg *msg)
{
	nlmsghdr *nlh = nlmsg_hdr(msg);
	auto *gh = static_cast<genlmsghdr *>(nlmsg_data(nlh));
	nlattr *a[STRIX_ISCSI_A_MAX + 1] = {};
	if (genlmsg_parse(nlh, 0, a, STRIX_ISCSI_A_MAX, nullptr) < 0)
		return {};
	const auto str = [&](int i) -> std::string {
		return a[i] ? std::string(nla_get_string(a[i])) : std::string("?");
	};
	switch (gh->cmd) {
	case STRIX_ISCSI_EVENT_CONN_CLOSED:
		return fmt::format("connection closed: {} -> {} ISID {:#014x} TSIH {:#06x} CID {}: {}",
				   str(STRIX_ISCSI_A_INITIATOR), str(STRIX_ISCSI_A_TARGET),
				   a[STRIX_ISCSI_A_ISID] ? nla_get_u64(a[STRIX_ISCSI_A_ISID]) : 0,
				   a[STRIX_ISCSI_A_TSIH] ? nla_get_u16(a[STRIX_ISCSI_A_TSIH]) : 0,
				   a[STRIX_ISCSI_A_CID] ? nla_get_u16(a[STRIX_ISCSI_A_CID]) : 0,
				   str(STRIX_ISCSI_A_REASON));
	case STRIX_ISCSI_EVENT_TARGET_ADDED:
		return fmt::format("target added: {}", str(STRIX_ISCSI_A_TARGET));
	case STRIX_ISCSI_EVENT_TARGET_REMOVED:
		return fmt::format("target removed: {}", str(STRIX_ISCSI_A_TARGET));
	case STRIX_ISCSI_EVENT_ATTR_CHANGED:
		if (a[STRIX_ISCSI_A_TARGET])
			return fmt::format("target {}: attribute {} changed",
					   str(STRIX_ISCSI_A_TARGET), str(STRIX_ISCSI_A_ATTR));
		return fmt::format("driver attribute {} changed", str(STRIX_ISCSI_A_ATTR));
	default:
		return {};
	}
}

int NetlinkKernel::on_ack(nl_msg *msg, void *arg)
{
	static_cast<NetlinkKernel *>(arg)->complete(nlmsg_hdr(msg)->nlmsg_seq, 0);
	return NL_OK;
}

int NetlinkKernel::on_error(::sockaddr_nl *, ::nlmsgerr *err, void *arg)
{
	static_cast<NetlinkKernel *>(arg)->complete(err->msg.nlmsg_seq,
						    err->error < 0 ? -err->error : EPROTO);
	return NL_SKIP;
}

} // namespace strix::iscsid
