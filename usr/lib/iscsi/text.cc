#include "iscsi/text.h"

#include <openssl/evp.h>

#include <algorithm>
#include <charconv>

namespace strix::iscsi {

std::string_view to_string(TextError e) noexcept
{
	switch (e) {
	case TextError::missing_equals:
		return "a key without '='";
	case TextError::empty_key:
		return "an empty key name";
	case TextError::bad_key:
		return "a key name with a character outside a-z A-Z 0-9 . - + @ _ #";
	case TextError::key_too_long:
		return "a key name longer than 63 bytes";
	case TextError::value_too_long:
		return "a value longer than 8192 bytes";
	case TextError::not_terminated:
		return "the last key=value pair is not terminated by a NUL";
	}
	return "malformed text";
}

bool valid_key_name(std::string_view key) noexcept
{
	if (key.empty() || key.size() > max_key_length)
		return false;
	return std::all_of(key.begin(), key.end(), [](char c) {
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		       (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' ||
		       c == '@' || c == '_' || c == '#';
	});
}

Expected<TextList, TextError> parse_text(std::string_view data)
{
	TextList list;
	while (!data.empty()) {
		const auto nul = data.find('\0');
		if (nul == std::string_view::npos)
			return unexpected(TextError::not_terminated);
		const std::string_view pair = data.substr(0, nul);
		data.remove_prefix(nul + 1);
		if (pair.empty())
			continue;
		const auto eq = pair.find('=');
		if (eq == std::string_view::npos)
			return unexpected(TextError::missing_equals);
		const std::string_view key = pair.substr(0, eq);
		const std::string_view value = pair.substr(eq + 1);
		if (key.empty())
			return unexpected(TextError::empty_key);
		if (key.size() > max_key_length)
			return unexpected(TextError::key_too_long);
		if (!valid_key_name(key))
			return unexpected(TextError::bad_key);
		if (value.size() > max_value_length)
			return unexpected(TextError::value_too_long);
		list.push_back({std::string(key), std::string(value)});
	}
	return list;
}

Expected<TextList, TextError> parse_text(std::span<const std::uint8_t> data)
{
	return parse_text(std::string_view(reinterpret_cast<const char *>(data.data()),
					   data.size()));
}

void append_text(std::vector<std::uint8_t> &out, std::string_view key,
		 std::string_view value)
{
	out.insert(out.end(), key.begin(), key.end());
	out.push_back('=');
	out.insert(out.end(), value.begin(), value.end());
	out.push_back('\0');
}

std::vector<std::uint8_t> encode_text(const TextList &list)
{
	std::vector<std::uint8_t> out;
	for (const auto &kv : list)
		append_text(out, kv.key, kv.value);
	return out;
}

namespace {

int hex_digit(char c) noexcept
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

std::optional<std::vector<std::uint8_t>> decode_hex(std::string_view s)
{
	if (s.empty())
		return std::nullopt;
	std::vector<std::uint8_t> out;
	out.reserve(s.size() / 2 + 1);
	// An odd number of digits has an implied leading zero.
	std::size_t i = 0;
	if (s.size() % 2) {
		const int d = hex_digit(s[0]);
		if (d < 0)
			return std::nullopt;
		out.push_back(static_cast<std::uint8_t>(d));
		i = 1;
	}
	for (; i < s.size(); i += 2) {
		const int hi = hex_digit(s[i]);
		const int lo = hex_digit(s[i + 1]);
		if (hi < 0 || lo < 0)
			return std::nullopt;
		out.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
	}
	return out;
}

std::optional<std::vector<std::uint8_t>> decode_base64(std::string_view s)
{
	// EVP_DecodeBlock wants whole quanta and does not report padding.
	if (s.empty() || s.size() % 4)
		return std::nullopt;
	const bool ok = std::all_of(s.begin(), s.end(), [](char c) {
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		       (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=';
	});
	if (!ok)
		return std::nullopt;
	std::size_t pad = 0;
	while (pad < 2 && s[s.size() - 1 - pad] == '=')
		pad++;
	if (s.substr(0, s.size() - pad).find('=') != std::string_view::npos)
		return std::nullopt;
	std::vector<std::uint8_t> out(s.size() / 4 * 3);
	const int n = EVP_DecodeBlock(out.data(),
				      reinterpret_cast<const unsigned char *>(s.data()),
				      static_cast<int>(s.size()));
	if (n < 0 || static_cast<std::size_t>(n) < pad)
		return std::nullopt;
	out.resize(static_cast<std::size_t>(n) - pad);
	if (out.empty())
		return std::nullopt;
	return out;
}

bool has_prefix(std::string_view s, char second) noexcept
{
	return s.size() >= 2 && s[0] == '0' && (s[1] == second || s[1] == second - 32);
}

} // namespace

std::optional<std::vector<std::uint8_t>> decode_binary(std::string_view s)
{
	if (has_prefix(s, 'x'))
		return decode_hex(s.substr(2));
	if (has_prefix(s, 'b'))
		return decode_base64(s.substr(2));
	return std::nullopt;
}

std::string encode_hex(std::span<const std::uint8_t> bytes)
{
	static constexpr char digits[] = "0123456789abcdef";
	std::string s = "0x";
	s.reserve(2 + 2 * bytes.size());
	for (const auto b : bytes) {
		s.push_back(digits[b >> 4]);
		s.push_back(digits[b & 0xf]);
	}
	return s;
}

std::optional<std::uint64_t> parse_number(std::string_view s) noexcept
{
	if (s.empty())
		return std::nullopt;
	if (has_prefix(s, 'x') || has_prefix(s, 'b')) {
		std::optional<std::vector<std::uint8_t>> bytes;
		try {
			bytes = decode_binary(s);
		} catch (...) {
			return std::nullopt;
		}
		if (!bytes)
			return std::nullopt;
		// Leading zero bytes do not count against the 64 bits.
		auto first = std::find_if(bytes->begin(), bytes->end(),
					  [](std::uint8_t b) { return b != 0; });
		if (bytes->end() - first > 8)
			return std::nullopt;
		std::uint64_t v = 0;
		for (auto it = first; it != bytes->end(); ++it)
			v = v << 8 | *it;
		return v;
	}
	std::uint64_t v = 0;
	const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
	if (ec != std::errc() || end != s.data() + s.size())
		return std::nullopt;
	return v;
}

std::optional<bool> parse_bool(std::string_view s) noexcept
{
	if (s == "Yes")
		return true;
	if (s == "No")
		return false;
	return std::nullopt;
}

std::vector<std::string_view> split_list(std::string_view s)
{
	std::vector<std::string_view> out;
	for (;;) {
		const auto comma = s.find(',');
		out.push_back(s.substr(0, comma));
		if (comma == std::string_view::npos)
			return out;
		s.remove_prefix(comma + 1);
	}
}

} // namespace strix::iscsi
