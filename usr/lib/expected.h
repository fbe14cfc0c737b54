// Errors as values: strix::Expected<T, E> holds either a T or an E.
//
// A small stand-in for C++23's std::expected (g++ 12 in C++20 mode has
// none).  Build the error side with strix::unexpected(e):
//
//   Expected<Config, ParseError> parse(...)
//   {
//           if (bad)
//                   return unexpected(ParseError{...});
//           return config;
//   }
#ifndef STRIX_USR_EXPECTED_H
#define STRIX_USR_EXPECTED_H

#include <stdexcept>
#include <utility>
#include <variant>

#include "error.h"

namespace strix {

template <typename E>
struct Unexpected {
	E error;
};

template <typename E>
Unexpected<std::decay_t<E>> unexpected(E &&error)
{
	return {std::forward<E>(error)};
}

template <typename T, typename E = Error>
class Expected {
public:
	Expected(const T &value) : v_(std::in_place_index<0>, value) {}
	Expected(T &&value) : v_(std::in_place_index<0>, std::move(value)) {}
	template <typename G>
	Expected(Unexpected<G> u) : v_(std::in_place_index<1>, std::move(u.error))
	{
	}

	bool has_value() const noexcept { return v_.index() == 0; }
	explicit operator bool() const noexcept { return has_value(); }

	// value() on an error throws it if it is an exception type, else
	// std::logic_error: asking for a value that is not there is a bug.
	T &value() &
	{
		check();
		return std::get<0>(v_);
	}
	const T &value() const &
	{
		check();
		return std::get<0>(v_);
	}
	T &&value() &&
	{
		check();
		return std::get<0>(std::move(v_));
	}
	T &operator*() & { return value(); }
	const T &operator*() const & { return value(); }
	T *operator->() { return &value(); }
	const T *operator->() const { return &value(); }

	const E &error() const &
	{
		if (has_value())
			throw std::logic_error("strix::Expected: error() on a value");
		return std::get<1>(v_);
	}

private:
	void check() const
	{
		if (has_value())
			return;
		if constexpr (std::is_base_of_v<std::exception, E>)
			throw std::get<1>(v_);
		else
			throw std::logic_error("strix::Expected: value() on an error");
	}

	std::variant<T, E> v_;
};

} // namespace strix

#endif // STRIX_USR_EXPECTED_H
