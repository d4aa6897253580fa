# Every public header compiles on its own: one generated source per header, built by the test
# Headers.EachCompilesAlone (not by `all`, so an ordinary build stays quick).
file(GLOB_RECURSE _parapipe_headers RELATIVE ${PROJECT_SOURCE_DIR}
  ${PROJECT_SOURCE_DIR}/engine/*.hpp ${PROJECT_SOURCE_DIR}/operators/*.hpp
  ${PROJECT_SOURCE_DIR}/shm/*.hpp ${PROJECT_SOURCE_DIR}/pipelines/*.hpp)
list(APPEND _parapipe_headers parapipe.hpp)
set(_parapipe_header_sources)
foreach(_h ${_parapipe_headers})
  if(NOT TARGET parapipe_image AND _h MATCHES "image|opencv")
    continue()
  endif()
  string(MAKE_C_IDENTIFIER "${_h}" _id)
  set(_src ${PROJECT_BINARY_DIR}/header_check/${_id}.cpp)
  file(CONFIGURE OUTPUT ${_src} CONTENT "#include <parapipe/${_h}>\n#include <parapipe/${_h}>  // and guarded\n")
  list(APPEND _parapipe_header_sources ${_src})
endforeach()
add_library(parapipe_header_check OBJECT EXCLUDE_FROM_ALL ${_parapipe_header_sources})
target_link_libraries(parapipe_header_check PRIVATE parapipe_core parapipe_warnings)
if(TARGET parapipe_image)
  target_link_libraries(parapipe_header_check PRIVATE parapipe_image)
endif()
add_test(NAME Headers.EachCompilesAlone
  COMMAND ${CMAKE_COMMAND} --build ${PROJECT_BINARY_DIR} --target parapipe_header_check -j2)
# The longest test of the suite (about 2 minutes on 2 cores), mostly the compiler's front end:
# started first, beside the others, which leave a core idle much of the time (waits, forks).
set_tests_properties(Headers.EachCompilesAlone PROPERTIES COST 10000)
