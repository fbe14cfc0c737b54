// Writing a file so that a crash leaves either the old or the new version,
// never a mix: a temp file in the same directory, fsync, rename, fsync of
// the directory.  `strixctl save` writes /etc/strix/strix.conf this way.
#ifndef STRIX_USR_ATOMIC_FILE_H
#define STRIX_USR_ATOMIC_FILE_H

#include <filesystem>
#include <optional>
#include <string_view>

namespace strix {

struct AtomicWrite {
	// The previous version, kept as FILE.bak (itself replaced atomically);
	// nullopt when there was none.
	std::optional<std::filesystem::path> backup;
};

// Replace file with content.  Missing parent directories are created
// (0755).  The new file keeps the old one's permission bits (0644 for a new
// file).  With keep_backup, the old version becomes file + ".bak".  Throws
// strix::Error naming the file and the step that failed; on failure the
// old file is untouched and no temp file is left.
AtomicWrite write_atomically(const std::filesystem::path &file, std::string_view content,
			     bool keep_backup = true);

} // namespace strix

#endif // STRIX_USR_ATOMIC_FILE_H
