#include "cli/bench/find_program.hpp"

#include <unistd.h>

#include <cstdlib>
#include <sstream>

namespace parapipe::cli::bench {

std::string find_program(const std::string& name) {
    if (name.find('/') != std::string::npos) return ::access(name.c_str(), X_OK) == 0 ? name : "";
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path ? path : "/usr/local/bin:/usr/bin:/bin");
    for (std::string dir; std::getline(dirs, dir, ':');) {
        std::string full = (dir.empty() ? "." : dir) + "/" + name;
        if (::access(full.c_str(), X_OK) == 0) return full;
    }
    return "";
}

}  // namespace parapipe::cli::bench
