#pragma once
// The image pipeline lives in a program of its own, parapipe-image (and the mpi mode in
// parapipe-mpi), so that `parapipe` itself loads no OpenCV and no Open MPI (OpenCV's codecs pull in some 140 shared libraries: over 100 ms per start).
// parapipe hands every command that needs images (`run image`, `bench image|all`,
// `bench-baseline image`) to parapipe-image with the same arguments; parapipe-image is the
// whole CLI with the image parts built in, so help, messages and exit codes are the same.
#include <string>

namespace parapipe::cli {

/// `parapipe run image`'s one-line summary, listed by both programs.
inline constexpr const char* image_command_summary =
    "Run an OpenCV op chain over images or tiles of large images";

/// Keeps main()'s argv for a later hand-over.
void remember_argv(char** argv);

/// This program's path (/proc/self/exe), or "" when it cannot be read.
std::string self_path();

/// True when argv is `run image ...` or `bench-baseline image ...`: decided before parsing.
bool needs_image_program(int argc, char** argv);

/// True when argv is `run ... --mode mpi` (or `-m mpi`, `--mode=mpi`, `-mmpi`). Open MPI's
/// libraries cost about 3 ms at every start, so parapipe links no parapipe::mpi and hands mpi
/// runs to parapipe-mpi (parapipe plus the transport, no OpenCV), as image commands go to
/// parapipe-image (which links the transport too, for `run image --mode mpi`). exec keeps the
/// process, so mpirun sees no difference.
bool needs_mpi_program(int argc, char** argv);

/// As exec_image_program(), for parapipe-mpi.
int exec_mpi_program();

/// Replaces this process by parapipe-image with the remembered arguments. Sets PARAPIPE_EXE to
/// this program, so that rows `parapipe bench` runs without images use the light one. Returns
/// only on failure, after printing one line: exit_failed.
int exec_image_program();

/// parapipe-image: the light parapipe beside it (PARAPIPE_EXE), else this program.
std::string light_exe();

}  // namespace parapipe::cli
