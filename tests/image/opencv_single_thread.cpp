// OpenCV (Debian's, built with TBB) starts TBB threads on its first parallel op and keeps them;
// the engine cannot shut those down before it forks process-mode workers. A fork while one of
// them holds an allocator lock (seen under ASan) can hang the child. The image tests run every
// mode in one process, so OpenCV stays single-threaded here. Results do not depend on it.
#include <opencv2/core.hpp>

namespace {
const int kSingleThreaded = [] {
    cv::setNumThreads(1);
    return 1;
}();
}  // namespace
