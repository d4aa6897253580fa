#pragma once
// cv::Mat as part of a partial result: Serializer<cv::Mat> for Mode::processes (the matrix
// crosses a pipe) and ShmCodec<cv::Mat> for Mode::shm (stored in the shared segment).
// Two-dimensional matrices of any type; a read checks the header before trusting it.
#include <cstdint>
#include <cstring>

#include <opencv2/core/mat.hpp>

#include <parapipe/engine/errors.hpp>
#include <parapipe/engine/serialize.hpp>
#include <parapipe/engine/shm_codec.hpp>

namespace parapipe {

namespace detail {
// Rows, columns and type a peer sent; throws instead of allocating from a corrupt header.
inline void check_mat_header(std::int32_t rows, std::int32_t cols, std::int32_t type, std::size_t available) {
    if (rows < 0 || cols < 0 || CV_MAT_DEPTH(type) > CV_16F || type < 0 || type > CV_MAKETYPE(CV_16F, CV_CN_MAX))
        throw Error("serialized image has a corrupt header");
    const std::uint64_t bytes = std::uint64_t(rows) * std::uint64_t(cols) * CV_ELEM_SIZE(type);
    if (bytes > available) throw Error("serialized image is truncated");
}

template <class F>
void for_each_mat_row(const cv::Mat& m, F&& f) {
    const std::size_t row_bytes = std::size_t(m.cols) * m.elemSize();
    if (m.isContinuous()) f(m.data, row_bytes * std::size_t(m.rows));
    else for (int y = 0; y < m.rows; ++y) f(m.ptr(y), row_bytes);
}
}  // namespace detail

template <>
struct Serializer<cv::Mat> {
    static void write(Writer& w, const cv::Mat& m) {
        if (m.dims > 2) throw Error("only 2-D images can be serialized");
        w.pod<std::int32_t>(m.rows), w.pod<std::int32_t>(m.cols), w.pod<std::int32_t>(m.type());
        detail::for_each_mat_row(m, [&](const uchar* p, std::size_t n) { w.bytes(p, n); });
    }
    static void read(Reader& r, cv::Mat& m) {
        const auto rows = r.pod<std::int32_t>(), cols = r.pod<std::int32_t>(), type = r.pod<std::int32_t>();
        detail::check_mat_header(rows, cols, type, r.remaining());
        m.create(rows, cols, type);
        if (m.total()) r.bytes(m.data, m.total() * m.elemSize());
    }
};

template <>
struct ShmCodec<cv::Mat> {
    struct stored {
        explicit stored(const shm::VoidAlloc& a) : data(a) {}
        std::int32_t rows = 0, cols = 0, type = 0;
        shm::Vector<unsigned char> data;
    };
    static stored make(const shm::VoidAlloc& a) { return stored(a); }
    static void store(const cv::Mat& m, stored& s, const shm::VoidAlloc&) {
        if (m.dims > 2) throw Error("only 2-D images can be stored");
        s.rows = m.rows, s.cols = m.cols, s.type = m.type();
        s.data.clear();
        s.data.reserve(m.total() * m.elemSize());
        detail::for_each_mat_row(m, [&](const uchar* p, std::size_t n) { s.data.insert(s.data.end(), p, p + n); });
    }
    static void load(const stored& s, cv::Mat& m) {
        detail::check_mat_header(s.rows, s.cols, s.type, s.data.size());
        m.create(s.rows, s.cols, s.type);
        if (m.total()) std::memcpy(m.data, s.data.data(), m.total() * m.elemSize());
    }
};

}  // namespace parapipe
