#pragma once
// Word-count results as the CLI writes them: tsv (`word<TAB>count` lines), csv, json.
#include <functional>
#include <string>
#include <string_view>

#include <parapipe/pipelines/wordcount.hpp>

namespace parapipe::wordcount {

enum class Format { tsv, csv, json };

/// The result in the given format, handed to `sink` in order, in pieces of up to about a MiB: a
/// result read from disk (Result::spilled) is never held whole. With `workers` > 1, a large held
/// result is formatted on that many threads (the bytes are the same).
void write(const Result& r, Format f, const std::function<void(std::string_view)>& sink, unsigned workers = 1);

/// The result as text in the given format.
std::string format(const Result& r, Format f, unsigned workers = 1);

}  // namespace parapipe::wordcount
