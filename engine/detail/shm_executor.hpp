#pragma once
// Mode::shm — forked workers sharing one Boost.Interprocess segment with the coordinator.
// In the segment: a header with the work queue (an atomic cursor over chunk indices), a slot
// per worker, the owner of every finished chunk, and one region per worker in which the worker
// builds its partial with shm-allocated containers (engine/shm_codec.hpp). Nothing is serialized.
//
// No interprocess mutex is held while working: the queue is an atomic, and each region's
// allocator is used by one process only, so a worker killed mid-allocation harms only its
// own region, which is discarded. Faults: a dead worker's unflushed chunks (and the chunk it
// died on, which counts as an attempt) go to a fresh worker. A partial that does not fit its
// region grows it once every worker has exited (nobody else maps the segment then).
#include <poll.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include <boost/interprocess/managed_external_buffer.hpp>

#include <parapipe/engine/detail/chunk_call.hpp>
#include <parapipe/engine/detail/worker_process.hpp>
#include <parapipe/engine/detail/attempts.hpp>
#include <parapipe/engine/shm_codec.hpp>
#include <parapipe/shm/segment.hpp>

namespace parapipe::detail {

enum class SlotState : int { running = 0, flushed = 1, failed = 2, need_space = 3 };

struct ShmSlot {
    std::atomic<std::int64_t> current{-1};  // chunk being worked on
    std::atomic<int> state{0};
    std::uint64_t result_offset = 0;        // stored partial, from the region's start
    char error[1024] = {};
};

struct ShmHeader {
    std::atomic<std::uint64_t> cursor{0};    // next chunk of the first pass
    std::atomic<std::uint64_t> progress{0};  // weight of chunks done
    std::atomic<int> stop{0};                // set on the first error: everyone stops
};
static_assert(std::atomic<std::uint64_t>::is_always_lock_free, "shm queue needs lock-free atomics");

struct ShmRegion {
    std::size_t offset = 0;
    std::size_t bytes = 0;
};

inline std::size_t align_up(std::size_t v, std::size_t a) { return (v + a - 1) / a * a; }

/// Where things are in the segment: header | slots | owner of each chunk | one region per slot.
/// Offsets, not pointers: they stay valid when the segment grows and moves.
struct ShmLayout {
    std::size_t chunks = 0, width = 0, slots = 0, spare = 0;
    std::size_t slots_at = 0, owners_at = 0, end = 0;
    std::size_t region0 = 0;
    std::vector<ShmRegion> regions;

    ShmLayout(std::size_t n, const RunOptions& opt) : chunks(n) {
        constexpr std::size_t page = 4096;
        width = std::max<std::size_t>(1, std::min<std::size_t>(std::max(1u, opt.workers), n));
        // One spare slot picks up chunks claimed from the queue by a worker that died before it
        // could record the claim.
        slots = width + 1;
        spare = width;
        region0 = opt.shm_region_bytes ? opt.shm_region_bytes : (std::size_t{16} << 20);
        slots_at = align_up(sizeof(ShmHeader), 64);
        owners_at = align_up(slots_at + slots * sizeof(ShmSlot), 64);
        end = align_up(owners_at + n * sizeof(std::atomic<std::int32_t>), page);
        regions.resize(slots);
        for (std::size_t w = 0; w < width; ++w) regions[w] = {end, region0}, end += region0;
        regions[spare] = {end, 0};  // sized when first needed
    }
};

/// One run in Mode::shm: the segment, the workers, and the coordinator's bookkeeping.
template <class P, class R>
class ShmRun {
    using Codec = ShmCodec<P>;
    using Stored = typename Codec::stored;

public:
    ShmRun(const Plan<P, R>& plan, const RunOptions& opt)
        : plan_(plan), opt_(opt), n_(plan.chunk_count), layout_(n_, opt), segment_(layout_.end),
          ledger_(n_, opt.max_attempts), redo_(layout_.slots), idle_deaths_(layout_.slots, 0),
          alive_(layout_.slots, false) {
        new (header()) ShmHeader();
        for (std::size_t w = 0; w < layout_.slots; ++w) new (slot(w)) ShmSlot();
        for (std::size_t c = 0; c < n_; ++c) new (owner(c)) std::atomic<std::int32_t>(-1);
    }

    R run() {
        prepare();
        ignore_sigpipe();
        pool_.children.resize(layout_.slots);
        for (std::size_t w = 0; w < layout_.width; ++w) spawn(w);
        while (!finished()) {
            check_cancel(opt_);
            report();
            wait_for_exits();
        }
        report();
        return collect();
    }

private:
    // ---- the segment ----------------------------------------------------------------------
    ShmHeader* header() { return reinterpret_cast<ShmHeader*>(segment_.base()); }
    ShmSlot* slot(std::size_t w) { return reinterpret_cast<ShmSlot*>(segment_.base() + layout_.slots_at) + w; }
    std::atomic<std::int32_t>* owner(std::size_t c) {
        return reinterpret_cast<std::atomic<std::int32_t>*>(segment_.base() + layout_.owners_at) + c;
    }
    SlotState state_of(std::size_t w) { return static_cast<SlotState>(slot(w)->state.load()); }
    std::vector<std::size_t> owned_by(std::size_t w) {
        std::vector<std::size_t> out;
        for (std::size_t c = 0; c < n_; ++c)
            if (owner(c)->load() == static_cast<std::int32_t>(w)) out.push_back(c);
        return out;
    }

    // Memory the plan wants shared (e.g. a decoded image and its output): segments of their own,
    // mapped before fork, so their addresses are the same in every worker.
    void prepare() {
        if (!plan_.prepare) return;
        RunContext ctx;
        ctx.workers = static_cast<unsigned>(layout_.width);
        ctx.concurrent = true;
        ctx.forked = true;
        ctx.shared_alloc = [this](std::size_t b) -> void* {
            extras_.push_back(std::make_unique<shm::Segment>(std::max<std::size_t>(b, 1)));
            return extras_.back()->base();
        };
        plan_.prepare(ctx);
    }

    // ---- a worker (runs in the forked child) ------------------------------------------------
    int worker(std::size_t w) {
        namespace bip = boost::interprocess;
        if (plan_.worker_init) plan_.worker_init();
        ShmHeader* h = header();
        ShmSlot* s = slot(w);
        P partial = plan_.init();
        auto process = [&](std::size_t c) -> bool {
            s->current.store(static_cast<std::int64_t>(c));
            try {
                run_chunk(plan_, c, partial);
            } catch (const std::exception& e) {
                std::strncpy(s->error, e.what(), sizeof s->error - 1);
                s->state.store(static_cast<int>(SlotState::failed));
                h->stop.store(1);
                return false;
            }
            owner(c)->store(static_cast<std::int32_t>(w));
            h->progress.fetch_add(plan_.weight(c), std::memory_order_relaxed);
            s->current.store(-1);
            return true;
        };
        for (std::size_t c : redo_[w]) {
            if (h->stop.load()) return 0;
            if (!process(c)) return 3;
        }
        for (;;) {
            if (h->stop.load()) return 0;
            std::uint64_t c = h->cursor.fetch_add(1);
            if (c >= n_) break;
            if (!process(c)) return 3;
        }
        // Build the partial in this worker's own region: its allocator lock is never shared.
        char* base = segment_.base() + layout_.regions[w].offset;
        try {
            bip::managed_external_buffer region(bip::create_only, base, layout_.regions[w].bytes);
            shm::VoidAlloc alloc(region.get_segment_manager());
            Stored* stored = region.construct<Stored>(bip::anonymous_instance)(Codec::make(alloc));
            Codec::store(partial, *stored, alloc);
            s->result_offset = static_cast<std::uint64_t>(reinterpret_cast<char*>(stored) - base);
            s->state.store(static_cast<int>(SlotState::flushed));
        } catch (const bip::bad_alloc&) {
            s->state.store(static_cast<int>(SlotState::need_space));
        } catch (const bip::interprocess_exception&) {
            s->state.store(static_cast<int>(SlotState::need_space));  // region too small to even start
        }
        return 0;
    }

    // ---- the coordinator --------------------------------------------------------------------
    // Every chunk in a redo list is owned by its slot first, so a second death still finds it.
    void spawn(std::size_t w) {
        for (std::size_t c : redo_[w]) owner(c)->store(static_cast<std::int32_t>(w));
        ShmSlot* s = slot(w);
        s->current.store(-1);
        s->state.store(static_cast<int>(SlotState::running));
        s->result_offset = 0;
        pool_.children[w] = spawn_worker([this, w](int, int) { return worker(w); });
        alive_[w] = true;
    }

    void report() {
        std::uint64_t now = header()->progress.load();
        if (now > reported_) add_progress(opt_, now - reported_), reported_ = now;
    }

    /// True when every worker has exited and nothing is left to redo. When all have exited but
    /// work remains, nobody but us maps the segment, so regions may grow: restarts every slot
    /// that did not flush (too small, or died), and hands unclaimed chunks to the spare.
    bool finished() {
        for (std::size_t w = 0; w < layout_.slots; ++w)
            if (alive_[w]) return false;
        const std::size_t spare = layout_.spare;
        std::vector<std::size_t> restart;
        for (std::size_t w = 0; w < layout_.slots; ++w) {
            if (state_of(w) == SlotState::need_space || (state_of(w) == SlotState::running && !owned_by(w).empty()))
                restart.push_back(w);
        }
        std::vector<std::size_t> lost;
        for (std::size_t c = 0; c < n_; ++c)
            if (owner(c)->load() < 0) lost.push_back(c);
        if (!lost.empty() && std::find(restart.begin(), restart.end(), spare) == restart.end()) {
            if (state_of(spare) == SlotState::flushed)
                throw Error("internal: chunks left unclaimed after the spare worker flushed");
            restart.push_back(spare);
        }
        if (restart.empty()) return true;
        std::size_t end = segment_.size();
        for (std::size_t w : restart) {
            auto& region = layout_.regions[w];
            if (state_of(w) == SlotState::need_space || region.bytes == 0) {
                region = {end, std::max(region.bytes * 2, layout_.region0)};
                end += region.bytes;
            }
        }
        segment_.grow(end);
        for (std::size_t w : restart) {
            if (w == spare)
                for (std::size_t c : lost) owner(c)->store(static_cast<std::int32_t>(w));
            redo_[w] = owned_by(w);
            spawn(w);
        }
        return false;
    }

    /// Waits a little for workers to exit, and deals with each that did.
    void wait_for_exits() {
        fds_.clear();
        who_.clear();
        for (std::size_t w = 0; w < layout_.slots; ++w)
            if (alive_[w]) fds_.push_back({pool_.children[w].from, POLLIN, 0}), who_.push_back(w);
        if (fds_.empty() || ::poll(fds_.data(), fds_.size(), 50) <= 0) return;
        for (std::size_t k = 0; k < fds_.size(); ++k)
            if (fds_[k].revents & (POLLIN | POLLHUP | POLLERR)) on_exit(who_[k]);
    }

    void on_exit(std::size_t w) {
        int status = close_and_wait(pool_.children[w]);
        alive_[w] = false;
        ShmSlot* s = slot(w);
        if (state_of(w) == SlotState::failed) throw ChunkError(s->error);
        if (state_of(w) != SlotState::running) return;  // flushed, or waits for growth
        if (header()->stop.load()) return;              // stopped: another worker failed
        // Died while working: the chunk it was on counts as an attempt.
        if (std::int64_t cur = s->current.load(); cur >= 0) {
            auto c = static_cast<std::size_t>(cur);
            ledger_.died_on(plan_, c, describe_status(status));
            owner(c)->store(static_cast<std::int32_t>(w));
        } else {
            ledger_.died_idle(idle_deaths_[w], describe_status(status), "storing its partial");
        }
        redo_[w] = owned_by(w);
        spawn(w);
    }

    /// Reads every flushed partial in place and merges them.
    R collect() {
        P total = plan_.init();
        for (std::size_t w = 0; w < layout_.slots; ++w) {
            if (state_of(w) != SlotState::flushed) continue;
            const char* base = segment_.base() + layout_.regions[w].offset;
            const auto* stored = reinterpret_cast<const Stored*>(base + slot(w)->result_offset);
            P part = plan_.init();
            Codec::load(*stored, part);
            plan_.merge(total, std::move(part));
        }
        return plan_.finalize(std::move(total));
    }

    const Plan<P, R>& plan_;
    const RunOptions& opt_;
    const std::size_t n_;
    ShmLayout layout_;
    shm::Segment segment_;
    std::vector<std::unique_ptr<shm::Segment>> extras_;
    AttemptLedger ledger_;
    std::vector<std::vector<std::size_t>> redo_;
    std::vector<std::size_t> idle_deaths_;  // deaths with no chunk in hand (e.g. while storing)
    std::vector<bool> alive_;
    Pool pool_;  // after the segments: destroyed first, so workers die before their segment goes
    std::uint64_t reported_ = 0;
    std::vector<pollfd> fds_;
    std::vector<std::size_t> who_;
};

template <class P, class R>
R run_shm(const Plan<P, R>& plan, const RunOptions& opt) {
    std::optional<ShmRun<P, R>> run;
    try {
        run.emplace(plan, opt);
    } catch (const shm::SegmentError& e) {
        throw Error(e.what());  // shm/ knows nothing of the engine's errors
    }
    return run->run();
}

}  // namespace parapipe::detail
