# Mode::mpi tests. Included from tests/CMakeLists.txt.
# Without parapipe::mpi linked, Mode::mpi is a UsageError (whether or not MPI was found).
# Not under sanitizers: one error path with nothing for them to find, at the cost of compiling
# every executor once more.
if(NOT PARAPIPE_SANITIZE)
  parapipe_add_test(mpi_no_transport_tests mpi/no_transport_test.cpp)
endif()
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
# parapipe_add_mpi_suite(BINARY OBJECTS TEST FILTER [ENV...]): a test binary of OBJECTS with the
# mpi main, run by every_mode.sh under mpirun at 2 and 3 ranks as TEST.At<n>Ranks.
function(parapipe_add_mpi_suite binary objects test filter)
  add_executable(${binary} $<TARGET_OBJECTS:${objects}> mpi/gtest_main.cpp)
  target_link_libraries(${binary} PRIVATE parapipe_core parapipe_testing parapipe_mpi GTest::gtest
    parapipe_warnings)
  foreach(_ranks 2 3)
    add_test(NAME ${test}At${_ranks}Ranks
      COMMAND ${PROJECT_SOURCE_DIR}/tests/mpi/every_mode.sh ${_ranks} $<TARGET_FILE:${binary}> "--gtest_filter=${filter}")
    set_tests_properties(${test}At${_ranks}Ranks PROPERTIES TIMEOUT 300)
    if(ARGN)
      set_tests_properties(${test}At${_ranks}Ranks PROPERTIES ENVIRONMENT "${ARGN}")
    endif()
  endforeach()
endfunction()
# The every-mode helper's mpi row: the flow and source tests (tests/engine) under mpirun at 2 and
# 3 ranks, mpi against seq at many chunk sizes (tests/mpi/every_mode.sh). Left out: two tests
# that change or build their files in place, which ranks sharing one folder would race on.
parapipe_add_mpi_suite(mpi_flow_tests parapipe_flow_test_objects Mpi.EveryModeFlowAndSourceTests
  "-Sources.LazyFileRemovedOrReplacedBeforeItsChunkFailsClearly:Sources.FilesDeeperThanPathMaxAreRead")
# Keyed reductions under a tiny memory limit: every rank spills, rank 0 merges all the runs
# (tests/engine/spill_test.cpp), mpi against seq without a limit. Mode mpi only: runs of other
# modes, one per rank, would spill into the shared test folder at once, and rank 0 checks that
# it is empty after its run.
parapipe_add_mpi_suite(mpi_spill_tests parapipe_spill_test_objects Mpi.SpilledKeyedReductions
  "Spill.KeyedReductionsGiveTheUnlimitedSeqResult:Spill.OtherKeysSpillToo" "PARAPIPE_TEST_MODES=mpi")
