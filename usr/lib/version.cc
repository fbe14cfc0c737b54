#include "version.h"

#include <algorithm>
#include <system_error>

#include <nlohmann/json.hpp>

#include "error.h"

#ifndef STRIX_VERSION
#error "STRIX_VERSION must be defined by the build (see usr/CMakeLists.txt)"
#endif

namespace strix {

namespace {

std::string_view trim(std::string_view s) noexcept
{
	constexpr std::string_view space = " \t\r";
	const auto first = s.find_first_not_of(space);
	if (first == std::string_view::npos)
		return {};
	return s.substr(first, s.find_last_not_of(space) - first + 1);
}

} // namespace

std::string_view user_version() noexcept
{
	return STRIX_VERSION;
}

bool KernelVersion::has(std::string_view feature) const noexcept
{
	return std::ranges::find(features, feature) != features.end();
}

KernelVersion KernelVersion::parse(const sysfs::Attribute &attr, std::string_view subject)
{
	KernelVersion v;
	for (const auto &raw : attr.lines) {
		const auto line = trim(raw);
		if (line.empty())
			continue;
		if (v.version.empty())
			v.version = line;
		else
			v.features.emplace_back(line);
	}
	if (v.version.empty())
		throw Error(std::make_error_code(std::errc::bad_message), std::string(subject),
			    "malformed version", "empty");
	return v;
}

KernelVersion read_kernel_version(const sysfs::Tree &tree)
{
	const auto path = tree.resolve("version");
	return KernelVersion::parse(sysfs::read_attribute(path), path.string());
}

void to_json(nlohmann::json &j, const KernelVersion &v)
{
	j = nlohmann::json{{"version", v.version}, {"features", v.features}};
}

} // namespace strix
