#pragma once
// How a partial result is stored in the shared segment (Mode::shm): as shm-allocated containers
// (shm/alloc.hpp) that the coordinator reads in place. Nothing is encoded to bytes.
// Derived for the same types as engine/serialize.hpp: arithmetic types, enums, strings,
// vectors, arrays, pairs, tuples, optionals, map-like and set-like containers, and types
// described with PARAPIPE_FIELDS (engine/fields.hpp). A library type that cannot be described
// (e.g. cv::Mat) may specialize parapipe::ShmCodec<T> with
//   using stored = ...;                                   // a type that may live in the segment
//   static stored make(const shm::VoidAlloc&);            // an empty one
//   static void store(const T&, stored&, const shm::VoidAlloc&);
//   static void load(const stored&, T&);
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <parapipe/engine/fields.hpp>
#include <parapipe/engine/serialize.hpp>  // the MapLike / SetLike concepts
#include <parapipe/shm/alloc.hpp>

namespace parapipe {

template <class T, class Enable = void>
struct ShmCodec;  // no definition: such types cannot be partials in Mode::shm

/// True when T can be stored in the shared segment (checked all the way down).
template <class T>
concept ShmStorable = requires(const T& c, T& m, const shm::VoidAlloc& a, typename ShmCodec<T>::stored& s) {
    { ShmCodec<T>::make(a) } -> std::same_as<typename ShmCodec<T>::stored>;
    ShmCodec<T>::store(c, s, a);
    ShmCodec<T>::load(std::as_const(s), m);
};

namespace detail {
template <class T>
using stored_t = typename ShmCodec<T>::stored;

/// Set by a Mode::shm run on its coordinator's thread, and so inherited by the workers it forks:
/// the name prefix of segments that a codec may create for a big partial
/// (engine/reduce/string_table_codec.hpp). Empty elsewhere: codecs store in the region only.
inline thread_local std::string shm_side_prefix;
/// Segments made so far by this worker's codecs (a partial may hold several tables of any type).
inline thread_local unsigned shm_side_count = 0;
/// What puts back the tables a worker's store moved into segments of their own, should the rest
/// of its partial not fit the region (then all of it goes down the pipe): undo_side_stores().
inline thread_local std::vector<std::function<void()>> shm_side_undo;
inline void undo_side_stores() {
    for (auto& undo : shm_side_undo) undo();
    shm_side_undo.clear();
}

template <class M>
concept ShmMap = MapLike<M> && ShmStorable<typename M::key_type> && ShmStorable<typename M::mapped_type>;
template <class S>
concept ShmSet = SetLike<S> && ShmStorable<typename S::key_type>;
template <class T>
concept ShmDescribed = Described<T> && ShmStorable<fields_tuple_t<T>>;

template <class Out, class Range>
void store_range(const Range& in, shm::Vector<Out>& s, const shm::VoidAlloc& a) {
    using E = std::decay_t<decltype(*std::begin(in))>;
    s.clear();
    s.reserve(std::size(in));
    if constexpr (std::is_arithmetic_v<E>) {
        s.assign(std::begin(in), std::end(in));
    } else {
        for (const auto& e : in) {
            s.push_back(ShmCodec<E>::make(a));
            ShmCodec<E>::store(e, s.back(), a);
        }
    }
}
}  // namespace detail

template <class T>
struct ShmCodec<T, std::enable_if_t<std::is_arithmetic_v<T> || std::is_enum_v<T>>> {
    using stored = T;
    static stored make(const shm::VoidAlloc&) { return T{}; }
    static void store(const T& v, stored& s, const shm::VoidAlloc&) { s = v; }
    static void load(const stored& s, T& v) { v = s; }
};

template <>
struct ShmCodec<std::string> {
    using stored = shm::String;
    static stored make(const shm::VoidAlloc& a) { return stored(a); }
    static void store(const std::string& v, stored& s, const shm::VoidAlloc&) { s.assign(v.data(), v.data() + v.size()); }
    static void load(const stored& s, std::string& v) { v.assign(s.data(), s.size()); }
};

template <class T, class A>
struct ShmCodec<std::vector<T, A>, std::enable_if_t<ShmStorable<T>>> {
    using stored = shm::Vector<detail::stored_t<T>>;
    static stored make(const shm::VoidAlloc& a) { return stored(a); }
    static void store(const std::vector<T, A>& v, stored& s, const shm::VoidAlloc& a) { detail::store_range(v, s, a); }
    static void load(const stored& s, std::vector<T, A>& v) {
        v.resize(s.size());
        for (std::size_t i = 0; i < s.size(); ++i) ShmCodec<T>::load(s[i], v[i]);
    }
};

template <class T, std::size_t N>
struct ShmCodec<std::array<T, N>, std::enable_if_t<ShmStorable<T>>> {
    using stored = shm::Vector<detail::stored_t<T>>;
    static stored make(const shm::VoidAlloc& a) { return stored(a); }
    static void store(const std::array<T, N>& v, stored& s, const shm::VoidAlloc& a) { detail::store_range(v, s, a); }
    static void load(const stored& s, std::array<T, N>& v) {
        for (std::size_t i = 0; i < N && i < s.size(); ++i) ShmCodec<T>::load(s[i], v[i]);
    }
};

template <class A, class B>
struct ShmCodec<std::pair<A, B>, std::enable_if_t<ShmStorable<A> && ShmStorable<B>>> {
    using stored = std::pair<detail::stored_t<A>, detail::stored_t<B>>;
    static stored make(const shm::VoidAlloc& a) { return stored(ShmCodec<A>::make(a), ShmCodec<B>::make(a)); }
    static void store(const std::pair<A, B>& v, stored& s, const shm::VoidAlloc& a) {
        ShmCodec<A>::store(v.first, s.first, a);
        ShmCodec<B>::store(v.second, s.second, a);
    }
    static void load(const stored& s, std::pair<A, B>& v) {
        ShmCodec<A>::load(s.first, v.first);
        ShmCodec<B>::load(s.second, v.second);
    }
};

template <class... Ts>
struct ShmCodec<std::tuple<Ts...>, std::enable_if_t<(ShmStorable<Ts> && ...)>> {
    using stored = std::tuple<detail::stored_t<Ts>...>;
    static stored make(const shm::VoidAlloc& a) { return stored(ShmCodec<Ts>::make(a)...); }
    static void store(const std::tuple<Ts...>& v, stored& s, const shm::VoidAlloc& a) {
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (ShmCodec<Ts>::store(std::get<I>(v), std::get<I>(s), a), ...);
        }(std::index_sequence_for<Ts...>{});
    }
    static void load(const stored& s, std::tuple<Ts...>& v) {
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (ShmCodec<Ts>::load(std::get<I>(s), std::get<I>(v)), ...);
        }(std::index_sequence_for<Ts...>{});
    }
};

/// An optional is a flag and a value (empty when the flag is clear).
template <class T>
struct ShmCodec<std::optional<T>, std::enable_if_t<ShmStorable<T>>> {
    using stored = std::pair<bool, detail::stored_t<T>>;
    static stored make(const shm::VoidAlloc& a) { return stored(false, ShmCodec<T>::make(a)); }
    static void store(const std::optional<T>& v, stored& s, const shm::VoidAlloc& a) {
        s.first = v.has_value();
        if (v) ShmCodec<T>::store(*v, s.second, a);
    }
    static void load(const stored& s, std::optional<T>& v) {
        if (!s.first) {
            v.reset();
            return;
        }
        ShmCodec<T>::load(s.second, v.emplace());
    }
};

/// Map-like containers. String keys with arithmetic values (word counts) are stored as three
/// flat arrays, so storing a large vocabulary costs three allocations, not one per word.
template <class M>
struct ShmCodec<M, std::enable_if_t<detail::ShmMap<M>>> {
    using K = typename M::key_type;
    using V = typename M::mapped_type;
    static constexpr bool flat = std::is_same_v<K, std::string> && std::is_arithmetic_v<V>;
    struct Flat {
        explicit Flat(const shm::VoidAlloc& a) : keys(a), ends(a), values(a) {}
        shm::Vector<char> keys;
        shm::Vector<std::uint64_t> ends;
        shm::Vector<V> values;
    };
    using stored = std::conditional_t<flat, Flat, shm::Vector<std::pair<detail::stored_t<K>, detail::stored_t<V>>>>;

    static stored make(const shm::VoidAlloc& a) { return stored(a); }
    static void store(const M& m, stored& s, const shm::VoidAlloc& a) {
        if constexpr (flat) {
            std::size_t bytes = 0;
            for (const auto& kv : m) bytes += kv.first.size();
            s.keys.reserve(bytes);
            s.ends.reserve(m.size());
            s.values.reserve(m.size());
            for (const auto& [k, v] : m) {
                s.keys.insert(s.keys.end(), k.begin(), k.end());
                s.ends.push_back(s.keys.size());
                s.values.push_back(v);
            }
        } else {
            s.reserve(m.size());
            for (const auto& [k, v] : m) {
                s.emplace_back(ShmCodec<K>::make(a), ShmCodec<V>::make(a));
                ShmCodec<K>::store(k, s.back().first, a);
                ShmCodec<V>::store(v, s.back().second, a);
            }
        }
    }
    static void load(const stored& s, M& m) {
        m.clear();
        if constexpr (flat) {
            if constexpr (requires { m.reserve(1); }) m.reserve(s.ends.size());
            std::uint64_t begin = 0;
            for (std::size_t i = 0; i < s.ends.size(); ++i) {
                m.emplace(std::string(s.keys.data() + begin, s.ends[i] - begin), s.values[i]);
                begin = s.ends[i];
            }
        } else {
            if constexpr (requires { m.reserve(1); }) m.reserve(s.size());
            for (const auto& [sk, sv] : s) {
                K k;
                V v;
                ShmCodec<K>::load(sk, k);
                ShmCodec<V>::load(sv, v);
                m.emplace(std::move(k), std::move(v));
            }
        }
    }
};

/// Set-like containers: their keys in a vector.
template <class S>
struct ShmCodec<S, std::enable_if_t<detail::ShmSet<S>>> {
    using K = typename S::key_type;
    using stored = shm::Vector<detail::stored_t<K>>;
    static stored make(const shm::VoidAlloc& a) { return stored(a); }
    static void store(const S& v, stored& s, const shm::VoidAlloc& a) { detail::store_range(v, s, a); }
    static void load(const stored& s, S& v) {
        v.clear();
        for (const auto& sk : s) {
            K k;
            ShmCodec<K>::load(sk, k);
            v.insert(std::move(k));
        }
    }
};

/// Types described with PARAPIPE_FIELDS: a tuple of their members' stored forms.
template <class T>
struct ShmCodec<T, std::enable_if_t<detail::ShmDescribed<T>>> {
    using Fields = fields_tuple_t<T>;
    using stored = detail::stored_t<Fields>;
    static stored make(const shm::VoidAlloc& a) { return ShmCodec<Fields>::make(a); }
    static void store(const T& v, stored& s, const shm::VoidAlloc& a) {
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (ShmCodec<std::tuple_element_t<I, Fields>>::store(std::get<I>(v.parapipe_fields()), std::get<I>(s), a), ...);
        }(std::make_index_sequence<std::tuple_size_v<Fields>>{});
    }
    static void load(const stored& s, T& v) {
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (ShmCodec<std::tuple_element_t<I, Fields>>::load(std::get<I>(s), std::get<I>(v.parapipe_fields())), ...);
        }(std::make_index_sequence<std::tuple_size_v<Fields>>{});
    }
};

}  // namespace parapipe
