#pragma once
// The k-way merge of sorted runs (engine/spill/run_file.hpp) with a heap, at most fan_in runs
// open at once: more runs are first merged into fewer, fan_in at a time, as an external sort does.
// merge_keyed combines the values of equal keys (the runs of a keyed partial, in (partition, key)
// order); merge_ordered merges runs sorted by any order, keeping every record.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <parapipe/engine/spill/run_file.hpp>

namespace parapipe::spill {

inline constexpr std::size_t fan_in = 64;

/// The order of a keyed partial's runs: partition, then key bytes.
struct ByPartitionKey {
    bool operator()(const RunReader& a, const RunReader& b) const {
        return a.partition() != b.partition() ? a.partition() < b.partition() : a.key() < b.key();
    }
};

/// Calls on(RunReader&) for every record of `paths`, in order `less` (each run sorted by it).
/// Ties are taken in the order of `paths`, so the merge is deterministic.
template <class Less, class On>
void merge_records(const SpillFolder& folder, const std::vector<std::string>& paths, const Less& less, On&& on) {
    std::vector<RunReader> readers;
    readers.reserve(paths.size());
    for (const auto& p : paths) readers.emplace_back(folder, p);
    std::vector<std::size_t> heap;
    // A min-heap by `less`, ties by run index.
    auto after = [&](std::size_t a, std::size_t b) {
        if (less(readers[b], readers[a])) return true;
        if (less(readers[a], readers[b])) return false;
        return a > b;
    };
    for (std::size_t i = 0; i < readers.size(); ++i)
        if (readers[i].next()) heap.push_back(i);
    std::make_heap(heap.begin(), heap.end(), after);
    while (!heap.empty()) {
        std::pop_heap(heap.begin(), heap.end(), after);
        const std::size_t i = heap.back();
        on(readers[i]);
        if (readers[i].next()) std::push_heap(heap.begin(), heap.end(), after);
        else heap.pop_back();
    }
}

/// Merges runs until at most fan_in are left; merged runs are removed. `pass(inputs, writer)`
/// merges `inputs` into `writer`.
template <class Pass>
std::vector<std::string> narrow(SpillFolder& folder, std::vector<std::string> paths, const char* prefix, Pass&& pass) {
    while (paths.size() > fan_in) {
        std::vector<std::string> group(paths.begin(), paths.begin() + static_cast<std::ptrdiff_t>(fan_in));
        RunWriter out(folder, prefix);
        pass(group, out);
        std::string merged = out.close();
        for (const auto& p : group) folder.remove(p);
        paths.erase(paths.begin(), paths.begin() + static_cast<std::ptrdiff_t>(fan_in));
        paths.push_back(std::move(merged));
    }
    return paths;
}

/// emit(partition, key, V&&) once per distinct key of the runs, in (partition, key) order, its
/// values combined with combine(V& into, V&& from). The runs are removed afterwards.
template <class V, class Combine, class Emit>
void merge_keyed(SpillFolder& folder, std::vector<std::string> paths, const Combine& combine, Emit&& emit) {
    auto once = [&](const std::vector<std::string>& in, auto&& out) {
        bool have = false;
        std::uint8_t part = 0;
        std::string key;
        V acc{};
        merge_records(folder, in, ByPartitionKey{}, [&](RunReader& r) {
            if (have && r.partition() == part && r.key() == key) {
                V v{};
                r.value(v);
                combine(acc, std::move(v));
                return;
            }
            if (have) out(part, key, std::move(acc));
            have = true;
            part = r.partition();
            key.assign(r.key());
            acc = V{};
            r.value(acc);
        });
        if (have) out(part, key, std::move(acc));
    };
    paths = narrow(folder, std::move(paths), "run", [&](const std::vector<std::string>& in, RunWriter& w) {
        once(in, [&](std::uint8_t p, const std::string& k, V&& v) { w.add(p, k, v); });
    });
    once(paths, [&](std::uint8_t p, const std::string& k, V&& v) { emit(p, std::string_view(k), std::move(v)); });
    for (const auto& p : paths) folder.remove(p);
}

}  // namespace parapipe::spill
