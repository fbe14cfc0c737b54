#include "sysfs.h"

#include <fcntl.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <utility>

#include <nlohmann/json.hpp>

#include "error.h"

namespace strix::sysfs {

namespace fs = std::filesystem;

namespace {

// Owns a file descriptor.
class Fd {
public:
	explicit Fd(int fd) noexcept : fd_(fd) {}
	Fd(const Fd &) = delete;
	Fd &operator=(const Fd &) = delete;
	~Fd()
	{
		if (fd_ >= 0)
			::close(fd_);
	}

	int get() const noexcept { return fd_; }
	// Close now and return close()'s errno, or 0.
	int close() noexcept
	{
		const int ret = ::close(std::exchange(fd_, -1));
		return ret < 0 ? errno : 0;
	}

private:
	int fd_;
};

std::string write_problem(std::string_view line)
{
	if (!line.empty() && line.back() == '\n')
		line.remove_suffix(1);
	return fmt::format("cannot write \"{}\"", line);
}

constexpr fs::perms any_read = fs::perms::owner_read | fs::perms::group_read |
			       fs::perms::others_read;
constexpr fs::perms any_write = fs::perms::owner_write | fs::perms::group_write |
				fs::perms::others_write;

// Drop a trailing separator ("a/b/" -> "a/b"), but keep "/" itself.
fs::path strip_trailing_separator(fs::path p)
{
	p = p.lexically_normal();
	if (!p.has_filename() && p.has_parent_path() && p != p.root_path())
		p = p.parent_path();
	return p;
}

Node make_node(const fs::path &path, const fs::file_status &st)
{
	Node n;
	n.name = path.filename().string();
	n.path = path;

	switch (st.type()) {
	case fs::file_type::directory: {
		n.type = NodeType::directory;
		std::error_code ec;
		fs::directory_iterator it(path, ec);
		for (const fs::directory_iterator end; !ec && it != end; it.increment(ec)) {
			std::error_code sec;
			const auto child_st = it->symlink_status(sec);
			if (sec) {
				// Vanished between listing and stat: skip it.
				continue;
			}
			n.children.push_back(make_node(it->path(), child_st));
		}
		n.error = ec;
		std::ranges::sort(n.children, {}, &Node::name);
		break;
	}
	case fs::file_type::symlink: {
		n.type = NodeType::symlink;
		std::error_code ec;
		n.target = fs::read_symlink(path, ec);
		n.error = ec;
		break;
	}
	case fs::file_type::regular:
		n.type = NodeType::attribute;
		n.readable = (st.permissions() & any_read) != fs::perms::none;
		n.writable = (st.permissions() & any_write) != fs::perms::none;
		if (n.readable) {
			try {
				n.value = read_attribute(path);
			} catch (const Error &e) {
				n.error = e.code();
			}
		}
		break;
	default:
		n.type = NodeType::other;
		break;
	}
	return n;
}

} // namespace

std::string Attribute::value() const
{
	std::string s;
	for (const auto &line : lines) {
		if (&line != &lines.front())
			s += '\n';
		s += line;
	}
	return s;
}

Attribute Attribute::parse(std::string_view content)
{
	Attribute a;
	while (!content.empty()) {
		const auto nl = content.find('\n');
		a.lines.emplace_back(content.substr(0, nl));
		content.remove_prefix(nl == std::string_view::npos ? content.size() : nl + 1);
	}
	if (!a.lines.empty() && a.lines.back() == key_marker) {
		a.lines.pop_back();
		a.key = true;
	}
	return a;
}

std::string_view to_string(NodeType type) noexcept
{
	switch (type) {
	case NodeType::directory:
		return "directory";
	case NodeType::attribute:
		return "attribute";
	case NodeType::symlink:
		return "symlink";
	case NodeType::other:
		break;
	}
	return "other";
}

const Node *Node::find(std::string_view child) const
{
	const auto it = std::ranges::find(children, child, &Node::name);
	return it == children.end() ? nullptr : &*it;
}

Attribute read_attribute(const fs::path &path)
{
	Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
	if (fd.get() < 0)
		throw Error::from_errno(errno, path.string(), "cannot read");

	std::string content;
	std::array<char, 4096> buf;
	for (;;) {
		const ssize_t n = ::read(fd.get(), buf.data(), buf.size());
		if (n < 0) {
			if (errno == EINTR)
				continue;
			throw Error::from_errno(errno, path.string(), "cannot read");
		}
		if (n == 0)
			break;
		content.append(buf.data(), static_cast<std::size_t>(n));
	}
	return Attribute::parse(content);
}

void write_attribute(const fs::path &path, std::string_view value)
{
	std::string line(value);
	if (line.empty() || line.back() != '\n')
		line += '\n';

	Fd fd(::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
	if (fd.get() < 0)
		throw Error::from_errno(errno, path.string(), write_problem(line));

	// One write(): the kernel handles the whole line at once and returns
	// either its length or the -errno of the refusal.
	ssize_t n;
	do {
		n = ::write(fd.get(), line.data(), line.size());
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		throw Error::from_errno(errno, path.string(), write_problem(line));
	if (static_cast<std::size_t>(n) != line.size())
		throw Error(std::make_error_code(std::errc::io_error), path.string(),
			    write_problem(line),
			    fmt::format("short write: {} of {} bytes", n, line.size()));
	if (const int err = fd.close())
		throw Error::from_errno(err, path.string(), write_problem(line));
}

Node walk(const fs::path &path)
{
	std::error_code ec;
	const auto st = fs::symlink_status(path, ec);
	if (ec || st.type() == fs::file_type::not_found) {
		if (!ec)
			ec = std::make_error_code(std::errc::no_such_file_or_directory);
		throw Error(ec, path.string(),
			    ec == std::errc::no_such_file_or_directory ? "not found"
								       : "cannot access");
	}
	return make_node(path, st);
}

Tree::Tree() : Tree(root_from_env())
{
}

Tree::Tree(fs::path root) : root_(strip_trailing_separator(std::move(root)))
{
}

fs::path Tree::root_from_env()
{
	const std::string name(root_env);
	const char *env = std::getenv(name.c_str());
	if (env && *env)
		return env;
	return fs::path(default_root);
}

void Tree::require() const
{
	std::error_code ec;
	const auto st = fs::status(root_, ec);
	if (st.type() == fs::file_type::directory)
		return;
	if (st.type() == fs::file_type::not_found ||
	    ec == std::errc::no_such_file_or_directory)
		throw Error(std::make_error_code(std::errc::no_such_file_or_directory),
			    root_.string(), "not found", "is the strix module loaded?");
	if (ec)
		throw Error(ec, root_.string(), "cannot access");
	throw Error(std::make_error_code(std::errc::not_a_directory), root_.string(),
		    "not a directory");
}

fs::path Tree::resolve(std::string_view rel) const
{
	if (rel.empty())
		return root_;
	const fs::path p(rel);
	const fs::path full = strip_trailing_separator(p.is_absolute() ? p : root_ / p);
	const fs::path inside = full.lexically_relative(root_);
	if (inside.empty() || *inside.begin() == "..")
		throw Error(std::make_error_code(std::errc::invalid_argument),
			    std::string(rel), "outside the management tree",
			    root_.string());
	return full;
}

Attribute Tree::read(std::string_view rel) const
{
	return read_attribute(resolve(rel));
}

Node Tree::walk(std::string_view rel) const
{
	return sysfs::walk(resolve(rel));
}

void Tree::write(std::string_view rel, std::string_view value) const
{
	write_attribute(resolve(rel), value);
}

void Tree::mgmt(std::string_view dir, std::string_view command) const
{
	write_attribute(resolve(dir) / "mgmt", command);
}

void to_json(nlohmann::json &j, const Attribute &a)
{
	j = nlohmann::json{{"lines", a.lines}, {"key", a.key}};
}

void to_json(nlohmann::json &j, const Node &n)
{
	j = nlohmann::json{
		{"name", n.name},
		{"path", n.path.string()},
		{"type", to_string(n.type)},
	};
	switch (n.type) {
	case NodeType::directory: {
		auto children = nlohmann::json::array();
		for (const auto &child : n.children)
			children.push_back(child);
		j["children"] = std::move(children);
		break;
	}
	case NodeType::attribute:
		j["readable"] = n.readable;
		j["writable"] = n.writable;
		if (n.value) {
			j["value"] = n.value->value();
			j["lines"] = n.value->lines;
			j["key"] = n.value->key;
		}
		break;
	case NodeType::symlink:
		j["target"] = n.target.string();
		break;
	case NodeType::other:
		break;
	}
	if (n.error)
		j["error"] = {{"errno", n.error.value()}, {"message", n.error.message()}};
}

} // namespace strix::sysfs
