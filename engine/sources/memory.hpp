#pragma once
// Sources in memory: range(container) over items you hold (e.g. the result of an earlier
// stage), generate(n, f) over f(0) .. f(n-1). Both are chunked by count: `per_chunk` items a
// chunk (0: about 64 chunks). Forked workers inherit the items at fork: nothing is copied to them.
//
//   auto counts = text_files({"books/"}).flat_map(ops::words).count_by_key().run(opt);
//   auto freq = parapipe::range(counts).map([](const auto& kv) { return kv.second; }).count_by_key().run(opt);
//   auto squares = parapipe::generate(1000, [](std::uint64_t i) { return i * i; }).sum().run(opt);
#include <cstdint>
#include <memory>
#include <ranges>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <parapipe/engine/flow.hpp>
#include <parapipe/engine/source.hpp>

namespace parapipe {

/// The Source behind range(): items held in a vector.
template <class T>
class RangeSource {
public:
    using item_type = T;

    RangeSource(std::vector<T> items, std::uint64_t per_chunk)
        : items_(std::make_shared<const std::vector<T>>(std::move(items))), chunks_(items_->size(), per_chunk) {}

    std::size_t chunk_count() const { return chunks_.chunks(); }
    template <class Emit>
    void for_each(std::size_t chunk, Emit&& emit) const {
        for (std::uint64_t i = chunks_.begin(chunk); i < chunks_.end(chunk); ++i) emit((*items_)[i]);
    }
    std::uint64_t weight(std::size_t chunk) const { return chunks_.end(chunk) - chunks_.begin(chunk); }
    std::string describe(std::size_t chunk) const { return "range " + chunks_.describe(chunk); }
    void release(std::size_t) const {}

private:
    std::shared_ptr<const std::vector<T>> items_;
    CountChunks chunks_;
};

/// The Source behind generate(): item i is f(i).
template <class F>
class GenerateSource {
public:
    using item_type = std::remove_cvref_t<std::invoke_result_t<const F&, std::uint64_t>>;

    GenerateSource(std::uint64_t n, F f, std::uint64_t per_chunk) : f_(std::move(f)), chunks_(n, per_chunk) {}

    std::size_t chunk_count() const { return chunks_.chunks(); }
    template <class Emit>
    void for_each(std::size_t chunk, Emit&& emit) const {
        for (std::uint64_t i = chunks_.begin(chunk); i < chunks_.end(chunk); ++i) emit(f_(i));
    }
    std::uint64_t weight(std::size_t chunk) const { return chunks_.end(chunk) - chunks_.begin(chunk); }
    std::string describe(std::size_t chunk) const { return "generate " + chunks_.describe(chunk); }
    void release(std::size_t) const {}

private:
    F f_;
    CountChunks chunks_;
};

/// A flow over a copy of the elements of `container` (any range; moved from when an rvalue).
template <std::ranges::input_range C>
auto range(C&& container, std::uint64_t per_chunk = 0) {
    using T = std::ranges::range_value_t<C>;
    std::vector<T> items;
    if constexpr (std::is_same_v<std::remove_cvref_t<C>, std::vector<T>> && !std::is_lvalue_reference_v<C>) {
        items = std::move(container);
    } else {
        if constexpr (std::ranges::sized_range<C>) items.reserve(std::ranges::size(container));
        for (auto&& e : container) items.push_back(e);
    }
    return from(std::make_shared<const RangeSource<T>>(std::move(items), per_chunk));
}

/// A flow over f(0), f(1), ..., f(n - 1).
template <class F>
auto generate(std::uint64_t n, F f, std::uint64_t per_chunk = 0) {
    static_assert(std::is_invocable_v<const F&, std::uint64_t>, "parapipe: generate(n, f): f must take a std::uint64_t index");
    return from(std::make_shared<const GenerateSource<F>>(n, std::move(f), per_chunk));
}

}  // namespace parapipe
