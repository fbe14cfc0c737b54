// The hand-over of a logged-in connection to strix_iscsi.ko
// (kernel/include/uapi/strix_iscsi_nl.h).  Kernel is the small interface
// the server uses; NetlinkKernel implements it over generic netlink with
// libnl-genl-3, tests substitute a fake.
#ifndef STRIX_USR_ISCSID_KERNEL_H
#define STRIX_USR_ISCSID_KERNEL_H

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "iscsi/negotiate.h"

struct nl_msg;
struct nl_sock;
struct nlmsgerr;
struct sockaddr_nl;

namespace strix::iscsid {

struct ConnAdd {
	int fd = -1;
	std::string target;
	std::string initiator;
	std::string initiator_alias; // sent only if not empty
	std::uint64_t isid = 0;
	std::uint16_t tsih = 0;
	std::uint16_t cid = 0;
	std::uint32_t cmd_sn = 0;
	std::vector<std::uint8_t> login_rsp; // BHS + data + padding
	iscsi::Params params;
};

// err is 0 (tsih: the session's) or a positive errno.
using ConnAddDone = std::function<void(int err, std::uint16_t tsih)>;

class Kernel {
public:
	virtual ~Kernel() = default;
	// Hand a connection over.  done runs once, from conn_add() itself or
	// from a later process(); the caller keeps fd open until then.
	virtual void conn_add(const ConnAdd &req, ConnAddDone done) = 0;
	// A descriptor to poll for input (replies, events), or -1.
	virtual int fd() const = 0;
	// Called when fd() is readable.
	virtual void process() = 0;
};

// STRIX_ISCSI_CMD_CONN_ADD for the family id, every attribute set; nullptr
// if the message cannot be built.  Caller frees with nlmsg_free().
nl_msg *build_conn_add(int family, const ConnAdd &req);

// The log line for a kernel event (STRIX_ISCSI_EVENT_*) in @msg, or empty
// when it is not an event (a CONN_ADD reply, say).  Pure: unit-tested.
std::string describe_event(nl_msg *msg);

class NetlinkKernel final : public Kernel {
public:
	// Connects a generic netlink socket; resolving the family is tried now
	// and again at each conn_add() until the module is there.  Throws
	// strix::Error if no netlink socket can be had at all.
	NetlinkKernel();
	~NetlinkKernel() override;
	NetlinkKernel(const NetlinkKernel &) = delete;
	NetlinkKernel &operator=(const NetlinkKernel &) = delete;

	void conn_add(const ConnAdd &req, ConnAddDone done) override;
	int fd() const override;
	void process() override;

	// Whether the family was found (for the start-up message).
	bool resolve();

private:
	struct Pending {
		ConnAddDone done;
		std::uint16_t tsih = 0;
		bool replied = false;
	};

	static int on_valid(nl_msg *msg, void *self);
	static int on_ack(nl_msg *msg, void *self);
	static int on_error(::sockaddr_nl *, ::nlmsgerr *err, void *self);
	void complete(std::uint32_t seq, int err);

	nl_sock *sock_ = nullptr;
	int family_ = -1;
	std::map<std::uint32_t, Pending> pending_;
};

} // namespace strix::iscsid

#endif // STRIX_USR_ISCSID_KERNEL_H
