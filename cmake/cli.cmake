# The parapipe command (PARAPIPE_BUILD_CLI), included from CMakeLists.txt.
# Deterministic benchmark inputs, shared by bench/ and `parapipe bench`.
add_library(parapipe_corpus STATIC bench/corpus/text_corpus.cpp)
target_include_directories(parapipe_corpus PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(parapipe_corpus PRIVATE parapipe_warnings parapipe_sanitize)

# Everything but main() in a library of its own, so tests can call the CLI's pieces directly.
add_library(parapipe_cli STATIC
  cli/command.cpp
  cli/list_command.cpp
  cli/wordcount_command.cpp
  cli/wordcount_format.cpp
  cli/progress.cpp
  cli/output_file.cpp
  cli/size.cpp
  cli/stdin_spool.cpp
  cli/validators.cpp
)
target_include_directories(parapipe_cli PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(parapipe_cli PUBLIC parapipe_core CLI11::CLI11 nlohmann_json::nlohmann_json
  PRIVATE parapipe_warnings parapipe_sanitize)
target_compile_definitions(parapipe_cli PRIVATE PARAPIPE_VERSION="${PROJECT_VERSION}")
add_executable(parapipe cli/main.cpp)
target_link_libraries(parapipe PRIVATE parapipe_cli parapipe_corpus parapipe_warnings parapipe_sanitize)
if(TARGET parapipe_mpi)
  target_link_libraries(parapipe PRIVATE parapipe_mpi)  # --mode mpi
endif()
target_compile_definitions(parapipe PRIVATE PARAPIPE_VERSION="${PROJECT_VERSION}")
set_target_properties(parapipe PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR})

# `parapipe run image` (parapipe::image) and `parapipe bench`, each in a file of its own.
include(cmake/image_cli.cmake)
include(cmake/bench_cli.cmake)
include(cmake/man_completion.cmake)

