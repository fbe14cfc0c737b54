#include "suggest.h"

#include <algorithm>
#include <vector>

namespace strix {

std::size_t edit_distance(std::string_view a, std::string_view b)
{
	const std::size_t n = a.size(), m = b.size();
	// d[i][j]: distance of a[0, i) and b[0, j); rows i-2, i-1, i kept.
	std::vector<std::size_t> prev2(m + 1), prev(m + 1), cur(m + 1);
	for (std::size_t j = 0; j <= m; j++)
		prev[j] = j;
	for (std::size_t i = 1; i <= n; i++) {
		cur[0] = i;
		for (std::size_t j = 1; j <= m; j++) {
			const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
				cur[j] = std::min(cur[j], prev2[j - 2] + 1);
		}
		prev2.swap(prev);
		prev.swap(cur);
	}
	return prev[m];
}

std::optional<std::string> suggest(std::string_view word,
				   std::span<const std::string> candidates)
{
	if (word.empty())
		return std::nullopt;
	const std::size_t limit = word.size() <= 4 ? 1 : 2;
	std::optional<std::string> best;
	std::size_t best_distance = limit + 1;
	for (const auto &c : candidates) {
		const std::size_t d = edit_distance(word, c);
		if (d < best_distance) {
			best = c;
			best_distance = d;
		}
	}
	if (best)
		return best;
	std::optional<std::string> prefixed;
	for (const auto &c : candidates) {
		if (!c.starts_with(word))
			continue;
		if (prefixed)
			return std::nullopt; // ambiguous
		prefixed = c;
	}
	return prefixed;
}

} // namespace strix
