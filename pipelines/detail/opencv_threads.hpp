#pragma once
// Keeps OpenCV from oversubscribing the cores while parapipe runs its own workers: OpenCV's
// parallel_for (TBB in Debian's build) would otherwise start its own threads inside each of
// ours. The limit is set in the coordinator before any fork (so forked workers inherit it and
// never touch TBB) and undone when the run ends or the plan is destroyed. Not thread-safe:
// cv::setNumThreads is process-global, so one limited run at a time per process.
#include <opencv2/core/utility.hpp>

namespace parapipe::image::detail {

class OpenCvThreadLimit {
public:
    OpenCvThreadLimit() = default;
    OpenCvThreadLimit(const OpenCvThreadLimit&) = delete;
    OpenCvThreadLimit& operator=(const OpenCvThreadLimit&) = delete;
    ~OpenCvThreadLimit() { restore(); }

    /// One thread for OpenCV until restore().
    void limit() {
        if (saved_ < 0) saved_ = cv::getNumThreads();
        cv::setNumThreads(1);
    }
    void restore() {
        if (saved_ >= 0) cv::setNumThreads(saved_);
        saved_ = -1;
    }

private:
    int saved_ = -1;
};

}  // namespace parapipe::image::detail
