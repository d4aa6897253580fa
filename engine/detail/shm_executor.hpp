#pragma once
// Mode::shm — forked workers sharing one Boost.Interprocess segment with the coordinator.
// In the segment: a header with the work queue (an atomic cursor over chunk indices), a slot
// per worker, the owner of every finished chunk, and one region per worker in which the worker
// builds its partial with shm-allocated containers (shm/codec.hpp). Nothing is serialized.
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
#include <vector>

#include <boost/interprocess/managed_external_buffer.hpp>

#include "engine/detail/chunk_call.hpp"
#include "engine/detail/worker_process.hpp"
#include "shm/codec.hpp"
#include "shm/segment.hpp"

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

template <class P, class R>
R run_shm(const Plan<P, R>& plan, const RunOptions& opt) {
    static_assert(ShmStorable<P>,
                  "Mode::shm keeps partials in shared memory: specialize parapipe::ShmCodec<Partial> "
                  "(shm/codec.hpp) for this pipeline's partial type");
    using Codec = ShmCodec<P>;
    using Stored = typename Codec::stored;
    namespace bip = boost::interprocess;

    const std::size_t n = plan.chunk_count;
    const std::size_t width = std::max<std::size_t>(1, std::min<std::size_t>(std::max(1u, opt.workers), n));
    // One spare slot picks up chunks claimed from the queue by a worker that died before it
    // could record the claim.
    const std::size_t slots = width + 1;
    const std::size_t spare = width;
    const std::size_t region0 = opt.shm_region_bytes ? opt.shm_region_bytes : (std::size_t{16} << 20);
    constexpr std::size_t page = 4096;

    // Layout: header | slots | owner of each chunk | one region per slot. Offsets survive growth.
    const std::size_t slots_at = align_up(sizeof(ShmHeader), 64);
    const std::size_t owners_at = align_up(slots_at + slots * sizeof(ShmSlot), 64);
    std::size_t used = align_up(owners_at + n * sizeof(std::atomic<std::int32_t>), page);
    std::vector<ShmRegion> regions(slots);
    for (std::size_t w = 0; w < width; ++w) regions[w] = {used, region0}, used += region0;
    regions[spare] = {used, 0};  // sized when first needed
    shm::Segment segment(used);

    auto header = [&] { return reinterpret_cast<ShmHeader*>(segment.base()); };
    auto slot = [&](std::size_t w) { return reinterpret_cast<ShmSlot*>(segment.base() + slots_at) + w; };
    auto owner = [&](std::size_t c) {
        return reinterpret_cast<std::atomic<std::int32_t>*>(segment.base() + owners_at) + c;
    };
    new (header()) ShmHeader();
    for (std::size_t w = 0; w < slots; ++w) new (slot(w)) ShmSlot();
    for (std::size_t c = 0; c < n; ++c) new (owner(c)) std::atomic<std::int32_t>(-1);

    // Memory the plan wants shared (e.g. a decoded image and its output): segments of their own,
    // mapped before fork, so their addresses are the same in every worker.
    std::vector<std::unique_ptr<shm::Segment>> extras;
    if (plan.prepare) {
        RunContext ctx;
        ctx.mode = Mode::shm;
        ctx.workers = static_cast<unsigned>(width);
        ctx.shared_alloc = [&](std::size_t b) -> void* {
            extras.push_back(std::make_unique<shm::Segment>(std::max<std::size_t>(b, 1)));
            return extras.back()->base();
        };
        plan.prepare(ctx);
    }

    std::vector<unsigned> attempts(n, 0);
    const unsigned max_attempts = std::max(1u, opt.max_attempts);
    std::vector<std::vector<std::size_t>> redo(slots);
    std::vector<unsigned> idle_deaths(slots, 0);  // deaths with no chunk in hand (e.g. while storing)

    auto worker = [&](std::size_t w) -> int {
        if (plan.worker_init) plan.worker_init();
        ShmHeader* h = header();
        ShmSlot* s = slot(w);
        P partial = plan.init();
        auto process = [&](std::size_t c) -> bool {
            s->current.store(static_cast<std::int64_t>(c));
            try {
                run_chunk(plan, c, partial);
            } catch (const std::exception& e) {
                std::strncpy(s->error, e.what(), sizeof s->error - 1);
                s->state.store(static_cast<int>(SlotState::failed));
                h->stop.store(1);
                return false;
            }
            owner(c)->store(static_cast<std::int32_t>(w));
            h->progress.fetch_add(plan.weight(c), std::memory_order_relaxed);
            s->current.store(-1);
            return true;
        };
        for (std::size_t c : redo[w]) {
            if (h->stop.load()) return 0;
            if (!process(c)) return 3;
        }
        for (;;) {
            if (h->stop.load()) return 0;
            std::uint64_t c = h->cursor.fetch_add(1);
            if (c >= n) break;
            if (!process(c)) return 3;
        }
        // Build the partial in this worker's own region: its allocator lock is never shared.
        char* base = segment.base() + regions[w].offset;
        try {
            bip::managed_external_buffer region(bip::create_only, base, regions[w].bytes);
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
    };

    ignore_sigpipe();
    Pool pool;
    pool.children.resize(slots);
    std::vector<bool> alive(slots, false);
    auto state_of = [&](std::size_t w) { return static_cast<SlotState>(slot(w)->state.load()); };
    // Every chunk in a redo list is owned by its slot first, so a second death still finds it.
    auto spawn = [&](std::size_t w) {
        for (std::size_t c : redo[w]) owner(c)->store(static_cast<std::int32_t>(w));
        ShmSlot* s = slot(w);
        s->current.store(-1);
        s->state.store(static_cast<int>(SlotState::running));
        s->result_offset = 0;
        pool.children[w] = spawn_worker([&, w](int, int) { return worker(w); });
        alive[w] = true;
    };
    auto owned_by = [&](std::size_t w) {
        std::vector<std::size_t> out;
        for (std::size_t c = 0; c < n; ++c)
            if (owner(c)->load() == static_cast<std::int32_t>(w)) out.push_back(c);
        return out;
    };

    for (std::size_t w = 0; w < width; ++w) spawn(w);
    std::uint64_t reported = 0;
    auto report = [&] {
        std::uint64_t now = header()->progress.load();
        if (now > reported) add_progress(opt, now - reported), reported = now;
    };

    std::vector<pollfd> fds;
    std::vector<std::size_t> who;
    for (;;) {
        fds.clear();
        who.clear();
        for (std::size_t w = 0; w < slots; ++w)
            if (alive[w]) fds.push_back({pool.children[w].from, POLLIN, 0}), who.push_back(w);
        if (fds.empty()) {
            // Quiescent: nobody but us maps the segment, so regions may grow. Restart every slot
            // that did not flush (too small, or died), and hand unclaimed chunks to the spare.
            std::vector<std::size_t> restart;
            for (std::size_t w = 0; w < slots; ++w) {
                if (state_of(w) == SlotState::need_space || (state_of(w) == SlotState::running && !owned_by(w).empty()))
                    restart.push_back(w);
            }
            std::vector<std::size_t> lost;
            for (std::size_t c = 0; c < n; ++c)
                if (owner(c)->load() < 0) lost.push_back(c);
            if (!lost.empty() && std::find(restart.begin(), restart.end(), spare) == restart.end()) {
                if (state_of(spare) == SlotState::flushed)
                    throw Error("internal: chunks left unclaimed after the spare worker flushed");
                restart.push_back(spare);
            }
            if (restart.empty()) break;
            std::size_t end = segment.size();
            for (std::size_t w : restart) {
                if (state_of(w) == SlotState::need_space || regions[w].bytes == 0) {
                    regions[w] = {end, std::max(regions[w].bytes * 2, region0)};
                    end += regions[w].bytes;
                }
            }
            segment.grow(end);
            for (std::size_t w : restart) {
                for (std::size_t c : (w == spare ? lost : std::vector<std::size_t>{}))
                    owner(c)->store(static_cast<std::int32_t>(w));
                redo[w] = owned_by(w);
                spawn(w);
            }
            continue;
        }
        check_cancel(opt);
        report();
        if (::poll(fds.data(), fds.size(), 50) <= 0) continue;
        for (std::size_t k = 0; k < fds.size(); ++k) {
            if (!(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            const std::size_t w = who[k];
            int status = close_and_wait(pool.children[w]);
            alive[w] = false;
            ShmSlot* s = slot(w);
            if (state_of(w) == SlotState::failed) throw ChunkError(s->error);
            if (state_of(w) != SlotState::running) continue;  // flushed, or waits for growth
            if (header()->stop.load()) continue;              // stopped: another worker failed
            // Died while working: the chunk it was on counts as an attempt.
            if (std::int64_t cur = s->current.load(); cur >= 0) {
                auto c = static_cast<std::size_t>(cur);
                if (++attempts[c] >= max_attempts)
                    throw ChunkError(plan.describe(c) + ": worker " + describe_status(status) + " on each of " +
                                     std::to_string(max_attempts) + " attempts");
                owner(c)->store(static_cast<std::int32_t>(w));
            } else if (++idle_deaths[w] >= max_attempts) {
                throw Error("shm worker " + describe_status(status) + " while storing its partial, " +
                            std::to_string(max_attempts) + " times");
            }
            redo[w] = owned_by(w);
            spawn(w);
        }
    }
    report();

    P total = plan.init();
    for (std::size_t w = 0; w < slots; ++w) {
        if (state_of(w) != SlotState::flushed) continue;
        const char* base = segment.base() + regions[w].offset;
        const auto* stored = reinterpret_cast<const Stored*>(base + slot(w)->result_offset);
        P part = plan.init();
        Codec::load(*stored, part);
        plan.merge(total, std::move(part));
    }
    return plan.finalize(std::move(total));
}

}  // namespace parapipe::detail
