#include "cli/image_program.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "cli/exit_codes.hpp"

#ifndef PARAPIPE_IMAGE_PROGRAM_REL
#define PARAPIPE_IMAGE_PROGRAM_REL "../libexec/parapipe/parapipe-image"
#endif

namespace parapipe::cli {

namespace {

char** g_argv = nullptr;

std::string self_path() {
    std::error_code ec;
    auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
    return ec ? std::string() : p.string();
}

// Beside parapipe (the build tree), else where `cmake --install` puts it (relative to bin/).
std::string find_image_program(const std::string& self) {
    namespace fs = std::filesystem;
    const fs::path dir = fs::path(self).parent_path();
    for (const fs::path& p : {dir / "parapipe-image", dir / PARAPIPE_IMAGE_PROGRAM_REL}) {
        if (::access(p.c_str(), X_OK) == 0) return p.lexically_normal().string();
    }
    return (dir / PARAPIPE_IMAGE_PROGRAM_REL).lexically_normal().string();
}

}  // namespace

void remember_argv(char** argv) { g_argv = argv; }

bool needs_image_program(int argc, char** argv) {
    if (argc < 3) return false;
    return std::strcmp(argv[2], "image") == 0 &&
           (std::strcmp(argv[1], "run") == 0 || std::strcmp(argv[1], "bench-baseline") == 0);
}

int exec_image_program() {
    const std::string self = self_path();
    const std::string program = find_image_program(self);
    if (!self.empty()) ::setenv("PARAPIPE_EXE", self.c_str(), 1);
    std::fflush(stdout);
    ::execv(program.c_str(), g_argv);
    std::fprintf(stderr, "parapipe: cannot start the image pipeline %s: %s\n", program.c_str(), std::strerror(errno));
    return exit_failed;
}

std::string light_exe() {
    const char* env = std::getenv("PARAPIPE_EXE");
    if (env && *env && ::access(env, X_OK) == 0) return env;
    return self_path();
}

}  // namespace parapipe::cli
