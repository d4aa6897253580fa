#include "cli/bench/runner.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "cli/bench/child_run.hpp"
#include "cli/bench/file_hash.hpp"
#include <parapipe/engine/errors.hpp>

namespace parapipe::cli::bench {

namespace {

namespace fs = std::filesystem;

void clear_output(const std::string& path, bool folder) {
    std::error_code ec;
    fs::remove_all(path, ec);
    if (ec) throw Error("cannot remove " + path + " before a run: " + ec.message());
    if (folder) fs::create_directories(path);
}

}  // namespace

Runner::Runner(std::string work_dir, unsigned warmup, unsigned repeat, BenchProgress& progress)
    : work_dir_(std::move(work_dir)), warmup_(warmup), repeat_(repeat), progress_(progress) {}

std::string describe(const Config& c) {
    std::string s = c.name;
    if (c.workers > 0 && (!c.baseline || c.workers > 1))
        s += ", " + std::to_string(c.workers) + (c.workers == 1 ? " worker" : " workers");
    if (c.chunk_bytes > 0) s += ", " + c.chunk_text;
    return s;
}

void Runner::run_once(Measurement& m, const std::string& output_path, bool output_is_folder, bool warm,
                      const std::string& label) {
    const std::string out = work_dir_ + "/stdout", err = work_dir_ + "/stderr";
    progress_.set_label(describe(m.config) + ": " + label);
    if (!output_path.empty()) clear_output(output_path, output_is_folder);
    ChildStats st;
    try {
        // Memory is sampled in warm-up runs only: sampling costs CPU the timed runs should not lose.
        st = run_child(m.argv, out, err, [this] { progress_.tick(); }, warm);
    } catch (const Interrupted&) {
        throw;
    } catch (const Error& e) {
        throw Error(describe(m.config) + ": " + e.what());
    }
    progress_.run_done();
    std::error_code ec;
    if (!output_path.empty() && !fs::exists(output_path, ec))
        throw Error(describe(m.config) + ": the command exited without writing " + output_path);
    const std::string h = hash_path(output_path.empty() ? out : output_path);
    if (!m.output_hash.empty() && h != m.output_hash)
        throw Error(describe(m.config) + ": two runs of the same configuration gave different outputs");
    m.output_hash = h;
    m.peak_pss_bytes = std::max(m.peak_pss_bytes, st.peak_pss_bytes);
    if (warm) return;
    // To 0.1 ms, the precision the JSON and CSV report: every report, the chart's whiskers
    // included, then agrees on whether two repeats differ (a whisker drawn for repeats 20 µs
    // apart, which the JSON shows as equal, once failed the bench smoke test at random).
    m.wall_seconds.push_back(std::round(st.wall_seconds * 1e4) / 1e4);
    m.max_rss_bytes = std::max(m.max_rss_bytes, st.max_rss_bytes);
}

void set_median(Measurement& m) {
    std::vector<double> sorted = m.wall_seconds;
    std::sort(sorted.begin(), sorted.end());
    const std::size_t n = sorted.size();
    m.median_seconds = n == 0 ? 0 : (n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2);
}

WorkloadReport measure_workload(const Workload& w, const Plan& plan, Runner& runner) {
    WorkloadReport r;
    r.workload = w.name;
    r.input_description = w.input_description;
    r.inputs = w.inputs;
    r.work = w.work;
    r.work_unit = w.work_unit;
    r.rate_unit = w.work > 0 ? w.rate_unit : "";
    r.rows.resize(plan.rows.size());
    for (std::size_t i = 0; i < plan.rows.size(); ++i) {
        r.rows[i].config = plan.rows[i].config;
        r.rows[i].argv = plan.rows[i].argv;
    }
    const auto run_round = [&](bool warm, const std::string& label) {
        for (std::size_t i = 0; i < plan.rows.size(); ++i)
            runner.run_once(r.rows[i], plan.rows[i].spec->output_path, plan.rows[i].spec->output_is_folder, warm, label);
    };
    for (unsigned k = 0; k < runner.warmup(); ++k) run_round(true, "warm-up");
    for (unsigned k = 0; k < runner.repeat(); ++k)
        run_round(false, "run " + std::to_string(k + 1) + " of " + std::to_string(runner.repeat()));
    for (auto& m : r.rows) set_median(m);
    r.reference_index = 0;
    r.reference = r.rows.empty() ? "" : describe(r.rows.front().config);
    if (plan.seq_added) r.notes.push_back("seq was added: it is the reference every result is compared with");
    for (const auto& spec : w.commands) {
        const bool ran = std::any_of(plan.rows.begin(), plan.rows.end(), [&](const auto& row) { return row.spec == &spec; });
        if (ran) r.notes.insert(r.notes.end(), spec.notes.begin(), spec.notes.end());
    }
    r.notes.insert(r.notes.end(), w.notes.begin(), w.notes.end());
    if (!r.rows.empty()) compare_with_reference(r, r.reference_index, r.rate_unit == "MiB/s" ? 1048576.0 : 1e6);
    return r;
}

void compare_with_reference(WorkloadReport& w, std::size_t reference, double scale) {
    const Measurement& ref = w.rows.at(reference);
    const double ref_median = ref.median_seconds;
    const std::string ref_hash = ref.output_hash;
    for (auto& m : w.rows) {
        m.throughput = m.median_seconds > 0 ? w.work / scale / m.median_seconds : 0;
        m.speedup = m.median_seconds > 0 ? ref_median / m.median_seconds : 0;
        m.matches_reference = m.output_hash == ref_hash;
    }
}

}  // namespace parapipe::cli::bench
