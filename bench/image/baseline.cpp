#include "bench/image/baseline.hpp"

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace parapipe::bench {

namespace {

// "K" of "blur:K", or "W" and "H" of "resize:WxH".
int int_arg(const std::string& op, const std::string& text) {
    char* end = nullptr;
    const long v = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0') throw std::invalid_argument("bad argument in op '" + op + "'");
    return static_cast<int>(v);
}

cv::Mat sobel_magnitude(const cv::Mat& src) {
    cv::Mat dx, dy, ax, ay, out;
    cv::Sobel(src, dx, CV_16S, 1, 0, 3);
    cv::Sobel(src, dy, CV_16S, 0, 1, 3);
    cv::convertScaleAbs(dx, ax);
    cv::convertScaleAbs(dy, ay);
    cv::addWeighted(ax, 0.5, ay, 0.5, 0, out);
    return out;
}

}  // namespace

cv::Mat baseline_gray_blur_sobel(const cv::Mat& bgr) {
    cv::Mat gray, blurred;
    cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
    cv::GaussianBlur(gray, blurred, cv::Size(5, 5), 0, 0, cv::BORDER_DEFAULT);
    return sobel_magnitude(blurred);
}

cv::Mat baseline_ops(const cv::Mat& img, const std::string& chain) {
    cv::Mat cur = img;
    std::stringstream ops(chain);
    for (std::string op; std::getline(ops, op, ',');) {
        const auto colon = op.find(':');
        const std::string name = op.substr(0, colon), arg = colon == std::string::npos ? "" : op.substr(colon + 1);
        cv::Mat next;
        if (name == "grayscale") {
            if (cur.channels() == 1) continue;
            cv::cvtColor(cur, next, cv::COLOR_BGR2GRAY);
        } else if (name == "blur") {
            const int k = int_arg(op, arg);
            cv::GaussianBlur(cur, next, cv::Size(k, k), 0, 0, cv::BORDER_DEFAULT);
        } else if (name == "sobel") {
            next = sobel_magnitude(cur);
        } else if (name == "threshold") {
            cv::threshold(cur, next, int_arg(op, arg), 255, cv::THRESH_BINARY);
        } else if (name == "invert") {
            cv::bitwise_not(cur, next);
        } else if (name == "resize") {
            const auto x = arg.find('x');
            if (x == std::string::npos) throw std::invalid_argument("bad argument in op '" + op + "'");
            cv::resize(cur, next, cv::Size(int_arg(op, arg.substr(0, x)), int_arg(op, arg.substr(x + 1))), 0, 0,
                       cv::INTER_AREA);
        } else {
            throw std::invalid_argument("unknown op '" + op + "'");
        }
        cur = next;
    }
    return cur;
}

std::uint64_t baseline_loop(const std::vector<std::pair<std::string, std::string>>& files, const std::string& chain) {
    std::uint64_t pixels = 0;
    for (const auto& [in, out] : files) {
        const cv::Mat img = cv::imread(in, cv::IMREAD_ANYCOLOR);
        if (img.empty()) throw std::runtime_error("cannot read " + in);
        std::string ext = std::filesystem::path(out).extension().string();
        for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::vector<int> params;
        if (ext == ".jpg" || ext == ".jpeg" || ext == ".jpe") params = {cv::IMWRITE_JPEG_QUALITY, 95};
        if (!cv::imwrite(out, baseline_ops(img, chain), params)) throw std::runtime_error("cannot write " + out);
        pixels += img.total();
    }
    return pixels;
}

std::uint64_t baseline_batch(const std::vector<std::string>& paths, const std::string& out_dir) {
    std::uint64_t pixels = 0;
    for (const auto& p : paths) {
        const cv::Mat img = cv::imread(p, cv::IMREAD_ANYCOLOR);
        if (img.empty()) throw std::runtime_error("cannot read " + p);
        const auto out = (std::filesystem::path(out_dir) / std::filesystem::path(p).filename()).replace_extension(".png");
        if (!cv::imwrite(out.string(), baseline_gray_blur_sobel(img))) throw std::runtime_error("cannot write " + out.string());
        pixels += img.total();
    }
    return pixels;
}

}  // namespace parapipe::bench
