# Smoke test of `parapipe bench` (runs the parapipe binary on a 256 KiB generated input, and
# `bench exec` on tiny commands; asserts results, exit codes and well-formed JSON/CSV/SVG, never
# speed). Included from tests/CMakeLists.txt.
parapipe_add_test(bench_tests ${PROJECT_SOURCE_DIR}/tests/bench/bench_smoke_test.cpp)
add_dependencies(bench_tests parapipe)
