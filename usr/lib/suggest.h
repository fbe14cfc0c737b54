// "Did you mean ...?" for a mistyped name (ninja's spellcheck, our code).
#ifndef STRIX_USR_SUGGEST_H
#define STRIX_USR_SUGGEST_H

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace strix {

// Optimal string alignment distance: insertions, deletions, substitutions
// and transpositions of two adjacent characters each cost 1.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to word, if it is close enough to be what was
// meant: at distance <= 2 (<= 1 for words of up to 4 characters), or the
// only candidate that word is a prefix of.  Ties go to the first candidate.
std::optional<std::string> suggest(std::string_view word,
				   std::span<const std::string> candidates);

} // namespace strix

#endif // STRIX_USR_SUGGEST_H
