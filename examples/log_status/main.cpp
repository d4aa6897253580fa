// log_status: requests and bytes per HTTP status in web server logs (Common or Combined Log
// Format), with the lines that do not parse counted as malformed.
//
//   log_status [--mode M] [--workers N] [--chunk-size SIZE] PATH...
//
// Prints STATUS<TAB>REQUESTS<TAB>BYTES per status, ascending, then malformed<TAB>N<TAB>0.
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string_view>

#include <parapipe/parapipe.hpp>

#include "cli.hpp"

namespace {

struct Request {
    int status = 0;
    std::uint64_t bytes = 0;
};

// Parses HOST IDENT USER [TIME] "REQUEST" STATUS BYTES [anything after a space], e.g.
//   2001:db8::1 - frank [10/Oct/2000:13:55:36 -0700] "GET /a\"b HTTP/1.0" 200 2326 "-" "curl/8"
// Fields are separated by one space; TIME may hold spaces; REQUEST may hold \" (and any other
// backslash escape); STATUS is three digits; BYTES is digits (fitting 64 bits) or "-" for none.
std::optional<Request> parse(std::string_view s) {
    std::size_t i = 0;
    for (int field = 0; field < 3; ++field) {  // HOST IDENT USER: non-empty, no spaces
        const std::size_t end = s.find(' ', i);
        if (end == std::string_view::npos || end == i) return std::nullopt;
        i = end + 1;
    }
    if (i >= s.size() || s[i] != '[') return std::nullopt;
    const std::size_t close = s.find(']', i);
    if (close == std::string_view::npos || s.substr(close + 1, 2) != " \"") return std::nullopt;
    for (i = close + 3; i < s.size() && s[i] != '"'; ++i)
        if (s[i] == '\\') ++i;  // skips the escaped character
    if (i >= s.size()) return std::nullopt;  // no closing quote
    i += 1;  // past the closing quote
    auto digit = [&](std::size_t at) { return at < s.size() && s[at] >= '0' && s[at] <= '9'; };
    if (s.substr(i, 1) != " " || !digit(i + 1) || !digit(i + 2) || !digit(i + 3) || s.substr(i + 4, 1) != " ")
        return std::nullopt;
    Request r;
    r.status = (s[i + 1] - '0') * 100 + (s[i + 2] - '0') * 10 + (s[i + 3] - '0');
    i += 5;
    if (i < s.size() && s[i] == '-') {
        ++i;
    } else {
        if (!digit(i)) return std::nullopt;
        for (; digit(i); ++i) {
            const std::uint64_t d = static_cast<std::uint64_t>(s[i] - '0');
            if (r.bytes > (UINT64_MAX - d) / 10) return std::nullopt;  // more than 64 bits
            r.bytes = r.bytes * 10 + d;
        }
    }
    if (i < s.size() && s[i] != ' ') return std::nullopt;  // referer, agent... follow a space
    return r;
}

// Per status: the number of requests and their bytes. PARAPIPE_FIELDS lets the partials cross
// processes (--mode processes) and live in shared memory (--mode shm).
struct Totals {
    std::uint64_t requests = 0;
    std::uint64_t bytes = 0;
    PARAPIPE_FIELDS(requests, bytes)
};

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Requests and bytes per HTTP status in Common/Combined Log Format files", "log_status"};
    examples::Options opt;
    examples::add_run_options(app, opt);

    return examples::run_main(app, argc, argv, [&] {
        parapipe::Counters counters;  // side totals of the run: here, "malformed"
        // lines(): chunks are cut only after a '\n', so no record is split between workers.
        auto per_status = parapipe::lines(opt.paths, opt.chunk_size)
                              .filter([](const parapipe::Line& l) { return !l.text.empty(); })
                              .flat_map<Request>([](const parapipe::Line& l, auto&& emit) {
                                  if (auto r = parse(l.text)) emit(*r);
                                  else parapipe::count("malformed");
                              })
                              .reduce_by_key([](const Request& r) { return r.status; },  // key
                                             [](const Request& r) { return Totals{1, r.bytes}; },  // value
                                             [](Totals a, Totals b) {  // combines two values of a key
                                                 return Totals{a.requests + b.requests, a.bytes + b.bytes};
                                             })
                              .run(opt.run, counters);
        for (const auto& [status, t] : per_status)
            std::printf("%03d\t%llu\t%llu\n", status, static_cast<unsigned long long>(t.requests),
                        static_cast<unsigned long long>(t.bytes));
        std::printf("malformed\t%llu\t0\n", static_cast<unsigned long long>(counters["malformed"]));
    });
}
