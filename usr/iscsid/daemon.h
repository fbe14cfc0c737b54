// strix-iscsid's command line and start-up: options (CLI11), signals,
// detaching unless --foreground, then Server::run().
#ifndef STRIX_USR_ISCSID_DAEMON_H
#define STRIX_USR_ISCSID_DAEMON_H

#include <span>

namespace strix::iscsid {

// The whole program; returns the exit status.
int run(std::span<char *> argv);

} // namespace strix::iscsid

#endif // STRIX_USR_ISCSID_DAEMON_H
