#pragma once
// Runs a plan in a mode. `run(plan, opts)` picks the executor at run time and so needs a
// partial type that every mode can carry (Serializable for processes, ShmStorable for shm);
// `run<Mode::threads>(plan, opts)` instantiates one executor only, for partials that cannot.
// Thread-safe for distinct plans. Process modes fork: call them while no TBB threads run
// (the threads executor shuts its threads down when it returns).
#include "engine/detail/process_executor.hpp"
#include "engine/detail/seq_executor.hpp"
#include "engine/detail/shm_executor.hpp"
#include "engine/detail/threads_executor.hpp"
#include "engine/errors.hpp"
#include "engine/options.hpp"
#include "engine/plan.hpp"

namespace parapipe {

namespace detail {
inline void validate(const RunOptions& opt) {
    if (opt.workers == 0) throw UsageError("--workers must be at least 1");
    if (opt.workers > max_workers)
        throw UsageError("--workers " + std::to_string(opt.workers) + " is more than the limit of " +
                         std::to_string(max_workers));
    if (opt.max_attempts == 0) throw UsageError("--max-attempts must be at least 1");
}
}  // namespace detail

/// Runs `plan` in the compile-time mode M.
template <Mode M, class P, class R>
R run(const Plan<P, R>& plan, RunOptions opt) {
    detail::validate(opt);
    opt.mode = M;
    if constexpr (M == Mode::seq) {
        return detail::run_seq(plan, opt);
    } else if constexpr (M == Mode::threads) {
        return detail::run_threads(plan, opt);
    } else if constexpr (M == Mode::processes) {
        // Checked here, before the executor is instantiated, so the message stands alone.
        static_assert(Serializable<P>,
                      "parapipe: Mode::processes sends partials through pipes, and this pipeline's partial "
                      "type has no serializer: specialize parapipe::Serializer<Partial> (engine/serialize.hpp), "
                      "or run it with run<Mode::seq> / run<Mode::threads>");
        if constexpr (Serializable<P>) return detail::run_processes(plan, opt);
        else throw UsageError("unreachable");
    } else {
        static_assert(ShmStorable<P>,
                      "parapipe: Mode::shm keeps partials in shared memory, and this pipeline's partial type "
                      "has no codec: specialize parapipe::ShmCodec<Partial> (shm/codec.hpp), or run it with "
                      "run<Mode::seq> / run<Mode::threads>");
        if constexpr (ShmStorable<P>) return detail::run_shm(plan, opt);
        else throw UsageError("unreachable");
    }
}

/// Runs `plan` in `opt.mode`. Example: `auto r = parapipe::run(plan, {.mode = Mode::shm, .workers = 2});`
template <class P, class R>
R run(const Plan<P, R>& plan, const RunOptions& opt) {
    switch (opt.mode) {
        case Mode::seq: return run<Mode::seq>(plan, opt);
        case Mode::threads: return run<Mode::threads>(plan, opt);
        case Mode::processes: return run<Mode::processes>(plan, opt);
        case Mode::shm: return run<Mode::shm>(plan, opt);
    }
    throw UsageError("unknown mode");
}

}  // namespace parapipe
