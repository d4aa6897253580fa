#include "cli/bench/input_size.hpp"

#include <filesystem>

#include "cli/bench/units.hpp"
#include <parapipe/engine/errors.hpp>

namespace parapipe::cli::bench {

namespace fs = std::filesystem;

InputSize input_size(const std::vector<std::string>& paths) {
    InputSize n;
    for (const auto& p : paths) {
        std::error_code ec;
        if (fs::is_directory(p, ec)) {
            for (const auto& e : fs::recursive_directory_iterator(p, ec))
                if (e.is_regular_file()) n.bytes += e.file_size(), ++n.files;
        } else if (fs::is_regular_file(p, ec)) {
            n.bytes += fs::file_size(p), ++n.files;
        } else {
            throw UsageError("--input " + p + ": no such file or folder (or not a regular file)");
        }
    }
    return n;
}

std::string describe_inputs(const std::vector<std::string>& paths, const InputSize& size) {
    return format_bytes(static_cast<double>(size.bytes)) + " in " + std::to_string(size.files) +
           (size.files == 1 ? " file" : " files") + " (" + fs::path(paths.front()).filename().string() +
           (paths.size() > 1 ? ", ..." : "") + ")";
}

}  // namespace parapipe::cli::bench
