#include "cli/wordcount_format.hpp"

#include <nlohmann/json.hpp>

#include "cli/csv.hpp"

namespace parapipe::wordcount {

std::string format(const Result& r, Format f) {
    std::string out;
    switch (f) {
        case Format::tsv: {
            // Reserved exactly: growing by doubling would hold two copies of a large output.
            std::size_t bytes = 0;
            for (const auto& [w, n] : r.words) bytes += w.size() + 2 + std::to_string(n).size();
            out.reserve(bytes);
            for (const auto& [w, n] : r.words) {
                out += w;
                out += '\t';
                out += std::to_string(n);
                out += '\n';
            }
            break;
        }
        case Format::csv:
            out = "word,count\n";
            for (const auto& [w, n] : r.words) out += csv_field(w) + ',' + std::to_string(n) + '\n';
            break;
        case Format::json: {
            nlohmann::ordered_json j;
            auto& words = j["words"] = nlohmann::ordered_json::array();
            for (const auto& [w, n] : r.words) words.push_back({{"word", w}, {"count", n}});
            j["total_words"] = r.total_words;
            j["unique_words"] = r.unique_words;
            j["bytes"] = r.bytes;
            j["invalid_bytes"] = r.invalid_bytes;
            out = j.dump() + '\n';
            break;
        }
    }
    return out;
}

}  // namespace parapipe::wordcount
