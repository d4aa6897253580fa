#include "cli/bench/plan.hpp"

#include <algorithm>

#include "cli/bench/placeholders.hpp"
#include "cli/command.hpp"
#include <parapipe/engine/chunk_size.hpp>

namespace parapipe::cli::bench {

namespace {

const ChunkSize kNoChunk{0, "-"};

void add(Plan& p, const CommandSpec& spec, const std::string& name, bool baseline, unsigned workers,
         const ChunkSize& chunk, double work) {
    // "auto": what `parapipe run` picks without --chunk-size for this input, mode and worker
    // count, under its default --memory-limit (a baseline's {chunk}: as threads mode's).
    const bool derived = chunk.bytes == 0 && chunk.text == "auto";
    const Mode mode = parse_mode(name).value_or(Mode::threads);
    const unsigned w = workers == spec.workers_unset ? 1 : workers;
    const std::uint64_t bytes =
        derived ? default_chunk_size(static_cast<std::uint64_t>(work), w, mode, default_memory_limit()) : chunk.bytes;
    Config c{name, baseline, workers, bytes, chunk.text};
    SlotValues v{name, std::to_string(workers), std::to_string(bytes)};
    p.rows.push_back({c, substitute(spec.argv, v), &spec});
}

// mpi rows: `mpirun -n W MCA-ARGS COMMAND` with one thread per rank, for W in the workers list.
void plan_mpi(Plan& p, const CommandSpec& spec, const Settings& s, const ChunkSize& chunk, double work) {
    for (unsigned w : s.workers) {
        // "auto": what `parapipe run` picks for W ranks of one thread each.
        const bool derived = chunk.bytes == 0 && chunk.text == "auto";
        const std::uint64_t bytes =
            derived ? default_chunk_size(static_cast<std::uint64_t>(work), w, Mode::mpi) : chunk.bytes;
        Config c{"mpi", false, w, bytes, chunk.text};
        SlotValues v{"mpi", "1", std::to_string(bytes)};
        // One host: ranks talk through shared memory (ob1 over vader), so mpirun and MPI_Init
        // probe no TCP interfaces or other transports, and PMIx keeps its keys in a hash
        // table instead of the shared-memory store it creates and zeroes at every start.
        std::vector<std::string> argv{"mpirun", "-n", std::to_string(w), "--mca", "pml", "ob1", "--mca",
                                      "btl", "self,vader", "-x", "PMIX_MCA_gds=hash"};
        for (auto& a : substitute(spec.argv, v)) argv.push_back(std::move(a));
        p.rows.push_back({c, std::move(argv), &spec});
    }
}

void plan_modes(Plan& p, const CommandSpec& spec, const Settings& s, double work) {
    const bool per_worker = uses(spec.argv, kWorkersSlot);
    const bool seq_asked = std::find(s.modes.begin(), s.modes.end(), Mode::seq) != s.modes.end();
    std::vector<ChunkSize> chunks = uses(spec.argv, kChunkSlot) ? s.chunk_sizes : std::vector<ChunkSize>{kNoChunk};
    for (const auto& c : chunks) {
        const bool first = &c == &chunks.front();
        if (seq_asked || first) add(p, spec, "seq", false, 1, c, work);
        if (!seq_asked && first) p.seq_added = true;
        for (Mode m : s.modes) {
            if (m == Mode::seq) continue;
            const std::string name(to_string(m));
            if (m == Mode::mpi) {
                plan_mpi(p, spec, s, c, work);
                continue;
            }
            if (!per_worker) {
                add(p, spec, name, false, spec.workers_unset, c, work);
                continue;
            }
            for (unsigned w : s.workers) add(p, spec, name, false, w, c, work);
        }
    }
}

// A command without {mode}: a baseline, or a user's command that picks its mode itself.
void plan_fixed(Plan& p, const CommandSpec& spec, const Settings& s, double work) {
    const ChunkSize& c = uses(spec.argv, kChunkSlot) ? s.chunk_sizes.front() : kNoChunk;
    if (!uses(spec.argv, kWorkersSlot)) {
        add(p, spec, spec.name, spec.baseline, spec.workers_unset, c, work);
        return;
    }
    for (unsigned w : s.workers) add(p, spec, spec.name, spec.baseline, w, c, work);
}

}  // namespace

Plan plan_rows(const Workload& w, const Settings& s) {
    Plan p;
    for (const auto& spec : w.commands) {
        if (uses(spec.argv, kModeSlot)) plan_modes(p, spec, s, w.work);
        else plan_fixed(p, spec, s, w.work);
    }
    return p;
}

}  // namespace parapipe::cli::bench
