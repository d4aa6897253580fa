#pragma once
// The exit codes of the parapipe command (README "Exit codes" lists the same table).
namespace parapipe::cli {

enum ExitCode : int {
    exit_ok = 0,
    exit_failed = 1,        ///< the run failed: an operator threw, a chunk killed every worker, I/O error
    exit_usage = 2,         ///< bad arguments or input: unknown pipeline/mode/op, missing path, unwritable output
    exit_some_skipped = 3,  ///< image pipeline: some inputs could not be read and were skipped
    exit_sigint = 130,      ///< interrupted by SIGINT (128 + 2)
    exit_sigterm = 143,     ///< terminated by SIGTERM (128 + 15)
};

}  // namespace parapipe::cli
