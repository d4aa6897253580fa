#include "cli/bench/exec_workload.hpp"

#include <filesystem>

#include "cli/bench/find_program.hpp"
#include "cli/bench/input_size.hpp"
#include "cli/bench/placeholders.hpp"
#include "cli/bench/units.hpp"
#include "cli/size.hpp"
#include <parapipe/engine/errors.hpp>

namespace parapipe::cli::bench {

namespace fs = std::filesystem;

Workload exec_workload(const ExecArgs& a) {
    if (a.command.empty() || a.command.front().empty())
        throw UsageError("bench exec: no command after `--` (parapipe bench exec [OPTIONS] -- CMD ARGS...)");
    const std::string& program = a.command.front();
    // A program named through a placeholder is only known per row: its runs report it.
    if (program.find('{') == std::string::npos && find_program(program).empty())
        throw UsageError("bench exec: cannot find the program " + program +
                         (program.find('/') == std::string::npos ? " on PATH" : " (or it is not executable)"));
    if (!a.work.empty() && !a.inputs.empty()) throw UsageError("bench exec: give --work or --input, not both");

    Workload w;
    w.name = "exec";
    w.input_description = shell_line(a.command);
    w.work_unit = "bytes";
    w.rate_unit = "MiB/s";  // one family with the sizes (KiB, MiB) shown beside it
    if (!a.work.empty()) {
        w.work = static_cast<double>(parse_size(a.work));  // throws UsageError naming the text
        if (w.work == 0) throw UsageError("--work must be more than 0 bytes");
        w.input_description += ", " + format_bytes(w.work) + " of work per run";
    } else if (!a.inputs.empty()) {
        const InputSize size = input_size(a.inputs);
        if (size.bytes == 0) throw UsageError("--input: the inputs are empty, so there is no throughput to show");
        w.work = static_cast<double>(size.bytes);
        w.inputs = a.inputs;
        w.input_description += ", input " + describe_inputs(a.inputs, size);
    }
    CommandSpec c;
    c.name = "command";  // names the rows only when the command has no {mode}
    c.argv = a.command;
    c.output_path = a.output_path;
    c.workers_unset = 0;  // without {workers} the command picks its own worker count: shown as "-"
    w.commands.push_back(std::move(c));
    return w;
}

OutputPathGuard::OutputPathGuard(std::string path) : path_(std::move(path)) {
    if (path_.empty()) return;
    std::error_code ec;
    const auto st = fs::symlink_status(path_, ec);
    if (!fs::exists(st)) return;
    if (fs::is_directory(st) && fs::is_empty(path_, ec) && !ec) {
        folder_ = true;
        return;
    }
    throw UsageError("--output-path " + path_ + " already exists" +
                     (fs::is_directory(st) ? " and is not empty" : "") +
                     ": bench removes it before every run, so name a new path or an empty folder");
}

OutputPathGuard::~OutputPathGuard() {
    if (path_.empty()) return;
    std::error_code ec;
    fs::remove_all(path_, ec);
    if (folder_) fs::create_directories(path_, ec);
}

}  // namespace parapipe::cli::bench
