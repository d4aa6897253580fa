// Must compile: a user project whose include path has its own engine/plan.hpp (first on the
// path) still builds, because parapipe's headers include each other as <parapipe/...>.
#include <parapipe/parapipe.hpp>

int main() { return static_cast<int>(parapipe::generate(3, [](std::uint64_t i) { return i; }).sum().run()); }
