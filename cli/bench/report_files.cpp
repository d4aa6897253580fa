#include "cli/bench/report_files.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

#include "cli/bench/units.hpp"
#include "cli/csv.hpp"

namespace parapipe::cli::bench {

namespace {

// Rounds for readability: JSON keeps what a reader can trust, not float noise.
double round_to(double v, int digits) {
    const double p = std::pow(10.0, digits);
    return std::round(v * p) / p;
}

}  // namespace

std::string to_json(const Report& r) {
    using nlohmann::ordered_json;
    ordered_json j;
    j["schema"] = "parapipe-bench/1";
    j["parapipe_version"] = r.version;
    j["date"] = r.date;
    j["command"] = r.command;
    j["machine"] = {{"cpu", r.machine.cpu_model}, {"cores", r.machine.cores}, {"kernel", r.machine.kernel}};
    j["repeat"] = r.repeat;
    j["warmup"] = r.warmup;
    j["wall_time"] = "whole child process, fork to exit, seconds";
    j["max_rss"] = "largest single process of the run (wait4 ru_maxrss), bytes";
    j["peak_pss"] = "sum of Pss over the run's processes, peak of samples every 20 ms during the untimed warm-up run, bytes (0: none)";
    j["other_load_cores"] = "average cores kept busy by other processes while the workload ran";
    auto& ws = j["workloads"] = ordered_json::array();
    for (const auto& w : r.workloads) {
        ordered_json o;
        o["workload"] = w.workload;
        o["input"] = w.input_description;
        o["inputs"] = w.inputs;
        if (w.work > 0) o[w.work_unit] = static_cast<std::uint64_t>(w.work);
        if (w.rate_unit.empty()) o["rate_unit"] = nullptr;
        else o["rate_unit"] = w.rate_unit;
        o["reference"] = w.reference;
        o["notes"] = w.notes;
        o["other_load_cores"] = round_to(w.other_load, 2);
        bool all = true;
        auto& rows = o["results"] = ordered_json::array();
        for (std::size_t i = 0; i < w.rows.size(); ++i) {
            const auto& m = w.rows[i];
            all = all && m.matches_reference;
            ordered_json row;
            row["name"] = m.config.name;
            row["baseline"] = m.config.baseline;
            if (m.config.workers) row["workers"] = m.config.workers;
            else row["workers"] = nullptr;  // the command chose its own
            if (m.config.chunk_bytes) row["chunk_bytes"] = m.config.chunk_bytes;
            else row["chunk_bytes"] = nullptr;
            ordered_json walls = ordered_json::array();
            for (double s : m.wall_seconds) walls.push_back(round_to(s, 4));
            row["wall_seconds"] = walls;
            row["median_seconds"] = round_to(m.median_seconds, 4);
            if (w.rate_unit.empty()) row["throughput"] = nullptr;
            else row["throughput"] = round_to(m.throughput, 2);
            row["speedup"] = round_to(m.speedup, 3);
            row["max_rss_bytes"] = m.max_rss_bytes;
            row["peak_pss_bytes"] = m.peak_pss_bytes;
            row["argv"] = m.argv;
            row["output_fnv1a64"] = m.output_hash;
            row["is_reference"] = i == w.reference_index;
            row["matches_reference"] = m.matches_reference;
            rows.push_back(std::move(row));
        }
        o["all_match"] = all;
        ws.push_back(std::move(o));
    }
    return j.dump(2) + "\n";
}

std::string to_csv(const Report& r) {
    std::string out =
        "workload,name,baseline,workers,chunk_bytes,repeat,median_seconds,min_seconds,max_seconds,throughput,rate_unit,"
        "speedup,max_rss_bytes,peak_pss_bytes,output_fnv1a64,matches_reference\n";
    for (const auto& w : r.workloads) {
        for (const auto& m : w.rows) {
            double lo = m.wall_seconds.empty() ? 0 : m.wall_seconds.front(), hi = lo;
            for (double s : m.wall_seconds) lo = std::min(lo, s), hi = std::max(hi, s);
            out += csv_field(w.workload) + "," + csv_field(m.config.name) + "," + (m.config.baseline ? "true" : "false") +
                   "," + (m.config.workers ? std::to_string(m.config.workers) : "") + "," +
                   (m.config.chunk_bytes ? std::to_string(m.config.chunk_bytes) : "") + "," +
                   std::to_string(m.wall_seconds.size()) + "," +
                   strprintf("%.4f,%.4f,%.4f,", m.median_seconds, lo, hi) +
                   (w.rate_unit.empty() ? "" : strprintf("%.2f", m.throughput)) + "," + csv_field(w.rate_unit) +
                   "," + strprintf("%.3f", m.speedup) + "," + std::to_string(m.max_rss_bytes) + "," +
                   std::to_string(m.peak_pss_bytes) + "," + m.output_hash + "," +
                   (m.matches_reference ? "true" : "false") + "\n";
        }
    }
    return out;
}

}  // namespace parapipe::cli::bench
