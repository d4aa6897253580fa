#include "bench/corpus/image_corpus.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

namespace parapipe::bench {

namespace {

// splitmix64: tiny, fast, and the same everywhere (std:: distributions are not).
struct Rng {
    std::uint64_t s;
    std::uint64_t next() {
        std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    int below(int n) { return static_cast<int>(next() % static_cast<std::uint64_t>(n)); }
};

struct Shape {
    bool circle;
    int x, y, a, b;  // circle: centre (x, y), radius a; rectangle: corner (x, y), size a × b
    unsigned char color[3];
};

}  // namespace

std::vector<unsigned char> make_image_pixels(int width, int height, int channels, std::uint64_t seed, int index) {
    if (width <= 0 || height <= 0 || (channels != 1 && channels != 3))
        throw std::invalid_argument("make_image_pixels: bad size or channel count");
    Rng rng{seed * 1000003u + static_cast<std::uint64_t>(index)};
    std::vector<Shape> shapes(8);
    for (auto& s : shapes) {
        s.circle = rng.below(2) == 0;
        s.x = rng.below(width), s.y = rng.below(height);
        s.a = 1 + rng.below(std::max(1, std::min(width, height) / 3));
        s.b = 1 + rng.below(std::max(1, height / 3));
        for (auto& c : s.color) c = static_cast<unsigned char>(rng.below(256));
    }
    const int phase = rng.below(256);
    std::vector<unsigned char> px(std::size_t(width) * height * channels);
    std::size_t at = 0;
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            int v[3] = {(x * 255) / std::max(1, width - 1), (y * 255) / std::max(1, height - 1),
                        ((x + y) / 2 + phase) & 255};
            for (const auto& s : shapes) {
                const long dx = x - s.x, dy = y - s.y;
                const bool in = s.circle ? dx * dx + dy * dy <= long(s.a) * s.a
                                         : (dx >= 0 && dx < s.a && dy >= 0 && dy < s.b);
                if (in) v[0] = s.color[0], v[1] = s.color[1], v[2] = s.color[2];
            }
            const int noise = static_cast<int>(rng.next() & 15) - 8;
            if (channels == 1) {
                px[at++] = static_cast<unsigned char>(std::clamp((v[0] + v[1] + v[2]) / 3 + noise, 0, 255));
            } else {
                for (int c = 0; c < 3; ++c) px[at++] = static_cast<unsigned char>(std::clamp(v[c] + noise, 0, 255));
            }
        }
    }
    return px;
}

std::vector<std::string> write_image_corpus(const std::string& dir, int count, int width, int height,
                                            std::uint64_t seed) {
    namespace fs = std::filesystem;
    fs::create_directories(dir);
    std::vector<std::string> paths;
    for (int i = 0; i < count; ++i) {
        char name[96];
        std::snprintf(name, sizeof name, "img_%llu_%dx%d_%03d.png", static_cast<unsigned long long>(seed), width,
                      height, i);
        const fs::path path = fs::path(dir) / name;
        paths.push_back(path.string());
        if (fs::exists(path)) continue;  // complete: files only appear by rename
        auto px = make_image_pixels(width, height, 3, seed, i);
        const cv::Mat img(height, width, CV_8UC3, px.data());
        std::string tmp_name = ".";  // hidden, and ends in .png so imwrite picks the encoder
        tmp_name += name;
        tmp_name += ".tmp-" + std::to_string(::getpid()) + ".png";
        const fs::path tmp = fs::path(dir) / tmp_name;
        if (!cv::imwrite(tmp.string(), img)) throw std::runtime_error("cannot write " + tmp.string());
        fs::rename(tmp, path);
    }
    return paths;
}

}  // namespace parapipe::bench
