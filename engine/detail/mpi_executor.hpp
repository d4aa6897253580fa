#pragma once
// Mode::mpi — the engine's half: the plan, type-erased into byte-level callbacks (MpiJob) that
// the MPI transport (parapipe::mpi, mpi/transport.cpp) drives. No MPI header here, so the
// engine compiles and links without MPI. Inside a rank, RunOptions::workers threads (oneTBB)
// run the chunks the transport hands this rank and fold them into thread-local partials.
// Partials travel with the processes-mode codec (engine/serialize.hpp). Keyed partials (the
// hash maps of count_by_key, reduce_by_key, group_by_key) are split by a hash of the key's
// serialized bytes, the same on every rank, so each rank merges the keys it owns; a Reducer of
// your own whose partial is Counted<absl::flat_hash_map> must therefore merge key by key.
// Under RunOptions::memory_limit each thread of each rank holds an equal share of the limit's
// half (engine/detail/spill_check.hpp) and spills into a folder of its rank; when any rank
// spilled, every rank's runs stream to rank 0 (mpi/transport.cpp), which merges them with the
// plan's finalize_spilled.
#include <absl/container/flat_hash_map.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string_view>
#include <type_traits>

#include <oneapi/tbb/enumerable_thread_specific.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/parallel_pipeline.h>
#include <oneapi/tbb/task_arena.h>

#include <parapipe/engine/counters.hpp>
#include <parapipe/engine/detail/chunk_call.hpp>
#include <parapipe/engine/detail/spill_check.hpp>
#include <parapipe/engine/mpi_transport.hpp>
#include <parapipe/engine/reduce/string_table.hpp>
#include <parapipe/engine/reduce/string_table_codec.hpp>
#include <parapipe/engine/serialize.hpp>
#include <parapipe/engine/spill/run_file.hpp>

namespace parapipe {

template <class P>
struct Counted;  // engine/flow.hpp: a flow's partial with its counters

namespace detail {

template <class P>
struct KeyedPartial : std::false_type {};
template <class K, class V, class... Rest>
struct KeyedPartial<Counted<absl::flat_hash_map<K, V, Rest...>>> : std::true_type {};
template <class V, class H, std::size_t B>
struct KeyedPartial<Counted<StringTable<V, H, B>>> : std::true_type {};

template <class V, std::size_t N>
struct KeyedPartial<Counted<PartitionedTable<V, N>>> : std::true_type {};

/// String-keyed tables (engine/reduce/string_table.hpp, partitioned_table.hpp) split themselves by their deterministic
/// key hash; each part travels as a whole Counted table, the counters with part 0.
template <class V, class H, std::size_t B>
std::vector<std::string> split_by_key(Counted<StringTable<V, H, B>>& p, std::size_t parts) {
    auto tables = p.value.split(parts);
    std::vector<std::string> blobs(parts);
    for (std::size_t i = 0; i < parts; ++i) {
        Counted<StringTable<V, H, B>> part;
        part.value = std::move(tables[i]);
        if (i == 0) part.counters = std::move(p.counters);
        Writer w;
        serialize(w, part);
        blobs[i] = std::move(w.buffer());
    }
    p = Counted<StringTable<V, H, B>>{};
    return blobs;
}

template <class V, std::size_t N>
std::vector<std::string> split_by_key(Counted<PartitionedTable<V, N>>& p, std::size_t parts) {
    auto tables = p.value.split(parts);
    std::vector<std::string> blobs(parts);
    for (std::size_t i = 0; i < parts; ++i) {
        Counted<PartitionedTable<V, N>> part;
        part.value = std::move(tables[i]);
        if (i == 0) part.counters = std::move(p.counters);
        Writer w;
        serialize(w, part);
        blobs[i] = std::move(w.buffer());
    }
    p = Counted<PartitionedTable<V, N>>{};
    return blobs;
}

/// Moves the keyed partial `p` out into `parts` serialized Counted<map> partials by a hash of
/// each key's bytes (stable across processes, unlike absl::Hash, which is seeded per process).
template <class P>
std::vector<std::string> split_by_key(P& p, std::size_t parts) {
    std::vector<Writer> out(parts);
    std::vector<std::uint64_t> counts(parts, 0);
    for (auto& w : out) w.pod<std::uint64_t>(0);  // the entry count, filled in below
    Writer key;
    for (const auto& [k, v] : p.value) {
        key.buffer().clear();
        serialize(key, k);
        const std::size_t i = std::hash<std::string_view>{}(key.buffer()) % parts;
        out[i].bytes(key.buffer().data(), key.buffer().size());
        serialize(out[i], v);
        ++counts[i];
    }
    std::vector<std::string> blobs(parts);
    for (std::size_t i = 0; i < parts; ++i) {
        std::memcpy(out[i].buffer().data(), &counts[i], sizeof counts[i]);
        serialize(out[i], i == 0 ? p.counters : Counters{});
        blobs[i] = std::move(out[i].buffer());
    }
    p = P{};
    return blobs;
}

/// Test hook (tests/mpi/check.sh): when $PARAPIPE_TEST_MPI_FAIL_RANK names this rank (as the
/// launcher announces it), every chunk this rank starts fails as an operator's exception would.
inline bool test_hook_mpi_chunk_fails() {
    static const bool fails = [] {
        const char* r = std::getenv("PARAPIPE_TEST_MPI_FAIL_RANK");
        return r && *r && std::atoi(r) == launcher_rank();
    }();
    return fails;
}

template <class P, class R>
R run_mpi(const Plan<P, R>& plan, const RunOptions& opt) {
    MpiTransport& transport = mpi_transport();
    mpi_ran_here() = true;
    if (plan.prepare) {
        // Other ranks are other processes, possibly on other hosts: results must travel back
        // in the partial, as in Mode::processes.
        RunContext ctx;
        ctx.workers = opt.workers;
        ctx.concurrent = true;
        ctx.forked = true;
        plan.prepare(ctx);
    }
    const unsigned workers = std::max(1u, opt.workers);
    std::optional<P> total;
    // Under a memory limit every thread of every rank holds a partial: each gets an equal share
    // (ranks on one machine share its memory; the limit is the whole run's).
    // Only a plan that can merge its runs at the end spills (finalize_spilled).
    RunOptions spill_opt = opt;
    if (!plan.finalize_spilled) spill_opt.memory_limit = 0;
    Spiller<P, R> spill(plan, spill_opt,
                        std::size_t{workers} * static_cast<std::size_t>(std::max(1, transport.size())));

    MpiJob job;
    job.chunk_count = plan.chunk_count;
    job.map_chunks = [&](const std::function<std::size_t()>& next) {
        // No TbbScope (threads mode joins TBB's threads for a later fork): an MPI rank does not
        // fork, and tbb::finalize was seen to wait forever for a worker under Open MPI.
        tbb::global_control limit(tbb::global_control::max_allowed_parallelism, workers);
        tbb::task_arena arena(static_cast<int>(workers));
        tbb::enumerable_thread_specific<std::optional<P>> locals;
        arena.execute([&] {
            tbb::parallel_pipeline(
                std::size_t{workers} * std::max(1u, opt.in_flight_per_worker),
                tbb::make_filter<void, std::size_t>(tbb::filter_mode::serial_in_order,
                                                   [&](tbb::flow_control& fc) -> std::size_t {
                                                       check_cancel(opt);
                                                       const std::size_t i = next();
                                                       if (i >= plan.chunk_count) fc.stop();
                                                       return i;
                                                   }) &
                    tbb::make_filter<std::size_t, void>(tbb::filter_mode::parallel, [&](std::size_t i) {
                        if (i >= plan.chunk_count) return;
                        auto& local = locals.local();
                        if (!local) local.emplace(plan.init());
                        if (test_hook_mpi_chunk_fails())
                            throw ChunkError(plan.describe(i) + ": failed on purpose ($PARAPIPE_TEST_MPI_FAIL_RANK)");
                        run_chunk(plan, i, *local);
                        spill.check(*local);
                        add_progress(opt, plan.weight(i));
                    }));
        });
        for (auto& local : locals) {
            if (!local) continue;
            if (!total) total.emplace(std::move(*local));
            else plan.merge(*total, std::move(*local));
            spill.check(*total);
        }
    };
    if constexpr (Serializable<P>) {
        job.take = [&] {
            Writer w;
            if (total) serialize(w, *total);
            else serialize(w, plan.init());
            total.reset();
            return std::move(w.buffer());
        };
        job.merge = [&](const char* data, std::size_t size) {
            P part = plan.init();
            Reader r(data, size);
            deserialize(r, part);
            if (!total) total.emplace(std::move(part));
            else plan.merge(*total, std::move(part));
        };
        if constexpr (KeyedPartial<P>::value) {
            job.split = [&](std::size_t parts) {
                if (!total) total.emplace(plan.init());
                auto blobs = split_by_key(*total, parts);
                total.reset();
                return blobs;
            };
        }
    }
    if (spill.folder() && plan.finalize_spilled) {
        constexpr std::size_t piece_bytes = std::size_t{4} << 20;
        job.spilled_runs = [&] { return std::uint64_t(spill.folder()->runs().size()); };
        job.spill_rest = [&] {
            if (total) plan.spill(*total, *spill.folder());
        };
        job.send_runs = [&, piece_bytes](const std::function<void(const char*, std::size_t, bool)>& send) {
            SpillFolder& folder = *spill.folder();
            for (const std::string& run : folder.runs()) {
                spill::read_run_bytes(folder, run, piece_bytes, send);
                folder.remove(run);
            }
            // Before this rank's last collective call, so rank 0 finds the folder gone when its run returns.
            spill.release();
        };
        job.receive_run = [&, writer = std::shared_ptr<spill::RunWriter>()](const char* data, std::size_t size,
                                                                           bool last) mutable {
            if (!writer) writer = std::make_shared<spill::RunWriter>(*spill.folder());
            writer->raw(data, size);
            if (last) {
                writer->close();
                writer.reset();
            }
        };
        job.discard = [&] { spill.release(); };
    }
    last_mpi_stats() = transport.run(job);
    if (transport.rank() != 0) {
        // Only the output rank holds the result; the others return an empty one without
        // finalizing (a finalize may write files).
        if constexpr (std::is_default_constructible_v<R>) return R{};
        else return plan.finalize(plan.init());
    }
    if (last_mpi_stats().spilled_runs > 0) {
        // Every rank's keys are in runs in this rank's folder; the partial holds the counters.
        if (opt.stats) opt.stats->spilled_runs += last_mpi_stats().spilled_runs;
        std::vector<P> parts;
        parts.push_back(total ? std::move(*total) : plan.init());
        total.reset();
        return plan.finalize_spilled(std::move(parts), Parallelism{1}, spill.folder());
    }
    return plan.finalize(total ? std::move(*total) : plan.init());
}

}  // namespace detail
}  // namespace parapipe
