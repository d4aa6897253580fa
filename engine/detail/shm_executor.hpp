#pragma once
// Mode::shm — forked workers sharing one Boost.Interprocess segment with the coordinator.
// In the segment: a header, a slot per worker, each worker's share of the chunks (one atomic word
// each: a contiguous range it takes in order before it helps the others, engine/detail/
// chunk_shares.hpp), the owner of every finished chunk, and one region per worker in which the
// worker builds its partial with shm-allocated containers (engine/shm_codec.hpp). Nothing is
// serialized.
// The pages before the regions are reserved when the segment is made; a worker reserves its
// region's pages itself, as its partial needs them, so no SIGBUS can come from a full /dev/shm.
//
// No interprocess mutex is held while working: the shares are atomics, and each region's
// allocator is used by one process only, so a worker killed mid-allocation harms only its
// own region, which is discarded. Faults: a dead worker's unflushed chunks (and the chunk it
// died on, which counts as an attempt) go to a fresh worker. A partial that does not fit its
// region comes serialized down the worker's pipe instead (no chunk runs twice), read by a thread
// per worker so that several decode at once; for a type with no serializer, the region grows once
// every worker has exited (nobody else maps the segment then).
// A big keyed partial (millions of keys) goes as an image of its table's memory into a segment
// of the worker's own, named for the run (SideSegments), which the coordinator copies and removes.
// Stuck workers and stragglers: engine/detail/stragglers.hpp.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <exception>
#include <memory>
#include <optional>
#include <vector>

#include <boost/interprocess/managed_external_buffer.hpp>

#include <parapipe/engine/detail/chunk_call.hpp>
#include <parapipe/engine/detail/chunk_shares.hpp>
#include <parapipe/engine/detail/parallel.hpp>
#include <parapipe/engine/detail/pipe_message.hpp>
#include <parapipe/engine/detail/spill_check.hpp>
#include <parapipe/engine/detail/worker_process.hpp>
#include <parapipe/engine/detail/attempts.hpp>
#include <parapipe/engine/detail/stragglers.hpp>
#include <parapipe/engine/errors.hpp>
#include <parapipe/engine/fork_gate.hpp>
#include <parapipe/engine/serialize.hpp>
#include <parapipe/engine/shm_codec.hpp>
#include <parapipe/shm/segment.hpp>

namespace parapipe::detail {

// superseded: the slot's chunks are carried by another slot (a backup won, or the original died
// while its backup runs); its partial, if any, is ignored.
// piped: the partial did not fit its region and came serialized down the worker's pipe instead,
// so that no finished chunk is run again (issue 13.5: one huge record).
enum class SlotState : int { running = 0, flushed = 1, failed = 2, need_space = 3, superseded = 4, piped = 5 };

struct ShmSlot {
    std::atomic<std::int64_t> current{-1};  // chunk being worked on
    std::atomic<std::int64_t> started_ns{0};  // steady clock when it started (system-wide monotonic)
    std::atomic<std::uint64_t> finished{0};   // chunks done by this worker; the latest took...
    std::atomic<std::uint64_t> recent_ns[32] = {};  // ...recent_ns[(finished - 1) % 32]
    std::atomic<int> state{0};
    std::uint64_t result_offset = 0;        // stored partial, from the region's start
    char error[1024] = {};
};

struct ShmHeader {
    std::atomic<std::uint64_t> progress{0};  // weight of chunks done
    std::atomic<int> stop{0};                // set on the first error: everyone stops
};
static_assert(ChunkShares::Word::is_always_lock_free, "the shares of the chunks need lock-free atomics");

struct ShmRegion {
    std::size_t offset = 0;
    std::size_t bytes = 0;
};

inline std::size_t align_up(std::size_t v, std::size_t a) { return (v + a - 1) / a * a; }

/// Where things are in the segment: header | slots | shares | owner of each chunk | one region per
/// slot.
/// Offsets, not pointers: they stay valid when the segment grows and moves.
struct ShmLayout {
    std::size_t chunks = 0, width = 0, slots = 0, spare = 0, backup = 0;
    std::size_t slots_at = 0, shares_at = 0, owners_at = 0, regions_at = 0, end = 0;
    std::size_t region0 = 0;
    std::vector<ShmRegion> regions;

    ShmLayout(std::size_t n, const RunOptions& opt) : chunks(n) {
        constexpr std::size_t page = 4096;
        width = std::max<std::size_t>(1, std::min<std::size_t>(std::max(1u, opt.workers), n));
        // One spare slot picks up chunks claimed from the shares by a worker that died before it
        // could record the claim.
        slots = width + 2;
        spare = width;
        // And one slot runs a backup of a straggler (engine/detail/stragglers.hpp): its region is
        // laid out now, as the segment cannot grow while workers run.
        backup = width + 1;
        region0 = opt.shm_region_bytes ? opt.shm_region_bytes : (std::size_t{16} << 20);
        slots_at = align_up(sizeof(ShmHeader), 64);
        shares_at = align_up(slots_at + slots * sizeof(ShmSlot), 64);
        owners_at = align_up(shares_at + width * sizeof(ChunkShares::Word), 64);
        end = regions_at = align_up(owners_at + n * sizeof(std::atomic<std::int32_t>), page);
        regions.resize(slots);
        for (std::size_t w = 0; w < width; ++w) regions[w] = {end, region0}, end += region0;
        const std::size_t backup_bytes = opt.backups && width > 1 ? region0 : 0;
        regions[backup] = {end, backup_bytes}, end += backup_bytes;
        regions[spare] = {end, 0};  // sized when first needed
    }
};

/// Segments of the run's workers' own (a big keyed partial's image, engine/reduce/
/// string_table_codec.hpp): their name prefix is set for the workers to inherit, and whatever
/// the coordinator did not load and remove (a failed run, a superseded worker) goes when the
/// run ends, after every worker is dead.
class SideSegments {
public:
    explicit SideSegments(const shm::Segment& main) : prefix_(main.name() + "-side-") { shm_side_prefix = prefix_; }
    ~SideSegments() {
        shm_side_prefix.clear();
        shm::Segment::remove_named(prefix_);
    }
    SideSegments(const SideSegments&) = delete;
    SideSegments& operator=(const SideSegments&) = delete;

private:
    std::string prefix_;
};

/// One run in Mode::shm: the segment, the workers, and the coordinator's bookkeeping.
template <class P, class R>
class ShmRun {
    using Codec = ShmCodec<P>;
    using Stored = typename Codec::stored;

public:
    ShmRun(const Plan<P, R>& plan, const RunOptions& opt)
        : plan_(plan), opt_(opt), n_(plan.chunk_count), layout_(n_, opt),
          segment_(layout_.end, layout_.regions_at), sides_(segment_),
          ledger_(n_, opt.max_attempts), clock_(opt), redo_(layout_.slots), idle_deaths_(layout_.slots, 0),
          alive_(layout_.slots, false), piped_(layout_.slots), timed_out_(layout_.slots, false),
          seen_(layout_.slots, 0), backed_up_(n_, 0), spill_(plan, opt, layout_.width + 1), pid_of_(layout_.slots, -1),
          receivers_(layout_.slots) {
        if (::pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) throw Error("cannot create a pipe for the shm coordinator");
        new (header()) ShmHeader();
        for (std::size_t w = 0; w < layout_.slots; ++w) new (slot(w)) ShmSlot();
        for (std::size_t w = 0; w < layout_.width; ++w) new (share_words() + w) ChunkShares::Word(0);
        ChunkShares(share_words(), layout_.width, n_);  // deals each worker its share
        for (std::size_t c = 0; c < n_; ++c) new (owner(c)) std::atomic<std::int32_t>(-1);
    }

    ShmRun(const ShmRun&) = delete;
    ShmRun& operator=(const ShmRun&) = delete;

    /// A run that ends early (an error, a signal) may leave receivers reading: their workers are
    /// killed, which ends the reads, before the threads are joined.
    ~ShmRun() {
        for (std::size_t w = 0; w < receivers_.size(); ++w)
            if (receivers_[w] && !receivers_[w]->joined) ::kill(pool_.children[w].pid, SIGKILL);
        join_receivers();
        ::close(wake_[0]);
        ::close(wake_[1]);
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
            watch();
        }
        report();
        return collect();
    }

private:
    // ---- the segment ----------------------------------------------------------------------
    ShmHeader* header() { return reinterpret_cast<ShmHeader*>(segment_.base()); }
    ShmSlot* slot(std::size_t w) { return reinterpret_cast<ShmSlot*>(segment_.base() + layout_.slots_at) + w; }
    ChunkShares::Word* share_words() {
        return reinterpret_cast<ChunkShares::Word*>(segment_.base() + layout_.shares_at);
    }
    // Made again at each use: the segment may have moved since (it grows).
    ChunkShares shares() { return ChunkShares::attach(share_words(), layout_.width); }
    std::atomic<std::int32_t>* owner(std::size_t c) {
        return reinterpret_cast<std::atomic<std::int32_t>*>(segment_.base() + layout_.owners_at) + c;
    }
    static std::int64_t now_ns() {
        return std::chrono::duration_cast<std::chrono::nanoseconds>(ChunkClock::Clock::now().time_since_epoch())
            .count();
    }
    void set_state(std::size_t w, SlotState st) { slot(w)->state.store(static_cast<int>(st)); }
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
    int worker(std::size_t w, int out) {
        namespace bip = boost::interprocess;
        if (plan_.worker_init) plan_.worker_init();
        ShmHeader* h = header();
        ShmSlot* s = slot(w);
        P partial = plan_.init();
        const bool backup = w == layout_.backup;  // redoes another slot's chunks: owns and reports nothing
        auto process = [&](std::size_t c) -> bool {
            const std::int64_t t0 = now_ns();
            s->started_ns.store(t0);
            s->current.store(static_cast<std::int64_t>(c));
            test_hook_chunk_started(c);
            try {
                run_chunk(plan_, c, partial);
                spill_.check(partial);  // its runs are named by this process: dropped if the slot's partial is not used
            } catch (const std::exception& e) {
                std::strncpy(s->error, e.what(), sizeof s->error - 1);
                s->state.store(static_cast<int>(SlotState::failed));
                h->stop.store(1);
                return false;
            }
            if (!backup) {
                owner(c)->store(static_cast<std::int32_t>(w));
                const std::uint64_t k = s->finished.load(std::memory_order_relaxed);
                s->recent_ns[k % 32].store(static_cast<std::uint64_t>(now_ns() - t0), std::memory_order_relaxed);
                s->finished.store(k + 1, std::memory_order_release);
                h->progress.fetch_add(plan_.weight(c), std::memory_order_relaxed);
            }
            s->current.store(-1);
            return true;
        };
        for (std::size_t c : redo_[w]) {
            if (h->stop.load()) return 0;
            if (!process(c)) return 3;
        }
        // Then its share, and the others' (the spare, which has no share, takes from theirs). A
        // backup takes none: it only redoes the straggler's chunks.
        ChunkShares my_shares = shares();
        while (!backup) {
            if (h->stop.load()) return 0;
            const std::optional<std::size_t> c = my_shares.next(w);
            if (!c) break;
            if (!process(*c)) return 3;
        }
        // Build the partial in this worker's own region: its allocator lock is never shared.
        // The region's pages are reserved here, as the partial needs them: 1 MiB, then twice as
        // much up to the whole region, building again each time. Reserving every region up
        // front cost the coordinator 6.5 ms per 16 MiB before any worker started, and a big
        // table uses next to none of its region (it goes to a segment of its own).
        const ShmRegion& mine = layout_.regions[w];
        char* base = segment_.base() + mine.offset;
        for (std::size_t part = std::min(first_reservation, mine.bytes);; part = std::min(part * 2, mine.bytes)) {
            if (!segment_.reserve(mine.offset, part)) break;  // /dev/shm is full: down the pipe
            try {
                bip::managed_external_buffer region(bip::create_only, base, part);
                shm::VoidAlloc alloc(region.get_segment_manager());
                Stored* stored = region.construct<Stored>(bip::anonymous_instance)(Codec::make(alloc));
                Codec::store(partial, *stored, alloc);
                s->result_offset = static_cast<std::uint64_t>(reinterpret_cast<char*>(stored) - base);
                s->state.store(static_cast<int>(SlotState::flushed));
                shm_side_undo.clear();
                return 0;
            } catch (const bip::bad_alloc&) {
            } catch (const bip::interprocess_exception&) {  // too small to even start
            }
            undo_side_stores();
            if (part == mine.bytes) break;
        }
        return too_big(s, partial, out);
    }

    static constexpr std::size_t first_reservation = std::size_t{1} << 20;

    // A partial too big for its region goes down the pipe, serialized: growing the region would
    // mean running every chunk of this worker again. Types without a serializer wait for growth.
    // It goes as it is serialized, and gives its memory back as it goes (serialize_consuming):
    // the message is never held whole, and the partial shrinks while the coordinator's copy of
    // it grows (20M distinct words: 2 workers held 560 MiB each at the handover, now about
    // 390 MiB, falling). Its size goes first, counted by a pass that copies nothing.
    int too_big(ShmSlot* s, P& partial, int out) {
        if constexpr (Serializable<P>) {
            std::uint64_t bytes = 0;
            Writer count = Writer::streaming([&](const char*, std::size_t n) {
                bytes += n;
                return true;
            }, 0);
            serialize(count, partial);
            count.finish();
            s->state.store(static_cast<int>(SlotState::piped));
            if (!write_all(out, &bytes, sizeof bytes)) return 1;
            // A span of pipe_borrow_from bytes or more (a huge key) goes from the table to the pipe.
            Writer wr = Writer::streaming([&](const char* p, std::size_t n) { return write_all(out, p, n); },
                                          pipe_borrow_from);
            serialize_consuming(wr, partial);
            if (!wr.finish()) return 1;
        } else {
            s->state.store(static_cast<int>(SlotState::need_space));
        }
        return 0;
    }

    /// Reads a piped partial before the worker is reaped (it cannot exit until it is read).
    /// False if the worker died before sending all of it.
    bool receive_piped(std::size_t w) {
        if constexpr (Serializable<P>) {
            std::uint64_t bytes = 0;
            if (!read_all(pool_.children[w].from, &bytes, sizeof bytes)) return false;
            // Decoded as it arrives, while the worker still writes: never held whole here.
            P part = plan_.init();
            PipeReader r(pool_.children[w].from, bytes);
            try {
                deserialize(r, part);
            } catch (const PipeClosed&) {
                return false;
            }
            if (!r.skip_rest()) return false;
            piped_[w] = std::move(part);
            return true;
        } else {
            return false;
        }
    }

    bool stored(std::size_t w) { return state_of(w) == SlotState::flushed || state_of(w) == SlotState::piped; }

    // ---- receivers: a thread per piped partial ------------------------------------------------
    // Decoding a partial of millions of keys keeps one core busy for seconds while its worker
    // waits on the pipe (20M distinct words, 2 workers: 3 s each, one after the other). A thread
    // per piped worker decodes them at once. Receivers touch only piped_[w] and their own state;
    // every one is joined before the coordinator forks again (spawn) and before the run ends.
    struct Receiver {
        ForkGate::Thread thread;
        std::atomic<bool> done{false};
        bool joined = false;
        bool ok = false;
        std::exception_ptr error;
    };

    void start_receiving(std::size_t w) {
        receivers_[w] = std::make_unique<Receiver>();
        Receiver* r = receivers_[w].get();
        r->thread = ForkGate::Thread([this, w, r](ForkGate::Pass&) {
            try {
                r->ok = receive_piped(w);
            } catch (...) {
                r->error = std::current_exception();
            }
            r->done.store(true, std::memory_order_release);
            const char byte = 1;
            [[maybe_unused]] auto n = ::write(wake_[1], &byte, 1);  // full pipe: a wake is pending anyway
        });
    }

    void join_receivers() {
        for (auto& r : receivers_)
            if (r && !r->joined) r->thread.join(), r->joined = true;
    }

    // ---- the coordinator --------------------------------------------------------------------
    // Every chunk in a redo list is owned by its slot first, so a second death still finds it.
    void spawn(std::size_t w) {
        join_receivers();  // a thread must not be running at a fork (engine/fork_gate.hpp)
        if (w != layout_.backup)
            for (std::size_t c : redo_[w]) owner(c)->store(static_cast<std::int32_t>(w));
        ShmSlot* s = slot(w);
        s->current.store(-1);
        s->finished.store(0);
        seen_[w] = 0;
        s->state.store(static_cast<int>(SlotState::running));
        s->result_offset = 0;
        piped_[w].reset();
        pool_.children[w] = spawn_worker([this, w](int, int out) { return worker(w, out); });
        pid_of_[w] = pool_.children[w].pid;
        spawned_.push_back(pid_of_[w]);
        alive_[w] = true;
        timed_out_[w] = false;
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
            if (stored(spare))
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

    /// Waits a little for workers to exit or for receivers to finish, and deals with each that
    /// did. A worker whose partial comes down its pipe gets a receiver; its exit is dealt with
    /// once the receiver is done.
    void wait_for_exits() {
        fds_.clear();
        who_.clear();
        bool receiving = false;
        for (std::size_t w = 0; w < layout_.slots; ++w) {
            if (receivers_[w]) receiving = true;
            else if (alive_[w]) fds_.push_back({pool_.children[w].from, POLLIN, 0}), who_.push_back(w);
        }
        if (fds_.empty() && !receiving) return;
        fds_.push_back({wake_[0], POLLIN, 0});
        if (::poll(fds_.data(), fds_.size(), 50) <= 0) return;
        if (fds_.back().revents & POLLIN) {
            char sink[64];
            while (::read(wake_[0], sink, sizeof sink) > 0) {
            }
        }
        for (std::size_t k = 0; k < who_.size(); ++k) {
            const std::size_t w = who_[k];
            if (!(fds_[k].revents & (POLLIN | POLLHUP | POLLERR)) || !alive_[w]) continue;
            if (state_of(w) == SlotState::piped) start_receiving(w);
            else on_exit(w);
        }
        for (std::size_t w = 0; w < layout_.slots; ++w)
            if (receivers_[w] && receivers_[w]->done.load(std::memory_order_acquire)) on_exit(w);
    }

    /// Times the chunks: kills a worker stuck on one past the timeout (its exit then counts the
    /// attempt), and once the shares are drained and a core is idle, backs up the longest straggler.
    void watch() {
        for (std::size_t w = 0; w < layout_.slots; ++w) {
            const std::uint64_t k = slot(w)->finished.load(std::memory_order_acquire);
            for (std::uint64_t i = std::max(seen_[w], k < 32 ? 0 : k - 32); i < k; ++i)
                clock_.finished(static_cast<double>(slot(w)->recent_ns[i % 32].load()) / 1e9);
            seen_[w] = k;
        }
        const std::int64_t now = now_ns();
        auto elapsed = [&](std::size_t w) { return static_cast<double>(now - slot(w)->started_ns.load()) / 1e9; };
        std::size_t running = 0;
        for (std::size_t w = 0; w < layout_.slots; ++w) {
            if (!alive_[w]) continue;
            ++running;
            if (slot(w)->current.load() < 0 || timed_out_[w] || elapsed(w) < clock_.timeout()) continue;
            timed_out_[w] = true;
            clock_.count_timeout();
            ::kill(pool_.children[w].pid, SIGKILL);
        }
        if (backup_for_ >= 0 || layout_.regions[layout_.backup].bytes == 0 || running >= layout_.width ||
            !shares().drained() || header()->stop.load())
            return;
        std::ptrdiff_t best = -1;
        double longest = 0;
        for (std::size_t w = 0; w < layout_.slots; ++w) {
            std::int64_t c = slot(w)->current.load();
            if (!alive_[w] || w == layout_.backup || c < 0 || backed_up_[static_cast<std::size_t>(c)]) continue;
            if (double t = elapsed(w); clock_.straggling(t) && t > longest)
                best = static_cast<std::ptrdiff_t>(w), longest = t;
        }
        if (best < 0) return;
        const auto o = static_cast<std::size_t>(best);
        const auto c = static_cast<std::size_t>(slot(o)->current.load());
        // The backup redoes every chunk the straggler holds: its partial replaces the straggler's.
        std::vector<std::size_t> redo = owned_by(o);
        if (std::find(redo.begin(), redo.end(), c) == redo.end()) redo.push_back(c);
        backed_up_[c] = 1;
        backup_for_ = best;
        clock_.count_backup();
        redo_[layout_.backup] = std::move(redo);
        spawn(layout_.backup);
    }

    /// The first of a straggler and its backup to flush wins; the other is stopped and ignored.
    void supersede(std::size_t w) {
        if (receivers_[w]) {  // its read ends once the worker is dead; then its pipe may close
            ::kill(pool_.children[w].pid, SIGKILL);
            if (!receivers_[w]->joined) receivers_[w]->thread.join();
            receivers_[w].reset();
        }
        if (alive_[w]) kill_and_reap(pool_.children[w]), alive_[w] = false;
        set_state(w, SlotState::superseded);
    }

    void backup_exited(std::size_t b, int status) {
        const auto o = static_cast<std::size_t>(backup_for_);
        backup_for_ = -1;
        if (stored(b)) {
            supersede(o);
            // Its chunks are in the backup's partial: none may look unclaimed and be run again.
            for (std::size_t c : redo_[b]) owner(c)->store(static_cast<std::int32_t>(o));
            return;
        }
        // The backup died or its partial did not fit: the straggler keeps its chunks.
        if (std::int64_t cur = slot(b)->current.load(); cur >= 0 && state_of(b) == SlotState::running &&
                                                          !header()->stop.load())
            ledger_.died_on(plan_, static_cast<std::size_t>(cur), how(b, status));
        set_state(b, SlotState::superseded);
        if (state_of(o) == SlotState::superseded) {  // it died meanwhile: its chunks start again
            redo_[o] = owned_by(o);
            spawn(o);
        }
    }

    std::string how(std::size_t w, int status) const {
        return timed_out_[w] ? clock_.timed_out() : describe_status(status);
    }

    void on_exit(std::size_t w) {
        if (receivers_[w]) {
            const std::unique_ptr<Receiver> r = std::move(receivers_[w]);
            if (!r->joined) r->thread.join();
            if (r->error) std::rethrow_exception(r->error);
            if (!r->ok) set_state(w, SlotState::running);  // died sending
        } else if (state_of(w) == SlotState::piped && !receive_piped(w)) {
            set_state(w, SlotState::running);  // died sending
        }
        int status = close_and_wait(pool_.children[w]);
        alive_[w] = false;
        ShmSlot* s = slot(w);
        if (state_of(w) == SlotState::failed) throw ChunkError(s->error);
        if (w == layout_.backup) return backup_exited(w, status);
        if (backup_for_ == static_cast<std::ptrdiff_t>(w) && stored(w)) {
            backup_for_ = -1;
            supersede(layout_.backup);
            return;
        }
        if (state_of(w) != SlotState::running) return;  // flushed, or waits for growth
        if (header()->stop.load()) return;              // stopped: another worker failed
        // Died while working: the chunk it was on counts as an attempt.
        if (std::int64_t cur = s->current.load(); cur >= 0) {
            auto c = static_cast<std::size_t>(cur);
            ledger_.died_on(plan_, c, how(w, status));
            owner(c)->store(static_cast<std::int32_t>(w));
        } else {
            ledger_.died_idle(idle_deaths_[w], how(w, status), "storing its partial");
        }
        if (backup_for_ == static_cast<std::ptrdiff_t>(w)) {  // its backup carries its chunks now
            set_state(w, SlotState::superseded);
            return;
        }
        redo_[w] = owned_by(w);
        spawn(w);
    }

    /// Reads every flushed partial in place and merges them. Every worker has exited, so TBB
    /// may start: the partials load from the segment in parallel and merge with the plan's
    /// merge_finalize (a keyed reduction: partition by partition), on opt.workers threads.
    R collect() {
        std::vector<P> parts;
        std::vector<const Stored*> stored;
        // Spilled runs count only from the workers whose partial is used here.
        std::vector<pid_t> used;
        for (std::size_t w = 0; w < layout_.slots; ++w)
            if (state_of(w) == SlotState::piped || state_of(w) == SlotState::flushed) used.push_back(pid_of_[w]);
        for (pid_t pid : spawned_)
            if (std::find(used.begin(), used.end(), pid) == used.end()) spill_.drop(pid);
        for (std::size_t w = 0; w < layout_.slots; ++w) {
            if (state_of(w) == SlotState::piped) {
                parts.push_back(std::move(*piped_[w]));
                continue;
            }
            if (state_of(w) != SlotState::flushed) continue;
            const char* base = segment_.base() + layout_.regions[w].offset;
            stored.push_back(reinterpret_cast<const Stored*>(base + slot(w)->result_offset));
        }
        auto load_and_finish = [&](const Parallelism& par) {
            const std::size_t first = parts.size();
            for (std::size_t i = 0; i < stored.size(); ++i) parts.push_back(plan_.init());
            parallel_for_n(stored.size(), par, [&](std::size_t i) { Codec::load(*stored[i], parts[first + i]); });
            return spill_.finish(std::move(parts), par);
        };
        if (!plan_.merge_finalize) return load_and_finish(Parallelism{1});
        return with_arena(opt_.workers, load_and_finish);
    }

    const Plan<P, R>& plan_;
    const RunOptions& opt_;
    const std::size_t n_;
    ShmLayout layout_;
    shm::Segment segment_;
    SideSegments sides_;  // before the pool: removed once the workers are dead
    std::vector<std::unique_ptr<shm::Segment>> extras_;
    AttemptLedger ledger_;
    ChunkClock clock_;
    std::vector<std::vector<std::size_t>> redo_;
    std::vector<std::size_t> idle_deaths_;  // deaths with no chunk in hand (e.g. while storing)
    std::vector<bool> alive_;
    std::vector<std::optional<P>> piped_;  // partials that came down the pipe
    std::vector<bool> timed_out_;         // killed by watch(): its exit reads "timed out"
    std::vector<std::uint64_t> seen_;     // chunks of each slot whose time is in clock_
    std::vector<char> backed_up_;         // chunk had a backup (at most one each)
    std::ptrdiff_t backup_for_ = -1;      // slot the running backup stands in for
    Spiller<P, R> spill_;                 // before the pool: the folder outlives the workers
    std::vector<pid_t> pid_of_;           // the worker each slot runs now
    std::vector<pid_t> spawned_;          // every worker started
    Pool pool_;  // after the segments: destroyed first, so workers die before their segment goes
    std::vector<std::unique_ptr<Receiver>> receivers_;  // of piped partials, by slot
    int wake_[2] = {-1, -1};                              // a receiver that is done writes a byte
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
