#include "log.h"

#include <unistd.h>

#include <cstdlib>
#include <string>

namespace strix::iscsid::log {

namespace {

bool debug_on = false;

std::string_view label(Level l) noexcept
{
	switch (l) {
	case Level::error:
		return "error: ";
	case Level::warning:
		return "warning: ";
	case Level::info:
		return "";
	case Level::debug:
		return "debug: ";
	}
	return "";
}

} // namespace

void set_debug(bool on) noexcept
{
	debug_on = on;
}

bool debug_enabled() noexcept
{
	return debug_on;
}

void write(Level level, std::string_view message)
{
	static const bool journal = std::getenv("JOURNAL_STREAM") != nullptr;
	std::string line;
	if (journal)
		line = fmt::format("<{}>{}{}\n", static_cast<int>(level), label(level), message);
	else
		line = fmt::format("strix-iscsid: {}{}\n", label(level), message);
	// One write() per line so lines of concurrent writers never mix.
	const char *p = line.data();
	std::size_t left = line.size();
	while (left > 0) {
		const ssize_t n = ::write(STDERR_FILENO, p, left);
		if (n <= 0)
			return;
		p += n;
		left -= static_cast<std::size_t>(n);
	}
}

} // namespace strix::iscsid::log
