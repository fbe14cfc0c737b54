#include "daemon.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "error.h"
#include "kernel.h"
#include "log.h"
#include "notify.h"
#include "server.h"
#include "sysfs.h"
#include "version.h"

namespace strix::iscsid {

namespace {

Server *running = nullptr;

void on_signal(int)
{
	if (running)
		running->stop();
}

void detach()
{
	// Fork once and start a new session; keep stderr for the log.
	const pid_t pid = fork();
	if (pid < 0)
		throw Error::from_errno(errno, "fork", "cannot detach");
	if (pid > 0)
		_exit(0);
	setsid();
	const int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		close(null);
	}
	[[maybe_unused]] const int r = chdir("/");
}

} // namespace

int run(std::span<char *> argv)
{
	CLI::App app{"strix-iscsid: the iSCSI login daemon of Strix", "strix-iscsid"};
	std::vector<std::string> listen;
	std::string root = sysfs::Tree::root_from_env().string();
	double timeout = 15;
	unsigned max_conns = 1024;
	bool debug = false, foreground = false, version = false;
	app.add_option("--listen,-l", listen,
		       "Portal to listen on, ADDR[:PORT] or [V6ADDR][:PORT] (repeatable; "
		       "default [::]:3260, or 0.0.0.0:3260 without IPv6)");
	app.add_option("--sysfs-root", root, "Root of the management tree")
		->capture_default_str();
	app.add_option("--login-timeout", timeout, "Seconds a login (or an idle discovery "
		       "session) may take")->capture_default_str()->check(CLI::Range(0.1, 3600.0));
	app.add_option("--max-connections", max_conns, "Logins in progress at once")
		->capture_default_str()->check(CLI::Range(1u, 65536u));
	app.add_flag("--debug,-d", debug, "Log every connection and the negotiated parameters");
	app.add_flag("--foreground,-f", foreground, "Do not detach (systemd runs it so)");
	app.add_flag("--version", version, "Print the version and exit");
	try {
		app.parse(static_cast<int>(argv.size()), argv.data());
	} catch (const CLI::ParseError &e) {
		return app.exit(e);
	}
	if (version) {
		std::cout << "strix-iscsid " << user_version() << "\n";
		return 0;
	}
	log::set_debug(debug);

	try {
		ServerOptions opt;
		for (const auto &l : listen)
			opt.listen.push_back(parse_listen(l));
		opt.sysfs_root = root;
		opt.login_timeout = std::chrono::milliseconds(static_cast<long>(timeout * 1000));
		opt.max_connections = max_conns;

		NetlinkKernel kernel;
		if (!kernel.resolve())
			log::warning("netlink: family {} not found (is strix_iscsi loaded?): "
				     "discovery works, normal logins are refused until it is",
				     "strix_iscsi");
		Server server(std::move(opt), kernel);
		server.listen();

		struct sigaction sa {};
		sa.sa_handler = on_signal;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGTERM, &sa, nullptr);
		sigaction(SIGINT, &sa, nullptr);
		signal(SIGPIPE, SIG_IGN);
		running = &server;

		if (!foreground)
			detach();
		log::info("strix-iscsid {} ready (configuration from {})", user_version(), root);
		notify_systemd(fmt::format("READY=1\nSTATUS=listening on {}",
					   listen.empty() ? std::string("the default portal")
							  : fmt::format("{}", fmt::join(listen, " "))));
		server.run();
		running = nullptr;
		notify_systemd("STOPPING=1");
		log::info("stopping: sessions handed to the kernel stay up");
		return 0;
	} catch (const Error &e) {
		log::error("{}", e.what());
		return 1;
	} catch (const std::exception &e) {
		log::error("{}", e.what());
		return 1;
	}
}

} // namespace strix::iscsid
