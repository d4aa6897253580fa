#pragma once
// Global reductions over every item of a flow: reduce (fold with a binary function), sum, count,
// top_k and sort. Their results are ordinary values; sort and top_k give the same order in
// every mode as long as `less` orders every two distinct items (a strict total order).
#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include <parapipe/engine/reduce/owned.hpp>

namespace parapipe {

/// combine(a, b) over all items: std::optional<T>, empty when there were no items. combine must
/// be associative and commutative. (Floating-point sums may differ in the last bits between
/// modes, since the grouping of additions differs; integer results are exact.)
template <class Item, class CombineF>
struct Fold {
    using T = owned_t<Item>;
    using partial_type = std::optional<T>;
    CombineF combine;

    partial_type init() const { return std::nullopt; }
    template <class I>
    void fold(partial_type& p, I&& item) const {
        if (!p) p.emplace(T(std::forward<I>(item)));
        else p = combine(std::move(*p), T(std::forward<I>(item)));
    }
    void merge(partial_type& into, partial_type&& from) const {
        if (!from) return;
        if (!into) into = std::move(from);
        else into = combine(std::move(*into), std::move(*from));
    }
    partial_type finalize(partial_type&& p) const { return std::move(p); }
};

/// The sum of all items (T{} when there were none).
template <class Item>
struct Sum {
    using T = owned_t<Item>;
    using partial_type = T;
    partial_type init() const { return T{}; }
    template <class I>
    void fold(T& p, I&& item) const { p += item; }
    void merge(T& into, T&& from) const { into += from; }
    T finalize(T&& p) const { return p; }
};

/// The number of items.
struct Count {
    using partial_type = std::uint64_t;
    std::uint64_t init() const { return 0; }
    template <class I>
    void fold(std::uint64_t& p, I&&) const { ++p; }
    void merge(std::uint64_t& into, std::uint64_t&& from) const { into += from; }
    std::uint64_t finalize(std::uint64_t&& p) const { return p; }
};

/// The first `k` items in `less` order (with std::greater<>: the k largest), as a sorted vector.
/// Each partial keeps at most 2k items, so memory does not grow with the input.
template <class Item, class Less>
struct TopK {
    using T = owned_t<Item>;
    using partial_type = std::vector<T>;
    std::size_t k;
    Less less;

    partial_type init() const { return {}; }
    template <class I>
    void fold(partial_type& p, I&& item) const {
        if (k == 0) return;
        p.emplace_back(std::forward<I>(item));
        if (p.size() >= 2 * k) prune(p);
    }
    void merge(partial_type& into, partial_type&& from) const {
        into.insert(into.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
        if (into.size() >= 2 * k) prune(into);
    }
    partial_type finalize(partial_type&& p) const {
        prune(p);
        std::sort(p.begin(), p.end(), less);
        return std::move(p);
    }

private:
    void prune(partial_type& p) const {
        if (p.size() <= k) return;
        std::nth_element(p.begin(), p.begin() + static_cast<std::ptrdiff_t>(k), p.end(), less);
        p.resize(k);
    }
};

/// Every item, sorted by `less`.
template <class Item, class Less>
struct Sort {
    using T = owned_t<Item>;
    using partial_type = std::vector<T>;
    Less less;

    partial_type init() const { return {}; }
    template <class I>
    void fold(partial_type& p, I&& item) const { p.emplace_back(std::forward<I>(item)); }
    void merge(partial_type& into, partial_type&& from) const {
        if (into.empty()) {
            into = std::move(from);
            return;
        }
        into.insert(into.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
    }
    partial_type finalize(partial_type&& p) const {
        std::sort(p.begin(), p.end(), less);
        return std::move(p);
    }
};

}  // namespace parapipe
