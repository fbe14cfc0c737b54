// Versions: the one user space was built as, and the kernel module's, read
// from the root's "version" attribute: the version string on the first line,
// then one compiled-in feature a line (SYNC_MGMT, KUNIT, ...).
#ifndef STRIX_USR_VERSION_H
#define STRIX_USR_VERSION_H

#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json_fwd.hpp>

#include "sysfs.h"

namespace strix {

// The version of this build, from kernel/include/strix/version.h.
std::string_view user_version() noexcept;

struct KernelVersion {
	std::string version;
	std::vector<std::string> features;

	bool has(std::string_view feature) const noexcept;

	// subject names the source in errors (a malformed empty value).
	static KernelVersion parse(const sysfs::Attribute &attr, std::string_view subject);
};

// Read and parse <root>/version.
KernelVersion read_kernel_version(const sysfs::Tree &tree);

// {"version": "...", "features": [...]}
void to_json(nlohmann::json &j, const KernelVersion &v);

} // namespace strix

// "1.2.3 (SYNC_MGMT, KUNIT)", or just "1.2.3" without features.
template <>
struct fmt::formatter<strix::KernelVersion> : fmt::formatter<std::string_view> {
	template <typename FormatContext>
	auto format(const strix::KernelVersion &v, FormatContext &ctx) const
	{
		const std::string s = v.features.empty()
			? v.version
			: fmt::format("{} ({})", v.version, fmt::join(v.features, ", "));
		return fmt::formatter<std::string_view>::format(s, ctx);
	}
};

#endif // STRIX_USR_VERSION_H
