# libFuzzer targets (clang only), built with -DPARAPIPE_BUILD_FUZZ=ON and CXX=clang++.
# Each target compiles the sources it exercises itself, so that they get libFuzzer's coverage
# instrumentation and the sanitizers; nothing else in the build is affected.
# Run them with scripts/fuzz.sh; seed corpora live in fuzz/corpus/<target>/, inputs that once
# broke an invariant in fuzz/regressions/<target>/ (replayed by tests/hardening).
if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "PARAPIPE_BUILD_FUZZ needs clang: configure with CXX=clang++")
endif()

set(PARAPIPE_FUZZ_FLAGS -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
    -fno-omit-frame-pointer -g)

# parapipe_add_fuzzer(NAME src...): one libFuzzer binary.
function(parapipe_add_fuzzer name)
  add_executable(${name} ${ARGN})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR} ${PROJECT_SOURCE_DIR}/include
    ${PROJECT_BINARY_DIR}/include)
  target_compile_options(${name} PRIVATE ${PARAPIPE_FUZZ_FLAGS})
  target_link_options(${name} PRIVATE ${PARAPIPE_FUZZ_FLAGS})
  target_link_libraries(${name} PRIVATE parapipe_warnings)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/fuzz)
endfunction()

# The UTF-8 tokenizer and the chunker (fuzz/checks.hpp: check_words_and_chunker).
parapipe_add_fuzzer(fuzz_words_chunker
  ${PROJECT_SOURCE_DIR}/fuzz/words_chunker_fuzz.cpp
  ${PROJECT_SOURCE_DIR}/engine/text_source.cpp
  ${PROJECT_SOURCE_DIR}/engine/fork_gate.cpp
  ${PROJECT_SOURCE_DIR}/engine/walk.cpp
  ${PROJECT_SOURCE_DIR}/cli/size.cpp
  ${PROJECT_SOURCE_DIR}/tests/support/test_support.cpp)
target_link_libraries(fuzz_words_chunker PRIVATE ICU::uc)

# parse_size, the --chunk-size parser (fuzz/checks.hpp: check_parse_size).
parapipe_add_fuzzer(fuzz_parse_size
  ${PROJECT_SOURCE_DIR}/fuzz/parse_size_fuzz.cpp
  ${PROJECT_SOURCE_DIR}/engine/text_source.cpp
  ${PROJECT_SOURCE_DIR}/engine/fork_gate.cpp
  ${PROJECT_SOURCE_DIR}/engine/walk.cpp
  ${PROJECT_SOURCE_DIR}/cli/size.cpp)
target_link_libraries(fuzz_parse_size PRIVATE ICU::uc)

# The image pipeline's --ops parser (fuzz/image_checks.hpp). parse_ops.cpp needs nothing of OpenCV.
parapipe_add_fuzzer(fuzz_image_ops
  ${PROJECT_SOURCE_DIR}/fuzz/image_ops_fuzz.cpp
  ${PROJECT_SOURCE_DIR}/operators/image/parse_ops.cpp)

set(PARAPIPE_FUZZ_TARGETS fuzz_words_chunker fuzz_parse_size fuzz_image_ops)
