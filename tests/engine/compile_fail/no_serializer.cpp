// Must NOT compile: a partial type without a Serializer run in Mode::processes.
// tests/engine/compile_fail/check.cmake expects the readable static_assert message.
#include <parapipe/engine/run.hpp>

struct Opaque {
    int secret = 0;
};

int main() {
    parapipe::Plan<Opaque, int> plan;
    return parapipe::run<parapipe::Mode::processes>(plan, {});
}
