#pragma once
// Word-count results as the CLI writes them: tsv (`word<TAB>count` lines), csv, json.
#include <functional>
#include <string>
#include <string_view>

#include <parapipe/pipelines/wordcount.hpp>

namespace parapipe::wordcount {

enum class Format { tsv, csv, json };

/// The result in the given format, handed to `sink` in pieces of about a MiB: a result read from
/// disk (Result::spilled) is never held whole.
void write(const Result& r, Format f, const std::function<void(std::string_view)>& sink);

/// The result as text in the given format.
std::string format(const Result& r, Format f);

}  // namespace parapipe::wordcount
