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
  cli/validators.cpp
  cli/image_program.cpp
  cli/malloc_tuning.cpp
)
target_include_directories(parapipe_cli PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(parapipe_cli PUBLIC parapipe_core CLI11::CLI11 nlohmann_json::nlohmann_json
  PRIVATE parapipe_warnings parapipe_sanitize)
target_compile_definitions(parapipe_cli PRIVATE PARAPIPE_VERSION="${PROJECT_VERSION}")
# Where `cmake --install` puts parapipe-image and parapipe-mpi, relative to bin/
# (cli/image_program.cpp looks beside parapipe first: the build tree).
file(RELATIVE_PATH _parapipe_libexec_rel /root/${CMAKE_INSTALL_BINDIR} /root/${CMAKE_INSTALL_LIBEXECDIR}/parapipe)
set_property(SOURCE cli/image_program.cpp APPEND PROPERTY COMPILE_DEFINITIONS
  PARAPIPE_LIBEXEC_REL="${_parapipe_libexec_rel}")

# Two programs from the same main: parapipe loads no OpenCV and hands the commands that need
# images to parapipe-image (cli/image_program.hpp), which is the whole CLI with the image parts
# (PARAPIPE_WITH_IMAGE=1). The sources that differ between the two are compiled twice.
set(PARAPIPE_CLI_MAIN_SOURCES cli/main.cpp)
add_executable(parapipe ${PARAPIPE_CLI_MAIN_SOURCES})
add_executable(parapipe-image ${PARAPIPE_CLI_MAIN_SOURCES})
foreach(_exe parapipe parapipe-image)
  target_link_libraries(${_exe} PRIVATE parapipe_cli parapipe_corpus parapipe_warnings parapipe_sanitize)
  target_compile_definitions(${_exe} PRIVATE PARAPIPE_VERSION="${PROJECT_VERSION}")
  set_target_properties(${_exe} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR})
endforeach()
target_compile_definitions(parapipe PRIVATE PARAPIPE_WITH_IMAGE=0)
target_compile_definitions(parapipe-image PRIVATE PARAPIPE_WITH_IMAGE=1)
# Whoever builds parapipe gets parapipe-image too: it runs `parapipe run image`.
add_dependencies(parapipe parapipe-image)
# The light programs (parapipe, and parapipe-mpi below) differ in main.cpp only: their other
# sources (cmake/image_cli.cmake, cmake/bench_cli.cmake) are compiled once, into these objects.
add_library(parapipe_light_objects OBJECT)
target_link_libraries(parapipe_light_objects PRIVATE parapipe_cli parapipe_corpus parapipe_warnings
  parapipe_sanitize)
target_compile_definitions(parapipe_light_objects PRIVATE PARAPIPE_VERSION="${PROJECT_VERSION}"
  PARAPIPE_WITH_IMAGE=0)
target_link_libraries(parapipe PRIVATE parapipe_light_objects)
# --mode mpi: Open MPI costs ~3 ms per start, so parapipe hands mpi runs to parapipe-mpi, the
# light program plus the transport (not to parapipe-image: OpenCV costs ~130 ms per rank).
if(TARGET parapipe_mpi)
  add_executable(parapipe-mpi ${PARAPIPE_CLI_MAIN_SOURCES})
  target_link_libraries(parapipe-mpi PRIVATE parapipe_cli parapipe_corpus parapipe_mpi parapipe_warnings
    parapipe_sanitize)
  target_compile_definitions(parapipe-mpi PRIVATE PARAPIPE_VERSION="${PROJECT_VERSION}" PARAPIPE_WITH_IMAGE=0
    PARAPIPE_MPI_PROGRAM=1)
  target_link_libraries(parapipe-mpi PRIVATE parapipe_light_objects)
  set_target_properties(parapipe-mpi PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR})
  add_dependencies(parapipe parapipe-mpi)
  target_link_libraries(parapipe-image PRIVATE parapipe_mpi)  # run image --mode mpi
endif()

# `parapipe run image` (parapipe::image) and `parapipe bench`, each in a file of its own.
include(cmake/image_cli.cmake)
include(cmake/bench_cli.cmake)
include(cmake/man_completion.cmake)

