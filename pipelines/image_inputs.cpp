// Finding the input images of the image pipeline and naming their outputs.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <iterator>
#include <map>
#include <string_view>

#include <parapipe/engine/errors.hpp>
#include <parapipe/engine/walk.hpp>
#include <parapipe/operators/image/apply_ops.hpp>
#include <parapipe/operators/image/image_header.hpp>
#include <parapipe/pipelines/image.hpp>

namespace parapipe::image {

namespace fs = std::filesystem;

namespace {

// Header bytes enough for every format probe_image_header knows (JPEG metadata can be long).
constexpr std::size_t probe_bytes = 256 * 1024;

void probe(Input& in) {
    std::vector<unsigned char> head(probe_bytes);
    std::size_t got = 0;
    if (int fd = open_path(in.path, O_RDONLY | O_CLOEXEC); fd >= 0) {
        ssize_t r;
        while (got < head.size() && (r = ::pread(fd, head.data() + got, head.size() - got, static_cast<off_t>(got))) > 0)
            got += static_cast<std::size_t>(r);
        ::close(fd);
    }
    head.resize(got);
    const auto h = ops::probe_image_header(head);
    in.width = h.width, in.height = h.height;
    struct stat st {};
    const bool sized = stat_path(in.path, st) == 0;  // any path length, as the walker gives them
    const auto bytes = static_cast<std::uint64_t>(st.st_size);
    // Compressed images hold a few pixels per byte; a guess is enough to balance chunks.
    in.weight = h.pixels() ? h.pixels() : (!sized ? 1 : std::max<std::uint64_t>(1, bytes * 4));
}

// `same` keeps the extension unless its format cannot hold the result: PPM holds three
// channels only, so a one-channel result goes to PGM, its gray sibling.
std::string relative_output(const std::string& relative, OutputFormat f, const ops::ImageOps& chain) {
    fs::path p(relative);
    switch (f) {
        case OutputFormat::same: {
            std::string ext = p.extension().string();
            for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (ext == ".ppm" && ops::image_ops_channels(chain, 3) == 1) p.replace_extension(".pgm");
            break;
        }
        case OutputFormat::png: p.replace_extension(".png"); break;
        case OutputFormat::jpg: p.replace_extension(".jpg"); break;
        case OutputFormat::webp: p.replace_extension(".webp"); break;
    }
    return p.string();
}

// The path of a file inside folder `arg` as walk() joined them ("in" + "/" + "sub/a.png").
std::string relative_to(const std::string& arg, std::string_view path) {
    const std::size_t cut = arg.size() + (arg.ends_with('/') ? 0 : 1);
    return std::string(path.substr(std::min(cut, path.size())));
}

// True when `p` is `dir` or inside it (both canonical).
bool within(const fs::path& p, const fs::path& dir) {
    auto [d, _] = std::mismatch(dir.begin(), dir.end(), p.begin(), p.end());
    return d == dir.end() || (std::next(d) == dir.end() && d->empty());  // "dir/" ends in an empty name
}

}  // namespace

std::optional<OutputFormat> parse_output_format(std::string_view s) {
    if (s == "same") return OutputFormat::same;
    if (s == "png") return OutputFormat::png;
    if (s == "jpg" || s == "jpeg") return OutputFormat::jpg;
    if (s == "webp") return OutputFormat::webp;
    return std::nullopt;
}

std::string output_path(const Input& in, const Config& cfg) {
    return (fs::path(cfg.output_dir) / relative_output(in.relative, cfg.format, cfg.ops)).string();
}

std::vector<Input> find_inputs(const std::vector<std::string>& paths, const std::string& skip_dir, OutputFormat format,
                               const WalkOptions& walk_base, const ops::ImageOps& chain) {
    std::error_code ec;
    const fs::path skip = skip_dir.empty() ? fs::path() : fs::weakly_canonical(skip_dir, ec);
    std::vector<Input> inputs;
    for (const auto& arg : paths) {
        // Images are files: "-" names one here, never standard input.
        if (arg == "-" && !fs::exists(arg, ec)) throw UsageError("no such file or directory: " + arg);
        // Never read our own outputs back (an output folder inside an input folder). An input
        // folder inside the output folder is read: its files are checked below instead.
        const fs::path top = fs::weakly_canonical(arg, ec);
        const bool may_hold_skip = !skip.empty() && !within(top, skip);
        WalkOptions walk_options = walk_base;
        walk_options.accept = [&](std::string_view path) {
            return ops::is_image_extension(fs::path(path).extension().string()) &&
                   !(may_hold_skip && within(top / relative_to(arg, path), skip));
        };
        for (std::string& path : walk({arg}, walk_options)) {
            std::string relative = path == arg ? fs::path(arg).filename().string() : relative_to(arg, path);
            inputs.push_back({std::move(path), std::move(relative)});
        }
    }
    if (inputs.empty()) throw UsageError("no images found (looked for files with image extensions such as .png, .jpg)");
    std::map<std::string, const Input*> by_output;
    for (auto& in : inputs) {
        auto [at, fresh] = by_output.emplace(relative_output(in.relative, format, chain), &in);
        if (!fresh)
            throw UsageError("inputs " + at->second->path + " and " + in.path + " would both be written to " +
                             at->first + " in the output folder");
        if (!skip.empty() && fs::weakly_canonical(skip / at->first, ec) == fs::weakly_canonical(in.path, ec))
            throw UsageError("the output for " + in.path + " would overwrite it: choose another --output folder");
        probe(in);
    }
    return inputs;
}

}  // namespace parapipe::image
