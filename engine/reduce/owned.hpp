#pragma once
// What a reduction keeps of an item: items may be views that live only during a stage call
// (std::string_view words, the text of a Line), so keys, values and kept items are stored as
// owning types: std::string for string views and C strings, the type itself otherwise.
#include <string>
#include <string_view>
#include <type_traits>

namespace parapipe {

template <class T>
struct owned {
    using type = std::remove_cvref_t<T>;
};
template <>
struct owned<std::string_view> {
    using type = std::string;
};
template <>
struct owned<const char*> {
    using type = std::string;
};
template <>
struct owned<char*> {
    using type = std::string;
};

/// The owning type a reduction stores for an item of type T.
template <class T>
using owned_t = typename owned<std::remove_cvref_t<std::decay_t<T>>>::type;

}  // namespace parapipe
