#include "bench/image/baseline.hpp"

#include <filesystem>
#include <stdexcept>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace parapipe::bench {

cv::Mat baseline_gray_blur_sobel(const cv::Mat& bgr) {
    cv::Mat gray, blurred, dx, dy, ax, ay, out;
    cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
    cv::GaussianBlur(gray, blurred, cv::Size(5, 5), 0, 0, cv::BORDER_DEFAULT);
    cv::Sobel(blurred, dx, CV_16S, 1, 0, 3);
    cv::Sobel(blurred, dy, CV_16S, 0, 1, 3);
    cv::convertScaleAbs(dx, ax);
    cv::convertScaleAbs(dy, ay);
    cv::addWeighted(ax, 0.5, ay, 0.5, 0, out);
    return out;
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
