# Compiles SOURCE with CXX and expects success.
execute_process(
  COMMAND ${CXX} -std=c++20 -fsyntax-only ${INCLUDES} ${SOURCE}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${SOURCE} must compile:\n${err}")
endif()
