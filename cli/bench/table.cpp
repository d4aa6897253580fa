#include "cli/bench/table.hpp"

#include <algorithm>

#include "cli/bench/units.hpp"

namespace parapipe::cli::bench {

namespace {

std::string result_word(const WorkloadReport& w, std::size_t row) {
    if (row == w.reference_index) return "reference";
    return w.rows[row].matches_reference ? "same" : "DIFFERENT";
}

// Breaks a paragraph at spaces into lines of at most `width` characters, later lines indented.
std::string wrap(const std::string& text, std::size_t width, const std::string& indent = "      ") {
    std::string out, line;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find(' ', start);
        if (end == std::string::npos) end = text.size();
        std::string word = text.substr(start, end - start);
        if (!line.empty() && line.size() + 1 + word.size() > width) {
            out += line + "\n";
            line = indent;
        } else if (!line.empty() && line != indent) {
            line += ' ';
        }
        line += word;
        start = end + 1;
    }
    return out + line + "\n";
}

}  // namespace

std::string format_table(const Report& r, const WorkloadReport& w) {
    std::string out;
    out += "parapipe bench " + w.workload + ": " + w.input_description + "\n";
    out += r.machine.cpu_model + ", " + std::to_string(r.machine.cores) + " cores; median of " +
           std::to_string(r.repeat) + (r.repeat == 1 ? " run" : " runs") + " after " + std::to_string(r.warmup) +
           " warm-up; wall time of the whole process\n";
    // Other work on the machine slows the runs unevenly: say so rather than let it pass as a result.
    if (w.other_load >= 0.1)
        out += strprintf("WARNING: other processes kept %.2f of %u cores busy meanwhile (on average): figures are "
                         "disturbed\n",
                         w.other_load, r.machine.cores);
    out += "\n";

    std::size_t name_w = 4;
    for (const auto& m : w.rows) name_w = std::max(name_w, m.config.name.size());
    const std::string rate = w.rate_unit;
    // Chunk sizes only mean something for text; image rows have none, so the column goes. So does
    // the rate when the amount of work is unknown (bench exec without --work or --input).
    const bool chunks = std::any_of(w.rows.begin(), w.rows.end(), [](const auto& m) { return m.config.chunk_bytes > 0; });
    out += strprintf("%-*s  %7s", static_cast<int>(name_w), "what", "workers");
    if (chunks) out += strprintf("  %6s", "chunk");
    out += strprintf("  %9s", "median s");
    if (!rate.empty()) out += strprintf("  %9s", rate.c_str());
    out += strprintf("  %7s  %9s  %9s  %s\n", "speedup", "max RSS", "peak PSS", "result");
    for (std::size_t i = 0; i < w.rows.size(); ++i) {
        const Measurement& m = w.rows[i];
        const std::string workers = m.config.workers ? std::to_string(m.config.workers) : "-";
        out += strprintf("%-*s  %7s", static_cast<int>(name_w), m.config.name.c_str(), workers.c_str());
        if (chunks) out += strprintf("  %6s", m.config.chunk_text.c_str());
        out += strprintf("  %9.3f", m.median_seconds);
        if (!rate.empty()) out += strprintf("  %9.1f", m.throughput);
        out += strprintf("  %6.2fx  %9s  %9s  %s\n", m.speedup, format_bytes(static_cast<double>(m.max_rss_bytes)).c_str(),
                         m.peak_pss_bytes ? format_bytes(static_cast<double>(m.peak_pss_bytes)).c_str() : "-",
                         result_word(w, i).c_str());
    }
    out += "\n";
    out += wrap("speedup: over " + w.reference + ".  max RSS: the largest single process of the run "
                "(coordinator or one worker; kernel ru_maxrss), not a sum.  peak PSS: all processes of the run "
                "together (proportional set size, so shared pages count once), sampled every 20 ms during the "
                "untimed warm-up run (- without warm-up).",
                100, "");
    for (const auto& n : w.notes) out += wrap("note: " + n, 100);
    const auto bad = std::count_if(w.rows.begin(), w.rows.end(), [](const auto& m) { return !m.matches_reference; });
    if (bad == 0 && w.rows.size() == 1)
        out += "result: only the reference was measured.\n";
    else if (bad == 0)
        out += "result: all " + std::to_string(w.rows.size()) + " configurations produced output identical to " +
               w.reference + ".\n";
    else
        out += "result: ERROR: " + std::to_string(bad) + " configuration(s) produced output different from " +
               w.reference + ".\n";
    return out;
}

}  // namespace parapipe::cli::bench
