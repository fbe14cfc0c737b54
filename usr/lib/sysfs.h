// A model of the management tree (/sys/kernel/scst_tgt).
//
// The tree is a directory of directories, attribute files and symlinks.  An
// attribute's value is one or more lines; a last line "[key]" marks a value
// that must be saved to restore the configuration.  Writes, including mgmt
// command lines, are synchronous: the kernel refuses a bad one with -errno
// from write(), which surfaces here as a strix::Error with that errno.
#ifndef STRIX_USR_SYSFS_H
#define STRIX_USR_SYSFS_H

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json_fwd.hpp>

namespace strix::sysfs {

inline constexpr std::string_view default_root = "/sys/kernel/scst_tgt";
// Overrides default_root when set and non-empty.
inline constexpr std::string_view root_env = "STRIX_SYSFS_ROOT";
// The last line of a value that must be saved.
inline constexpr std::string_view key_marker = "[key]";

struct Attribute {
	std::vector<std::string> lines; // without newlines and the [key] line
	bool key = false;               // a trailing [key] line was present

	// The lines joined with '\n'.
	std::string value() const;

	// Split file content into lines, strip and note a trailing [key].
	static Attribute parse(std::string_view content);

	friend bool operator==(const Attribute &, const Attribute &) = default;
};

enum class NodeType { directory, attribute, symlink, other };

std::string_view to_string(NodeType type) noexcept;

struct Node {
	std::string name;
	std::filesystem::path path;
	NodeType type = NodeType::other;

	// attribute: permission bits; write-only ones (mgmt) are listed but
	// never read.
	bool readable = false;
	bool writable = false;
	std::optional<Attribute> value; // attribute, when read
	std::error_code error;          // a failed read or directory listing

	std::filesystem::path target;   // symlink
	std::vector<Node> children;     // directory, sorted by name

	// The child called name, or nullptr.
	const Node *find(std::string_view child) const;
};

class Tree {
public:
	// $STRIX_SYSFS_ROOT if set, else default_root.
	Tree();
	explicit Tree(std::filesystem::path root);

	static std::filesystem::path root_from_env();

	const std::filesystem::path &root() const noexcept { return root_; }

	// Throws "ROOT: not found: is the strix module loaded?" unless the
	// root is a directory.
	void require() const;

	// rel relative to the root, or an absolute path inside it; anything
	// leading outside the root is refused (EINVAL).
	std::filesystem::path resolve(std::string_view rel) const;

	Attribute read(std::string_view rel) const;

	// The node at rel (the whole tree by default) and, for a directory,
	// everything below it.  Symlinks are reported, never followed.
	Node walk(std::string_view rel = {}) const;

	// One write() of value (a '\n' is appended if missing).
	void write(std::string_view rel, std::string_view value) const;

	// Write a command line to dir/mgmt.
	void mgmt(std::string_view dir, std::string_view command) const;

private:
	std::filesystem::path root_;
};

// Free-standing forms of the above on absolute paths.
Attribute read_attribute(const std::filesystem::path &path);
void write_attribute(const std::filesystem::path &path, std::string_view value);
Node walk(const std::filesystem::path &path);

// Attribute: {"lines": [...], "key": bool}
void to_json(nlohmann::json &j, const Attribute &a);
// Node: {"name", "path", "type", ...type-specific members}
void to_json(nlohmann::json &j, const Node &n);

} // namespace strix::sysfs

// "0x2a [key]"; lines joined by "\n".
template <>
struct fmt::formatter<strix::sysfs::Attribute> : fmt::formatter<std::string_view> {
	template <typename FormatContext>
	auto format(const strix::sysfs::Attribute &a, FormatContext &ctx) const
	{
		std::string s = a.value();
		if (a.key)
			s += (s.empty() ? "" : " ") + std::string(strix::sysfs::key_marker);
		return fmt::formatter<std::string_view>::format(s, ctx);
	}
};

template <>
struct fmt::formatter<strix::sysfs::NodeType> : fmt::formatter<std::string_view> {
	template <typename FormatContext>
	auto format(strix::sysfs::NodeType t, FormatContext &ctx) const
	{
		return fmt::formatter<std::string_view>::format(strix::sysfs::to_string(t), ctx);
	}
};

#endif // STRIX_USR_SYSFS_H
