#include "cli/bench/runner.hpp"

#include <algorithm>

#include "cli/bench/child_run.hpp"
#include "cli/bench/file_hash.hpp"
#include <parapipe/engine/errors.hpp>

namespace parapipe::cli::bench {

Runner::Runner(std::string work_dir, unsigned warmup, unsigned repeat, BenchProgress& progress)
    : work_dir_(std::move(work_dir)), warmup_(warmup), repeat_(repeat), progress_(progress) {}

std::string describe(const Config& c) {
    std::string s = c.name;
    if (!c.baseline || c.workers > 1) s += ", " + std::to_string(c.workers) + (c.workers == 1 ? " worker" : " workers");
    if (c.chunk_bytes > 0) s += ", " + c.chunk_text;
    return s;
}

Measurement Runner::measure(const Config& config, const std::vector<std::string>& argv,
                            const std::string& output_path, const std::function<void()>& prepare) {
    Measurement m;
    m.config = config;
    const std::string out = stdout_path(), err = work_dir_ + "/stderr";
    const unsigned total = warmup_ + repeat_;
    for (unsigned i = 0; i < total; ++i) {
        const bool warm = i < warmup_;
        progress_.set_label(describe(config) + (warm ? ": warm-up" : ": run " + std::to_string(i - warmup_ + 1) +
                                                                         " of " + std::to_string(repeat_)));
        if (prepare) prepare();
        ChildStats st;
        try {
            // Memory is sampled in warm-up runs only: sampling costs CPU the timed runs should not lose.
            st = run_child(argv, out, err, [this] { progress_.tick(); }, warm);
        } catch (const Interrupted&) {
            throw;
        } catch (const Error& e) {
            throw Error(describe(config) + ": " + e.what());
        }
        progress_.run_done();
        const std::string h = hash_path(output_path.empty() ? out : output_path);
        if (!m.output_hash.empty() && h != m.output_hash)
            throw Error(describe(config) + ": two runs of the same configuration gave different outputs");
        m.output_hash = h;
        m.peak_pss_bytes = std::max(m.peak_pss_bytes, st.peak_pss_bytes);
        if (warm) continue;
        m.wall_seconds.push_back(st.wall_seconds);
        m.max_rss_bytes = std::max(m.max_rss_bytes, st.max_rss_bytes);
    }
    std::vector<double> sorted = m.wall_seconds;
    std::sort(sorted.begin(), sorted.end());
    const std::size_t n = sorted.size();
    m.median_seconds = n == 0 ? 0 : (n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2);
    return m;
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
