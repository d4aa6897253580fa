#pragma once
// parapipe::mpi: linking it makes Mode::mpi available (it registers itself before main()).
// enable() does the same explicitly, for a program that links the library in a way that drops
// unused objects.
namespace parapipe::mpi {

/// Makes Mode::mpi run on this library's MPI transport. Idempotent; call before any run.
void enable();

}  // namespace parapipe::mpi
