#pragma once
// The one description a user type needs to cross processes (Mode::processes) or live in the
// shared segment (Mode::shm): the list of its members. Both the pipe encoding
// (engine/serialize.hpp) and the shm storage (engine/shm_codec.hpp) are derived from it.
//
//   struct Stats {
//       std::uint64_t rows = 0;
//       std::int64_t sum = 0;
//       std::map<std::string, int> seen;
//       PARAPIPE_FIELDS(rows, sum, seen)
//   };
//
// Members must themselves be codec-able: arithmetic types, enums, strings, the std containers
// (vector, array, map, unordered_map, set, unordered_set, pair, tuple, optional), Abseil hash
// maps and sets, or other described types.
#include <tuple>
#include <type_traits>

/// Declares the members that make up a type's value, in order. Place it inside the type.
#define PARAPIPE_FIELDS(...)                                                    \
    auto parapipe_fields() { return std::tie(__VA_ARGS__); }                   \
    auto parapipe_fields() const { return std::tie(__VA_ARGS__); }

namespace parapipe {

/// True for types that declare PARAPIPE_FIELDS.
template <class T>
concept Described = requires(T& t, const T& c) {
    t.parapipe_fields();
    c.parapipe_fields();
};

namespace detail {
template <class Tuple>
struct decay_tuple;
template <class... Ts>
struct decay_tuple<std::tuple<Ts...>> {
    using type = std::tuple<std::remove_cvref_t<Ts>...>;
};
}  // namespace detail

/// The member types of a Described type, as a std::tuple of values.
template <Described T>
using fields_tuple_t = typename detail::decay_tuple<decltype(std::declval<T&>().parapipe_fields())>::type;

}  // namespace parapipe
