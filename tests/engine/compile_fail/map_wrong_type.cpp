// Must NOT compile: a map stage that cannot take the flow's items (lines are Line, not int).
// tests/engine/compile_fail/check.cmake expects the readable message as the first error.
#include <parapipe/parapipe.hpp>

int main() {
    auto n = parapipe::lines({"x.log"}).map([](int status) { return status * 2; }).count().run();
    return static_cast<int>(n);
}
