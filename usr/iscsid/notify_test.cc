#include "notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

using namespace strix::iscsid;

namespace {

// A datagram socket bound to @name (a path, or "@abstract"), as systemd's.
class Listener {
public:
	explicit Listener(const std::string &name)
	{
		fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		sockaddr_un addr{};
		addr.sun_family = AF_UNIX;
		std::memcpy(addr.sun_path, name.data(), name.size());
		if (name[0] == '@')
			addr.sun_path[0] = '\0';
		const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
		ok_ = fd_ >= 0 && bind(fd_, reinterpret_cast<sockaddr *>(&addr), len) == 0;
		setenv("NOTIFY_SOCKET", name.c_str(), 1);
	}
	~Listener()
	{
		unsetenv("NOTIFY_SOCKET");
		if (fd_ >= 0)
			close(fd_);
	}
	bool ok() const { return ok_; }
	std::string receive()
	{
		char buf[256];
		const ssize_t n = recv(fd_, buf, sizeof(buf), MSG_DONTWAIT);
		return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
	}

private:
	int fd_ = -1;
	bool ok_ = false;
};

} // namespace

TEST(Notify, SendsTheStateToThePath)
{
	const auto path = std::filesystem::temp_directory_path() /
			  ("strix-notify-" + std::to_string(getpid()));
	std::filesystem::remove(path);
	Listener l(path.string());
	ASSERT_TRUE(l.ok());
	EXPECT_TRUE(notify_systemd("READY=1\nSTATUS=listening"));
	EXPECT_EQ(l.receive(), "READY=1\nSTATUS=listening");
	std::filesystem::remove(path);
}

TEST(Notify, AbstractNamespace)
{
	Listener l("@strix-notify-" + std::to_string(getpid()));
	ASSERT_TRUE(l.ok());
	EXPECT_TRUE(notify_systemd("STOPPING=1"));
	EXPECT_EQ(l.receive(), "STOPPING=1");
}

TEST(Notify, NothingWithoutSystemd)
{
	unsetenv("NOTIFY_SOCKET");
	EXPECT_FALSE(notify_systemd("READY=1"));
	setenv("NOTIFY_SOCKET", "/nonexistent/strix/notify", 1);
	EXPECT_FALSE(notify_systemd("READY=1"));
	unsetenv("NOTIFY_SOCKET");
}
