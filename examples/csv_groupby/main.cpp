// csv_groupby: count, sum, min and max of an integer column per key column, over CSV files
// (RFC 4180, parsed with libcsv) whose first line is a header; columns may be in a different
// order in each file.
//
//   csv_groupby [--mode M] [--workers N] [--chunk-size SIZE] --key NAME --value NAME PATH...
//
// Prints KEY<TAB>COUNT<TAB>SUM<TAB>MIN<TAB>MAX per key, sorted by the key's bytes. Rows whose
// value is not an integer (optional sign, digits, fitting 64 bits), rows with fewer fields than
// the header and rows with broken quoting are skipped and counted on stderr. Empty lines are
// not rows.
//
// Why lines() and a header table: files may be large, and lines() cuts every file into chunks
// (at line ends; a quoted field holds no newline) that all workers share, memory-mapped, while
// files() would give each whole file to one worker and hold it in memory. The price: a chunk
// after the first does not see its file's header, so the headers are read up front into a
// table by path, which the workers inherit.
#include <csv.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <parapipe/parapipe.hpp>

#include "cli.hpp"

namespace {

// Splits one CSV record into `fields` with libcsv. False when its quoting is broken.
bool split(std::string_view line, std::vector<std::string>& fields) {
    fields.clear();
    csv_parser p;
    csv_init(&p, CSV_STRICT | CSV_STRICT_FINI);
    csv_set_space_func(&p, [](unsigned char) { return 0; });  // RFC 4180: spaces are part of a field
    csv_set_term_func(&p, [](unsigned char) { return 0; });   // lines() has already cut the records
    auto field = [](void* s, std::size_t n, void* out) {
        static_cast<std::vector<std::string>*>(out)->emplace_back(static_cast<const char*>(s), n);
    };
    const bool ok = csv_parse(&p, line.data(), line.size(), field, nullptr, &fields) == line.size() &&
                    csv_fini(&p, field, nullptr, &fields) == 0;
    csv_free(&p);
    return ok;
}

// Where a file's key and value columns are.
struct Layout {
    std::size_t key = 0, value = 0, fields = 0;
};

// The first line of every file, for the columns named `key` and `value`. UsageError naming the
// file when one is missing. Empty files have no rows and need no header.
std::map<std::string, Layout, std::less<>> read_headers(const std::vector<std::string>& paths, const std::string& key,
                                                        const std::string& value) {
    std::map<std::string, Layout, std::less<>> layouts;
    for (const std::string& path : parapipe::walk(paths)) {
        if (path == "-") throw parapipe::UsageError("stdin is not supported: the header must be read first");
        if (layouts.contains(path)) continue;  // named twice: read twice, same layout
        std::ifstream in(path, std::ios::binary);
        std::string header;
        if (!std::getline(in, header)) continue;
        if (!in.eof() && header.ends_with('\r')) header.pop_back();  // as lines() does for "\r\n"
        Layout f;
        std::vector<std::string> names;
        if (!split(header, names)) throw parapipe::UsageError(path + ": cannot parse the header");
        auto column = [&](const std::string& name) {
            for (std::size_t i = 0; i < names.size(); ++i)
                if (names[i] == name) return i;
            throw parapipe::UsageError(path + ": no column \"" + name + "\" in the header");
        };
        f.key = column(key), f.value = column(value), f.fields = names.size();
        layouts.emplace(path, std::move(f));
    }
    return layouts;
}

std::optional<std::int64_t> to_integer(std::string_view s) {
    if (s.size() > 1 && s[0] == '+' && s[1] != '-') s.remove_prefix(1);  // from_chars takes '-' only
    std::int64_t v = 0;
    auto [end, err] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (err != std::errc{} || end != s.data() + s.size()) return std::nullopt;  // junk or out of range
    return v;
}

// The key and value of a data row, or nothing when the row is to be skipped.
std::optional<std::pair<std::string_view, std::int64_t>> parse_row(std::string_view line, const Layout& f,
                                                                   std::vector<std::string>& fields) {
    if (!split(line, fields) || fields.size() < f.fields) return std::nullopt;
    auto v = to_integer(fields[f.value]);
    if (!v) return std::nullopt;
    return std::pair<std::string_view, std::int64_t>(fields[f.key], *v);
}

// A key's totals. The sum wraps around modulo 2^64, so the order of additions (which differs
// between modes) does not matter, and it is exact whenever the true sum fits in 64 bits.
struct Stats {
    std::int64_t count = 0, sum = 0;
    std::int64_t min = std::numeric_limits<std::int64_t>::max(), max = std::numeric_limits<std::int64_t>::min();
    PARAPIPE_FIELDS(count, sum, min, max)  // lets partials cross processes / live in shared memory
};
Stats of(std::int64_t v) { return {1, v, v, v}; }
Stats combine(Stats a, Stats b) {
    const std::uint64_t sum = static_cast<std::uint64_t>(a.sum) + static_cast<std::uint64_t>(b.sum);
    return {a.count + b.count, static_cast<std::int64_t>(sum), std::min(a.min, b.min), std::max(a.max, b.max)};
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Count, sum, min and max of an integer CSV column per key", "csv_groupby"};
    examples::Options opt;
    examples::add_run_options(app, opt);
    std::string key, value;
    app.add_option("--key", key, "the key column's name")->required();
    app.add_option("--value", value, "the integer column's name")->required();

    using Row = std::pair<std::string_view, std::int64_t>;  // key, value
    return examples::run_main(app, argc, argv, [&] {
        const auto layouts = read_headers(opt.paths, key, value);  // forked workers inherit it
        parapipe::Counters counters;
        auto stats = parapipe::lines(opt.paths, opt.chunk_size)
                         .filter([](const parapipe::Line& l) { return !l.text.empty(); })
                         .flat_map<Row>([&layouts](const parapipe::Line& l, auto&& emit) {
                             if (l.offset == 0) return;  // the file's header
                             const Layout& f = layouts.find(l.file)->second;
                             thread_local std::vector<std::string> fields;  // reused, one per thread
                             if (auto row = parse_row(l.text, f, fields)) emit(*row);
                             else parapipe::count("skipped");
                         })
                         .reduce_by_key([](const auto& kv) { return kv.first; },  // a std::string in the result
                                        [](const auto& kv) { return of(kv.second); }, combine)
                         .run(opt.run, counters);

        for (const auto& [k, s] : stats) {
            std::fwrite(k.data(), 1, k.size(), stdout);  // a key may hold any byte
            std::printf("\t%lld\t%lld\t%lld\t%lld\n", static_cast<long long>(s.count), static_cast<long long>(s.sum),
                        static_cast<long long>(s.min), static_cast<long long>(s.max));
        }
        if (counters["skipped"])
            std::fprintf(stderr, "csv_groupby: skipped %llu rows (value not an integer, too few fields or "
                                 "broken quoting)\n", static_cast<unsigned long long>(counters["skipped"]));
    });
}
