#pragma once
// The validated settings of one `parapipe bench` invocation: what every workload runs over
// (modes, workers, chunk sizes, repeats), the report files, and what the built-in ones generate.
#include <cstdint>
#include <string>
#include <vector>

#include <parapipe/engine/mode.hpp>

#include "bench/corpus/text_corpus.hpp"

namespace parapipe::cli::bench {

struct ChunkSize {
    std::uint64_t bytes;  ///< 0 with text "auto": per row, default_chunk_size(work, workers)
    std::string text;     ///< as written by the user ("8MiB", "auto")
};

struct Settings {
    std::vector<Mode> modes;              ///< in the order given; seq is added as the reference
    std::vector<unsigned> workers;        ///< distinct, in the order given
    std::vector<ChunkSize> chunk_sizes;   ///< distinct, in the order given
    std::vector<std::string> inputs;      ///< empty: generate
    std::uint64_t size = 0;               ///< generated input size (bytes)
    std::uint64_t seed = 42;
    parapipe::bench::TextKind corpus = parapipe::bench::TextKind::mixed;  ///< generated text's kind
    int image_count = 8;                  ///< generated images
    int image_width = 4096, image_height = 4096;
    std::string image_ops = "grayscale,blur:5,sobel";
    std::string image_format = "same";  ///< as `run image --format`
    unsigned repeat = 3;
    unsigned warmup = 1;
    bool baselines = false;
    std::string cache_dir;                ///< resolved
    std::string exe;                      ///< the parapipe binary to run
    std::string json, csv, plot;          ///< report files ("" : none)
};

}  // namespace parapipe::cli::bench
