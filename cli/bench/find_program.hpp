#pragma once
// Finds an executable on PATH, as a shell would (for python3 and rsvg-convert).
#include <string>

namespace parapipe::cli::bench {

/// The full path of `name` on PATH, or "" when absent.
std::string find_program(const std::string& name);

}  // namespace parapipe::cli::bench
