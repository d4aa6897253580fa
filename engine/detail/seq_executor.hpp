#pragma once
// Mode::seq — the reference: chunks in order, one partial, on the calling thread.
#include <memory>
#include <vector>

#include <parapipe/engine/detail/chunk_call.hpp>
#include <parapipe/engine/detail/spill_check.hpp>

namespace parapipe::detail {

template <class P, class R>
R run_seq(const Plan<P, R>& plan, const RunOptions& opt) {
    std::vector<std::unique_ptr<char[]>> owned;
    if (plan.prepare) plan.prepare(heap_context(opt, owned));
    const Spiller<P, R> spill(plan, opt, 1);
    P partial = plan.init();
    for (std::size_t i = 0; i < plan.chunk_count; ++i) {
        check_cancel(opt);
        run_chunk(plan, i, partial);
        spill.check(partial);
        add_progress(opt, plan.weight(i));
    }
    return spill.finish_one(std::move(partial));
}

}  // namespace parapipe::detail
