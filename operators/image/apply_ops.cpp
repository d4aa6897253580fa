#include <parapipe/operators/image/apply_ops.hpp>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

namespace parapipe::ops {

cv::Mat apply_image_op(const cv::Mat& src, const ImageOp& op) {
    cv::Mat dst;
    switch (op.kind) {
        case ImageOpKind::grayscale:
            if (src.channels() == 1) return src;
            cv::cvtColor(src, dst, cv::COLOR_BGR2GRAY);
            break;
        case ImageOpKind::blur:
            cv::GaussianBlur(src, dst, cv::Size(op.k, op.k), 0, 0, cv::BORDER_DEFAULT);
            break;
        case ImageOpKind::sobel: {
            cv::Mat dx, dy, ax, ay;
            cv::Sobel(src, dx, CV_16S, 1, 0, 3);
            cv::Sobel(src, dy, CV_16S, 0, 1, 3);
            cv::convertScaleAbs(dx, ax);
            cv::convertScaleAbs(dy, ay);
            cv::addWeighted(ax, 0.5, ay, 0.5, 0, dst);
            break;
        }
        case ImageOpKind::threshold:
            cv::threshold(src, dst, op.k, 255, cv::THRESH_BINARY);
            break;
        case ImageOpKind::invert:
            cv::bitwise_not(src, dst);
            break;
        case ImageOpKind::resize:
            cv::resize(src, dst, cv::Size(op.width, op.height), 0, 0, cv::INTER_AREA);
            break;
    }
    return dst;
}

cv::Mat apply_image_ops(const cv::Mat& src, const ImageOps& ops) {
    cv::Mat img = src;
    for (const auto& op : ops) img = apply_image_op(img, op);
    return img;
}

int image_ops_channels(const ImageOps& ops, int channels) {
    for (const auto& op : ops)
        if (op.kind == ImageOpKind::grayscale) channels = 1;
    return channels;
}

cv::Size image_ops_size(const ImageOps& ops, cv::Size size) {
    for (const auto& op : ops)
        if (op.kind == ImageOpKind::resize) size = cv::Size(op.width, op.height);
    return size;
}

}  // namespace parapipe::ops
