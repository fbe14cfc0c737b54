// strix-iscsid's log: one line per event on stderr, which the journal
// captures.  Under systemd (JOURNAL_STREAM set) each line starts with its
// syslog priority ("<6>"), which journald turns into the entry's level.
// Never pass a CHAP secret here.
#ifndef STRIX_USR_ISCSID_LOG_H
#define STRIX_USR_ISCSID_LOG_H

#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace strix::iscsid::log {

enum class Level { error = 3, warning = 4, info = 6, debug = 7 };

void set_debug(bool on) noexcept;
bool debug_enabled() noexcept;
void write(Level level, std::string_view message);

template <typename... Args>
void error(fmt::format_string<Args...> f, Args &&...args)
{
	write(Level::error, fmt::format(f, std::forward<Args>(args)...));
}

template <typename... Args>
void warning(fmt::format_string<Args...> f, Args &&...args)
{
	write(Level::warning, fmt::format(f, std::forward<Args>(args)...));
}

template <typename... Args>
void info(fmt::format_string<Args...> f, Args &&...args)
{
	write(Level::info, fmt::format(f, std::forward<Args>(args)...));
}

template <typename... Args>
void debug(fmt::format_string<Args...> f, Args &&...args)
{
	if (debug_enabled())
		write(Level::debug, fmt::format(f, std::forward<Args>(args)...));
}

} // namespace strix::iscsid::log

#endif // STRIX_USR_ISCSID_LOG_H
