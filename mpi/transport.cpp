// parapipe::mpi — the MPI transport behind Mode::mpi (engine/mpi_transport.hpp), on Open MPI.
//
// How data moves in one run:
//   1. Chunks: a counter on rank 0 (an MPI window) hands out chunk indices one at a time with
//      MPI_Fetch_and_op, so a slow rank simply takes fewer chunks. Every rank reads its chunks
//      from the shared file system itself: no input crosses the network.
//   2. Failures: a rank whose chunk fails pushes the counter past the last chunk, so the others
//      stop taking chunks; every rank reports ok / failed after its last chunk (MPI_Allgather);
//      the first failing rank's message travels to rank 0, which throws it; the others exit.
//   3. Keyed partials: each rank splits its partial by key hash into one piece per rank, sizes
//      go out with MPI_Alltoall, the pieces point to point; each rank merges the keys it owns,
//      then sends its share to rank 0. Other partials: a binomial tree towards rank 0.
//   4. Under a memory limit, when any rank spilled sorted runs: no exchange; every rank spills
//      the rest of its keys, and the runs stream to rank 0 in pieces of a few MiB, which writes
//      them into its own spill folder and merges them all (the partials keep only counters).
// Blobs travel in pieces of at most 1 GiB, below the int counts of MPI calls.
#include <fcntl.h>
#include <mpi.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

#include <parapipe/engine/errors.hpp>
#include <parapipe/engine/mpi_transport.hpp>

namespace parapipe::mpi {

namespace {

constexpr std::size_t piece_bytes = std::size_t{1} << 30;
constexpr int tag_size = 1, tag_data = 2, tag_message = 3, tag_exchange = 4, tag_runs = 5;

void check(int rc, const char* what) {
    if (rc != MPI_SUCCESS) {
        char text[MPI_MAX_ERROR_STRING];
        int len = 0;
        MPI_Error_string(rc, text, &len);
        throw Error(std::string("MPI ") + what + " failed: " + std::string(text, static_cast<std::size_t>(len)));
    }
}

void finalize_at_exit() {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Finalize();
}

class OpenMpiTransport final : public detail::MpiTransport {
public:
    int rank() override {
        start();
        return rank_;
    }
    int size() override {
        start();
        return size_;
    }
    MpiStats run(detail::MpiJob& job) override;

private:
    void start();
    void send_blob(const std::string& blob, int to);
    std::string recv_blob(int from);
    std::uint64_t exchange(std::vector<std::string>& parts);
    void settle(int status, std::string message, detail::MpiJob& job);
    std::uint64_t gather_runs(detail::MpiJob& job);

    bool started_ = false;
    int rank_ = 0;
    int size_ = 1;
    MPI_Comm comm_ = MPI_COMM_NULL;
};

void OpenMpiTransport::start() {
    if (started_) return;
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (!initialized) {
        int provided = 0;
        // Chunk requests come from whichever TBB thread runs the serial stage, one at a time.
        check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided), "init");
        std::atexit(finalize_at_exit);
        if (provided < MPI_THREAD_SERIALIZED) throw Error("the MPI library does not support MPI_THREAD_SERIALIZED");
    }
    check(MPI_Comm_dup(MPI_COMM_WORLD, &comm_), "comm_dup");
    MPI_Comm_rank(comm_, &rank_);
    MPI_Comm_size(comm_, &size_);
    started_ = true;
    if (rank_ != 0) {
        // Rank 0 alone writes standard output; what the same program prints elsewhere is dropped.
        std::fflush(stdout);
        int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (null >= 0) {
            ::dup2(null, STDOUT_FILENO);
            ::close(null);
        }
    }
}

void OpenMpiTransport::send_blob(const std::string& blob, int to) {
    const std::uint64_t n = blob.size();
    check(MPI_Send(&n, 1, MPI_UINT64_T, to, tag_size, comm_), "send");
    for (std::size_t at = 0; at < blob.size(); at += piece_bytes) {
        const int len = static_cast<int>(std::min(piece_bytes, blob.size() - at));
        check(MPI_Send(blob.data() + at, len, MPI_BYTE, to, tag_data, comm_), "send");
    }
}

std::string OpenMpiTransport::recv_blob(int from) {
    std::uint64_t n = 0;
    check(MPI_Recv(&n, 1, MPI_UINT64_T, from, tag_size, comm_, MPI_STATUS_IGNORE), "recv");
    std::string blob(n, '\0');
    for (std::size_t at = 0; at < blob.size(); at += piece_bytes) {
        const int len = static_cast<int>(std::min(piece_bytes, blob.size() - at));
        check(MPI_Recv(blob.data() + at, len, MPI_BYTE, from, tag_data, comm_, MPI_STATUS_IGNORE), "recv");
    }
    return blob;
}

// The all-to-all of keyed pieces: parts[i] goes to rank i; afterwards parts[i] holds what rank
// i sent here. Sizes first (MPI_Alltoall), then every piece point to point, all in flight at
// once. Returns the bytes this rank sent to other ranks.
std::uint64_t OpenMpiTransport::exchange(std::vector<std::string>& parts) {
    const auto n = static_cast<std::size_t>(size_);
    std::vector<std::uint64_t> send_sizes(n), recv_sizes(n);
    for (std::size_t i = 0; i < n; ++i) send_sizes[i] = parts[i].size();
    check(MPI_Alltoall(send_sizes.data(), 1, MPI_UINT64_T, recv_sizes.data(), 1, MPI_UINT64_T, comm_), "alltoall");
    std::vector<std::string> received(n);
    std::vector<MPI_Request> requests;
    std::uint64_t sent = 0;
    for (std::size_t peer = 0; peer < n; ++peer) {
        if (static_cast<int>(peer) == rank_) continue;
        received[peer].resize(recv_sizes[peer]);
        for (std::size_t at = 0; at < recv_sizes[peer]; at += piece_bytes) {
            requests.emplace_back();
            const int len = static_cast<int>(std::min<std::uint64_t>(piece_bytes, recv_sizes[peer] - at));
            check(MPI_Irecv(received[peer].data() + at, len, MPI_BYTE, static_cast<int>(peer), tag_exchange, comm_,
                            &requests.back()),
                  "irecv");
        }
        for (std::size_t at = 0; at < parts[peer].size(); at += piece_bytes) {
            requests.emplace_back();
            const int len = static_cast<int>(std::min(piece_bytes, parts[peer].size() - at));
            check(MPI_Isend(parts[peer].data() + at, len, MPI_BYTE, static_cast<int>(peer), tag_exchange, comm_,
                            &requests.back()),
                  "isend");
        }
        sent += parts[peer].size();
    }
    check(MPI_Waitall(static_cast<int>(requests.size()), requests.data(), MPI_STATUSES_IGNORE), "waitall");
    received[static_cast<std::size_t>(rank_)] = std::move(parts[static_cast<std::size_t>(rank_)]);
    parts = std::move(received);
    return sent;
}

// Every rank reports ok (0) or failed (1, or 128 + signal) with a message. On a failure rank 0
// throws the first one; the other ranks remove what they wrote to disk and leave quietly (rank 0
// says it).
void OpenMpiTransport::settle(int status, std::string message, detail::MpiJob& job) {
    std::vector<int> statuses(static_cast<std::size_t>(size_));
    check(MPI_Allgather(&status, 1, MPI_INT, statuses.data(), 1, MPI_INT, comm_), "allgather");
    const auto failed = std::find_if(statuses.begin(), statuses.end(), [](int s) { return s != 0; });
    if (failed == statuses.end()) return;
    const int first = static_cast<int>(failed - statuses.begin());
    if (first != 0 && rank_ == first) send_blob(message, 0);
    if (rank_ == 0) {
        if (first != 0) message = recv_blob(first);
        if (*failed > 128 && first == 0) throw Interrupted(*failed - 128);
        throw ChunkError("rank " + std::to_string(first) + ": " + message);
    }
    if (job.discard) job.discard();
    std::fflush(nullptr);
    std::exit(*failed > 128 ? *failed : 1);  // atexit: MPI_Finalize, which rank 0 reaches too
}

// The spilled runs of ranks 1.. to rank 0, one rank after another, each piece as a header
// {bytes, flags} and its bytes: never a whole run in memory on either side. A failure on either
// side (a run that cannot be read, rank 0's folder full) does not stop the protocol: the sender
// reports it in place of its next piece, rank 0 drops what comes after its own failure; then
// rank 0 tells every rank whether the run failed (settle). Returns the run bytes this rank sent.
std::uint64_t OpenMpiTransport::gather_runs(detail::MpiJob& job) {
    enum : std::uint64_t { last_piece = 1, no_more = 2, failed = 4 };
    if (rank_ != 0) {
        std::string message;
        std::uint64_t sent = 0;
        try {
            if (job.send_runs)
                job.send_runs([&](const char* data, std::size_t size, bool last) {
                    const std::uint64_t head[2] = {size, last ? std::uint64_t{last_piece} : 0};
                    check(MPI_Send(head, 2, MPI_UINT64_T, 0, tag_runs, comm_), "send");
                    if (size > 0) check(MPI_Send(data, static_cast<int>(size), MPI_BYTE, 0, tag_runs, comm_), "send");
                    sent += size;
                });
        } catch (const std::exception& e) {
            message = e.what();
        }
        const std::uint64_t head[2] = {message.size(), message.empty() ? std::uint64_t{no_more} : std::uint64_t{failed}};
        check(MPI_Send(head, 2, MPI_UINT64_T, 0, tag_runs, comm_), "send");
        if (!message.empty())
            check(MPI_Send(message.data(), static_cast<int>(message.size()), MPI_BYTE, 0, tag_runs, comm_), "send");
        settle(0, {}, job);  // rank 0 reports the failure, if any
        return sent;
    }
    int status = 0;
    std::string message, piece;
    for (int from = 1; from < size_; ++from) {
        for (;;) {
            std::uint64_t head[2] = {0, 0};
            check(MPI_Recv(head, 2, MPI_UINT64_T, from, tag_runs, comm_, MPI_STATUS_IGNORE), "recv");
            piece.resize(head[0]);
            if (head[0] > 0)
                check(MPI_Recv(piece.data(), static_cast<int>(head[0]), MPI_BYTE, from, tag_runs, comm_, MPI_STATUS_IGNORE),
                      "recv");
            if (head[1] & no_more) break;
            if (head[1] & failed) {
                if (status == 0) message = "rank " + std::to_string(from) + ": " + piece;
                status = 1;
                break;
            }
            if (status != 0) continue;
            try {
                if (!job.receive_run) throw Error("a rank spilled, and rank 0 cannot (the ranks run different programs)");
                job.receive_run(piece.data(), piece.size(), (head[1] & last_piece) != 0);
            } catch (const std::exception& e) {
                status = 1;
                message = e.what();
            }
        }
    }
    std::string().swap(piece);
    if (status == 0) {
        settle(0, {}, job);
        return 0;
    }
    // Rank 0 failed, as settle reports it (the message names the rank that failed, or the folder).
    std::vector<int> statuses(static_cast<std::size_t>(size_));
    check(MPI_Allgather(&status, 1, MPI_INT, statuses.data(), 1, MPI_INT, comm_), "allgather");
    throw Error(message);
}

MpiStats OpenMpiTransport::run(detail::MpiJob& job) {
    start();
    // Chunk counts must agree; a stage whose input is a previous result (range(result)) has
    // it on rank 0 only, and then runs there alone.
    const std::uint64_t chunks = job.chunk_count;
    std::uint64_t bounds[2] = {chunks, ~chunks}, agreed[2] = {0, 0};
    check(MPI_Allreduce(bounds, agreed, 2, MPI_UINT64_T, MPI_MAX, comm_), "allreduce");
    const bool rank0_alone = agreed[0] != ~agreed[1];

    // The shared chunk counter lives in rank 0's window.
    std::uint64_t* counter = nullptr;
    MPI_Win win = MPI_WIN_NULL;
    check(MPI_Win_allocate(rank_ == 0 ? sizeof(std::uint64_t) : 0, sizeof(std::uint64_t), MPI_INFO_NULL, comm_,
                           &counter, &win),
          "win_allocate");
    if (rank_ == 0) {
        MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, win);
        *counter = 0;
        MPI_Win_unlock(0, win);
    }
    check(MPI_Barrier(comm_), "barrier");
    MPI_Win_lock_all(0, win);

    // Test hook (tests/mpi): this rank dies as it asks for its first chunk, as a crashed rank would.
    const char* kill_rank = std::getenv("PARAPIPE_TEST_MPI_KILL_RANK");
    const bool die = kill_rank && std::atoi(kill_rank) == rank_;
    std::uint64_t ran = 0, local_next = 0;
    const std::uint64_t one = 1;
    auto next = [&]() -> std::size_t {
        if (die) ::raise(SIGKILL);
        std::uint64_t got = chunks;
        if (rank0_alone) {
            got = rank_ == 0 ? local_next++ : chunks;
        } else {
            check(MPI_Fetch_and_op(&one, &got, MPI_UINT64_T, 0, 0, MPI_SUM, win), "fetch_and_op");
            check(MPI_Win_flush(0, win), "win_flush");
        }
        if (got >= chunks) return static_cast<std::size_t>(chunks);
        ++ran;
        return static_cast<std::size_t>(got);
    };
    int status = 0;
    std::string message;
    try {
        job.map_chunks(next);
    } catch (const Interrupted& e) {
        status = 128 + e.signal();
        message = e.what();
    } catch (const std::exception& e) {
        status = 1;
        message = e.what();
    }
    if (status != 0 && !rank0_alone) {
        // The job has failed: push the shared counter past the last chunk so that the other
        // ranks take no more chunks and reach the report below without running the rest.
        // (A sum, not a replace: concurrent accumulates must use the same operation.)
        std::uint64_t before = 0;
        MPI_Fetch_and_op(&chunks, &before, MPI_UINT64_T, 0, 0, MPI_SUM, win);
        MPI_Win_flush(0, win);
    }
    MPI_Win_unlock_all(win);
    MPI_Win_free(&win);

    settle(status, std::move(message), job);

    // Under a memory limit: when any rank spilled, every rank's keys go to rank 0 as runs.
    std::uint64_t runs_here = job.spilled_runs ? job.spilled_runs() : 0, runs_total = 0, runs_sent = 0;
    check(MPI_Allreduce(&runs_here, &runs_total, 1, MPI_UINT64_T, MPI_SUM, comm_), "allreduce");
    if (runs_total > 0) {
        status = 0;
        message.clear();
        try {
            if (!job.spill_rest) throw Error("a rank spilled, and this one cannot (the ranks run different programs)");
            job.spill_rest();
        } catch (const std::exception& e) {
            status = 1;
            message = e.what();
        }
        settle(status, std::move(message), job);
        runs_sent = gather_runs(job);
    }

    // Reduction towards rank 0.
    MpiStats stats;
    stats.ranks = size_;
    stats.spilled_runs = runs_total;
    std::uint64_t alltoall_sent = 0, gather_sent = runs_sent;
    if (job.split && size_ > 1 && !rank0_alone && runs_total == 0) {
        auto parts = job.split(static_cast<std::size_t>(size_));
        alltoall_sent = exchange(parts);
        for (auto& part : parts) {
            job.merge(part.data(), part.size());
            part = std::string();
        }
        if (rank_ != 0) {
            const std::string mine = job.take();
            gather_sent += mine.size();
            send_blob(mine, 0);
        } else {
            for (int from = 1; from < size_; ++from) {
                const std::string blob = recv_blob(from);
                job.merge(blob.data(), blob.size());
            }
        }
    } else if (size_ > 1) {
        // Binomial tree: at step s, ranks with bit s set send to rank - s and are done.
        for (int step = 1; step < size_; step <<= 1) {
            if (rank_ & step) {
                const std::string mine = job.take();
                gather_sent += mine.size();
                send_blob(mine, rank_ - step);
                break;
            }
            if (rank_ + step < size_) {
                const std::string blob = recv_blob(rank_ + step);
                job.merge(blob.data(), blob.size());
            }
        }
    }
    std::uint64_t mine[4] = {alltoall_sent, ran, ~ran, 0}, maxes[4] = {};
    std::uint64_t sums[2] = {alltoall_sent, gather_sent}, totals[2] = {};
    check(MPI_Reduce(mine, maxes, 4, MPI_UINT64_T, MPI_MAX, 0, comm_), "reduce");
    check(MPI_Reduce(sums, totals, 2, MPI_UINT64_T, MPI_SUM, 0, comm_), "reduce");
    stats.alltoall_bytes_max = maxes[0];
    stats.chunks_max = maxes[1];
    stats.chunks_min = ~maxes[2];
    stats.alltoall_bytes_total = totals[0];
    stats.gather_bytes_total = totals[1];
    return stats;
}

OpenMpiTransport& transport() {
    static OpenMpiTransport t;
    return t;
}

}  // namespace

/// Makes Mode::mpi use this transport. Called before main() (below); callable again at will.
void enable() { detail::mpi_transport_slot() = &transport(); }

}  // namespace parapipe::mpi

// Linking parapipe::mpi pulls this object in (its link options name the symbol) and so
// registers the transport before main().
extern "C" {
extern int parapipe_mpi_anchor;
int parapipe_mpi_anchor = (parapipe::mpi::enable(), 1);
}
