#include "cli/bench/corpus_cache.hpp"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#if PARAPIPE_WITH_IMAGE
#include "bench/corpus/image_corpus.hpp"
#endif
#include "bench/corpus/text_corpus.hpp"
#include "cli/bench/file_hash.hpp"
#include "cli/bench/units.hpp"
#include <parapipe/engine/errors.hpp>

namespace parapipe::cli::bench {

namespace fs = std::filesystem;

std::string cache_dir(const std::string& override_dir) {
    fs::path dir;
    if (!override_dir.empty()) {
        dir = override_dir;
    } else if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x == '/') {
        dir = fs::path(x) / "parapipe";
    } else if (const char* h = std::getenv("HOME"); h && *h) {
        dir = fs::path(h) / ".cache" / "parapipe";
    } else {
        dir = fs::temp_directory_path() / ("parapipe-cache-" + std::to_string(::getuid()));
    }
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir)) throw UsageError("cannot create cache folder " + dir.string() + ": " + ec.message());
    return dir.string();
}

std::string text_corpus_path(const std::string& dir, std::uint64_t bytes, std::uint64_t seed, TextKind kind) {
    // The fingerprint changes when the generator does, so a stale corpus is never reused.
    const std::string sample = parapipe::bench::make_text_corpus(4096, seed, kind);
    const std::string prefix = kind == TextKind::mixed ? "text-" : "text-" + std::string(to_string(kind)) + "-";
    const std::string name = prefix + format_size_compact(bytes) + "-seed" + std::to_string(seed) + "-" +
                             to_hex(fnv1a(sample)).substr(0, 8) + ".txt";
    return (fs::path(dir) / name).string();
}

bool ensure_text_corpus(const std::string& path_text, std::uint64_t bytes, std::uint64_t seed, TextKind kind) {
    const fs::path path(path_text);
    std::error_code ec;
    if (fs::is_regular_file(path, ec)) return false;
    const std::string dir = path.parent_path().string(), name = path.filename().string();

    std::string tmp = (fs::path(dir) / ("." + name + ".tmp-XXXXXX")).string();
    int fd = ::mkstemp(tmp.data());
    if (fd < 0) throw UsageError("cannot write to cache folder " + dir);
    ::fchmod(fd, 0644);  // mkstemp makes 0600; the cache is as readable as any other file
    ::close(fd);
    try {
        parapipe::bench::write_text_corpus(tmp, bytes, seed, kind);
    } catch (const std::exception& e) {
        ::unlink(tmp.c_str());
        throw Error(std::string("cannot generate the text corpus: ") + e.what());
    }
    fs::rename(tmp, path, ec);
    if (ec) {
        ::unlink(tmp.c_str());
        throw Error("cannot write " + path.string() + ": " + ec.message());
    }
    return true;
}

std::string cached_text_corpus(const std::string& dir, std::uint64_t bytes, std::uint64_t seed, TextKind kind) {
    const std::string path = text_corpus_path(dir, bytes, seed, kind);
    if (!fs::exists(path))
        std::fprintf(stderr, "parapipe bench: generating %s of %s into %s (once; later runs reuse it)\n",
                     format_bytes(static_cast<double>(bytes)).c_str(), describe(kind).c_str(), path.c_str());
    ensure_text_corpus(path, bytes, seed, kind);
    return path;
}

#if PARAPIPE_WITH_IMAGE  // parapipe-image only (cli/image_program.hpp)
std::vector<std::string> cached_image_corpus(const std::string& dir, int count, int width, int height,
                                             std::uint64_t seed) {
    const std::string folder = (fs::path(dir) / ("images-" + std::to_string(width) + "x" + std::to_string(height) +
                                                 "-seed" + std::to_string(seed)))
                                   .string();
    auto count_files = [&] {
        std::error_code ec;
        std::size_t n = 0;
        for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) ++n;
        return n;
    };
    const std::size_t before = count_files();
    const bool tty = ::isatty(STDERR_FILENO) == 1;
    if (tty) std::fprintf(stderr, "parapipe bench: preparing synthetic images in %s...", folder.c_str());
    auto files = parapipe::bench::write_image_corpus(folder, count, width, height, seed);
    if (tty) std::fprintf(stderr, "\r\033[K");
    if (const std::size_t after = count_files(); after > before)
        std::fprintf(stderr, "parapipe bench: generated %zu synthetic %dx%d images in %s (reused by later runs)\n",
                     after - before, width, height, folder.c_str());
    return files;
}
#endif

}  // namespace parapipe::cli::bench
