#pragma once
// Mode::processes — a pool of forked workers. The coordinator sends chunk indices (workers
// inherited the input mapping at fork) down one pipe per worker; each worker folds the chunk
// into an empty partial, serializes it (engine/serialize.hpp) and sends it back up its pipe;
// the coordinator hands that worker its next chunk, then decodes the reply straight into the
// total (Plan::merge_serialized: no partial is rebuilt on the coordinator's side). A worker that
// dies mid-chunk, or is stuck on it past the chunk timeout, is replaced and the chunk retried, up
// to RunOptions::max_attempts; stragglers get backups (engine/detail/stragglers.hpp). This mode
// exists to show what serialization costs: nothing here uses shared memory.
#include <poll.h>
#include <signal.h>

#include <algorithm>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include <parapipe/engine/detail/attempts.hpp>
#include <parapipe/engine/detail/chunk_call.hpp>
#include <parapipe/engine/detail/parallel.hpp>
#include <parapipe/engine/detail/pipe_message.hpp>
#include <parapipe/engine/detail/spill_check.hpp>
#include <parapipe/engine/detail/stragglers.hpp>
#include <parapipe/engine/detail/worker_process.hpp>
#include <parapipe/engine/serialize.hpp>

namespace parapipe::detail {

enum class Reply : std::uint8_t { result = 0, error = 1 };

struct ReplyHeader {
    Reply kind;
    std::uint64_t bytes;
};

template <class P, class R>
int process_worker_loop(const Plan<P, R>& plan, int in, int out) {
    if (plan.worker_init) plan.worker_init();
    auto reply = [&](Reply kind, const std::string& payload) {
        ReplyHeader h{kind, payload.size()};
        return write_all(out, &h, sizeof h) && write_all(out, payload.data(), payload.size());
    };
    // One partial and one buffer for every chunk: reset, not rebuilt, so a chunk's table does
    // not grow (rehash, fault in fresh pages) from nothing each time. A huge key is not copied
    // into the buffer: it goes from the table to the pipe (engine/detail/pipe_message.hpp).
    P partial = plan.init();
    Writer w(pipe_borrow_from);
    std::uint64_t chunk;
    while (read_all(in, &chunk, sizeof chunk)) {
        test_hook_chunk_started(chunk);
        try {
            run_chunk(plan, chunk, partial);
        } catch (const std::exception& e) {
            reply(Reply::error, e.what());
            return 3;
        }
        w.clear();
        serialize(w, partial);
        const ReplyHeader h{Reply::result, w.size()};
        if (!write_all(out, &h, sizeof h) || !send_pieces(out, w)) return 0;  // coordinator gone
        if (plan.reset) plan.reset(partial);
        else partial = plan.init();
    }
    return 0;  // pipe closed: no more work
}

template <class P, class R>
R run_processes(const Plan<P, R>& plan, const RunOptions& opt) {
    ignore_sigpipe();
    if (plan.prepare) {
        // Workers are forked: nothing they write reaches the coordinator except their replies.
        RunContext ctx;
        ctx.workers = opt.workers;
        ctx.concurrent = true;
        ctx.forked = true;
        plan.prepare(ctx);
    }

    const std::size_t n = plan.chunk_count;
    std::deque<std::size_t> pending;
    for (std::size_t i = 0; i < n; ++i) pending.push_back(i);
    AttemptLedger ledger(n, opt.max_attempts);
    ChunkClock clock(opt);
    std::vector<char> done(n, 0);       // a result for the chunk was merged
    std::vector<char> backed_up(n, 0);  // a backup was started (once per chunk)
    std::size_t remaining = n;

    Pool pool;
    const std::size_t width = std::min<std::size_t>(std::max(1u, opt.workers), n);
    pool.children.resize(width);
    std::vector<std::ptrdiff_t> busy(width, -1);  // chunk each worker is on
    std::vector<ChunkClock::Clock::time_point> started(width);

    auto spawn = [&](std::size_t w) {
        pool.children[w] = spawn_worker([&](int in, int out) { return process_worker_loop(plan, in, out); });
    };
    auto copies = [&](std::size_t chunk) {
        return static_cast<std::size_t>(std::count(busy.begin(), busy.end(), static_cast<std::ptrdiff_t>(chunk)));
    };
    // Hands `chunk` to worker w, starting a worker in the slot first if it has none.
    auto give = [&](std::size_t w, std::size_t chunk) {
        if (pool.children[w].pid < 0) spawn(w);
        busy[w] = static_cast<std::ptrdiff_t>(chunk);
        started[w] = ChunkClock::Clock::now();
        std::uint64_t c = chunk;
        write_all(pool.children[w].to, &c, sizeof c);  // a dead worker shows up as EOF on its reply pipe
    };
    // Hands the next pending chunk to worker w, if any; otherwise w stays idle (for backups).
    auto feed = [&](std::size_t w) {
        busy[w] = -1;
        if (pending.empty()) return;
        std::size_t chunk = pending.front();
        pending.pop_front();
        give(w, chunk);
    };
    // Worker w is gone (died, or killed as stuck): its chunk counts as an attempt, and is retried
    // unless a backup of it still runs.
    auto lost = [&](std::size_t w, const std::string& how) {
        auto chunk = static_cast<std::size_t>(busy[w]);
        busy[w] = -1;
        ledger.died_on(plan, chunk, how);
        if (!done[chunk] && copies(chunk) == 0) pending.push_front(chunk);
        feed(w);
    };
    auto on_death = [&](std::size_t w) { lost(w, describe_status(close_and_wait(pool.children[w]))); };

    // Workers fold one chunk at a time, so the total in the coordinator is what grows and spills.
    const Spiller<P, R> spill(plan, opt, width + 1);
    P total = plan.init();
    for (std::size_t w = 0; w < width; ++w) spawn(w);
    for (std::size_t w = 0; w < width; ++w) feed(w);

    std::vector<pollfd> fds;
    std::vector<std::size_t> who;
    std::string payload;
    constexpr std::uint64_t stream_from = std::uint64_t{64} << 20;
    while (remaining > 0) {
        check_cancel(opt);
        fds.clear();
        who.clear();
        for (std::size_t w = 0; w < width; ++w) {
            if (busy[w] < 0) continue;
            fds.push_back({pool.children[w].from, POLLIN, 0});
            who.push_back(w);
        }
        if (fds.empty()) throw Error("internal: chunks left but no worker on any");
        if (::poll(fds.data(), fds.size(), 100) > 0) {
            for (std::size_t k = 0; k < fds.size(); ++k) {
                const std::size_t w = who[k];
                if (!(fds[k].revents & (POLLIN | POLLHUP | POLLERR)) || busy[w] < 0) continue;
                ReplyHeader h{};
                if (!read_all(pool.children[w].from, &h, sizeof h)) {
                    on_death(w);
                    continue;
                }
                // A huge reply (one huge key) is decoded into a partial of its own as it arrives,
                // its key read straight into the record that keeps it, and merged once whole: a
                // worker dying mid-reply leaves the total untouched. A smaller one is read whole
                // and decoded into the total, building no partial.
                std::optional<P> streamed;
                if (h.kind == Reply::result && h.bytes >= stream_from) {
                    PipeReader r(pool.children[w].from, h.bytes);
                    try {
                        streamed.emplace(plan.init());
                        deserialize(r, *streamed);
                    } catch (const PipeClosed&) {
                        on_death(w);
                        continue;
                    }
                    if (!r.skip_rest()) {
                        on_death(w);
                        continue;
                    }
                } else {
                    payload.resize(h.bytes);
                    if (!read_all(pool.children[w].from, payload.data(), h.bytes)) {
                        on_death(w);
                        continue;
                    }
                }
                if (h.kind == Reply::error) throw ChunkError(payload);
                const auto chunk = static_cast<std::size_t>(busy[w]);
                clock.finished(ChunkClock::since(started[w]));
                // The worker starts its next chunk while we decode and merge this one.
                feed(w);
                if (done[chunk]) continue;  // a backup's twin won already
                done[chunk] = 1;
                --remaining;
                // First result wins: the other copy of the chunk, if any, is stopped.
                for (std::size_t o = 0; o < width; ++o)
                    if (o != w && busy[o] == static_cast<std::ptrdiff_t>(chunk))
                        kill_and_reap(pool.children[o]), feed(o);
                if (streamed) {
                    plan.merge(total, std::move(*streamed));  // into an empty total: moved, not copied
                } else if (plan.merge_serialized) {
                    plan.merge_serialized(total, payload.data(), payload.size());  // no partial built
                } else {
                    P part = plan.init();
                    Reader r(payload.data(), payload.size());
                    deserialize(r, part);
                    plan.merge(total, std::move(part));
                }
                spill.check(total);
                add_progress(opt, plan.weight(chunk));
            }
        }
        // Stuck workers are killed; their chunks count an attempt.
        for (std::size_t w = 0; w < width; ++w) {
            if (busy[w] < 0 || ChunkClock::since(started[w]) < clock.timeout()) continue;
            kill_and_reap(pool.children[w]);
            clock.count_timeout();
            lost(w, clock.timed_out());
        }
        for (std::size_t w = 0; w < width; ++w)
            if (busy[w] < 0) feed(w);
        // Idle workers back up the longest-running straggler.
        if (!pending.empty()) continue;
        for (std::size_t w = 0; w < width; ++w) {
            if (busy[w] >= 0) continue;
            std::ptrdiff_t best = -1;
            double longest = 0;
            for (std::size_t o = 0; o < width; ++o) {
                if (busy[o] < 0 || backed_up[static_cast<std::size_t>(busy[o])]) continue;
                double t = ChunkClock::since(started[o]);
                if (clock.straggling(t) && t > longest) best = busy[o], longest = t;
            }
            if (best < 0) break;
            backed_up[static_cast<std::size_t>(best)] = 1;
            clock.count_backup();
            give(w, static_cast<std::size_t>(best));
        }
    }
    // Idle workers exit when their pipe closes; one stopped by a signal is woken to do so.
    for (auto& c : pool.children) {
        if (c.pid > 0) ::kill(c.pid, SIGCONT);
        close_and_wait(c);
    }
    // The workers have exited, so TBB may start: the finish (a keyed result's sort) runs on
    // `workers` threads, joined again before returning.
    if (!plan.merge_finalize) return spill.finish_one(std::move(total));
    return with_arena(opt.workers, [&](const Parallelism& par) {
        std::vector<P> parts;
        parts.push_back(std::move(total));
        return spill.finish(std::move(parts), par);
    });
}

}  // namespace parapipe::detail
