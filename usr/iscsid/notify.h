// Readiness and status for systemd (Type=notify): the sd_notify(3)
// datagram protocol, one message to the socket named by $NOTIFY_SOCKET.
// libsystemd-dev is not in the archive we build from, and the protocol is
// one sendto(); this is that sendto and nothing more.
#ifndef STRIX_USR_ISCSID_NOTIFY_H
#define STRIX_USR_ISCSID_NOTIFY_H

#include <string_view>

namespace strix::iscsid {

// Sends @state ("READY=1", "STOPPING=1", "STATUS=...", newline-separated)
// to $NOTIFY_SOCKET: a path, or "@name" for the abstract namespace.
// Returns false when the variable is unset or the send fails (not under
// systemd: nothing to do).
bool notify_systemd(std::string_view state);

} // namespace strix::iscsid

#endif // STRIX_USR_ISCSID_NOTIFY_H
