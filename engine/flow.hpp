#pragma once
// The fluent way to declare a pipeline in C++. A Flow is a source plus a chain of per-item
// stages (map, filter, flat_map) that runs inside each chunk; `reduce` closes it with a
// Reducer and compiles everything into a Plan that any executor runs.
//
//   auto top = parapipe::text_files({"books/"})
//                  .flat_map(parapipe::ops::words)
//                  .filter([](std::string_view w) { return w.size() > 7; })
//                  .reduce(parapipe::ops::count_by_key(10))
//                  .run({.mode = parapipe::Mode::shm, .workers = 4});
//
// Stages are inlined templates: composing stages whose types do not fit fails to compile.
// Items passed to a stage may be views that live only during the call (words are); copy them
// to keep them. Stages must be callable concurrently from several threads.
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/plan.hpp"
#include "engine/run.hpp"
#include "engine/text_source.hpp"

namespace parapipe {

/// A Reducer says how items become a result: an empty partial, how to fold one item into it,
/// how to merge two partials (associative and commutative), how to finish.
template <class R, class Item>
concept Reducer = requires(const R& r, typename R::partial_type& p, typename R::partial_type&& q, Item&& item) {
    { r.init() } -> std::same_as<typename R::partial_type>;
    r.fold(p, std::forward<Item>(item));
    r.merge(p, std::move(q));
    r.finalize(std::move(q));
};

/// A compiled pipeline: its plan, and run() in any mode.
template <class P, class R>
class Pipeline {
public:
    explicit Pipeline(Plan<P, R> plan) : plan_(std::move(plan)) {}
    const Plan<P, R>& plan() const { return plan_; }
    /// Runs in opt.mode; see engine/run.hpp.
    R run(const RunOptions& opt = {}) const { return parapipe::run(plan_, opt); }

private:
    Plan<P, R> plan_;
};

/// Text chunks (std::string_view pieces) followed by the stages in `Chain`:
/// chain(text, emit) calls emit(item) for every item the stages produce from `text`.
template <class Chain>
class Flow {
public:
    Flow(std::shared_ptr<const TextSource> source, Chain chain) : source_(std::move(source)), chain_(std::move(chain)) {}

    /// Each item becomes f(item).
    template <class F>
    auto map(F f) const {
        return then([f](auto&& item, auto&& emit) { emit(f(std::forward<decltype(item)>(item))); });
    }
    /// Keeps the items for which pred(item) is true.
    template <class F>
    auto filter(F pred) const {
        return then([pred](auto&& item, auto&& emit) {
            if (pred(item)) emit(std::forward<decltype(item)>(item));
        });
    }
    /// f(item, emit) may emit any number of items (e.g. ops::words).
    template <class F>
    auto flat_map(F f) const {
        return then([f](auto&& item, auto&& emit) { f(std::forward<decltype(item)>(item), emit); });
    }

    /// Closes the flow with a reducer and compiles it into a runnable Pipeline.
    template <class Red>
    auto reduce(Red red) const {
        using P = typename Red::partial_type;
        using R = decltype(red.finalize(std::declval<P&&>()));
        Plan<P, R> plan;
        auto source = source_;
        auto chain = chain_;
        plan.chunk_count = source->chunk_count();
        plan.init = [red] { return red.init(); };
        plan.map = [source, chain, red](std::size_t chunk, P& partial) {
            source->for_each_piece(chunk, [&](std::string_view text) {
                chain(text, [&](auto&& item) { red.fold(partial, std::forward<decltype(item)>(item)); });
            });
        };
        plan.merge = [red](P& into, P&& from) { red.merge(into, std::move(from)); };
        plan.finalize = [red](P&& p) { return red.finalize(std::move(p)); };
        plan.chunk_weight = [source](std::size_t c) { return source->chunk_bytes(c); };
        plan.describe_chunk = [source](std::size_t c) { return source->describe(c); };
        plan.release = [source](std::size_t c) { source->release(c); };
        return Pipeline<P, R>(std::move(plan));
    }

    const std::shared_ptr<const TextSource>& source() const { return source_; }

private:
    template <class Stage>
    auto then(Stage stage) const {
        auto chain = chain_;
        auto next = [chain, stage](std::string_view text, auto&& emit) {
            chain(text, [&](auto&& item) { stage(std::forward<decltype(item)>(item), emit); });
        };
        return Flow<decltype(next)>(source_, std::move(next));
    }

    std::shared_ptr<const TextSource> source_;
    Chain chain_;
};

/// A flow over text files, directories or stdin ("-"), chunked at word boundaries.
inline auto text_files(const std::vector<std::string>& paths, std::size_t chunk_size = std::size_t{8} << 20) {
    auto identity = [](std::string_view text, auto&& emit) { emit(text); };
    return Flow<decltype(identity)>(TextSource::open(paths, chunk_size), identity);
}

}  // namespace parapipe
