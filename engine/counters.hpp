#pragma once
// Counters, as in Hadoop: named totals that stages bump while they run (rows skipped, bytes
// that were not UTF-8) and that the run adds up over every chunk, in every mode, next to the
// result. They travel inside the partials, so they are exact in every mode.
//
//   auto flow = lines({"data.csv"}).filter([](const Line& l) {
//       if (!valid(l.text)) { parapipe::count("malformed rows"); return false; }
//       return true;
//   });
//   parapipe::Counters counters;
//   auto result = flow.count().run(opts, counters);   // counters["malformed rows"]
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace parapipe {

/// Counter name -> total.
using Counters = std::map<std::string, std::uint64_t, std::less<>>;

namespace detail {
/// The counters of the chunk the calling thread is working on; null outside a run.
inline thread_local Counters* current_counters = nullptr;

/// Points count() at `c` for the lifetime of the scope (one chunk on one thread).
struct CountersScope {
    Counters* saved;
    explicit CountersScope(Counters& c) : saved(current_counters) { current_counters = &c; }
    ~CountersScope() { current_counters = saved; }
    CountersScope(const CountersScope&) = delete;
    CountersScope& operator=(const CountersScope&) = delete;
};
}  // namespace detail

/// Adds `n` to the counter `name` of the running chunk. Outside a stage it does nothing.
/// Thread-safe: each thread counts into the partial of its own chunk.
inline void count(std::string_view name, std::uint64_t n = 1) {
    Counters* c = detail::current_counters;
    if (!c) return;
    if (auto it = c->find(name); it != c->end()) it->second += n;
    else c->emplace(std::string(name), n);
}

/// Adds every counter of `from` into `into`.
inline void merge_counters(Counters& into, const Counters& from) {
    for (const auto& [k, v] : from) into[k] += v;
}

}  // namespace parapipe
