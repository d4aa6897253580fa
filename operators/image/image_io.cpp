#include <parapipe/operators/image/image_io.hpp>

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <parapipe/operators/image/image_header.hpp>

namespace parapipe::ops {

namespace {

// Closes a descriptor and, unless released, unlinks the temporary file it belongs to.
struct TempFile {
    std::string path;
    int fd = -1;
    ~TempFile() {
        if (fd >= 0) ::close(fd);
        if (!path.empty()) ::unlink(path.c_str());
    }
};

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string mpix(std::uint64_t px) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", static_cast<double>(px) / 1e6);
    return buf;
}

}  // namespace

std::vector<unsigned char> read_image_file(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw BadImage(std::string("cannot read: ") + std::strerror(errno));
    TempFile guard{{}, fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0) throw BadImage(std::string("cannot read: ") + std::strerror(errno));
    if (!S_ISREG(st.st_mode)) throw BadImage("not a regular file");
    std::vector<unsigned char> bytes(static_cast<std::size_t>(st.st_size));
    std::size_t got = 0;
    while (got < bytes.size()) {
        ssize_t r = ::read(fd, bytes.data() + got, bytes.size() - got);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) throw BadImage(std::string("cannot read: ") + std::strerror(errno));
        if (r == 0) break;  // shrank while reading
        got += static_cast<std::size_t>(r);
    }
    bytes.resize(got);
    if (bytes.empty()) throw BadImage("empty file");
    return bytes;
}

cv::Mat decode_image(std::span<const unsigned char> bytes, std::uint64_t max_pixels) {
    if (bytes.empty()) throw BadImage("empty file");
    const ImageHeader h = probe_image_header(bytes);
    if (h.pixels() > max_pixels)
        throw BadImage("declared size " + std::to_string(h.width) + "x" + std::to_string(h.height) + " (" +
                       mpix(h.pixels()) + " MPix) exceeds --max-pixels " + mpix(max_pixels) + " MPix");
    if (auto why = find_truncation(bytes, h.format)) throw BadImage(*why);
    cv::Mat img;
    try {
        // ANYCOLOR without ANYDEPTH: 8-bit, one channel for gray files, three (BGR) otherwise.
        const cv::Mat raw(1, static_cast<int>(bytes.size()), CV_8U, const_cast<unsigned char*>(bytes.data()));
        img = cv::imdecode(raw, cv::IMREAD_ANYCOLOR);
    } catch (const cv::Exception& e) {
        throw BadImage("corrupt: " + e.err);
    }
    if (img.empty()) throw BadImage(h.format == ImageFormat::unknown ? "not an image format OpenCV can decode"
                                                                   : "corrupt: the decoder rejected it");
    if (img.total() > max_pixels)
        throw BadImage("size " + std::to_string(img.cols) + "x" + std::to_string(img.rows) + " exceeds --max-pixels");
    return img;
}

cv::Mat load_image(const std::string& path, std::uint64_t max_pixels) {
    return decode_image(read_image_file(path), max_pixels);
}

void write_image_atomically(const std::string& path, const cv::Mat& img) {
    namespace fs = std::filesystem;
    const fs::path target(path);
    const std::string ext = lower(target.extension().string());
    std::vector<int> params;
    if (ext == ".jpg" || ext == ".jpeg" || ext == ".jpe") params = {cv::IMWRITE_JPEG_QUALITY, 95};
    std::vector<unsigned char> encoded;
    try {
        if (ext.empty() || !cv::haveImageWriter(ext)) throw Error("no encoder for '" + ext + "'");
        if (!cv::imencode(ext, img, encoded, params)) throw Error("the " + ext + " encoder failed");
    } catch (const cv::Exception& e) {
        throw Error("cannot encode " + path + ": " + e.err);
    } catch (const Error& e) {
        throw Error("cannot encode " + path + ": " + e.what() + " (choose --format png, jpg or webp)");
    }
    const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
    std::string tmp_name = ".";  // hidden, so directory scans skip it
    tmp_name += target.filename().string();
    tmp_name += ".tmp-XXXXXX";
    TempFile tmp{(dir / tmp_name).string()};
    tmp.fd = ::mkostemp(tmp.path.data(), O_CLOEXEC);
    if (tmp.fd < 0) {
        tmp.path.clear();
        throw Error("cannot write " + path + ": " + std::strerror(errno));
    }
    ::fchmod(tmp.fd, 0644);
    const unsigned char* p = encoded.data();
    std::size_t left = encoded.size();
    while (left > 0) {
        ssize_t w = ::write(tmp.fd, p, left);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) throw Error("cannot write " + path + ": " + std::strerror(errno));
        p += w;
        left -= static_cast<std::size_t>(w);
    }
    const int fd = tmp.fd;
    tmp.fd = -1;
    if (::close(fd) != 0) throw Error("cannot write " + path + ": " + std::strerror(errno));
    if (::rename(tmp.path.c_str(), path.c_str()) != 0) throw Error("cannot write " + path + ": " + std::strerror(errno));
    tmp.path.clear();  // renamed: nothing left to clean up
}

bool is_image_extension(std::string_view ext) {
    static const char* const known[] = {".png", ".jpg", ".jpeg", ".jpe", ".webp", ".tif", ".tiff", ".bmp", ".dib",
                                        ".pbm", ".pgm", ".ppm", ".pnm", ".pxm", ".sr", ".ras", ".jp2", ".exr", ".hdr",
                                        ".pic"};
    const std::string e = lower(ext);
    return std::any_of(std::begin(known), std::end(known), [&](const char* k) { return e == k; });
}

}  // namespace parapipe::ops
