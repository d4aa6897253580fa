#include "cli/wordcount_format.hpp"

#include <nlohmann/json.hpp>

#include "cli/csv.hpp"

namespace parapipe::wordcount {

void write(const Result& r, Format f, const std::function<void(std::string_view)>& sink) {
    constexpr std::size_t piece = std::size_t{1} << 20;
    std::string out;
    auto flush = [&](bool always) {
        if (out.size() >= piece || (always && !out.empty())) {
            sink(out);
            out.clear();
        }
    };
    switch (f) {
        case Format::tsv:
            r.for_each_word([&](std::string_view w, std::uint64_t n) {
                if (w.size() >= piece) {  // a huge word goes out as it is: no copy of it in `out`
                    flush(true);
                    sink(w);
                } else {
                    out += w;
                }
                out += '\t';
                out += std::to_string(n);
                out += '\n';
                flush(false);
            });
            break;
        case Format::csv:
            out = "word,count\n";
            r.for_each_word([&](std::string_view w, std::uint64_t n) {
                out += csv_field(std::string(w)) + ',' + std::to_string(n) + '\n';
                flush(false);
            });
            break;
        case Format::json: {
            // The bytes nlohmann's compact dump() gives for the whole object, written word by word.
            out = "{\"words\":[";
            bool first = true;
            r.for_each_word([&](std::string_view w, std::uint64_t n) {
                if (!first) out += ',';
                first = false;
                out += "{\"word\":";
                out += nlohmann::ordered_json(std::string(w)).dump();
                out += ",\"count\":";
                out += std::to_string(n);
                out += '}';
                flush(false);
            });
            out += "],\"total_words\":" + std::to_string(r.total_words) +
                   ",\"unique_words\":" + std::to_string(r.unique_words) + ",\"bytes\":" + std::to_string(r.bytes) +
                   ",\"invalid_bytes\":" + std::to_string(r.invalid_bytes) + "}\n";
            break;
        }
    }
    flush(true);
}

std::string format(const Result& r, Format f) {
    std::string text;
    write(r, f, [&](std::string_view s) { text += s; });
    return text;
}

}  // namespace parapipe::wordcount
