#pragma once
// What every subcommand shares: the signal flag that cancels runs, the mode/worker options,
// and a way to register the action main() runs after parsing.
#include <atomic>
#include <functional>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/progress.hpp"
#include <parapipe/engine/options.hpp>
#include <parapipe/engine/walk.hpp>

namespace parapipe::cli {

/// Set to the signal number by SIGINT/SIGTERM; runs poll it and stop.
extern std::atomic<int> g_cancel;

/// The action chosen by the command line; returns the exit code.
using Action = std::function<int()>;

/// The machine's core count: the default number of workers.
unsigned default_workers();

/// Half the physical memory: what `--memory-limit auto` means (0 if unknown: no limit).
std::size_t default_memory_limit();

/// Options every `run` pipeline takes.
struct CommonRunOptions {
    std::string mode = "threads";
    unsigned workers = default_workers();
    unsigned max_attempts = 3;
    double chunk_timeout = 0;  ///< seconds; 0: automatic (RunOptions::chunk_timeout)
    std::string progress = "auto";
    bool stats = false;
    bool quiet = false;   ///< nothing on stderr but errors
    bool hidden = false;  ///< walk into hidden files and folders too

    void add_to(CLI::App& cmd);
    /// Validated RunOptions; throws UsageError.
    RunOptions resolve() const;
    ProgressWhen progress_when() const;
    WalkOptions walk_options() const {
        WalkOptions w;
        w.hidden = hidden;
        return w;
    }
};

/// --stats, mpi mode: ranks, chunks per rank and the bytes the ranks exchanged (stderr).
void print_mpi_stats();

/// The workers a run really uses (seq runs on the calling thread alone), for --stats.
unsigned workers_used(const RunOptions& o);

void add_list_command(CLI::App& app, Action& action);
void add_wordcount_command(CLI::App& run, Action& action);
void add_image_command(CLI::App& run, Action& action);   // cli/image_command.cpp
void add_bench_command(CLI::App& app, Action& action);   // cli/bench_command.cpp

}  // namespace parapipe::cli
