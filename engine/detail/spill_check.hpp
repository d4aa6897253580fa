#pragma once
// The executors' side of RunOptions::memory_limit: each holder of a partial (a thread, a worker,
// the coordinator) gets an equal share of half the limit (the other half is for the input being
// read, the buffers and the binary), checks its partial after each chunk or merge, and spills it
// when it is past its share (Plan::spill). At the end, runs in the folder mean the plan's
// finalize_spilled; none means exactly the path of a run without a limit.
#include <sys/types.h>

#include <algorithm>
#include <memory>
#include <utility>
#include <vector>

#include <parapipe/engine/detail/parallel.hpp>
#include <parapipe/engine/options.hpp>
#include <parapipe/engine/plan.hpp>
#include <parapipe/engine/spill/folder.hpp>

namespace parapipe::detail {

template <class P, class R>
class Spiller {
public:
    /// `holders`: how many partials the run holds at once.
    Spiller(const Plan<P, R>& plan, const RunOptions& opt, std::size_t holders) : plan_(plan) {
        if (opt.memory_limit == 0 || !plan.spill || !plan.memory_of) return;
        folder_ = opt.spill_folder ? opt.spill_folder : std::make_shared<SpillFolder>(opt.spill_parent);
        stats_ = opt.stats;
        folder_->merge_budget = std::max<std::size_t>(opt.memory_limit / 2, 1);
        budget_ = std::max<std::size_t>(partial_share(opt.memory_limit, holders), 1);
    }

    /// Spills `p` when it holds more than its share.
    void check(P& p) const {
        if (folder_ && plan_.memory_of(p) > budget_) plan_.spill(p, *folder_);
    }
    /// Forgets the runs of a worker whose partial is not used (it died, or its backup won).
    void drop(pid_t pid) const {
        if (folder_) folder_->drop_runs_of(pid);
    }
    bool spilled() const {
        if (!folder_ || !plan_.finalize_spilled) return false;
        const std::size_t runs = folder_->runs().size();
        if (stats_) stats_->spilled_runs += runs;
        return runs > 0;
    }

    /// The folder, null without a limit (or for a plan that cannot spill).
    const std::shared_ptr<SpillFolder>& folder() const { return folder_; }
    /// Lets go of the folder: removed with its runs unless a result still holds it.
    void release() { folder_.reset(); }

    /// Merges and finalizes every partial, with the runs when there are any.
    R finish(std::vector<P>&& parts, const Parallelism& par) const {
        if (spilled()) return plan_.finalize_spilled(std::move(parts), par, folder_);
        return detail::finish(plan_, std::move(parts), par);
    }
    /// The same for one partial (seq, and processes without merge_finalize).
    R finish_one(P&& p) const {
        if (!spilled()) return plan_.finalize(std::move(p));
        std::vector<P> parts;
        parts.push_back(std::move(p));
        return plan_.finalize_spilled(std::move(parts), Parallelism{1}, folder_);
    }

private:
    const Plan<P, R>& plan_;
    std::shared_ptr<SpillFolder> folder_;
    std::size_t budget_ = 0;
    RunStats* stats_ = nullptr;
};

}  // namespace parapipe::detail
