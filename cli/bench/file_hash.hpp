#pragma once
// A content fingerprint for comparing outputs of runs (FNV-1a, 64 bits, as 16 hex digits).
// Not cryptographic: it guards against bugs, not adversaries.
#include <cstdint>
#include <string>
#include <string_view>

namespace parapipe::cli::bench {

/// FNV-1a 64 of `data`, continuing from `h`.
constexpr std::uint64_t fnv1a(std::string_view data, std::uint64_t h = 0xcbf29ce484222325ull) {
    for (unsigned char c : data) h = (h ^ c) * 0x100000001b3ull;
    return h;
}

/// 16 lowercase hex digits.
std::string to_hex(std::uint64_t h);

/// FNV-1a 64 of a file's bytes, as hex; of a folder: of every regular file's relative path and
/// bytes, in sorted path order. Throws Error when something cannot be read.
std::string hash_path(const std::string& path);

}  // namespace parapipe::cli::bench
