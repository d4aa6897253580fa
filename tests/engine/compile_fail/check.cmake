# Compiles SOURCE with CXX and expects it to fail, with EXPECT in the first error reported
# (one readable error, not a page of template noise before it).
execute_process(
  COMMAND ${CXX} -std=c++20 -fsyntax-only ${INCLUDES} ${SOURCE}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0)
  message(FATAL_ERROR "${SOURCE} compiled, but must not")
endif()
string(FIND "${err}" "${EXPECT}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "${SOURCE} failed without the expected message '${EXPECT}':\n${err}")
endif()
string(FIND "${err}" "error:" first_error)
string(SUBSTRING "${err}" ${first_error} -1 from_first)
string(FIND "${from_first}" "\n" eol)
string(SUBSTRING "${from_first}" 0 ${eol} first_line)
string(FIND "${first_line}" "${EXPECT}" in_first)
if(in_first EQUAL -1)
  message(FATAL_ERROR "${SOURCE}: the first error is not the readable one:\n${first_line}")
endif()
