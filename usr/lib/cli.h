// The strixctl command line: strixctl/main.cpp only forwards to run().
//
// Subcommands live in one table of {name, description, options, handler};
// a handler throws strix::Error on failure and run() is the one place that
// reports it.  With --json, stdout carries exactly one JSON document: the
// result, or {"error": {...}}.
#ifndef STRIX_USR_CLI_H
#define STRIX_USR_CLI_H

#include <ostream>
#include <span>

namespace strix::cli {

inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1; // a runtime error
inline constexpr int exit_usage = 2;   // a command line CLI11 refused
inline constexpr int exit_differs = 3; // diff: the file and the running state differ
inline constexpr int exit_timeout = 2; // events: --timeout elapsed first

// argv as main() receives it (argv[0] is the program name).  Output goes to
// out, diagnostics to err.  Returns the process exit code.
int run(std::span<const char *const> argv, std::ostream &out, std::ostream &err);

} // namespace strix::cli

#endif // STRIX_USR_CLI_H
