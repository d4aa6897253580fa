#pragma once
// Word-count results as the CLI writes them: tsv (`word<TAB>count` lines), csv, json.
#include <string>

#include <parapipe/pipelines/wordcount.hpp>

namespace parapipe::wordcount {

enum class Format { tsv, csv, json };

/// The result as text in the given format.
std::string format(const Result& r, Format f);

}  // namespace parapipe::wordcount
