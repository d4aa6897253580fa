#pragma once
// What every example program shares: the run options on the command line (CLI11) and the
// error convention.
//
//   --mode seq|threads|processes|shm|mpi   how to run (default threads); mpi: under mpirun,
//                                      rank 0 alone prints (needs parapipe::mpi linked)
//   --workers N                        threads or worker processes (default: the machine's cores)
//   --chunk-size SIZE                  programs reading files: bytes per chunk, e.g. 64KiB, 8MiB
//                                      (the default), or a plain number of bytes
//
// Errors print one line "PROGRAM: what" on stderr; the exit code is 2 for bad arguments or
// missing paths (parapipe::UsageError), 1 for a run that failed.
//
//   int main(int argc, char** argv) {
//       CLI::App app{"Counts the lines of files", "line_count"};
//       examples::Options opt;
//       examples::add_run_options(app, opt, /*file_inputs=*/true);
//       return examples::run_main(app, argc, argv, [&] {
//           std::printf("%llu\n", (unsigned long long)parapipe::lines(opt.paths, opt.chunk_size).count().run(opt.run));
//       });
//   }
#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <exception>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <parapipe/engine/chunk_size.hpp>
#include <parapipe/parapipe.hpp>

namespace examples {

struct Options {
    parapipe::RunOptions run{.mode = parapipe::Mode::threads,
                             .workers = std::max(1u, std::thread::hardware_concurrency())};
    std::size_t chunk_size = 0;  ///< 0 until parsed: --chunk-size, else parapipe::default_chunk_size()
    std::vector<std::string> paths;  ///< files or folders (walked recursively)
};

/// A transform for plain decimal numbers: CLI11 alone reads "-1" as a huge unsigned number and
/// "010" as octal. Use as option->transform(examples::Decimal)->check(...).
inline const CLI::Validator Decimal(
    [](std::string& s) {
        if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos) return "not a decimal number: " + s;
        s.erase(0, std::min(s.find_first_not_of('0'), s.size() - 1));  // no leading zeros: not octal
        return std::string{};
    },
    "DECIMAL");

/// Adds --mode and --workers to `app`; with `file_inputs`, also --chunk-size and the PATH... arguments.
inline void add_run_options(CLI::App& app, Options& opt, bool file_inputs = true) {
    app.add_option_function<std::string>(
           "--mode", [&opt](const std::string& m) { opt.run.mode = *parapipe::parse_mode(m); },
           "seq, threads, processes, shm or mpi (default threads)")
        ->check(CLI::IsMember({"seq", "threads", "processes", "shm", "mpi"}));
    app.add_option("--workers", opt.run.workers, "threads or worker processes, mpi: threads per rank (default: the number of cores)")
        ->transform(Decimal)
        ->check(CLI::Range(1u, parapipe::max_workers));
    if (!file_inputs) return;
    app.add_option("--chunk-size", opt.chunk_size,
                   "bytes per chunk: 4096, 64KiB, 8MiB (default: input / (4 x workers), at most 8MiB; processes mode: input / (8 x workers) if more, at most 32MiB)")
        // CLI11 runs the transform added last first: AsSizeValue turns 64KiB (or 64KB: powers of
        // 1024 both) into 65536, then Decimal refuses what is left if it is not a whole number.
        ->transform(Decimal)
        ->transform(CLI::AsSizeValue(false))
        ->check(CLI::Range(std::size_t{1}, std::numeric_limits<std::size_t>::max()));
    app.add_option("PATH", opt.paths, "files or folders (walked recursively, hidden entries skipped)")->required();
    // Without --chunk-size: from the input's size and the workers (engine/chunk_size.hpp).
    app.final_callback([&opt] {
        if (opt.chunk_size == 0)
            opt.chunk_size = parapipe::default_chunk_size(
                opt.paths, opt.run.mode == parapipe::Mode::seq ? 1u : opt.run.workers, opt.run.mode,
                opt.run.memory_limit);
    });
}

/// Parses the command line, then runs body(). Returns the process exit code.
template <class Body>
int run_main(CLI::App& app, int argc, char** argv, Body&& body) {
    const std::string name = app.get_name();
    // One try for both: parsing also sizes the chunks from the inputs (final_callback above),
    // and a missing path found there is a UsageError like any found while running.
    try {
        app.parse(argc, argv);
        body();
        return 0;
    } catch (const CLI::Success& e) {  // --help
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::fprintf(stderr, "%s: %s\n", name.c_str(), e.what());
        return 2;
    } catch (const parapipe::UsageError& e) {
        std::fprintf(stderr, "%s: %s\n", name.c_str(), e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", name.c_str(), e.what());
        return 1;
    }
}

}  // namespace examples
