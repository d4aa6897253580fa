#pragma once
// Execution modes. Every mode must give the result `seq` gives, byte for byte.
#include <optional>
#include <string_view>

namespace parapipe {

enum class Mode {
    seq,        ///< one thread, the reference
    threads,    ///< oneTBB pipeline, thread-local partials merged at the end
    processes,  ///< forked workers; partials come back serialized through pipes
    shm,        ///< forked workers sharing a Boost.Interprocess segment; no serialization
    mpi,        ///< ranks under MPI (mpirun), threads inside each; needs parapipe::mpi linked
};

constexpr std::string_view to_string(Mode m) {
    switch (m) {
        case Mode::seq: return "seq";
        case Mode::threads: return "threads";
        case Mode::processes: return "processes";
        case Mode::shm: return "shm";
        case Mode::mpi: return "mpi";
    }
    return "?";
}

constexpr std::optional<Mode> parse_mode(std::string_view s) {
    for (Mode m : {Mode::seq, Mode::threads, Mode::processes, Mode::shm, Mode::mpi})
        if (to_string(m) == s) return m;
    return std::nullopt;
}

}  // namespace parapipe
