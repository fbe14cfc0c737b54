// The daemon's event loop end to end on 127.0.0.1 (and ::1 if there is
// IPv6), with a fake kernel standing in for strix_iscsi.ko: it takes the
// connection (dup of the fd, as the kernel's reference), fills in TSIH,
// ExpCmdSN and MaxCmdSN of the final Login Response and sends it.
#include "server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "iscsi/login.h"
#include "iscsi/pdu.h"
#include "iscsi/text.h"
#include "testing/tree_fixture.h"

using namespace strix::iscsid;
using namespace strix::iscsi;

namespace {

constexpr const char *tgt = "iqn.2024-01.org.strix:disk1";
constexpr const char *ini = "iqn.1993-08.org.debian:01:abc";

class FakeKernel : public Kernel {
public:
	void conn_add(const ConnAdd &r, ConnAddDone done) override
	{
		std::lock_guard lock(mu);
		calls.push_back(r);
		was_blocking = !(fcntl(r.fd, F_GETFL) & O_NONBLOCK);
		if (err == 0) {
			auto rsp = r.login_rsp;
			put_be16(&rsp[14], tsih);
			put_be32(&rsp[28], r.cmd_sn);
			put_be32(&rsp[32], r.cmd_sn + 31);
			kept.push_back(dup(r.fd));
			[[maybe_unused]] auto n = ::send(kept.back(), rsp.data(), rsp.size(), MSG_NOSIGNAL);
		}
		done(err, tsih);
	}
	int fd() const override { return -1; }
	void process() override {}

	~FakeKernel() override
	{
		for (const int fd : kept)
			close(fd);
	}

	std::mutex mu;
	int err = 0;
	std::uint16_t tsih = 0x42;
	bool was_blocking = false;
	std::vector<ConnAdd> calls;
	std::vector<int> kept;
};

// A blocking initiator socket.
class Client {
public:
	Client(const std::string &addr, std::uint16_t port)
	{
		const bool v6 = addr.find(':') != std::string::npos;
		fd_ = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		timeval tv{5, 0};
		setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		sockaddr_storage ss{};
		socklen_t len;
		if (v6) {
			auto *a = reinterpret_cast<sockaddr_in6 *>(&ss);
			a->sin6_family = AF_INET6;
			a->sin6_port = htons(port);
			inet_pton(AF_INET6, addr.c_str(), &a->sin6_addr);
			len = sizeof(*a);
		} else {
			auto *a = reinterpret_cast<sockaddr_in *>(&ss);
			a->sin_family = AF_INET;
			a->sin_port = htons(port);
			inet_pton(AF_INET, addr.c_str(), &a->sin_addr);
			len = sizeof(*a);
		}
		connected_ = ::connect(fd_, reinterpret_cast<sockaddr *>(&ss), len) == 0;
	}
	~Client() { close(fd_); }

	bool connected() const { return connected_; }

	void send_bytes(const std::vector<std::uint8_t> &b)
	{
		ASSERT_EQ(::send(fd_, b.data(), b.size(), MSG_NOSIGNAL), static_cast<ssize_t>(b.size()));
	}

	void login(const TextList &keys, bool transit, std::uint8_t csg, std::uint8_t nsg)
	{
		LoginRequest r;
		r.isid = 0x23d000000001;
		r.itt = 1;
		r.cmdsn = 5;
		r.transit = transit;
		r.csg = static_cast<Stage>(csg);
		r.nsg = nsg;
		r.data = encode_text(keys);
		send_bytes(r.encode().serialize());
	}

	// The next PDU, or nullopt on EOF / timeout.
	std::optional<Pdu> recv()
	{
		for (;;) {
			auto p = reader_.next();
			if (!p)
				return std::nullopt;
			if (*p)
				return **p;
			std::uint8_t buf[4096];
			const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
			if (n <= 0)
				return std::nullopt;
			reader_.feed({buf, static_cast<std::size_t>(n)});
		}
	}

	bool eof()
	{
		std::uint8_t b;
		return ::recv(fd_, &b, 1, 0) == 0;
	}

	bool still_open()
	{
		std::uint8_t b;
		return ::recv(fd_, &b, 1, MSG_DONTWAIT) < 0 && errno == EAGAIN;
	}

private:
	int fd_ = -1;
	bool connected_ = false;
	PduReader reader_{1 << 20};
};

TextList ops()
{
	return {{"HeaderDigest", "None"}, {"DataDigest", "None"}, {"InitialR2T", "No"},
		{"ImmediateData", "Yes"}, {"MaxBurstLength", "16776192"},
		{"FirstBurstLength", "262144"}, {"MaxOutstandingR2T", "1"},
		{"MaxConnections", "1"}, {"MaxRecvDataSegmentLength", "131072"}};
}

class ServerTest : public strix::testing::TreeFixture {
protected:
	void SetUp() override
	{
		TreeFixture::SetUp();
		write_file("targets/iscsi/enabled", "1\n");
		write_file(std::string("targets/iscsi/") + tgt + "/enabled", "1\n");
		write_file("targets/iscsi/iqn.2024-01.org.strix:hidden/enabled", "0\n");
	}

	void start(std::vector<ListenAddress> listen = {{"127.0.0.1", 0}},
		   std::chrono::milliseconds timeout = std::chrono::milliseconds(5000))
	{
		ServerOptions o;
		o.listen = std::move(listen);
		o.sysfs_root = root_;
		o.login_timeout = timeout;
		server_ = std::make_unique<Server>(o, kernel_);
		server_->listen();
		port_ = server_->bound().at(0).port;
		thread_ = std::thread([this] { server_->run(); });
	}

	void TearDown() override
	{
		if (server_) {
			server_->stop();
			thread_.join();
		}
		TreeFixture::TearDown();
	}

	void normal_login(Client &c)
	{
		c.login({{"InitiatorName", ini}, {"SessionType", "Normal"}, {"TargetName", tgt},
			 {"AuthMethod", "None"}},
			true, 0, 1);
		auto r = c.recv();
		ASSERT_TRUE(r);
		ASSERT_EQ(LoginResponse::decode(*r).status, status::success);
		c.login(ops(), true, 1, 3);
	}

	FakeKernel kernel_;
	std::unique_ptr<Server> server_;
	std::thread thread_;
	std::uint16_t port_ = 0;
};

} // namespace

TEST(ListenSpec, Parse)
{
	EXPECT_EQ(parse_listen("0.0.0.0"), (ListenAddress{"0.0.0.0", 3260}));
	EXPECT_EQ(parse_listen("127.0.0.1:3261"), (ListenAddress{"127.0.0.1", 3261}));
	EXPECT_EQ(parse_listen("[::]:3260"), (ListenAddress{"::", 3260}));
	EXPECT_EQ(parse_listen("[fe80::1]"), (ListenAddress{"fe80::1", 3260}));
	EXPECT_EQ(parse_listen("2001:db8::1"), (ListenAddress{"2001:db8::1", 3260}));
	for (const char *bad : {"", "host.example:3260", "1.2.3.4:70000", "1.2.3.4:x", "[::1",
				"[::1]x", ":3260"})
		EXPECT_THROW(parse_listen(bad), strix::Error) << bad;
}

TEST_F(ServerTest, NormalLoginIsHandedToTheKernel)
{
	start();
	Client c("127.0.0.1", port_);
	ASSERT_TRUE(c.connected());
	normal_login(c);
	const auto r = c.recv();
	ASSERT_TRUE(r);
	const LoginResponse f = LoginResponse::decode(*r);
	EXPECT_EQ(f.status, status::success);
	EXPECT_TRUE(f.transit);
	EXPECT_EQ(f.nsg, Stage::full_feature);
	EXPECT_EQ(f.tsih, 0x42);
	EXPECT_EQ(f.max_cmdsn, 5u + 31u);
	{
		std::lock_guard lock(kernel_.mu);
		ASSERT_EQ(kernel_.calls.size(), 1u);
		const ConnAdd &a = kernel_.calls[0];
		EXPECT_EQ(a.target, tgt);
		EXPECT_EQ(a.initiator, ini);
		EXPECT_EQ(a.cmd_sn, 5u);
		EXPECT_EQ(a.params.max_xmit_dsl, 131072u);
		EXPECT_EQ(a.params.max_recv_dsl, 262144u);
		EXPECT_TRUE(kernel_.was_blocking);
	}
	// The daemon let go of the socket; the "kernel" still has it.
	for (int i = 0; i < 100 && server_->connections() > 0; i++)
		std::this_thread::sleep_for(std::chrono::milliseconds(10));
	EXPECT_TRUE(c.still_open());
}

TEST_F(ServerTest, KernelRefusalBecomesALoginReject)
{
	kernel_.err = EUSERS;
	start();
	Client c("127.0.0.1", port_);
	normal_login(c);
	const auto r = c.recv();
	ASSERT_TRUE(r);
	EXPECT_EQ(LoginResponse::decode(*r).status, status::out_of_resources);
	EXPECT_TRUE(c.eof());
}

TEST_F(ServerTest, GarbageClosesOnlyThatConnection)
{
	start();
	Client keep("127.0.0.1", port_);
	keep.login({{"InitiatorName", ini}, {"SessionType", "Discovery"}, {"AuthMethod", "None"}},
		   false, 0, 1);
	ASSERT_TRUE(keep.recv());
	{
		Client c("127.0.0.1", port_);
		std::vector<std::uint8_t> scsi(48, 0);
		scsi[0] = 0x01; // a SCSI command before login
		c.send_bytes(scsi);
		EXPECT_TRUE(c.eof());
	}
	{
		Client c("127.0.0.1", port_);
		auto pdu = LoginRequest{}.encode().serialize();
		put_be24(&pdu[5], 0xffffff); // lying length
		c.send_bytes(pdu);
		EXPECT_TRUE(c.eof());
	}
	{
		Client c("127.0.0.1", port_);
		LoginRequest big;
		big.data.assign(9000, 'x'); // over 8192 during login
		c.send_bytes(big.encode().serialize());
		EXPECT_TRUE(c.eof());
	}
	{
		Client c("127.0.0.1", port_);
		auto pdu = LoginRequest{}.encode().serialize();
		pdu[4] = 2; // AHS
		c.send_bytes(pdu);
		EXPECT_TRUE(c.eof());
	}
	// The first connection is still served.
	keep.login({}, true, 0, 3);
	const auto r = keep.recv();
	ASSERT_TRUE(r);
	EXPECT_EQ(LoginResponse::decode(*r).status, status::success);
}

TEST_F(ServerTest, LoginTimeout)
{
	start({{"127.0.0.1", 0}}, std::chrono::milliseconds(200));
	Client c("127.0.0.1", port_);
	const auto t0 = std::chrono::steady_clock::now();
	EXPECT_TRUE(c.eof());
	EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
}

TEST_F(ServerTest, DiscoveryOverTcp)
{
	start();
	Client c("127.0.0.1", port_);
	c.login({{"InitiatorName", ini}, {"SessionType", "Discovery"}, {"AuthMethod", "None"}},
		true, 0, 3);
	ASSERT_TRUE(c.recv());
	TextRequest t;
	t.itt = 2;
	t.cmdsn = 5;
	t.data = encode_text({{"SendTargets", "All"}});
	c.send_bytes(t.encode().serialize());
	const auto r = c.recv();
	ASSERT_TRUE(r);
	EXPECT_EQ(*parse_text(r->data),
		  (TextList{{"TargetName", tgt},
			    {"TargetAddress", "127.0.0.1:" + std::to_string(port_) + ",1"}}));
	LogoutRequest lo;
	lo.cmdsn = 6;
	c.send_bytes(lo.encode().serialize());
	const auto l = c.recv();
	ASSERT_TRUE(l);
	EXPECT_EQ(l->opcode(), Opcode::logout_rsp);
	EXPECT_TRUE(c.eof());
}

TEST_F(ServerTest, DiscoveryOverIpv6)
{
	const int probe = socket(AF_INET6, SOCK_STREAM, 0);
	if (probe < 0)
		GTEST_SKIP() << "no IPv6 on this host";
	close(probe);
	try {
		start({{"::1", 0}});
	} catch (const strix::Error &e) {
		GTEST_SKIP() << e.what();
	}
	Client c("::1", port_);
	ASSERT_TRUE(c.connected());
	c.login({{"InitiatorName", ini}, {"SessionType", "Discovery"}}, true, 0, 3);
	ASSERT_TRUE(c.recv());
	TextRequest t;
	t.cmdsn = 5;
	t.data = encode_text({{"SendTargets", "All"}});
	c.send_bytes(t.encode().serialize());
	const auto r = c.recv();
	ASSERT_TRUE(r);
	EXPECT_EQ((*parse_text(r->data))[1].value, "[::1]:" + std::to_string(port_) + ",1");
}

TEST_F(ServerTest, NoTreeMeansServiceUnavailable)
{
	std::filesystem::remove_all(root_ / "targets");
	start();
	Client c("127.0.0.1", port_);
	c.login({{"InitiatorName", ini}, {"SessionType", "Discovery"}}, true, 0, 3);
	const auto r = c.recv();
	ASSERT_TRUE(r);
	EXPECT_EQ(LoginResponse::decode(*r).status, status::service_unavailable);
	EXPECT_TRUE(c.eof());
}
