// strixctl events: subscribe to the core's events (events.h) and print each
// on a line of its own, as text or, with --json, as a JSON object.
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <string>

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <nlohmann/json.hpp>

#include "cli_internal.h"
#include "error.h"
#include "events.h"

namespace strix::cli {

namespace {

// SIGINT and SIGTERM, blocked while this lives, as a descriptor watch()
// polls; a signal the caller ignores stays ignored.
class StopSignals {
public:
	StopSignals()
	{
		sigset_t set;
		sigemptyset(&set);
		for (const int sig : {SIGINT, SIGTERM}) {
			struct sigaction sa {};
			if (::sigaction(sig, nullptr, &sa) == 0 && sa.sa_handler != SIG_IGN)
				sigaddset(&set, sig);
		}
		if (const int err = ::pthread_sigmask(SIG_BLOCK, &set, &old_); err != 0)
			throw Error::from_errno(err, "signals", "cannot block");
		fd_ = ::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
		if (fd_ < 0) {
			const int err = errno;
			::pthread_sigmask(SIG_SETMASK, &old_, nullptr);
			throw Error::from_errno(err, "signals", "cannot create a signalfd");
		}
	}
	~StopSignals()
	{
		::close(fd_);
		::pthread_sigmask(SIG_SETMASK, &old_, nullptr);
	}
	StopSignals(const StopSignals &) = delete;
	StopSignals &operator=(const StopSignals &) = delete;

	int fd() const { return fd_; }

private:
	sigset_t old_;
	int fd_ = -1;
};

void events_configure(CLI::App &sub, Options &opts)
{
	sub.add_option("--count", opts.count, "Exit (0) after N events")
		->type_name("N")
		->check(CLI::PositiveNumber);
	sub.add_option("--timeout", opts.timeout,
		       "Exit with status 2 if SECONDS pass first (up to a year)")
		->type_name("SECONDS")
		->check(CLI::Range(0.001, 365 * 86400.0));
}

// "2 of 3 events arrived", "1 event arrived".
std::string arrived(unsigned events, unsigned count)
{
	if (count)
		return fmt::format("{} of {} event{} arrived", events, count, count == 1 ? "" : "s");
	return fmt::format("{} event{} arrived", events, events == 1 ? "" : "s");
}

int events_handler(const Context &ctx)
{
	const Options &o = ctx.opts;
	const StopSignals signals;
	events::Subscription subscription;
	// The group is joined: what happens from now on is printed.
	fmt::print(ctx.err, "listening\n");
	ctx.err.flush();

	events::Limits limits;
	if (o.count)
		limits.count = o.count;
	if (o.timeout > 0)
		limits.timeout = std::chrono::ceil<std::chrono::milliseconds>(
			std::chrono::duration<double>(o.timeout));
	limits.stop_fd = signals.fd();
	const events::Outcome end = events::watch(
		subscription, limits,
		[&](const events::AluaState &e) {
			if (o.json)
				print_json_line(ctx.out, events::to_json(e));
			else
				ctx.out << events::to_text(e) << '\n' << std::flush;
		},
		[&](const Error &e) {
			fmt::print(ctx.err, "{}: {}\n", program, e.what());
			ctx.err.flush();
		});
	if (end.end != events::End::timeout)
		return exit_ok;
	throw ExitError(Error(std::make_error_code(std::errc::timed_out), "events",
			      fmt::format("timed out after {} s", o.timeout),
			      arrived(end.events, o.count)),
			exit_timeout);
}

constexpr std::array commands{
	Command{"events",
		"Print the core's events (ALUA state changes) as they happen, one a line",
		events_configure, events_handler, true},
};

} // namespace

std::span<const Command> events_commands()
{
	return commands;
}

} // namespace strix::cli
