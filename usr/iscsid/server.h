// strix-iscsid's event loop: listening portals, one login machine per
// accepted connection, discovery sessions to their logout, the hand-over
// of normal sessions to the kernel, login timeouts.  Single-threaded
// (epoll); stop() may be called from a signal handler or another thread.
#ifndef STRIX_USR_ISCSID_SERVER_H
#define STRIX_USR_ISCSID_SERVER_H

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kernel.h"

namespace strix::iscsid {

inline constexpr std::uint16_t default_port = 3260;

struct ListenAddress {
	std::string address; // numeric, no brackets
	std::uint16_t port = default_port;

	friend bool operator==(const ListenAddress &, const ListenAddress &) = default;
};

// "ADDR", "ADDR:PORT", "[V6]", "[V6]:PORT", or a bare IPv6 address.
// Throws strix::Error (EINVAL) on anything else.
ListenAddress parse_listen(const std::string &spec);

struct ServerOptions {
	std::vector<ListenAddress> listen; // empty: [::]:3260, or 0.0.0.0:3260
	std::filesystem::path sysfs_root = "/sys/kernel/scst_tgt";
	std::chrono::milliseconds login_timeout{15000};
	unsigned max_connections = 1024;
};

class Server {
public:
	Server(ServerOptions options, Kernel &kernel);
	~Server();
	Server(const Server &) = delete;
	Server &operator=(const Server &) = delete;

	// Open the listening sockets; throws strix::Error.
	void listen();
	// The addresses actually bound (port 0 resolved).
	const std::vector<ListenAddress> &bound() const noexcept { return bound_; }
	// Serve until stop().
	void run();
	// Async-signal-safe.
	void stop() noexcept;

	std::size_t connections() const noexcept { return conns_.size(); }

private:
	struct Conn;

	void add_fd(int fd, std::uint64_t id, std::uint32_t events);
	void accept_on(int lfd);
	void on_event(std::uint64_t id, std::uint32_t events);
	void read_from(Conn &c);
	void handle_pdus(Conn &c);
	void send_pdus(Conn &c, std::vector<std::vector<std::uint8_t>> bytes);
	void flush(Conn &c);
	void hand_over(Conn &c);
	void close_conn(std::uint64_t id);
	int next_timeout_ms() const;
	void expire();

	ServerOptions opt_;
	Kernel &kernel_;
	int epoll_ = -1;
	int wake_ = -1;
	std::vector<int> listeners_;
	std::vector<ListenAddress> bound_;
	std::map<std::uint64_t, std::unique_ptr<Conn>> conns_;
	std::uint64_t next_id_ = 16;
	bool stopping_ = false;
};

} // namespace strix::iscsid

#endif // STRIX_USR_ISCSID_SERVER_H
