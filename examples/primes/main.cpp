// primes: how many primes there are up to N, and their sum, with a generate() source.
//
//   primes [--mode M] [--workers N] N
//
// Prints COUNT<TAB>SUM.
#include <cstdint>
#include <cstdio>
#include <limits>

#include <parapipe/parapipe.hpp>

#include "cli.hpp"

namespace {

// Trial division by 2, 3 and the numbers 6k +- 1 up to sqrt(n).
bool is_prime(std::uint64_t n) {
    if (n < 4) return n >= 2;
    if (n % 2 == 0 || n % 3 == 0) return false;
    for (std::uint64_t d = 5; d <= n / d; d += 6)
        if (n % d == 0 || n % (d + 2) == 0) return false;
    return true;
}

// The value each prime contributes, and how two partial totals combine. PARAPIPE_FIELDS lists
// the members so that partials can cross processes (--mode processes) or live in shared memory
// (--mode shm).
struct Totals {
    std::uint64_t count = 0;
    std::uint64_t sum = 0;  // fits for any N this trial division finishes in reasonable time
    PARAPIPE_FIELDS(count, sum)
};

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Count and sum of the primes <= N", "primes"};
    examples::Options opt;
    examples::add_run_options(app, opt, /*file_inputs=*/false);
    std::uint64_t n = 0;
    app.add_option("N", n, "the upper bound, included")
        ->required()
        ->transform(examples::Decimal)
        ->check(CLI::Range(std::uint64_t{0}, std::numeric_limits<std::uint64_t>::max() - 1));

    return examples::run_main(app, argc, argv, [&] {
        // Items 0, 1, ..., N; generate() cuts them into chunks by count.
        auto totals = parapipe::generate(n + 1, [](std::uint64_t i) { return i; })
                          .filter(is_prime)
                          .map([](std::uint64_t p) { return Totals{1, p}; })
                          .reduce([](Totals a, Totals b) { return Totals{a.count + b.count, a.sum + b.sum}; })
                          .run(opt.run)
                          .value_or(Totals{});  // reduce() gives an empty optional when no item is left
        std::printf("%llu\t%llu\n", static_cast<unsigned long long>(totals.count),
                    static_cast<unsigned long long>(totals.sum));
    });
}
