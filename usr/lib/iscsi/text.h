// iSCSI text: the key=value\0 pairs of Login and Text PDUs (RFC 7143,
// section 6) and the value encodings of section 5.1 (numbers, booleans,
// lists, binary values in hex or base64).
//
// Pure functions, no state: the login machine calls them on the data
// segments it has collected.
#ifndef STRIX_USR_ISCSI_TEXT_H
#define STRIX_USR_ISCSI_TEXT_H

#include <cstdint>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "expected.h"

namespace strix::iscsi {

struct KeyValue {
	std::string key;
	std::string value;

	friend bool operator==(const KeyValue &, const KeyValue &) = default;
};

using TextList = std::vector<KeyValue>;

// For test failure messages.
inline std::ostream &operator<<(std::ostream &os, const KeyValue &kv)
{
	return os << kv.key << '=' << kv.value;
}

// RFC 7143, 6.1: key names are at most 63 bytes of a-z A-Z 0-9 . - + @ _
// (and '#', which the public extension keys X#... of 13.5.2 need)
inline constexpr std::size_t max_key_length = 63;
// Values in a login are small; a CHAP challenge of 1024 bytes in hex is the
// largest legitimate one (2 + 2048).  Anything longer is refused.
inline constexpr std::size_t max_value_length = 8192;

enum class TextError {
	missing_equals,   // "key" without "="
	empty_key,        // "=value"
	bad_key,          // a character not allowed in a key name
	key_too_long,
	value_too_long,
	not_terminated,   // the last pair has no NUL
};

std::string_view to_string(TextError e) noexcept;

bool valid_key_name(std::string_view key) noexcept;

// Split a data segment into pairs.  Empty strings between NULs (padding a
// sender counted in DataSegmentLength) are skipped.
Expected<TextList, TextError> parse_text(std::span<const std::uint8_t> data);
Expected<TextList, TextError> parse_text(std::string_view data);

// "k1=v1\0k2=v2\0"
std::vector<std::uint8_t> encode_text(const TextList &list);
void append_text(std::vector<std::uint8_t> &out, std::string_view key,
		 std::string_view value);

// Numerical values: decimal, hexadecimal ("0x1f"), or base64 ("0b...", big
// endian); at most 64 bits.  nullopt on anything else.
std::optional<std::uint64_t> parse_number(std::string_view s) noexcept;
// "Yes" / "No", case sensitive as RFC 7143 has them.
std::optional<bool> parse_bool(std::string_view s) noexcept;
inline std::string_view to_yes_no(bool b) noexcept { return b ? "Yes" : "No"; }
// "a,b,c" -> {"a", "b", "c"}; "" -> {""}.
std::vector<std::string_view> split_list(std::string_view s);
// Binary values ("0x" hex or "0b" base64), nullopt if malformed or empty.
std::optional<std::vector<std::uint8_t>> decode_binary(std::string_view s);
// "0x" followed by lower-case hex digits.
std::string encode_hex(std::span<const std::uint8_t> bytes);

} // namespace strix::iscsi

#endif // STRIX_USR_ISCSI_TEXT_H
