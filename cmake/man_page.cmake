# cmake -DHELP2MAN=... -DBIN=build/parapipe -DOUT=parapipe.1 -P man_page.cmake
# The page of `parapipe --help`, with the help of every subcommand in a COMMANDS section.
set(include_file ${OUT}.h2m)
file(WRITE ${include_file} "[COMMANDS]\n")
foreach(cmd "list" "run wordcount" "run image" "bench")
  separate_arguments(args UNIX_COMMAND "${cmd} --help")
  execute_process(COMMAND ${BIN} ${args} OUTPUT_VARIABLE help RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "parapipe ${cmd} --help failed")
  endif()
  string(REPLACE "\\" "\\\\" help "${help}")
  file(APPEND ${include_file} ".SS \"parapipe ${cmd}\"\n.nf\n${help}.fi\n")
endforeach()
file(APPEND ${include_file} "[EXIT STATUS]\n0 ok, 1 the run failed, 2 bad arguments or input, 3 some images skipped, 130/143 interrupted by SIGINT/SIGTERM.\n")
execute_process(COMMAND ${HELP2MAN} --no-info --no-discard-stderr
    --name "MapReduce-style data processing in seq, threads, processes and shm modes"
    --include ${include_file} --output ${OUT} ${BIN}
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "help2man failed")
endif()
