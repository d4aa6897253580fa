# The micro level: Google Benchmark suites for single stages (chunker, tokenizer, merge, sort,
# serialization, shared-memory segment and codec), one binary. `parapipe bench` is the macro
# level. Run: build/bench/bench_micro --benchmark_filter=Tokenizer|ForEachWord
add_executable(bench_micro
  micro/micro_corpus.cpp
  micro/chunker_bench.cpp
  micro/tokenizer_bench.cpp
  micro/merge_bench.cpp
  micro/sort_bench.cpp
  micro/serialization_bench.cpp
  micro/segment_bench.cpp)
target_link_libraries(bench_micro PRIVATE parapipe_core parapipe_corpus benchmark::benchmark_main parapipe_warnings)
