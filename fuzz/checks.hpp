#pragma once
// The invariants the fuzz targets check, shared with tests/hardening/fuzz_regressions_test.cpp
// (which replays the seed corpora and every input that once failed). Each check returns "" when
// the invariant holds, else a message saying what broke. Exceptions other than the documented
// UsageError escape on purpose: libFuzzer reports them as crashes, the test as failures.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <parapipe/operators/utf8.hpp>
#include <parapipe/engine/errors.hpp>
#include <parapipe/engine/text_source.hpp>
#include "cli/size.hpp"
#include <parapipe/operators/words.hpp>
#include "tests/support/test_support.hpp"

namespace parapipe::fuzz {

/// Word counts of `data` are the same whole (ops::for_each_word), by the plain reference
/// (tests/support reference_count), and chunk by chunk through TextSource::open for several
/// chunk sizes derived from the input; pieces join back into the input.
inline std::string check_words_and_chunker(std::string_view data) {
    using Counts = std::map<std::string, std::uint64_t>;
    Counts whole;
    const std::uint64_t whole_invalid =
        ops::for_each_word(data, [&](std::string_view w) { ++whole[std::string(w)]; });
    testing::ReferenceCount ref;
    testing::reference_count(data, ref);
    if (whole != ref.counts) return "for_each_word disagrees with the reference on the whole input";
    if (whole_invalid != ref.invalid_bytes) return "invalid byte counts differ from the reference";

    // A memfd is a regular file: TextSource maps it like any input, with no disk I/O.
    const int fd = ::memfd_create("parapipe-fuzz", MFD_CLOEXEC);
    if (fd < 0) return "";  // cannot test the chunker here; not a finding
    for (std::size_t off = 0; off < data.size();) {
        ssize_t w = ::write(fd, data.data() + off, data.size() - off);
        if (w <= 0) {
            ::close(fd);
            return "";
        }
        off += static_cast<std::size_t>(w);
    }
    const std::string path = "/proc/self/fd/" + std::to_string(fd);
    const std::size_t n = data.size();
    const std::size_t seed = n ? static_cast<unsigned char>(data[0]) | static_cast<unsigned char>(data[n - 1]) << 8 : 0;
    std::string failure;
    for (std::size_t chunk : {std::size_t{1}, std::size_t{2}, std::size_t{3}, seed % (n + 2) + 1, n / 2 + 1, n + 1,
                              std::size_t{1} << 16}) {
        auto src = TextSource::open({path}, chunk, utf8::next_cut);
        Counts counts;
        std::uint64_t invalid = 0;
        std::string joined;
        for (std::size_t c = 0; c < src->chunk_count(); ++c) {
            src->for_each_piece(c, [&](std::string_view piece) {
                if (piece.empty()) failure = "empty piece";
                joined.append(piece);
                invalid += ops::for_each_word(piece, [&](std::string_view w) { ++counts[std::string(w)]; });
            });
        }
        if (failure.empty() && joined != data) failure = "pieces do not join back into the input";
        if (failure.empty() && counts != whole) failure = "a word was cut between chunks";
        if (failure.empty() && invalid != whole_invalid) failure = "invalid bytes counted differently in chunks";
        if (failure.empty() && src->total_bytes() != n) failure = "total_bytes differs from the input size";
        if (!failure.empty()) {
            failure += " (chunk size " + std::to_string(chunk) + ")";
            break;
        }
    }
    ::close(fd);
    return failure;
}

/// parse_size either throws UsageError or returns digits × unit, positive; it accepts every
/// well-formed size from 1 byte to 2^50 bytes written with at most 18 digits.
inline std::string check_parse_size(std::string_view text) {
    std::size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
    const std::string_view unit = text.substr(digits);
    std::uint64_t mult = 0;
    for (auto [name, m] : std::initializer_list<std::pair<std::string_view, std::uint64_t>>{
             {"", 1}, {"B", 1}, {"K", 1 << 10}, {"k", 1 << 10}, {"KB", 1 << 10}, {"kB", 1 << 10}, {"KiB", 1 << 10},
             {"M", 1 << 20}, {"MB", 1 << 20}, {"MiB", 1 << 20}, {"G", 1 << 30}, {"GB", 1 << 30}, {"GiB", 1 << 30}})
        if (unit == name) mult = m;
    // The expected value, saturating instead of overflowing.
    unsigned __int128 value = 0;
    for (std::size_t i = 0; i < digits && value < (unsigned __int128)1 << 80; ++i) value = value * 10 + (text[i] - '0');
    const unsigned __int128 bytes = value * mult;
    const bool acceptable = digits >= 1 && digits <= 18 && mult != 0 && bytes >= 1 && bytes <= (std::uint64_t{1} << 50);
    try {
        const std::size_t got = parse_size(text);
        if (!acceptable) return "accepted a size it should refuse: '" + std::string(text) + "'";
        if (got != bytes) return "wrong value for '" + std::string(text) + "': " + std::to_string(got);
    } catch (const UsageError&) {
        if (acceptable) return "refused a valid size: '" + std::string(text) + "'";
    }
    return "";
}

}  // namespace parapipe::fuzz
