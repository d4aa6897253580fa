#pragma once
// What a benchmark runs, as data: a workload is a set of command templates over one input. A
// template holding {mode} is run in every mode (seq once, the reference); one without is a
// baseline, run once, or per worker count when it holds {workers}. `parapipe bench exec` builds
// one from the user's command line; the built-in workloads (builtin_workloads.hpp) are tables
// of them. The runner (runner.hpp) knows nothing else about what it measures.
#include <string>
#include <vector>

namespace parapipe::cli::bench {

struct CommandSpec {
    std::string name;                ///< row label without {mode}; rows of a {mode} template are named by mode
    bool baseline = false;           ///< a reference program parapipe is compared with (C++, Python, OpenCV)
    std::vector<std::string> argv;   ///< may hold {mode}, {workers}, {chunk} (placeholders.hpp)
    std::string output_path;         ///< what the command writes, hashed instead of stdout ("" : stdout)
    bool output_is_folder = false;   ///< output_path is made an empty folder before every run
    unsigned workers_unset = 1;      ///< workers recorded for rows of a template without {workers} (0: "-")
    std::vector<std::string> notes;  ///< printed under the table when this command ran
};

struct Workload {
    std::string name;                 ///< "wordcount", "image", "exec"
    std::string input_description;    ///< the table's title
    std::vector<std::string> inputs;  ///< paths, for JSON
    double work = 0;                  ///< units per run, for throughput (0: unknown, no rate column)
    std::string work_unit;            ///< "bytes" or "pixels": the JSON key of `work`
    std::string rate_unit;            ///< "MiB/s" (work / 2^20 per second) or "MPix/s" (work / 1e6)
    std::vector<CommandSpec> commands;
    std::vector<std::string> notes;   ///< under the table, after those of the commands (e.g. a skipped baseline)
};

}  // namespace parapipe::cli::bench
