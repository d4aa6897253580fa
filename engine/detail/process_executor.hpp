#pragma once
// Mode::processes — a pool of forked workers. The coordinator sends chunk indices (workers
// inherited the input mapping at fork) down one pipe per worker; each worker folds the chunk
// into a fresh partial, serializes it (engine/serialize.hpp) and sends it back up its pipe;
// the coordinator deserializes and merges. A worker that dies mid-chunk is replaced and the
// chunk retried, up to RunOptions::max_attempts. This mode exists to show what serialization
// costs: nothing here uses shared memory.
#include <poll.h>

#include <deque>
#include <memory>
#include <vector>

#include <parapipe/engine/detail/attempts.hpp>
#include <parapipe/engine/detail/chunk_call.hpp>
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
    std::uint64_t chunk;
    while (read_all(in, &chunk, sizeof chunk)) {
        P partial = plan.init();
        try {
            run_chunk(plan, chunk, partial);
        } catch (const std::exception& e) {
            reply(Reply::error, e.what());
            return 3;
        }
        Writer w;
        serialize(w, partial);
        if (!reply(Reply::result, w.buffer())) return 0;  // coordinator gone
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

    Pool pool;
    const std::size_t width = std::min<std::size_t>(std::max(1u, opt.workers), n);
    pool.children.resize(width);
    std::vector<std::ptrdiff_t> busy(width, -1);  // chunk each worker is on

    auto spawn = [&](std::size_t w) {
        pool.children[w] = spawn_worker([&](int in, int out) { return process_worker_loop(plan, in, out); });
    };
    // Hands the next chunk to worker w, or closes its command pipe (it exits) when none is left.
    auto feed = [&](std::size_t w) {
        Child& c = pool.children[w];
        if (pending.empty()) {
            busy[w] = -1;
            close_and_wait(c);
            return;
        }
        std::uint64_t chunk = pending.front();
        pending.pop_front();
        busy[w] = static_cast<std::ptrdiff_t>(chunk);
        write_all(c.to, &chunk, sizeof chunk);  // a dead worker shows up as EOF on its reply pipe
    };
    auto on_death = [&](std::size_t w) {
        int status = close_and_wait(pool.children[w]);
        auto chunk = static_cast<std::size_t>(busy[w]);
        ledger.died_on(plan, chunk, describe_status(status));
        pending.push_front(chunk);
        spawn(w);
        feed(w);
    };

    P total = plan.init();
    for (std::size_t w = 0; w < width; ++w) spawn(w);
    for (std::size_t w = 0; w < width; ++w) feed(w);

    std::vector<pollfd> fds;
    std::vector<std::size_t> who;
    std::string payload;
    for (;;) {
        check_cancel(opt);
        fds.clear();
        who.clear();
        for (std::size_t w = 0; w < width; ++w) {
            if (busy[w] < 0) continue;
            fds.push_back({pool.children[w].from, POLLIN, 0});
            who.push_back(w);
        }
        if (fds.empty()) break;
        if (::poll(fds.data(), fds.size(), 100) <= 0) continue;
        for (std::size_t k = 0; k < fds.size(); ++k) {
            if (!(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            const std::size_t w = who[k];
            ReplyHeader h{};
            if (!read_all(pool.children[w].from, &h, sizeof h)) {
                on_death(w);
                continue;
            }
            payload.resize(h.bytes);
            if (!read_all(pool.children[w].from, payload.data(), h.bytes)) {
                on_death(w);
                continue;
            }
            if (h.kind == Reply::error) throw ChunkError(payload);
            P part = plan.init();
            Reader r(payload.data(), payload.size());
            deserialize(r, part);
            plan.merge(total, std::move(part));
            add_progress(opt, plan.weight(static_cast<std::size_t>(busy[w])));
            feed(w);
        }
    }
    return plan.finalize(std::move(total));
}

}  // namespace parapipe::detail
