# parapipe::mpi, the MPI transport behind Mode::mpi (mpi/transport.cpp), when MPI is found
# (Debian: libopenmpi-dev). Without it, Mode::mpi is a UsageError naming the missing library.
enable_language(C)  # FindMPI checks the C compiler wrapper
find_package(MPI COMPONENTS C)
if(NOT MPI_C_FOUND)
  message(STATUS "parapipe: MPI not found: building without parapipe::mpi (--mode mpi unavailable)")
  return()
endif()
add_library(parapipe_mpi STATIC mpi/transport.cpp)
add_library(parapipe::mpi ALIAS parapipe_mpi)
set_target_properties(parapipe_mpi PROPERTIES EXPORT_NAME mpi OUTPUT_NAME parapipe_mpi)
target_link_libraries(parapipe_mpi PUBLIC parapipe_core MPI::MPI_C
  PRIVATE $<BUILD_INTERFACE:parapipe_warnings> $<BUILD_INTERFACE:parapipe_sanitize>)
# The transport registers itself from a static initializer: make every consumer's link pull
# that object out of the archive although nothing calls into it by name.
# The C API only: Open MPI's deprecated C++ bindings would need libmpi_cxx.
target_compile_definitions(parapipe_mpi PRIVATE OMPI_SKIP_MPICXX=1 MPICH_SKIP_MPICXX=1)
target_link_options(parapipe_mpi INTERFACE "LINKER:--undefined=parapipe_mpi_anchor")
