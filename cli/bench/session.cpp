#include "cli/bench/session.hpp"

#include <stdlib.h>
#include <time.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>

#include "cli/bench/bench_progress.hpp"
#include "cli/bench/machine.hpp"
#include "cli/bench/plan.hpp"
#include "cli/bench/report.hpp"
#include "cli/bench/report_files.hpp"
#include "cli/bench/runner.hpp"
#include "cli/bench/svg_chart.hpp"
#include "cli/bench/table.hpp"
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output_file.hpp"
#include <parapipe/engine/errors.hpp>

#ifndef PARAPIPE_VERSION
#define PARAPIPE_VERSION "0.0.0"
#endif

namespace parapipe::cli::bench {

namespace {

// The command line as typed (program name without its folder), from /proc/self/cmdline.
std::vector<std::string> command_line() {
    std::ifstream f("/proc/self/cmdline", std::ios::binary);
    std::vector<std::string> args;
    for (std::string a; std::getline(f, a, '\0');) args.push_back(a);
    if (!args.empty()) args.front() = std::filesystem::path(args.front()).filename().string();
    return args;
}

std::string utc_now() {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

// The scratch folder for outputs of runs; removed however the benchmark ends.
class ScratchDir {
public:
    ScratchDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "parapipe-bench-XXXXXX").string();
        if (!::mkdtemp(tmpl.data())) throw Error("cannot create a scratch folder in " + tmpl);
        path_ = tmpl;
    }
    ~ScratchDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

}  // namespace

int run_session(const Settings& s, const MakeWorkloads& make) {
    // Unwritable outputs and a missing PNG renderer fail now, not after minutes of measuring.
    std::optional<OutputFile> json, csv;
    if (!s.json.empty()) json.emplace(s.json);
    if (!s.csv.empty()) csv.emplace(s.csv);
    if (!s.plot.empty()) {
        if (plot_wants_png(s.plot)) check_png_renderer();
        OutputFile probe(s.plot);  // removed unwritten: write_chart writes the real one
    }

    ScratchDir scratch;
    Report report;
    report.command = command_line();
    report.machine = read_machine();
    report.version = PARAPIPE_VERSION;
    report.date = utc_now();
    report.repeat = s.repeat;
    report.warmup = s.warmup;

    const std::vector<Workload> workloads = make(scratch.path());
    std::vector<Plan> plans;
    std::size_t rows = 0;
    for (const auto& w : workloads) {
        plans.push_back(plan_rows(w, s));
        rows += plans.back().rows.size();
    }
    if (g_cancel.load() != 0) throw Interrupted(g_cancel.load());

    {
        BenchProgress progress(static_cast<unsigned>(rows) * (s.warmup + s.repeat));
        Runner runner(scratch.path(), s.warmup, s.repeat, progress);
        for (std::size_t i = 0; i < workloads.size(); ++i) {
            const CpuSample before = sample_cpu();
            WorkloadReport w = measure_workload(workloads[i], plans[i], runner);
            w.other_load = other_load(before, sample_cpu());
            report.workloads.push_back(std::move(w));
        }
    }

    for (std::size_t i = 0; i < report.workloads.size(); ++i) {
        if (i > 0) std::fputs("\n", stdout);
        std::fputs(format_table(report, report.workloads[i]).c_str(), stdout);
    }
    std::fflush(stdout);
    if (json) json->commit(to_json(report));
    if (csv) csv->commit(to_csv(report));
    if (!s.plot.empty()) write_chart(report, s.plot);

    for (const auto& w : report.workloads) {
        for (const auto& m : w.rows) {
            if (m.matches_reference) continue;
            std::fprintf(stderr, "parapipe: bench: some configurations produced output different from %s (see the table)\n",
                         w.reference.c_str());
            return exit_failed;
        }
    }
    return exit_ok;
}

}  // namespace parapipe::cli::bench
