// `parapipe run wordcount`: count words in files, directories or stdin.
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string_view>

#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/malloc_tuning.hpp"
#include "cli/output_file.hpp"
#include "cli/size.hpp"
#include "cli/validators.hpp"
#include "cli/wordcount_format.hpp"
#include <parapipe/engine/chunk_size.hpp>
#include <parapipe/engine/detail/parallel.hpp>
#include <parapipe/engine/errors.hpp>
#include <parapipe/engine/mpi_transport.hpp>
#include <parapipe/pipelines/wordcount.hpp>

namespace parapipe::cli {

namespace {

struct WordcountArgs {
    std::vector<std::string> paths;
    std::string chunk_size = "auto";
    std::size_t top = 0;
    std::string format = "tsv";
    bool format_given = false;
    std::string output;
    std::string memory_limit = "auto";
    CommonRunOptions common;
};

// The smallest --memory-limit: the merge of spilled runs reads up to 64 runs through buffers of
// 64 KiB (engine/spill/), and the tables need room besides.
constexpr std::size_t min_memory_limit = std::size_t{16} << 20;

// --memory-limit: auto is half the physical memory; 0 is no limit.
std::size_t resolve_memory_limit(const std::string& text) {
    if (text == "auto") return default_memory_limit();
    if (text == "0") return 0;
    const std::size_t bytes = parse_size(text);
    if (bytes < min_memory_limit)
        throw UsageError("--memory-limit " + text + " is too small: at least 16MiB (or 0 for no limit)");
    return bytes;
}

wordcount::Format parse_format(const std::string& f) {
    if (f == "tsv") return wordcount::Format::tsv;
    if (f == "csv") return wordcount::Format::csv;
    if (f == "json") return wordcount::Format::json;
    throw UsageError("unknown format '" + f + "' (choose tsv, csv or json)");
}

// --format when given, else the output file's extension (.json, .csv), else TSV.
wordcount::Format choose_format(const WordcountArgs& a) {
    if (a.format_given || a.output.empty()) return parse_format(a.format);
    std::string ext = std::filesystem::path(a.output).extension().string();
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (ext == ".json") return wordcount::Format::json;
    if (ext == ".csv") return wordcount::Format::csv;
    return wordcount::Format::tsv;
}

// Standard input cannot be read by mpi ranks, and names the progress line of a stream.
bool reads_stdin(const std::vector<std::string>& paths) {
    return paths.empty() || (paths.size() == 1 && paths[0] == "-");
}

int run_wordcount(const WordcountArgs& a) {
    RunOptions opt = a.common.resolve();
    opt.memory_limit = resolve_memory_limit(a.memory_limit);
    const bool auto_chunk = a.chunk_size == "auto";
    const std::size_t given_chunk = auto_chunk ? 0 : parse_size(a.chunk_size);
    const auto fmt = choose_format(a);
    const bool mpi = opt.mode == Mode::mpi;
    if (mpi && reads_stdin(a.paths))
        throw UsageError("--mode mpi reads its inputs on every rank: give paths that all ranks can read "
                         "(standard input is not supported)");
    const bool output_rank = !mpi || mpi_rank() == 0;  // mpi: rank 0 alone writes and reports
    const bool to_file = !a.output.empty() && a.output != "-" && output_rank;
    std::optional<OutputFile> out;
    if (to_file) out.emplace(a.output);  // fails now if unwritable, before any work
    // mpi: a dead rank makes mpirun kill every rank, this one too: keep no temporary file meanwhile.
    if (mpi) out.reset();
    // A stream counts 0. mpi with a given chunk size needs no size: each rank walks its own files.
    const std::uint64_t bytes = mpi && !auto_chunk ? 0 : input_bytes(a.paths, a.common.walk_options());
    if (!mpi) tune_malloc(bytes);  // cli/malloc_tuning.hpp
    const ProgressWhen when = output_rank ? a.common.progress_when() : ProgressWhen::never;

    auto t0 = std::chrono::steady_clock::now();
    const std::vector<std::string>& paths = a.paths;
    // Without --chunk-size: from the input's size, the mode, the workers and the memory limit
    // (engine/chunk_size.hpp); a stream counts 0 bytes (it is neither read nor waited for here).
    const std::size_t chunk = auto_chunk ? default_chunk_size(bytes, workers_used(opt), opt.mode, opt.memory_limit)
                                           : given_chunk;
    auto source = wordcount::open(paths, chunk, a.common.walk_options());
    const TextSource& input = source->text();
    if (input.file_count() == 0 && !a.common.quiet && output_rank)  // only empty directories: an empty result, but say why
        std::fprintf(stderr, "parapipe: warning: no regular files found in the input directories; the result is empty\n");
    // A stream's size is unknown: the line shows the bytes read so far.
    Progress progress(when, input.streamed() ? 0 : input.total_bytes(), "B",
                      input.streamed() && reads_stdin(paths) ? "reading <stdin>" : "");
    opt.progress = progress.counter();
    opt.cancel = &g_cancel;
    RunStats run_stats;
    opt.stats = &run_stats;
    // The run's threads stay up to format the result (engine/detail/parallel.hpp).
    detail::KeepTbbThreads keep_threads;
    auto result = wordcount::count(source, a.top, opt);
    progress.finish();
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    if (!output_rank) return exit_ok;
    if (to_file && !out) out.emplace(a.output);
    // The result is formatted on the run's threads (one in seq mode; the ranks' threads in mpi).
    const unsigned format_threads = workers_used(opt);
    // Written in pieces: a result that spilled is read from disk as it is written. A failure
    // midway leaves no output file (OutputFile is committed only at the end).
    if (out) {
        wordcount::write(result, fmt, [&](std::string_view s) { out->write(s); }, format_threads);
        out->commit();
    } else {
        wordcount::write(
            result, fmt,
            [](std::string_view s) {
                if (std::fwrite(s.data(), 1, s.size(), stdout) != s.size())
                    throw Error(std::string("cannot write to standard output: ") + std::strerror(errno));
            },
            format_threads);
        if (std::fflush(stdout) != 0) throw Error(std::string("cannot write to standard output: ") + std::strerror(errno));
    }
    if (a.common.stats) {
        std::fprintf(stderr,
                     "bytes %llu  words %llu  unique %llu  invalid_bytes %llu  files %zu  chunks %zu\n"
                     "wall %.3f s  %.1f MB/s  mode %s  workers %u  backups %llu  timeouts %llu  spilled_runs %llu  "
                     "malloc %s\n",
                     static_cast<unsigned long long>(result.bytes), static_cast<unsigned long long>(result.total_words),
                     static_cast<unsigned long long>(result.unique_words),
                     static_cast<unsigned long long>(result.invalid_bytes), input.file_count(),
                     input.total_chunk_count(), secs, secs > 0 ? static_cast<double>(result.bytes) / 1e6 / secs : 0.0,
                     std::string(to_string(opt.mode)).c_str(), workers_used(opt),
                     static_cast<unsigned long long>(run_stats.backups.load()),
                     static_cast<unsigned long long>(run_stats.timeouts.load()),
                     static_cast<unsigned long long>(run_stats.spilled_runs.load()), malloc_tuned() ? "tuned" : "default");
        if (mpi) print_mpi_stats();
    }
    return exit_ok;
}

}  // namespace

void add_wordcount_command(CLI::App& run, Action& action) {
    auto args = std::make_shared<WordcountArgs>();
    auto* cmd = run.add_subcommand("wordcount", "Count words (Unicode letters, marks, numbers; lowercased)");
    cmd->add_option("paths", args->paths, "Files or directories (recursive; hidden entries skipped, see --hidden); '-' or none: standard input");
    cmd->add_option("--chunk-size,-c", args->chunk_size, "Bytes per chunk, e.g. 64KiB, 8MiB; auto: input / (4 x workers), at most 8MiB (1 chunk under 1MiB); processes mode: input / (8 x workers) if more, at most 32MiB")->capture_default_str();
    cmd->add_option("--top,-k", args->top, "Keep only the K most frequent words (0: all)")
        ->check(whole_number(0, 1ull << 40))
        ->capture_default_str();
    cmd->add_option("--format,-f", args->format, "Output format (default: from the --output extension, else tsv)")
        ->check(choice({"tsv", "csv", "json"}));
    cmd->add_option("--output,-o", args->output, "Write to FILE atomically ('-': standard output)");
    cmd->add_option("--memory-limit", args->memory_limit,
                    "Bytes all workers' word tables may hold together, e.g. 512MiB; past it they spill to sorted "
                    "runs in $TMPDIR and are merged at the end (auto: half the physical memory; 0: no limit)")
        ->capture_default_str();
    args->common.add_to(*cmd);
    cmd->callback([args, cmd, &action] {
        args->format_given = cmd->count("--format") > 0; action = [args] { return run_wordcount(*args); }; });
}

}  // namespace parapipe::cli
