# Mode::mpi tests. Included from tests/CMakeLists.txt.
# Without parapipe::mpi linked, Mode::mpi is a UsageError (whether or not MPI was found).
parapipe_add_test(mpi_no_transport_tests mpi/no_transport_test.cpp)
# Not under sanitizers: Open MPI's uninstrumented library keeps memory to exit (LeakSanitizer
# reports it) and talks through shared memory TSan cannot see.
if(NOT TARGET parapipe_mpi OR PARAPIPE_SANITIZE)
  return()
endif()
# Through mpirun at 1, 2 and 3 ranks, over shared memory and TCP, a killed rank, stdin refused.
add_test(NAME Mpi.WordcountAndImageThroughMpirun
  COMMAND ${PROJECT_SOURCE_DIR}/tests/mpi/check.sh $<TARGET_FILE:parapipe>)
set_tests_properties(Mpi.WordcountAndImageThroughMpirun PROPERTIES TIMEOUT 300
  ENVIRONMENT "OMPI_ALLOW_RUN_AS_ROOT=1;OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1")
