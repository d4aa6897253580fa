// Must NOT compile: a reducer without merge (so neither a Reducer nor a combining function).
// tests/engine/compile_fail/check.cmake expects the readable message as the first error.
#include <parapipe/parapipe.hpp>

struct NoMerge {
    using partial_type = int;
    int init() const { return 0; }
    void fold(int& p, std::uint64_t v) const { p += static_cast<int>(v); }
    int finalize(int&& p) const { return p; }
};

int main() {
    return parapipe::generate(10, [](std::uint64_t i) { return i; }).reduce(NoMerge{}).run();
}
