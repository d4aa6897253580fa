# Hardening tests (issue 6): bad inputs, inputs truncated while read, streams in every mode,
# bounded memory over a 2 GiB input, a 1,000-job soak, and replays of the fuzz corpora.
# Included from tests/CMakeLists.txt. Environment knobs (tests/support/test_support.hpp):
#   PARAPIPE_TEST_MODES=seq,threads  only these modes (TSan: it cannot follow fork)
#   PARAPIPE_TEST_SMALL=1            smaller inputs (sanitizer runs); skips the 2 GiB test
parapipe_add_test(hardening_tests
  ${PROJECT_SOURCE_DIR}/tests/hardening/bad_inputs_test.cpp
  ${PROJECT_SOURCE_DIR}/tests/hardening/truncation_test.cpp
  ${PROJECT_SOURCE_DIR}/tests/hardening/streams_test.cpp
  ${PROJECT_SOURCE_DIR}/tests/hardening/memory_test.cpp
  ${PROJECT_SOURCE_DIR}/tests/hardening/soak_test.cpp
  ${PROJECT_SOURCE_DIR}/tests/hardening/fuzz_regressions_test.cpp)
add_dependencies(hardening_tests parapipe)
# Where fuzz/corpus and fuzz/regressions are, for the replay test.
target_compile_definitions(hardening_tests PRIVATE PARAPIPE_HARDENING_SOURCE_DIR="${PROJECT_SOURCE_DIR}")

# The image --ops parser's fuzz corpus is replayed when the image library is part of the build.
if(TARGET parapipe_image)
  target_link_libraries(hardening_tests PRIVATE parapipe_image)
  target_compile_definitions(hardening_tests PRIVATE PARAPIPE_HAVE_IMAGE_OPS)
endif()
