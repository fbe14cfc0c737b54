#include "error.h"

#include <cstring>
#include <utility>

#include <nlohmann/json.hpp>

namespace strix {

namespace {

std::string format_message(std::string_view subject, std::string_view problem,
			   std::string_view detail)
{
	if (detail.empty())
		return fmt::format("{}: {}", subject, problem);
	return fmt::format("{}: {}: {}", subject, problem, detail);
}

} // namespace

Error::Error(std::error_code code, std::string subject, std::string problem)
	: Error(code, std::move(subject), std::move(problem), code.message())
{
}

Error::Error(std::error_code code, std::string subject, std::string problem,
	     std::string detail)
	: std::runtime_error(format_message(subject, problem, detail)),
	  code_(code), subject_(std::move(subject)),
	  problem_(std::move(problem)), detail_(std::move(detail))
{
}

Error Error::from_errno(int errnum, std::string subject, std::string problem)
{
	return Error(std::error_code(errnum, std::generic_category()),
		     std::move(subject), std::move(problem));
}

int Error::errnum() const noexcept
{
	return code_.category() == std::generic_category() ||
			       code_.category() == std::system_category()
		       ? code_.value()
		       : 0;
}

std::string_view Error::errno_name() const noexcept
{
	const int n = errnum();
	if (n == 0)
		return {};
	const char *name = ::strerrorname_np(n);
	return name ? std::string_view(name) : std::string_view();
}

void to_json(nlohmann::json &j, const Error &e)
{
	j = nlohmann::json{
		{"message", e.what()},
		{"subject", e.subject()},
		{"problem", e.problem()},
		{"detail", e.detail()},
		{"errno", e.errnum()},
		{"errno_name", e.errno_name()},
	};
}

} // namespace strix
