#pragma once
// Inputs shared by the micro suites: the generated benchmark text (bench/corpus) in memory and
// in a temporary file, and word-count partials built from it. Built once per process.
#include <string>

#include <parapipe/pipelines/wordcount.hpp>

namespace parapipe::bench::micro {

/// 8 MiB of generated text (the default chunk size of `parapipe run wordcount`).
const std::string& text_8mib();

/// A file holding `mib` MiB of generated text, removed at exit.
const std::string& text_file(std::size_t mib);

/// The partial of one 8 MiB chunk (what a worker hands back per chunk).
wordcount::Partial partial_of(const std::string& text);

}  // namespace parapipe::bench::micro
