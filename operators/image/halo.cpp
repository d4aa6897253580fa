#include <parapipe/operators/image/halo.hpp>

#include <algorithm>

#include <parapipe/engine/errors.hpp>
#include <parapipe/operators/image/apply_ops.hpp>

namespace parapipe::ops {

int image_op_halo(const ImageOp& op) {
    switch (op.kind) {
        case ImageOpKind::blur: return op.k / 2;
        case ImageOpKind::sobel: return 1;
        default: return 0;
    }
}

int image_ops_halo(const ImageOps& ops) {
    int h = 0;
    for (const auto& op : ops) h += image_op_halo(op);
    return h;
}

bool image_ops_tileable(const ImageOps& ops) {
    return std::none_of(ops.begin(), ops.end(), [](const ImageOp& op) { return op.kind == ImageOpKind::resize; });
}

cv::Range band_input_rows(const ImageOps& ops, int rows, int y0, int y1) {
    const int halo = image_ops_halo(ops);
    return cv::Range(std::max(0, y0 - halo), std::min(rows, y1 + halo));
}

cv::Mat apply_image_ops_band(const cv::Mat& whole, const ImageOps& ops, int y0, int y1) {
    if (!image_ops_tileable(ops)) throw Error("resize cannot run on tiles");
    if (y0 < 0 || y1 > whole.rows || y0 >= y1) throw Error("band rows out of range");
    const cv::Range in = band_input_rows(ops, whole.rows, y0, y1);
    // A standalone copy of the rows, not an ROI of `whole`: OpenCV filters read past an ROI into
    // its parent, which is harmless but would make exactness depend on how `whole` was built.
    cv::Mat buffer = whole.rowRange(in).clone();
    cv::Mat out = apply_image_ops(buffer, ops);
    return out.rowRange(y0 - in.start, y1 - in.start);
}

}  // namespace parapipe::ops
