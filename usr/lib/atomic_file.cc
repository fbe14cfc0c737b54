#include "atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>

#include "error.h"

namespace strix {

namespace {

namespace fs = std::filesystem;

// A temp file that is removed unless committed.
class Temp {
public:
	explicit Temp(const fs::path &dir, const std::string &stem)
	{
		std::string tmpl = (dir / ("." + stem + ".XXXXXX")).string();
		fd_ = ::mkostemp(tmpl.data(), O_CLOEXEC);
		if (fd_ < 0)
			throw Error::from_errno(errno, (dir / stem).string(), "cannot create a temp file");
		path_ = tmpl;
	}
	~Temp()
	{
		if (fd_ >= 0)
			::close(fd_);
		if (!committed_)
			::unlink(path_.c_str());
	}
	int fd() const { return fd_; }
	const fs::path &path() const { return path_; }
	void close(const fs::path &file)
	{
		const int fd = fd_;
		fd_ = -1;
		if (::close(fd) < 0)
			throw Error::from_errno(errno, file.string(), "cannot close the temp file");
	}
	void commit() { committed_ = true; }

private:
	int fd_ = -1;
	fs::path path_;
	bool committed_ = false;
};

void write_all(int fd, std::string_view content, const fs::path &file)
{
	while (!content.empty()) {
		const ssize_t n = ::write(fd, content.data(), content.size());
		if (n < 0) {
			if (errno == EINTR)
				continue;
			throw Error::from_errno(errno, file.string(), "cannot write");
		}
		content.remove_prefix(static_cast<std::size_t>(n));
	}
}

void fsync_dir(const fs::path &dir, const fs::path &file)
{
	const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		throw Error::from_errno(errno, dir.string(), "cannot open the directory to sync");
	const int ret = ::fsync(fd);
	const int err = errno;
	::close(fd);
	if (ret < 0)
		throw Error::from_errno(err, file.string(), "cannot sync the directory");
}

// file -> file.bak, without a moment where file.bak is missing or partial:
// a hard link (or a copy) under a temp name, renamed over the old backup.
fs::path keep_backup_of(const fs::path &file, const fs::path &dir)
{
	const fs::path bak = fs::path(file.string() + ".bak");
	const fs::path tmp_bak = dir / ("." + file.filename().string() + ".bak.tmp");
	::unlink(tmp_bak.c_str());
	if (::link(file.c_str(), tmp_bak.c_str()) < 0) {
		std::error_code ec;
		fs::copy_file(file, tmp_bak, fs::copy_options::overwrite_existing, ec);
		if (ec)
			throw Error(ec, bak.string(), "cannot keep the previous version");
	}
	if (::rename(tmp_bak.c_str(), bak.c_str()) < 0) {
		const int err = errno;
		::unlink(tmp_bak.c_str());
		throw Error::from_errno(err, bak.string(), "cannot keep the previous version");
	}
	return bak;
}

} // namespace

AtomicWrite write_atomically(const fs::path &file, std::string_view content, bool keep_backup)
{
	const fs::path abs = fs::absolute(file);
	const fs::path dir = abs.parent_path();
	std::error_code ec;
	fs::create_directories(dir, ec);
	if (ec)
		throw Error(ec, dir.string(), "cannot create the directory");

	mode_t mode = 0644;
	struct stat st {};
	const bool exists = ::stat(abs.c_str(), &st) == 0;
	if (exists) {
		if (!S_ISREG(st.st_mode))
			throw Error(std::make_error_code(std::errc::invalid_argument), abs.string(),
				    "cannot replace", "not a regular file");
		mode = st.st_mode & 07777;
	}

	Temp tmp(dir, abs.filename().string());
	write_all(tmp.fd(), content, abs);
	if (::fchmod(tmp.fd(), mode) < 0)
		throw Error::from_errno(errno, abs.string(), "cannot set the mode of the temp file");
	if (::fsync(tmp.fd()) < 0)
		throw Error::from_errno(errno, abs.string(), "cannot sync");
	tmp.close(abs);

	AtomicWrite result;
	if (exists && keep_backup)
		result.backup = keep_backup_of(abs, dir);
	if (::rename(tmp.path().c_str(), abs.c_str()) < 0)
		throw Error::from_errno(errno, abs.string(), "cannot rename the temp file into place");
	tmp.commit();
	fsync_dir(dir, abs);
	return result;
}

} // namespace strix
