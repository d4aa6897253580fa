#pragma once
// Runs a plan in a mode. `run(plan, opts)` picks the executor at run time and compiles for any
// partial type: asking a process mode for a partial type that cannot leave the process (no
// codec: see engine/fields.hpp) is a UsageError at run time. `run<Mode::processes>(plan, opts)`
// instantiates one executor only, and refuses such a type at compile time.
// Thread-safe for distinct plans. Process modes fork: call them while no TBB threads run
// (the threads executor shuts its threads down when it returns; threads a KeepTbbThreads left
// running are joined before each fork).
#include <string>
#include <type_traits>
#include <typeinfo>

#include <parapipe/engine/detail/any_result.hpp>
#include <parapipe/engine/detail/mpi_executor.hpp>
#include <parapipe/engine/detail/process_executor.hpp>
#include <parapipe/engine/detail/seq_executor.hpp>
#include <parapipe/engine/detail/shm_executor.hpp>
#include <parapipe/engine/detail/spill_check.hpp>
#include <parapipe/engine/detail/threads_executor.hpp>
#include <parapipe/engine/errors.hpp>
#include <parapipe/engine/options.hpp>
#include <parapipe/engine/plan.hpp>

namespace parapipe {

namespace detail {
inline void validate(const RunOptions& opt) {
    if (opt.workers == 0) throw UsageError("--workers must be at least 1");
    if (opt.workers > max_workers)
        throw UsageError("--workers " + std::to_string(opt.workers) + " is more than the limit of " +
                         std::to_string(max_workers));
    if (opt.max_attempts == 0) throw UsageError("--max-attempts must be at least 1");
}

/// A streamed plan (Plan::next_window): each window runs as a plan of its own through
/// run_one(window plan, options), with an identity finalize; the partials are merged in window
/// order and finalized once. The windows' progress comes from next_window (bytes read), so the
/// window runs get no progress counter of their own.
template <class P, class R, class RunOne>
R run_windows(const Plan<P, R>& plan, const RunOptions& opt, RunOne run_one) {
    if (opt.mode == Mode::mpi)
        throw UsageError("--mode mpi reads its inputs on every rank, and this input is a stream (standard input, "
                         "a named pipe): give paths that all ranks can read, or use another mode");
    // The window runs with the plan's own functions and an identity finalize. Under a memory
    // limit the windows spill into one folder, and the total spills too; the windows' runs are
    // merged once, at the end (window has no finalize_spilled).
    Plan<P, P> window = chunk_side_of<P>(plan);
    window.finalize = [](P&& p) { return std::move(p); };
    RunOptions each = opt;
    each.progress = nullptr;
    if (opt.memory_limit && plan.spill && plan.memory_of && !each.spill_folder)
        each.spill_folder = std::make_shared<SpillFolder>(opt.spill_parent);
    const Spiller<P, R> spill(plan, each, 1);
    WindowContext ctx{opt.cancel, opt.progress, 0};
    P total = plan.init();
    while (const std::size_t n = plan.next_window(ctx)) {
        ++ctx.window;
        window.chunk_count = n;
        plan.merge(total, run_one(window, each));
        spill.check(total);
    }
    return spill.finish_one(std::move(total));
}

[[noreturn]] inline void no_codec(Mode m, const char* what) {
    throw UsageError("--mode " + std::string(to_string(m)) + " needs partial results that can " + what +
                     ", and this pipeline's cannot: describe its types with PARAPIPE_FIELDS (engine/fields.hpp), "
                     "or use --mode seq or threads");
}
}  // namespace detail

template <Mode M, class P, class R>
R run(const Plan<P, R>& plan, RunOptions opt);
template <class P, class R>
R run(const Plan<P, R>& plan, const RunOptions& opt);

namespace detail {
/// run<M>(plan, opt) for a plan whose result is boxed: the only instantiation of the executors.
template <Mode M, class P>
AnyResult run_boxed(const Plan<P, AnyResult>& plan, RunOptions opt) {
    validate(opt);
    opt.mode = M;
    if (plan.next_window)
        return detail::run_windows(plan, opt, [](const Plan<P, P>& w, const RunOptions& o) { return run<M>(w, o); });
    if constexpr (M == Mode::seq) {
        return detail::run_seq(plan, opt);
    } else if constexpr (M == Mode::threads) {
        return detail::run_threads(plan, opt);
    } else if constexpr (M == Mode::processes) {
        // Checked here, before the executor is instantiated, so the message stands alone.
        static_assert(Serializable<P>,
                      "parapipe: Mode::processes sends partials through pipes, and this pipeline's partial "
                      "type cannot be serialized: describe your types with PARAPIPE_FIELDS (engine/fields.hpp), "
                      "or run with Mode::seq / Mode::threads");
        if constexpr (Serializable<P>) return detail::run_processes(plan, opt);
        else detail::no_codec(M, "be serialized");
    } else if constexpr (M == Mode::mpi) {
        static_assert(Serializable<P>,
                      "parapipe: Mode::mpi sends partials between ranks, and this pipeline's partial type cannot "
                      "be serialized: describe your types with PARAPIPE_FIELDS (engine/fields.hpp), "
                      "or run with Mode::seq / Mode::threads");
        if constexpr (Serializable<P>) return detail::run_mpi(plan, opt);
        else detail::no_codec(M, "be serialized");
    } else {
        static_assert(ShmStorable<P>,
                      "parapipe: Mode::shm keeps partials in shared memory, and this pipeline's partial type "
                      "cannot be stored there: describe your types with PARAPIPE_FIELDS (engine/fields.hpp), "
                      "or run with Mode::seq / Mode::threads");
        if constexpr (ShmStorable<P>) return detail::run_shm(plan, opt);
        else detail::no_codec(M, "live in shared memory");
    }
}
}  // namespace detail

/// Runs `plan` in the compile-time mode M.
template <Mode M, class P, class R>
R run(const Plan<P, R>& plan, RunOptions opt) {
    // The executors are compiled for a boxed result only (engine/detail/any_result.hpp).
    if constexpr (std::is_same_v<R, detail::AnyResult>) return detail::run_boxed<M>(plan, std::move(opt));
    else return detail::take_result(plan, detail::run_boxed<M>(detail::erase_result(plan), std::move(opt)));
}

namespace detail {
/// run(plan, opt) for a plan whose result is boxed.
template <class P>
AnyResult run_any(const Plan<P, AnyResult>& plan, const RunOptions& opt) {
    if (plan.next_window) {
        validate(opt);
        return run_windows(plan, opt, [](const Plan<P, P>& w, const RunOptions& o) { return run(w, o); });
    }
    // Nothing to run (e.g. an empty file): the reference gives the same answer without starting
    // threads or workers, which would cost more than the run (mpi ranks must all take part).
    if (plan.chunk_count == 0 && opt.mode != Mode::mpi) return run_boxed<Mode::seq>(plan, opt);
    switch (opt.mode) {
        case Mode::seq: return run_boxed<Mode::seq>(plan, opt);
        case Mode::threads: return run_boxed<Mode::threads>(plan, opt);
        case Mode::processes:
            if constexpr (Serializable<P>) return run_boxed<Mode::processes>(plan, opt);
            else no_codec(opt.mode, "be serialized");
        case Mode::shm:
            if constexpr (ShmStorable<P>) return run_boxed<Mode::shm>(plan, opt);
            else no_codec(opt.mode, "live in shared memory");
        case Mode::mpi:
            if constexpr (Serializable<P>) return run_boxed<Mode::mpi>(plan, opt);
            else no_codec(opt.mode, "be serialized");
    }
    throw UsageError("unknown mode");
}
}  // namespace detail

/// Runs `plan` in `opt.mode`. Example: `auto r = parapipe::run(plan, {.mode = Mode::shm, .workers = 2});`
template <class P, class R>
R run(const Plan<P, R>& plan, const RunOptions& opt) {
    if constexpr (std::is_same_v<R, detail::AnyResult>) return detail::run_any(plan, opt);
    else return detail::take_result(plan, detail::run_any(detail::erase_result(plan), opt));
}

}  // namespace parapipe
