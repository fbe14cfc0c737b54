// The one error type of libstrix.
//
// Every failure is reported as a strix::Error carrying an error code (an
// errno in the generic category for anything the kernel refused), the
// subject it happened to (usually a path), what went wrong, and a detail.
// Its message reads "subject: problem: detail", for example
//   /sys/kernel/scst_tgt/version: cannot read: No such file or directory
#ifndef STRIX_USR_ERROR_H
#define STRIX_USR_ERROR_H

#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

#include <fmt/format.h>
#include <nlohmann/json_fwd.hpp>

namespace strix {

class Error : public std::runtime_error {
public:
	// detail defaults to code.message(), e.g. "No such file or directory".
	Error(std::error_code code, std::string subject, std::string problem);
	Error(std::error_code code, std::string subject, std::string problem,
	      std::string detail);

	// An errno as returned by a failed system call (or by the kernel as
	// -errno from a refused write).
	static Error from_errno(int errnum, std::string subject, std::string problem);

	const std::error_code &code() const noexcept { return code_; }
	const std::string &subject() const noexcept { return subject_; }
	const std::string &problem() const noexcept { return problem_; }
	const std::string &detail() const noexcept { return detail_; }

	// The errno, or 0 if the code is not in the generic category.
	int errnum() const noexcept;
	// Symbolic errno ("ENOENT"), or "" if unknown.
	std::string_view errno_name() const noexcept;

private:
	std::error_code code_;
	std::string subject_;
	std::string problem_;
	std::string detail_;
};

// {"message", "subject", "problem", "detail", "errno", "errno_name"}
void to_json(nlohmann::json &j, const Error &e);

} // namespace strix

template <>
struct fmt::formatter<strix::Error> : fmt::formatter<std::string_view> {
	template <typename FormatContext>
	auto format(const strix::Error &e, FormatContext &ctx) const
	{
		return fmt::formatter<std::string_view>::format(e.what(), ctx);
	}
};

#endif // STRIX_USR_ERROR_H
