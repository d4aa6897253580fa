#pragma once
// An external sort of (key, value) records in any order `Less` (taking pair<string_view, V>):
// records are buffered up to a byte budget, sorted and written as runs into the spill folder,
// and read back merged, one record at a time. A keyed result too large to hold (wordcount's
// words by count) is sorted this way and streamed to its writer. The runs live as long as the
// SortedRuns (and with it, the folder).
#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <parapipe/engine/spill/merge.hpp>

namespace parapipe::spill {

template <class V, class Less>
class SortedRuns {
public:
    SortedRuns(std::shared_ptr<SpillFolder> folder, Less less, std::size_t budget)
        : folder_(std::move(folder)), less_(less), budget_(std::max<std::size_t>(budget, 1)) {}
    SortedRuns(const SortedRuns&) = delete;
    SortedRuns& operator=(const SortedRuns&) = delete;
    ~SortedRuns() {
        for (const auto& p : runs_) folder_->remove(p);
    }

    void add(std::string_view key, V value) {
        // A std::string keeps keys of up to 15 bytes inline.
        bytes_ += sizeof(Item) + (key.size() > 15 ? key.size() + 1 : 0);
        buffer_.emplace_back(std::string(key), std::move(value));
        if (bytes_ > budget_) flush();
    }
    /// No more records: what is buffered is sorted (and written, when runs exist already).
    void seal() {
        if (!runs_.empty()) flush();
        else std::sort(buffer_.begin(), buffer_.end(), view_less());
        runs_ = narrow(*folder_, std::move(runs_), "ord", [&](const std::vector<std::string>& in, RunWriter& w) {
            merge(in, [&](std::string_view k, const V& v) { w.add(0, k, v); return true; });
        });
    }
    /// f(key, const V&) for every record in order, while f returns true.
    template <class F>
    void for_each(F&& f) const {
        if (runs_.empty()) {
            for (const auto& [k, v] : buffer_)
                if (!f(std::string_view(k), v)) return;
            return;
        }
        merge(runs_, f);
    }

private:
    using Item = std::pair<std::string, V>;
    auto view_less() const {
        return [this](const Item& a, const Item& b) {
            return less_(std::pair<std::string_view, V>(a.first, a.second),
                         std::pair<std::string_view, V>(b.first, b.second));
        };
    }
    void flush() {
        if (buffer_.empty()) return;
        std::sort(buffer_.begin(), buffer_.end(), view_less());
        RunWriter w(*folder_, "ord");
        for (const auto& [k, v] : buffer_) w.add(0, k, v);
        runs_.push_back(w.close());
        std::vector<Item>().swap(buffer_);
        bytes_ = 0;
    }
    // A merge stops early when f returns false (--top): an exception carries it out.
    struct Stop {};
    template <class F>
    void merge(const std::vector<std::string>& paths, F&& f) const {
        auto less = [this](const RunReader& a, const RunReader& b) {
            V va{}, vb{};
            a.value(va);
            b.value(vb);
            return less_(std::pair<std::string_view, V>(a.key(), va), std::pair<std::string_view, V>(b.key(), vb));
        };
        try {
            merge_records(*folder_, paths, less, [&](RunReader& r) {
                V v{};
                r.value(v);
                if (!f(r.key(), v)) throw Stop{};
            });
        } catch (const Stop&) {
        }
    }

    std::shared_ptr<SpillFolder> folder_;
    Less less_;
    std::size_t budget_;
    std::size_t bytes_ = 0;
    std::vector<Item> buffer_;
    std::vector<std::string> runs_;
};

}  // namespace parapipe::spill
