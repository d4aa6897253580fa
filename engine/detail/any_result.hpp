#pragma once
// The executors are compiled once per partial type, not once per (partial, result) pair:
// run() (engine/run.hpp) hands them a Plan<P, AnyResult> whose result-side functions box the
// real result, and unboxes it afterwards. A stream's windows (Plan<P, P>) and a plan passed
// through then() share the same executors. Each executor is a large instantiation (the shm one
// most of all), and a program or test that runs many pipelines compiled each of them twice.
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include <parapipe/engine/plan.hpp>

namespace parapipe::detail {

/// A plan's result, type-erased. Empty on an mpi rank other than 0, which holds no result.
struct AnyResult {
    std::shared_ptr<void> value;

    template <class R>
    static AnyResult of(R&& r) {
        return {std::make_shared<std::remove_cvref_t<R>>(std::forward<R>(r))};
    }
};

/// A Plan<P, R2> whose chunk-side functions are those of `plan`, by reference (nothing is
/// copied: `plan` must outlive it). Its result-side functions (finalize, merge_finalize,
/// finalize_spilled) and next_window are left empty, for the caller to set.
template <class R2, class P, class R>
Plan<P, R2> chunk_side_of(const Plan<P, R>& plan) {
    Plan<P, R2> out;
    auto same = [](auto& to, const auto& from) {
        if (from) to = std::cref(from);
    };
    out.chunk_count = plan.chunk_count;
    same(out.init, plan.init);
    same(out.map, plan.map);
    same(out.merge, plan.merge);
    same(out.chunk_weight, plan.chunk_weight);
    same(out.describe_chunk, plan.describe_chunk);
    same(out.prepare, plan.prepare);
    same(out.worker_init, plan.worker_init);
    same(out.release, plan.release);
    same(out.reset, plan.reset);
    same(out.merge_serialized, plan.merge_serialized);
    same(out.memory_of, plan.memory_of);
    same(out.spill, plan.spill);
    return out;
}

/// `plan` with its result boxed; refers to `plan`, which must outlive it.
template <class P, class R>
Plan<P, AnyResult> erase_result(const Plan<P, R>& plan) {
    Plan<P, AnyResult> out = chunk_side_of<AnyResult>(plan);
    if (plan.next_window) out.next_window = std::cref(plan.next_window);
    out.finalize = [&plan](P&& p) { return AnyResult::of(plan.finalize(std::move(p))); };
    if (plan.merge_finalize)
        out.merge_finalize = [&plan](std::vector<P>&& parts, const Parallelism& par) {
            return AnyResult::of(plan.merge_finalize(std::move(parts), par));
        };
    if (plan.finalize_spilled)
        out.finalize_spilled = [&plan](std::vector<P>&& parts, const Parallelism& par,
                                       std::shared_ptr<SpillFolder> folder) {
            return AnyResult::of(plan.finalize_spilled(std::move(parts), par, std::move(folder)));
        };
    return out;
}

/// The result boxed by erase_result(plan). An empty box (an mpi rank other than 0) gives R{},
/// or for a result type with no default, the finalize of an empty partial.
template <class P, class R>
R take_result(const Plan<P, R>& plan, AnyResult&& r) {
    if (r.value) return std::move(*static_cast<R*>(r.value.get()));
    if constexpr (std::is_default_constructible_v<R>) return R{};
    else return plan.finalize(plan.init());
}

}  // namespace parapipe::detail
