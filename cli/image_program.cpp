#include "cli/image_program.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "cli/exit_codes.hpp"
#include "cli/malloc_tuning.hpp"

#ifndef PARAPIPE_LIBEXEC_REL
#define PARAPIPE_LIBEXEC_REL "../libexec/parapipe"
#endif

namespace parapipe::cli {

namespace {

char** g_argv = nullptr;

// Beside parapipe (the build tree), else where `cmake --install` puts it (relative to bin/).
std::string find_program(const std::string& self, const char* name) {
    namespace fs = std::filesystem;
    const fs::path dir = fs::path(self).parent_path();
    for (const fs::path& p : {dir / name, dir / PARAPIPE_LIBEXEC_REL / name}) {
        if (::access(p.c_str(), X_OK) == 0) return p.lexically_normal().string();
    }
    return (dir / PARAPIPE_LIBEXEC_REL / name).lexically_normal().string();
}

int exec_program(const char* name, const char* what) {
    const std::string self = self_path();
    const std::string program = find_program(self, name);
    if (!self.empty()) ::setenv("PARAPIPE_EXE", self.c_str(), 1);
    std::fflush(stdout);
    ::execv(program.c_str(), g_argv);
    std::fprintf(stderr, "parapipe: cannot start %s %s: %s\n", what, program.c_str(), std::strerror(errno));
    return exit_failed;
}

}  // namespace

void remember_argv(char** argv) { g_argv = argv; }

std::string self_path() {
    std::error_code ec;
    auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
    return ec ? std::string() : p.string();
}

bool needs_image_program(int argc, char** argv) {
    if (argc < 3) return false;
    return std::strcmp(argv[2], "image") == 0 &&
           (std::strcmp(argv[1], "run") == 0 || std::strcmp(argv[1], "bench-baseline") == 0);
}

bool needs_mpi_program(int argc, char** argv) {
    if (argc < 3 || std::strcmp(argv[1], "run") != 0) return false;
    for (int i = 2; i < argc; ++i) {
        const char* a = argv[i];
        if (std::strcmp(a, "--") == 0) return false;  // paths follow
        if (std::strcmp(a, "--mode=mpi") == 0 || std::strcmp(a, "-mmpi") == 0) return true;
        if ((std::strcmp(a, "--mode") == 0 || std::strcmp(a, "-m") == 0) && i + 1 < argc &&
            std::strcmp(argv[i + 1], "mpi") == 0)
            return true;
    }
    return false;
}

int exec_image_program() {
    // `run image` only: the OpenCV loop `bench` compares against (`bench-baseline image`) keeps
    // glibc's defaults, and so does `bench` itself, whose rows would pass them on.
    if (g_argv && g_argv[1] && std::strcmp(g_argv[1], "run") == 0) set_tuned_malloc_environment();
    return exec_program("parapipe-image", "the image pipeline");
}

int exec_mpi_program() { return exec_program("parapipe-mpi", "the mpi mode"); }

std::string light_exe() {
    const char* env = std::getenv("PARAPIPE_EXE");
    if (env && *env && ::access(env, X_OK) == 0) return env;
    return self_path();
}

}  // namespace parapipe::cli
