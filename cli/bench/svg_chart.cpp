#include "cli/bench/svg_chart.hpp"

#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

#include "cli/bench/child_run.hpp"
#include "cli/bench/find_program.hpp"
#include "cli/bench/units.hpp"
#include "cli/output_file.hpp"
#include <parapipe/engine/errors.hpp>

namespace parapipe::cli::bench {

namespace {

// Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
std::string colour_of(const std::string& name) {
    static const std::map<std::string, std::string> known = {
        {"seq", "#7f7f7f"},          {"threads", "#0072B2"},      {"processes", "#E69F00"},
        {"shm", "#009E73"},          {"C++ baseline", "#CC79A7"}, {"Python Pool", "#D55E00"},
        {"OpenCV baseline", "#56B4E9"},
    };
    auto it = known.find(name);
    return it != known.end() ? it->second : "#000000";
}

std::string xml(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            default: out += c;
        }
    }
    return out;
}

// A round axis step giving about `target` ticks up to `max`: 1, 2, 2.5 or 5 times a power of ten.
double nice_step(double max, int target) {
    if (max <= 0) return 1;
    double raw = max / target;
    double p = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
        if (m * p >= raw) return m * p;
    return 10 * p;
}

std::size_t utf8_length(const std::string& s) {
    return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

std::string number(double v) {
    if (v >= 100) return strprintf("%.0f", v);
    if (v >= 10) return strprintf("%.1f", v);
    return strprintf("%.2f", v);
}

std::string tick_label(double v, double step) {
    return step >= 1 ? strprintf("%.0f", v) : strprintf("%.*f", step >= 0.1 ? 1 : 2, v);
}

std::string workers_label(unsigned workers) {
    if (workers == 0) return "own workers";  // the command chose
    return std::to_string(workers) + (workers == 1 ? " worker" : " workers");
}

struct Group {
    unsigned workers;
    std::uint64_t chunk;
    std::string chunk_text;
    std::vector<const Measurement*> bars;
};

constexpr double kWidth = 960, kPanelHeight = 500, kLeft = 90, kRight = 190, kTop = 86, kBottom = 78;
const char* kFont = "DejaVu Sans, Helvetica, Arial, sans-serif";

void panel(std::string& s, const Report& r, const WorkloadReport& w, double y0) {
    // Groups by worker count and chunk size; a baseline without chunks joins its worker count's
    // first group, so the C++ baseline stands beside seq with 1 worker.
    std::vector<Group> groups;
    std::vector<std::string> series;
    for (const auto& m : w.rows) {
        if (std::find(series.begin(), series.end(), m.config.name) == series.end()) series.push_back(m.config.name);
        auto it = std::find_if(groups.begin(), groups.end(), [&](const Group& g) {
            return g.workers == m.config.workers && (m.config.chunk_bytes == 0 || g.chunk == m.config.chunk_bytes);
        });
        if (it == groups.end()) {
            groups.push_back({m.config.workers, m.config.chunk_bytes, m.config.chunk_text, {}});
            it = groups.end() - 1;
        }
        if (it->chunk == 0 && m.config.chunk_bytes) it->chunk = m.config.chunk_bytes, it->chunk_text = m.config.chunk_text;
        it->bars.push_back(&m);
    }
    std::stable_sort(groups.begin(), groups.end(), [](const Group& a, const Group& b) {
        return a.workers != b.workers ? a.workers < b.workers : a.chunk < b.chunk;
    });
    std::vector<std::uint64_t> chunks;
    for (const auto& g : groups)
        if (g.chunk && std::find(chunks.begin(), chunks.end(), g.chunk) == chunks.end()) chunks.push_back(g.chunk);
    const bool one_chunk = chunks.size() <= 1;

    // Bars show throughput; without a known amount of work (bench exec), speedup over the reference.
    const bool rates = !w.rate_unit.empty();
    auto value = [&](const Measurement& m) { return rates ? m.throughput : m.speedup; };
    const std::string axis = rates ? "throughput (" + w.rate_unit + ")" : "speedup over " + w.reference + " (×)";
    // Whiskers: the slowest and the fastest repeat, as the same kind of value as the bar.
    auto spread = [&](const Measurement& m) {
        double lo = value(m), hi = lo;
        for (double t : m.wall_seconds)
            if (t > 0 && m.median_seconds > 0) {
                lo = std::min(lo, value(m) * m.median_seconds / t);
                hi = std::max(hi, value(m) * m.median_seconds / t);
            }
        return std::pair{lo, hi};
    };
    double max_rate = 0;
    for (const auto& m : w.rows) max_rate = std::max(max_rate, spread(m).second);
    const double step = nice_step(max_rate * 1.12, 6);
    const double top_value = std::max(step, std::ceil(max_rate * 1.12 / step) * step);

    const double px = kLeft, py = y0 + kTop, pw = kWidth - kLeft - kRight, ph = kPanelHeight - kTop - kBottom;
    auto y_of = [&](double v) { return py + ph - v / top_value * ph; };

    // Titles: the workload, its input and the machine; then how it was measured. A title too long
    // for the width gets a smaller font (DejaVu Sans bold averages ~0.62 em per character).
    const std::string title = "parapipe " + w.workload + "  ·  " + w.input_description + "  ·  " + r.machine.cpu_model +
                              ", " + std::to_string(r.machine.cores) + " cores";
    const double title_size = std::min(19.0, (kWidth - 40) / (0.62 * static_cast<double>(utf8_length(title))));
    s += strprintf("<text x=\"20\" y=\"%.0f\" font-size=\"%.1f\" font-weight=\"bold\">%s</text>\n", y0 + 30, title_size,
                   xml(title).c_str());
    std::string sub = std::string(rates ? "throughput" : "speedup") + " by mode and worker count  ·  bars: median of " + std::to_string(r.repeat) +
                      (r.repeat == 1 ? " run" : " runs, whiskers: min-max") + ", whole-process wall time  ·  higher is better  ·  " +
                      r.machine.kernel;
    s += strprintf("<text x=\"20\" y=\"%.0f\" font-size=\"13\" fill=\"#444\">%s</text>\n", y0 + 52, xml(sub).c_str());
    if (w.other_load >= 0.1)
        s += strprintf("<text x=\"20\" y=\"%.0f\" font-size=\"12\" fill=\"#d00\">other processes kept %.2f of %u cores "
                       "busy during these runs: figures are disturbed</text>\n",
                       y0 + 70, w.other_load, r.machine.cores);

    // Grid and y axis.
    for (double v = 0; v <= top_value + step / 2; v += step) {
        double y = y_of(v);
        s += strprintf("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1\"/>\n", px, y,
                       px + pw, y, v == 0 ? "#333" : "#e3e3e3");
        s += strprintf("<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" text-anchor=\"end\" fill=\"#333\">%s</text>\n",
                       px - 8, y + 4, tick_label(v, step).c_str());
    }
    s += strprintf("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>\n", px, py, px, py + ph);
    s += strprintf("<text transform=\"translate(%.1f %.1f) rotate(-90)\" font-size=\"14\" text-anchor=\"middle\">%s</text>\n",
                   28.0, py + ph / 2, xml(axis).c_str());

    // Bars.
    std::size_t most = 1;
    for (const auto& g : groups) most = std::max(most, g.bars.size());
    const double gw = pw / static_cast<double>(std::max<std::size_t>(groups.size(), 1));
    const double bw = std::min(70.0, gw * 0.82 / static_cast<double>(most));
    for (std::size_t gi = 0; gi < groups.size(); ++gi) {
        const Group& g = groups[gi];
        const double cx = px + gw * (static_cast<double>(gi) + 0.5);
        double x = cx - bw * static_cast<double>(g.bars.size()) / 2;
        for (const Measurement* m : g.bars) {
            const double y = y_of(value(*m)), h = py + ph - y;
            const bool bad = !m->matches_reference;
            s += strprintf("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"%s><title>%s</title></rect>\n",
                           x + 2, y, bw - 4, h, colour_of(m->config.name).c_str(),
                           bad ? " stroke=\"#d00\" stroke-width=\"3\"" : "",
                           xml(m->config.name + ", " + workers_label(m->config.workers) + ": " +
                               (rates ? number(m->throughput) + " " + w.rate_unit + ", " : "") +
                               strprintf("%.2f", m->speedup) + "× " + strprintf("(%.3f s)", m->median_seconds))
                               .c_str());
            const auto [lo, hi] = spread(*m);
            if (hi > lo) {  // min-max of the repeats, with caps
                const double wx = x + bw / 2, cap = std::min(8.0, bw / 4);
                s += strprintf("<path d=\"M%.1f %.1fV%.1fM%.1f %.1fH%.1fM%.1f %.1fH%.1f\" stroke=\"#222\" "
                               "stroke-width=\"1.5\" fill=\"none\"/>\n",
                               wx, y_of(hi), y_of(lo), wx - cap, y_of(hi), wx + cap, wx - cap, y_of(lo), wx + cap);
            }
            // The value above the bar and its whisker; the second figure inside a tall bar, or
            // above the value in dark ink when the bar is too short to hold it.
            const double label_y = std::min(y, y_of(hi)) - 5;
            s += strprintf("<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" text-anchor=\"middle\" fill=\"#222\">%s</text>\n",
                           x + bw / 2, label_y, (rates ? number(m->throughput) : strprintf("%.2f×", m->speedup)).c_str());
            const std::string second = rates ? strprintf("%.2f×", m->speedup) : strprintf("%.2fs", m->median_seconds);
            if (h > 22)
                s += strprintf("<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\" fill=\"#fff\">%s</text>\n",
                               x + bw / 2, y + 15, second.c_str());
            else
                s += strprintf("<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\" fill=\"#555\">%s</text>\n",
                               x + bw / 2, label_y - 14, second.c_str());
            if (bad)
                s += strprintf("<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" text-anchor=\"middle\" fill=\"#d00\" "
                               "font-weight=\"bold\">differs</text>\n",
                               x + bw / 2, label_y - (h > 22 ? 14 : 28));
            x += bw;
        }
        std::string label = workers_label(g.workers);
        s += strprintf("<text x=\"%.1f\" y=\"%.1f\" font-size=\"14\" text-anchor=\"middle\">%s</text>\n", cx,
                       py + ph + 22, xml(label).c_str());
        if (!one_chunk && g.chunk)
            s += strprintf("<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" text-anchor=\"middle\" fill=\"#444\">%s chunks</text>\n",
                           cx, py + ph + 39, xml(g.chunk_text).c_str());
    }
    std::string xtitle = "workers (threads or processes)";
    if (one_chunk && !chunks.empty()) xtitle += ", chunks of " + format_size_compact(chunks.front());
    xtitle += rates ? ";  white: speedup over " + w.reference : ";  white: median wall time";
    s += strprintf("<text x=\"%.1f\" y=\"%.1f\" font-size=\"13\" text-anchor=\"middle\" fill=\"#333\">%s</text>\n",
                   px + pw / 2, py + ph + (one_chunk ? 50 : 62), xml(xtitle).c_str());

    // Legend.
    double ly = py + 6;
    const double lx = px + pw + 24;
    for (const auto& name : series) {
        s += strprintf("<rect x=\"%.1f\" y=\"%.1f\" width=\"16\" height=\"16\" fill=\"%s\"/>\n", lx, ly,
                       colour_of(name).c_str());
        s += strprintf("<text x=\"%.1f\" y=\"%.1f\" font-size=\"14\">%s</text>\n", lx + 24, ly + 13, xml(name).c_str());
        ly += 26;
    }
    bool all = std::all_of(w.rows.begin(), w.rows.end(), [](const auto& m) { return m.matches_reference; });
    s += strprintf("<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" fill=\"%s\">%s</text>\n", lx, ly + 14,
                   all ? "#2a7a2a" : "#d00", all ? "all outputs identical" : "OUTPUTS DIFFER");
}

std::string temp_beside(const std::string& path, const std::string& suffix) {
    namespace fs = std::filesystem;
    fs::path p(path);
    fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
    // Appended piece by piece: `"." + string` trips a false -Wrestrict in GCC 12.
    std::string name = ".";
    name += p.filename().string();
    name += ".tmp-XXXXXX";
    name += suffix;
    std::string tmp = (dir / name).string();
    int fd = ::mkstemps(tmp.data(), static_cast<int>(suffix.size()));
    if (fd < 0) throw UsageError("cannot write " + path);
    ::close(fd);
    return tmp;
}

}  // namespace

std::string to_svg(const Report& r) {
    const double height = kPanelHeight * static_cast<double>(std::max<std::size_t>(r.workloads.size(), 1));
    std::string s;
    s += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    s += strprintf("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
                   "font-family=\"%s\">\n",
                   kWidth, height, kWidth, height, kFont);
    s += strprintf("<rect width=\"%.0f\" height=\"%.0f\" fill=\"#ffffff\"/>\n", kWidth, height);
    for (std::size_t i = 0; i < r.workloads.size(); ++i) panel(s, r, r.workloads[i], kPanelHeight * static_cast<double>(i));
    s += "</svg>\n";
    return s;
}

bool plot_wants_png(const std::string& path) {
    std::string ext = std::filesystem::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (ext == ".png") return true;
    if (ext == ".svg") return false;
    throw UsageError("--plot " + path + ": the file name must end in .svg or .png");
}

void check_png_renderer() {
    if (find_program("rsvg-convert").empty())
        throw UsageError("--plot *.png needs rsvg-convert (Debian package librsvg2-bin); install it or write .svg");
}

void write_chart(const Report& r, const std::string& path) {
    const std::string svg = to_svg(r);
    if (!plot_wants_png(path)) {
        write_file_atomically(path, svg);
        return;
    }
    check_png_renderer();
    // Render beside the target, then rename: the PNG appears whole or not at all.
    const std::string svg_tmp = temp_beside(path, ".svg"), png_tmp = temp_beside(path, ".png");
    auto cleanup = [&] {
        ::unlink(svg_tmp.c_str());
        ::unlink(png_tmp.c_str());
    };
    try {
        {
            std::ofstream f(svg_tmp, std::ios::binary | std::ios::trunc);
            f << svg;
            if (!f.flush()) throw Error("cannot write " + svg_tmp);
        }
        const std::string log = png_tmp + ".log";
        try {
            run_child({"rsvg-convert", "--format=png", "--output=" + png_tmp, svg_tmp}, "/dev/null", log);
        } catch (...) {
            ::unlink(log.c_str());
            throw;
        }
        ::unlink(log.c_str());
        ::chmod(png_tmp.c_str(), target_mode(path));  // mkstemps made it 0600
        std::filesystem::rename(png_tmp, path);
        ::unlink(svg_tmp.c_str());
    } catch (const std::filesystem::filesystem_error& e) {
        cleanup();
        throw Error("cannot write " + path + ": " + e.code().message());
    } catch (...) {
        cleanup();
        throw;
    }
}

}  // namespace parapipe::cli::bench
