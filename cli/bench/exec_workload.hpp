#pragma once
// `parapipe bench exec -- CMD ARGS...`: the user's own command as a workload. Its arguments may
// hold {mode}, {workers} and {chunk}; it carries its own inputs. Its output is its stdout, or the
// file or folder at --output-path. Throughput needs a size: --work BYTES, or the --input paths.
#include <string>
#include <vector>

#include "cli/bench/command_spec.hpp"

namespace parapipe::cli::bench {

struct ExecArgs {
    std::vector<std::string> command;  ///< the template, program first
    std::string output_path;           ///< "" : stdout
    std::string work;                  ///< --work, a size ("256MiB"), or ""
    std::vector<std::string> inputs;   ///< --input, only measured for their size
};

/// The workload; throws UsageError for an empty command, a program not found, a bad size.
Workload exec_workload(const ExecArgs& a);

/// Guards --output-path for the length of the benchmark. The runner removes that path before
/// every run, so it must not hold anything of the user's: it may not exist yet (then it is
/// removed at the end), or be an empty folder (emptied again at the end). Anything else is a
/// UsageError, thrown before any run.
class OutputPathGuard {
public:
    explicit OutputPathGuard(std::string path);
    ~OutputPathGuard();
    OutputPathGuard(const OutputPathGuard&) = delete;
    OutputPathGuard& operator=(const OutputPathGuard&) = delete;
    /// True when the path was an empty folder: it is kept as a folder between runs.
    bool folder() const { return folder_; }

private:
    std::string path_;
    bool folder_ = false;
};

}  // namespace parapipe::cli::bench
