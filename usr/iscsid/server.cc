#include "server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <optional>

#include "error.h"
#include "iscsi/discovery.h"
#include "iscsi/login.h"
#include "log.h"

namespace strix::iscsid {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::uint64_t wake_id = 0;
constexpr std::uint64_t kernel_id = 1;
constexpr std::uint64_t listener_bit = std::uint64_t{1} << 62;
// How long the kernel may take to answer CONN_ADD before we give up.
constexpr std::chrono::seconds handover_timeout{60};

Error sys_error(std::string subject, std::string problem)
{
	return Error::from_errno(errno, std::move(subject), std::move(problem));
}

// Numeric address and port of a socket address; IPv4-mapped IPv6
// addresses come out as plain IPv4.
std::pair<std::string, std::uint16_t> address_of(const sockaddr_storage &ss)
{
	char buf[INET6_ADDRSTRLEN] = {};
	if (ss.ss_family == AF_INET) {
		const auto *a = reinterpret_cast<const sockaddr_in *>(&ss);
		inet_ntop(AF_INET, &a->sin_addr, buf, sizeof(buf));
		return {buf, ntohs(a->sin_port)};
	}
	const auto *a = reinterpret_cast<const sockaddr_in6 *>(&ss);
	if (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr))
		inet_ntop(AF_INET, &a->sin6_addr.s6_addr[12], buf, sizeof(buf));
	else
		inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof(buf));
	return {buf, ntohs(a->sin6_port)};
}

void set_blocking(int fd, bool blocking)
{
	const int flags = fcntl(fd, F_GETFL);
	if (flags >= 0)
		fcntl(fd, F_SETFL, blocking ? flags & ~O_NONBLOCK : flags | O_NONBLOCK);
}

} // namespace

ListenAddress parse_listen(const std::string &spec)
{
	const auto bad = [&](std::string_view why) {
		return Error(std::error_code(EINVAL, std::generic_category()), spec,
			     "not a listen address", std::string(why));
	};
	ListenAddress l;
	std::string port;
	if (!spec.empty() && spec.front() == '[') {
		const auto close = spec.find(']');
		if (close == std::string::npos)
			throw bad("'[' without ']'");
		l.address = spec.substr(1, close - 1);
		const std::string rest = spec.substr(close + 1);
		if (!rest.empty()) {
			if (rest.front() != ':')
				throw bad("expected ':PORT' after ']'");
			port = rest.substr(1);
		}
	} else if (std::count(spec.begin(), spec.end(), ':') > 1) {
		l.address = spec; // a bare IPv6 address
	} else if (const auto colon = spec.find(':'); colon != std::string::npos) {
		l.address = spec.substr(0, colon);
		port = spec.substr(colon + 1);
	} else {
		l.address = spec;
	}
	if (l.address.empty())
		throw bad("no address");
	addrinfo hints{};
	hints.ai_flags = AI_NUMERICHOST;
	addrinfo *res = nullptr;
	if (getaddrinfo(l.address.c_str(), nullptr, &hints, &res) != 0)
		throw bad("expected a numeric IPv4 or IPv6 address");
	freeaddrinfo(res);
	if (!port.empty()) {
		if (!std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
		    port.size() > 5 || std::stoul(port) > 65535)
			throw bad("expected a port number 0..65535");
		l.port = static_cast<std::uint16_t>(std::stoul(port));
	}
	return l;
}

struct Server::Conn {
	std::uint64_t id = 0;
	int fd = -1;
	iscsi::Portal portal;
	iscsi::PduReader reader;
	std::optional<iscsi::Login> login;
	std::optional<iscsi::DiscoverySession> discovery;
	std::vector<std::uint8_t> out;
	std::size_t out_pos = 0;
	Clock::time_point deadline;
	enum class Phase { login, discovery, handover, closing } phase = Phase::login;
	bool polling_out = false;

	std::string peer() const
	{
		return iscsi::format_address(portal.peer_address, portal.peer_port);
	}
};

Server::Server(ServerOptions options, Kernel &kernel) : opt_(std::move(options)), kernel_(kernel)
{
	epoll_ = epoll_create1(EPOLL_CLOEXEC);
	if (epoll_ < 0)
		throw sys_error("epoll", "cannot create");
	wake_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (wake_ < 0)
		throw sys_error("eventfd", "cannot create");
	add_fd(wake_, wake_id, EPOLLIN);
	if (kernel_.fd() >= 0)
		add_fd(kernel_.fd(), kernel_id, EPOLLIN);
}

Server::~Server()
{
	for (auto &[id, c] : conns_)
		::close(c->fd);
	for (const int fd : listeners_)
		::close(fd);
	::close(wake_);
	::close(epoll_);
}

void Server::add_fd(int fd, std::uint64_t id, std::uint32_t events)
{
	epoll_event ev{};
	ev.events = events;
	ev.data.u64 = id;
	if (epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev) < 0)
		throw sys_error("epoll", "cannot add a descriptor");
}

void Server::listen()
{
	std::vector<ListenAddress> want = opt_.listen;
	const bool defaulted = want.empty();
	if (defaulted)
		want.push_back({"::", default_port});
	for (std::size_t i = 0; i < want.size(); i++) {
		const ListenAddress &l = want[i];
		addrinfo hints{};
		hints.ai_flags = AI_NUMERICHOST | AI_PASSIVE | AI_NUMERICSERV;
		hints.ai_socktype = SOCK_STREAM;
		addrinfo *res = nullptr;
		const std::string port = std::to_string(l.port);
		if (getaddrinfo(l.address.c_str(), port.c_str(), &hints, &res) != 0)
			throw Error(std::error_code(EINVAL, std::generic_category()), l.address,
				    "not a numeric address");
		std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> guard(res, &freeaddrinfo);
		const std::string name = iscsi::format_address(l.address, l.port);
		const int fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			if (defaulted && res->ai_family == AF_INET6 && errno == EAFNOSUPPORT) {
				log::info("no IPv6 here: listening on 0.0.0.0:{} instead", l.port);
				want.push_back({"0.0.0.0", default_port});
				continue;
			}
			throw sys_error(name, "cannot create a socket");
		}
		const int one = 1, zero = 0;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		// "::" serves IPv4 too (dual stack); a specific v6 address only v6.
		if (res->ai_family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, l.address == "::" ? &zero : &one,
				   sizeof(int));
		if (bind(fd, res->ai_addr, res->ai_addrlen) < 0 || ::listen(fd, 128) < 0) {
			const int e = errno;
			::close(fd);
			throw Error::from_errno(e, name, "cannot listen");
		}
		sockaddr_storage ss{};
		socklen_t len = sizeof(ss);
		getsockname(fd, reinterpret_cast<sockaddr *>(&ss), &len);
		auto [addr, bound_port] = address_of(ss);
		if (res->ai_family == AF_INET6 && l.address == "::")
			addr = "::";
		bound_.push_back({addr, bound_port});
		add_fd(fd, listener_bit | listeners_.size(), EPOLLIN);
		listeners_.push_back(fd);
		log::info("listening on {}", iscsi::format_address(addr, bound_port));
	}
}

void Server::stop() noexcept
{
	const std::uint64_t one = 1;
	[[maybe_unused]] const ssize_t n = ::write(wake_, &one, sizeof(one));
}

void Server::run()
{
	std::array<epoll_event, 64> events;
	while (!stopping_) {
		const int n = epoll_wait(epoll_, events.data(), static_cast<int>(events.size()),
					 next_timeout_ms());
		if (n < 0) {
			if (errno == EINTR)
				continue;
			throw sys_error("epoll", "wait failed");
		}
		for (int i = 0; i < n; i++)
			on_event(events[static_cast<std::size_t>(i)].data.u64,
				 events[static_cast<std::size_t>(i)].events);
		expire();
	}
}

void Server::on_event(std::uint64_t id, std::uint32_t events)
{
	if (id == wake_id) {
		stopping_ = true;
		return;
	}
	if (id == kernel_id) {
		kernel_.process();
		return;
	}
	if (id & listener_bit) {
		accept_on(listeners_[id & ~listener_bit]);
		return;
	}
	const auto it = conns_.find(id);
	if (it == conns_.end())
		return;
	Conn &c = *it->second;
	if (events & EPOLLOUT) {
		flush(c);
		if (!conns_.count(id))
			return;
	}
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		read_from(c);
}

void Server::accept_on(int lfd)
{
	for (;;) {
		sockaddr_storage peer{};
		socklen_t len = sizeof(peer);
		const int fd = accept4(lfd, reinterpret_cast<sockaddr *>(&peer), &len,
				       SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
				log::warning("accept: {}", std::strerror(errno));
			return;
		}
		if (conns_.size() >= opt_.max_connections) {
			log::warning("accept: {} logins in progress already: connection refused",
				     conns_.size());
			::close(fd);
			continue;
		}
		const int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		sockaddr_storage local{};
		len = sizeof(local);
		getsockname(fd, reinterpret_cast<sockaddr *>(&local), &len);

		auto c = std::make_unique<Conn>();
		c->id = next_id_++;
		c->fd = fd;
		std::tie(c->portal.local_address, c->portal.local_port) = address_of(local);
		std::tie(c->portal.peer_address, c->portal.peer_port) = address_of(peer);
		c->deadline = Clock::now() + opt_.login_timeout;

		// The configuration as it is now, for this login.
		auto snap = iscsi::read_snapshot(opt_.sysfs_root);
		iscsi::Snapshot snapshot;
		if (snap) {
			snapshot = std::move(*snap);
			for (const auto &w : snapshot.warnings)
				log::warning("config: {}", w);
		} else {
			log::warning("config: {}: refusing logins", snap.error().what());
			snapshot.driver.enabled = false;
		}
		std::uint32_t statsn = 0;
		iscsi::openssl_random({reinterpret_cast<std::uint8_t *>(&statsn), sizeof(statsn)});
		c->login.emplace(std::move(snapshot), c->portal, statsn, &iscsi::openssl_random);
		log::debug("{}: connected to portal {}", c->peer(),
			   iscsi::format_address(c->portal.local_address, c->portal.local_port));
		const std::uint64_t id = c->id;
		conns_.emplace(id, std::move(c));
		try {
			add_fd(fd, id, EPOLLIN);
		} catch (const Error &e) {
			log::warning("{}", e.what());
			close_conn(id);
		}
	}
}

void Server::read_from(Conn &c)
{
	if (c.phase == Conn::Phase::handover)
		return;
	std::array<std::uint8_t, 16384> buf;
	for (;;) {
		const ssize_t n = ::recv(c.fd, buf.data(), buf.size(), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			log::debug("{}: receive: {}", c.peer(), std::strerror(errno));
			close_conn(c.id);
			return;
		}
		if (n == 0) {
			if (c.phase != Conn::Phase::closing)
				log::debug("{}: closed by the initiator", c.peer());
			close_conn(c.id);
			return;
		}
		if (c.phase == Conn::Phase::closing)
			continue; // drain and ignore until our last PDU is out
		c.reader.feed({buf.data(), static_cast<std::size_t>(n)});
		if (c.reader.buffered() > 2 * (iscsi::bhs_size + iscsi::login_max_data))
			break; // handle what we have before reading more
	}
	handle_pdus(c);
}

void Server::handle_pdus(Conn &c)
{
	const std::uint64_t id = c.id;
	while (c.phase == Conn::Phase::login || c.phase == Conn::Phase::discovery) {
		auto next = c.reader.next();
		if (!next) {
			log::info("{}: {}: connection closed", c.peer(), to_string(next.error()));
			close_conn(id);
			return;
		}
		if (!*next)
			return;
		const iscsi::Pdu &pdu = **next;
		std::vector<iscsi::Pdu> out;
		if (c.phase == Conn::Phase::login) {
			out = c.login->receive(pdu);
		} else {
			out = c.discovery->receive(pdu);
			c.deadline = Clock::now() + opt_.login_timeout;
		}
		std::vector<std::vector<std::uint8_t>> bytes;
		for (const auto &p : out)
			bytes.push_back(p.serialize());

		if (c.phase == Conn::Phase::login) {
			const iscsi::Login &l = *c.login;
			switch (l.state()) {
			case iscsi::Login::State::in_progress:
				break;
			case iscsi::Login::State::failed: {
				const auto &f = l.failure();
				log::info("{}: login of {} refused: {:04x} {}: {}", c.peer(),
					  l.initiator().empty() ? "?" : l.initiator(), f.status.code(),
					  iscsi::describe(f.status), f.reason);
				c.phase = Conn::Phase::closing;
				break;
			}
			case iscsi::Login::State::discovery: {
				const auto &d = l.discovery();
				auto targets = iscsi::send_targets(l.config(), d.initiator, c.portal);
				log::info("{}: discovery session of {}{} ({} targets visible)", c.peer(),
					  d.initiator,
					  d.chap_user.empty() ? "" : fmt::format(" (CHAP user {})", d.chap_user),
					  targets.size());
				c.discovery.emplace(std::move(targets), d.statsn, d.exp_cmdsn,
						    d.params.max_xmit_dsl);
				c.phase = Conn::Phase::discovery;
				break;
			}
			case iscsi::Login::State::normal:
				send_pdus(c, std::move(bytes));
				if (!conns_.count(id))
					return;
				hand_over(c);
				return;
			}
		} else if (c.discovery->finished()) {
			if (!c.discovery->error().empty())
				log::info("{}: discovery session closed: {}", c.peer(), c.discovery->error());
			else
				log::debug("{}: discovery session logged out", c.peer());
			c.phase = Conn::Phase::closing;
		}
		send_pdus(c, std::move(bytes));
		if (!conns_.count(id))
			return;
	}
}

void Server::send_pdus(Conn &c, std::vector<std::vector<std::uint8_t>> bytes)
{
	for (const auto &b : bytes)
		c.out.insert(c.out.end(), b.begin(), b.end());
	flush(c);
}

void Server::flush(Conn &c)
{
	while (c.out_pos < c.out.size()) {
		const ssize_t n = ::send(c.fd, c.out.data() + c.out_pos, c.out.size() - c.out_pos,
					 MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				if (!c.polling_out) {
					epoll_event ev{};
					ev.events = EPOLLIN | EPOLLOUT;
					ev.data.u64 = c.id;
					epoll_ctl(epoll_, EPOLL_CTL_MOD, c.fd, &ev);
					c.polling_out = true;
				}
				return;
			}
			log::debug("{}: send: {}", c.peer(), std::strerror(errno));
			close_conn(c.id);
			return;
		}
		c.out_pos += static_cast<std::size_t>(n);
	}
	c.out.clear();
	c.out_pos = 0;
	if (c.polling_out) {
		epoll_event ev{};
		ev.events = EPOLLIN;
		ev.data.u64 = c.id;
		epoll_ctl(epoll_, EPOLL_CTL_MOD, c.fd, &ev);
		c.polling_out = false;
	}
	if (c.phase == Conn::Phase::closing)
		close_conn(c.id);
}

void Server::hand_over(Conn &c)
{
	iscsi::Login &l = *c.login;
	const iscsi::NormalLogin &n = l.normal();
	if (c.reader.buffered() > 0) {
		// The initiator must wait for the final Login Response.
		send_pdus(c, {l.reject(iscsi::status::initiator_error,
				       "data after the final Login Request").serialize()});
		c.phase = Conn::Phase::closing;
		log::info("{}: login of {} refused: data sent before the final Login Response",
			  c.peer(), n.initiator);
		return;
	}
	c.phase = Conn::Phase::handover;
	c.deadline = Clock::now() + handover_timeout;
	epoll_ctl(epoll_, EPOLL_CTL_DEL, c.fd, nullptr);
	set_blocking(c.fd, true);

	ConnAdd req;
	req.fd = c.fd;
	req.target = n.target;
	req.initiator = n.initiator;
	req.initiator_alias = n.initiator_alias;
	req.isid = n.isid;
	req.tsih = n.tsih;
	req.cid = n.cid;
	req.cmd_sn = n.cmdsn;
	req.login_rsp = n.response.serialize();
	req.params = n.params;
	log::debug("{}: handing {} -> {} to the kernel (HeaderDigest {}, DataDigest {}, "
		   "MaxRecvDSL {}, MaxXmitDSL {}, MaxBurst {}, FirstBurst {}, InitialR2T {}, "
		   "ImmediateData {}, MaxOutstandingR2T {})",
		   c.peer(), n.initiator, n.target, to_string(n.params.header_digest),
		   to_string(n.params.data_digest), n.params.max_recv_dsl, n.params.max_xmit_dsl,
		   n.params.max_burst, n.params.first_burst, n.params.initial_r2t,
		   n.params.immediate_data, n.params.max_outstanding_r2t);
	const std::uint64_t id = c.id;
	kernel_.conn_add(req, [this, id](int err, std::uint16_t tsih) {
		const auto it = conns_.find(id);
		if (it == conns_.end())
			return;
		Conn &c = *it->second;
		const iscsi::NormalLogin n = c.login->normal();
		if (err == 0) {
			log::info("{}: login of {} to {}{}: session TSIH {:#06x} CID {}", c.peer(),
				  n.initiator, n.target,
				  n.chap_user.empty() ? "" : fmt::format(" (CHAP user {})", n.chap_user),
				  tsih, n.cid);
			close_conn(id); // the kernel holds its own reference now
			return;
		}
		const auto s = iscsi::status_for_errno(err);
		log::info("{}: login of {} to {} refused by the kernel: {}: {:04x} {}", c.peer(),
			  n.initiator, n.target, std::strerror(err), s.code(), iscsi::describe(s));
		set_blocking(c.fd, false);
		c.phase = Conn::Phase::closing;
		c.deadline = Clock::now() + opt_.login_timeout;
		try {
			add_fd(c.fd, id, EPOLLIN);
		} catch (const Error &e) {
			log::warning("{}", e.what());
			close_conn(id);
			return;
		}
		send_pdus(c, {c.login->reject(s, std::strerror(err)).serialize()});
	});
}

void Server::close_conn(std::uint64_t id)
{
	const auto it = conns_.find(id);
	if (it == conns_.end())
		return;
	// close() removes it from the epoll set too.
	::close(it->second->fd);
	conns_.erase(it);
}

int Server::next_timeout_ms() const
{
	if (conns_.empty())
		return -1;
	auto first = Clock::time_point::max();
	for (const auto &[id, c] : conns_)
		first = std::min(first, c->deadline);
	const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(first - Clock::now());
	return static_cast<int>(std::clamp<long long>(ms.count() + 1, 0, 60000));
}

void Server::expire()
{
	const auto now = Clock::now();
	std::vector<std::uint64_t> late;
	for (const auto &[id, c] : conns_)
		if (c->deadline <= now)
			late.push_back(id);
	for (const auto id : late) {
		const Conn &c = *conns_.at(id);
		switch (c.phase) {
		case Conn::Phase::login:
			log::info("{}: login timed out", c.peer());
			break;
		case Conn::Phase::discovery:
			log::info("{}: discovery session idle too long", c.peer());
			break;
		case Conn::Phase::handover:
			log::error("{}: the kernel did not answer CONN_ADD", c.peer());
			break;
		case Conn::Phase::closing:
			break;
		}
		close_conn(id);
	}
}

} // namespace strix::iscsid
