#pragma once
// The prebuilt pipelines the CLI offers (`parapipe list`, `parapipe run NAME`).
#include <vector>

namespace parapipe::pipelines {

struct Entry {
    const char* name;
    const char* summary;
};

/// Every prebuilt pipeline, in display order.
inline const std::vector<Entry>& registry() {
    static const std::vector<Entry> entries = {
        {"wordcount", "count words in text files, directories or stdin (Unicode-exact, lowercased)"},
        {"image", "OpenCV op chains over batches of images or tiles of one large image, with histograms"},
    };
    return entries;
}

}  // namespace parapipe::pipelines
