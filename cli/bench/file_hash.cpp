#include "cli/bench/file_hash.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

#include <parapipe/engine/errors.hpp>

namespace parapipe::cli::bench {

std::string to_hex(std::uint64_t h) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

namespace {
std::uint64_t hash_file(const std::string& path, std::uint64_t h) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw Error("cannot read " + path);
    std::vector<char> buf(1 << 20);
    while (f) {
        f.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        h = fnv1a(std::string_view(buf.data(), static_cast<std::size_t>(f.gcount())), h);
    }
    if (f.bad()) throw Error("cannot read " + path);
    return h;
}
}  // namespace

std::string hash_path(const std::string& path) {
    namespace fs = std::filesystem;
    std::uint64_t h = fnv1a({});
    if (!fs::is_directory(path)) return to_hex(hash_file(path, h));
    std::vector<std::string> files;
    for (const auto& e : fs::recursive_directory_iterator(path))
        if (e.is_regular_file()) files.push_back(fs::relative(e.path(), path).string());
    std::sort(files.begin(), files.end());
    for (const auto& rel : files) {
        h = fnv1a(rel, h);
        h = fnv1a(std::string_view("\0", 1), h);  // a name never runs into the bytes that follow
        h = hash_file((fs::path(path) / rel).string(), h);
    }
    return to_hex(h);
}

}  // namespace parapipe::cli::bench
