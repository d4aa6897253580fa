#pragma once
// The fluent way to declare a pipeline in C++. A Flow is a source plus a chain of per-item
// stages (map, filter, flat_map) fused into one function that runs inside each chunk. A
// reduction closes it (reduce_by_key, count_by_key, group_by_key, reduce, sum, count, top_k,
// sort, or a Reducer of your own) and compiles everything into a Plan that any executor runs.
//
//   auto counts = parapipe::lines({"logs/"})
//                     .map([](const parapipe::Line& l) { return status_of(l.text); })
//                     .filter([](int status) { return status != 0; })
//                     .count_by_key()
//                     .run({.mode = parapipe::Mode::shm, .workers = 4});
//   // counts: std::vector<std::pair<int, std::uint64_t>>, by status; start the next stage
//   // with parapipe::range(counts).
//
// Stages are inlined templates; a stage that cannot take the item type fails to compile with
// one message naming the stage. Items passed to a stage may be views that live only during the
// call (words, lines are): reductions keep owning copies (engine/reduce/owned.hpp). Stages run
// concurrently on several threads or processes: they must not write shared state (use
// parapipe::count() from engine/counters.hpp for side totals).
#include <concepts>
#include <cstdint>
#include <functional>
#include <memory>
#include <ranges>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <parapipe/engine/counters.hpp>
#include <parapipe/engine/fields.hpp>
#include <parapipe/engine/plan.hpp>
#include <parapipe/engine/reduce/global.hpp>
#include <parapipe/engine/reduce/keyed.hpp>
#include <parapipe/engine/reducer.hpp>
#include <parapipe/engine/run.hpp>
#include <parapipe/engine/source.hpp>

namespace parapipe {

/// A partial of a flow's reduction, with the counters of the chunks folded into it.
template <class P>
struct Counted {
    P value;
    Counters counters;
    PARAPIPE_FIELDS(value, counters)
};

namespace detail {
/// The values of `parts` for the reduction's own end, and all their counters merged into one.
template <class P>
std::pair<std::vector<P>, Counters> split_counted(std::vector<Counted<P>>&& parts) {
    std::pair<std::vector<P>, Counters> out;
    out.first.reserve(parts.size());
    for (Counted<P>& p : parts) {
        out.first.push_back(std::move(p.value));
        merge_counters(out.second, p.counters);
    }
    parts.clear();
    return out;
}
}  // namespace detail

/// A compiled pipeline: its plan, and run() in any mode. Copyable; runs as often as you like,
/// except over a stream input (stdin, a FIFO), which one run reads: a second is a UsageError.
template <class P, class R>
class Pipeline {
public:
    using partial_type = P;
    using result_type = R;
    using plan_type = Plan<Counted<P>, std::pair<R, Counters>>;

    explicit Pipeline(plan_type plan) : plan_(std::move(plan)) {}
    const plan_type& plan() const { return plan_; }

    /// Runs in opt.mode (engine/run.hpp). Throws UsageError when the partial type cannot cross
    /// processes and a process mode was asked for.
    R run(const RunOptions& opt = {}) const { return parapipe::run(plan_, opt).first; }
    /// Same, and adds the run's counters into `counters`.
    R run(const RunOptions& opt, Counters& counters) const {
        auto [result, c] = parapipe::run(plan_, opt);
        merge_counters(counters, c);
        return std::move(result);
    }

private:
    plan_type plan_;
};

/// The item itself: the default key of count_by_key.
struct Identity {
    template <class T>
    const T& operator()(const T& v) const { return v; }
};

namespace detail {
template <class F>
concept HasOutputType = requires { typename std::remove_cvref_t<F>::output_type; };
template <class F, class Item>
concept ReturnsRange = std::is_invocable_v<const F&, const Item&> &&
                       std::ranges::range<std::invoke_result_t<const F&, const Item&>>;


/// What flat_map(f) emits: F::output_type, or the element type of the range f(item) returns.
template <class Out, class F, class Item>
struct flat_map_output {
    using type = Out;
};
template <class F, class Item>
struct flat_map_output<void, F, Item> {
    static auto pick() {
        if constexpr (HasOutputType<F>) return std::type_identity<typename std::remove_cvref_t<F>::output_type>{};
        else if constexpr (ReturnsRange<F, Item>)
            return std::type_identity<std::ranges::range_value_t<std::invoke_result_t<const F&, const Item&>>>{};
        else return std::type_identity<void>{};
    }
    using type = typename decltype(pick())::type;
};

struct First {
    template <class T>
    const auto& operator()(const T& v) const { return std::get<0>(v); }
};
struct Second {
    template <class T>
    const auto& operator()(const T& v) const { return std::get<1>(v); }
};
}  // namespace detail

/// Items of a Source `Src`, turned by `Chain` into items of type `Item`:
/// chain(source_item, emit) calls emit(item) for every item the stages make of source_item.
template <Source Src, class Item, class Chain>
class Flow {
public:
    using item_type = Item;
    using source_type = Src;

    Flow(std::shared_ptr<const Src> source, Chain chain) : source_(std::move(source)), chain_(std::move(chain)) {}

    /// Each item becomes f(item).
    template <class F>
    auto map(F f) const {
        static_assert(std::is_invocable_v<const F&, const Item&>,
                      "parapipe: map(f): f cannot be called with this flow's item type");
        if constexpr (std::is_invocable_v<const F&, const Item&>) {
            using Out = std::remove_cvref_t<std::invoke_result_t<const F&, const Item&>>;
            static_assert(!std::is_void_v<Out>, "parapipe: map(f): f returns nothing; use filter or flat_map");
            return then<Out>([f](auto&& item, auto&& emit) { emit(f(item)); });
        }
    }

    /// Keeps the items for which pred(item) is true.
    template <class F>
    auto filter(F pred) const {
        static_assert(std::is_invocable_r_v<bool, const F&, const Item&>,
                      "parapipe: filter(pred): pred must take this flow's item type and return bool");
        return then<Item>([pred](auto&& item, auto&& emit) {
            if (pred(item)) emit(std::forward<decltype(item)>(item));
        });
    }

    /// Each item becomes any number of items. Either f(item, emit) calls emit(out) for each
    /// (give the type: flat_map<Out>(f), or let f declare `using output_type = Out;`), or f(item)
    /// returns a range whose elements become the items.
    template <class Out = void, class F>
    auto flat_map(F f) const {
        using O = typename detail::flat_map_output<Out, F, Item>::type;
        static_assert(!std::is_void_v<O>,
                      "parapipe: flat_map(f): cannot tell what f emits: call flat_map<Out>(f), declare "
                      "`using output_type = Out;` in f, or return a range from f(item)");
        if constexpr (!std::is_void_v<O>) {
            if constexpr (detail::ReturnsRange<F, Item>) {
                return then<O>([f](auto&& item, auto&& emit) {
                    for (auto&& out : f(item)) emit(std::forward<decltype(out)>(out));
                });
            } else {
                return then<O>([f](auto&& item, auto&& emit) { f(item, emit); });
            }
        }
    }

    // ---- Reductions: each compiles the flow into a Pipeline -------------------------------

    /// Closes the flow with a Reducer (engine/reducer.hpp), or folds every item with a binary
    /// function: reduce([](T a, T b) { return a + b; }) gives std::optional<T>.
    template <class R>
    auto reduce(R r) const {
        if constexpr (Reducer<R, const Item&>) {
            return compile(std::move(r));
        } else {
            static_assert(std::is_invocable_v<const R&, owned_t<Item>, owned_t<Item>>,
                          "parapipe: reduce(r): r is neither a Reducer of this flow's items (init, fold, "
                          "merge, finalize; see engine/reducer.hpp) nor a function combining two items");
            if constexpr (std::is_invocable_v<const R&, owned_t<Item>, owned_t<Item>>)
                return compile(Fold<Item, R>{std::move(r)});
        }
    }
    /// The sum of the items.
    auto sum() const { return compile(Sum<Item>{}); }
    /// The number of items.
    auto count() const { return compile(Count{}); }
    /// The first k items in `less` order; with the default, the k largest, largest first.
    template <class Less = std::greater<>>
    auto top_k(std::size_t k, Less less = {}) const { return compile(TopK<Item, Less>{k, less}); }
    /// Every item, sorted by `less`.
    template <class Less = std::less<>>
    auto sort(Less less = {}) const { return compile(Sort<Item, Less>{less}); }

    /// Items per key(item), by key; or in `order` (parapipe::most_frequent(k)).
    template <class KeyF = Identity, class Order = ByKey>
    auto count_by_key(KeyF key = {}, Order order = {}) const {
        static_assert(std::is_invocable_v<const KeyF&, const Item&>,
                      "parapipe: count_by_key(key): key cannot be called with this flow's item type");
        return compile(CountByKey<Item, KeyF, Order>{std::move(key), order});
    }
    /// combine(value(item), ...) per key(item), by key.
    template <class KeyF, class ValueF, class CombineF>
    auto reduce_by_key(KeyF key, ValueF value, CombineF combine) const {
        static_assert(std::is_invocable_v<const KeyF&, const Item&> && std::is_invocable_v<const ValueF&, const Item&>,
                      "parapipe: reduce_by_key(key, value, combine): key and value must take this flow's item type");
        using V = detail::key_of_t<ValueF, Item>;
        static_assert(std::is_invocable_r_v<V, const CombineF&, V, V>,
                      "parapipe: reduce_by_key(key, value, combine): combine must take two values and return one");
        return compile(ReduceByKey<Item, KeyF, ValueF, CombineF>{std::move(key), std::move(value), std::move(combine)});
    }
    /// All value(item) per key(item), by key, each key's values sorted. Defaults: items are
    /// pairs (or tuples), key = first, value = second.
    template <class KeyF = detail::First, class ValueF = detail::Second>
    auto group_by_key(KeyF key = {}, ValueF value = {}) const {
        static_assert(std::is_invocable_v<const KeyF&, const Item&> && std::is_invocable_v<const ValueF&, const Item&>,
                      "parapipe: group_by_key(key, value): key and value must take this flow's item type "
                      "(without arguments, items must be pairs)");
        return compile(GroupByKey<Item, KeyF, ValueF>{std::move(key), std::move(value)});
    }

    const std::shared_ptr<const Src>& source() const { return source_; }

private:
    template <class Out, class Stage>
    auto then(Stage stage) const {
        auto next = [chain = chain_, stage](const typename Src::item_type& in, auto&& emit) {
            chain(in, [&](auto&& item) { stage(std::forward<decltype(item)>(item), emit); });
        };
        return Flow<Src, Out, decltype(next)>(source_, std::move(next));
    }

    template <class Red>
    auto compile(Red red) const {
        using P = typename Red::partial_type;
        using R = std::remove_cvref_t<decltype(red.finalize(std::declval<P&&>()))>;
        using CP = Counted<P>;
        Plan<CP, std::pair<R, Counters>> plan;
        auto source = source_;
        auto chain = chain_;
        plan.chunk_count = source->chunk_count();
        plan.init = [red] { return CP{red.init(), {}}; };
        plan.map = [source, chain, red](std::size_t chunk, CP& partial) {
            detail::CountersScope scope(partial.counters);
            source->for_each(chunk, [&](const typename Src::item_type& in) {
                chain(in, [&](auto&& item) { red.fold(partial.value, std::forward<decltype(item)>(item)); });
            });
        };
        plan.merge = [red](CP& into, CP&& from) {
            red.merge(into.value, std::move(from.value));
            merge_counters(into.counters, from.counters);
        };
        plan.finalize = [red](CP&& p) { return std::pair<R, Counters>(red.finalize(std::move(p.value)), std::move(p.counters)); };
        plan.chunk_weight = [source](std::size_t c) { return static_cast<std::uint64_t>(source->weight(c)); };
        plan.describe_chunk = [source](std::size_t c) { return std::string(source->describe(c)); };
        plan.release = [source](std::size_t c) { source->release(c); };
        if constexpr (requires(P& p) { red.reset(p); })
            plan.reset = [red](CP& p) {
                red.reset(p.value);
                p.counters.clear();
            };
        if constexpr (Serializable<CP> && requires(P& p, Reader& r) { red.merge_serialized(p, r); })
            plan.merge_serialized = [red](CP& into, const char* bytes, std::size_t n) {
                Reader r(bytes, n);
                red.merge_serialized(into.value, r);  // Counted's fields in order: value, then counters
                Counters c;
                deserialize(r, c);
                merge_counters(into.counters, c);
            };
        if constexpr (requires(std::vector<P>&& v, const Parallelism& par) { red.finalize_all(std::move(v), par); })
            plan.merge_finalize = [red](std::vector<CP>&& parts, const Parallelism& par) {
                auto [values, counters] = detail::split_counted(std::move(parts));
                return std::pair<R, Counters>(red.finalize_all(std::move(values), par), std::move(counters));
            };
        if constexpr (requires(P& p, const P& cp, SpillFolder& f, std::vector<P>&& v, const Parallelism& par) {
                          red.memory_of(cp);
                          red.spill(p, f);
                          red.finalize_spilled(std::move(v), par, f);
                      }) {
            plan.memory_of = [red](const CP& p) { return red.memory_of(p.value); };
            plan.spill = [red](CP& p, SpillFolder& f) { red.spill(p.value, f); };
            plan.finalize_spilled = [red](std::vector<CP>&& parts, const Parallelism& par, std::shared_ptr<SpillFolder> f) {
                auto [values, counters] = detail::split_counted(std::move(parts));
                return std::pair<R, Counters>(red.finalize_spilled(std::move(values), par, *f), std::move(counters));
            };
        }
        if constexpr (requires(const RunContext& ctx) { source->prepare(ctx); })
            plan.prepare = [source](const RunContext& ctx) { source->prepare(ctx); };
        if constexpr (requires { source->worker_init(); }) plan.worker_init = [source] { source->worker_init(); };
        // A source read as a stream hands out its chunks in windows (engine/plan.hpp next_window).
        if constexpr (requires(const WindowContext& ctx) {
                          { source->streamed() } -> std::convertible_to<bool>;
                          { source->next_window(ctx) } -> std::convertible_to<std::size_t>;
                      }) {
            if (source->streamed())
                plan.next_window = [source](const WindowContext& ctx) { return std::size_t(source->next_window(ctx)); };
        }
        return Pipeline<P, R>(std::move(plan));
    }

    std::shared_ptr<const Src> source_;
    Chain chain_;
};

/// A flow over any Source: from(MySource{...}) or from(std::make_shared<const MySource>(...)).
template <Source Src>
auto from(std::shared_ptr<const Src> source) {
    auto identity = [](const typename Src::item_type& item, auto&& emit) { emit(item); };
    return Flow<Src, typename Src::item_type, decltype(identity)>(std::move(source), identity);
}
template <Source Src>
auto from(Src source) {
    return from(std::shared_ptr<const Src>(std::make_shared<const Src>(std::move(source))));
}

}  // namespace parapipe
