#include <parapipe/pipelines/wordcount.hpp>

namespace parapipe::wordcount {

Plan<Partial, Result> make_plan(std::shared_ptr<const TextFilesSource> source, std::size_t top) {
    // Read at the end: a stream's size is known once it has been read.
    auto text = source;
    return then(pipeline(std::move(source)).plan(), [top, text](std::pair<std::vector<KeyCount>, Counters>&& done) {
        auto& [words, counters] = done;
        Result r;
        r.unique_words = words.size();
        r.bytes = text->text().total_bytes();
        if (auto it = counters.find(words_counter); it != counters.end()) r.total_words = it->second;
        if (auto it = counters.find(ops::Words::invalid_bytes_counter); it != counters.end()) r.invalid_bytes = it->second;
        if (top > 0 && words.size() > top) words.resize(top);
        r.words = std::move(words);
        return r;
    });
}

}  // namespace parapipe::wordcount
