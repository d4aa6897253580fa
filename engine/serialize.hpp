#pragma once
// Serialization of partial results for Mode::processes, where partials travel through pipes.
// Derived for arithmetic types, enums, strings, vectors, arrays, pairs, tuples, optionals,
// map-like containers (std::map, std::unordered_map, absl::flat_hash_map), set-like ones
// (std::set, std::unordered_set, absl::flat_hash_set) and types described with
// PARAPIPE_FIELDS (engine/fields.hpp). A type of a library that cannot be described that way
// (e.g. cv::Mat) may specialize parapipe::Serializer<T> with
//   static void write(Writer&, const T&);  static void read(Reader&, T&);
#include <array>
#include <concepts>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <parapipe/engine/errors.hpp>
#include <parapipe/engine/fields.hpp>

namespace parapipe {

/// Appends bytes to a buffer. Not thread-safe; one per message.
/// Writer(borrow_from) keeps every span of at least borrow_from bytes by reference instead of
/// copying it: a message sent at once (for_each_piece) while what it refers to lives, so that a
/// huge key goes to a pipe straight from its table, with no copy of it in the buffer.
/// Writer::streaming(sink, piece) holds no message: see there.
class Writer {
public:
    /// sink(p, n): takes the next n bytes of the message; false stops the stream.
    using Sink = std::function<bool(const char*, std::size_t)>;

    Writer() = default;
    explicit Writer(std::size_t borrow_from) : borrow_from_(borrow_from) {}

    /// A writer that hands the message to `sink` as it is written, in pieces of about `piece`
    /// bytes, holding at most one: a message too big to hold next to what it describes (a
    /// worker's whole partial) goes down a pipe as it is serialized. A span of at least `piece`
    /// bytes goes to the sink as it is, uncopied (piece 0: every span, e.g. a sink that only
    /// counts). Once the sink returns false the rest is dropped and finish() returns false.
    static Writer streaming(Sink sink, std::size_t piece) {
        Writer w(piece);
        w.sink_ = std::move(sink);
        w.flush_at_ = piece;
        return w;
    }
    /// A streaming writer's last piece to the sink; false if the sink stopped at any point.
    /// (Other writers: true, nothing to do.)
    bool finish() {
        flush();
        return ok_;
    }
    /// True when spans are kept by reference until the message is sent (Writer(borrow_from)):
    /// what they point to must outlive the writer's use (serialize_consuming checks this).
    bool keeps_spans() const { return !sink_ && borrow_from_ != SIZE_MAX; }

    void bytes(const void* p, std::size_t n) {
        if (n >= borrow_from_) [[unlikely]] {
            if (sink_) {
                flush();
                if (ok_) ok_ = sink_(static_cast<const char*>(p), n);
                sent_ += n;
                return;
            }
            borrowed_.push_back({buf_.size(), static_cast<const char*>(p), n});
            borrowed_bytes_ += n;
            return;
        }
        buf_.append(static_cast<const char*>(p), n);
        if (buf_.size() >= flush_at_) [[unlikely]] flush();
    }
    template <class T>
    void pod(const T& v) { bytes(&v, sizeof v); }
    /// The message, when nothing was borrowed (always so for a Writer made without borrow_from).
    std::string& buffer() { return buf_; }
    /// Bytes of the whole message, borrowed spans (and a streaming writer's bytes sent) included.
    std::size_t size() const { return sent_ + buf_.size() + borrowed_bytes_; }
    /// f(const char* p, std::size_t n) for each piece of the message in order; stops when f
    /// returns false. Returns false if it stopped.
    template <class F>
    bool for_each_piece(F&& f) const {
        std::size_t at = 0;
        for (const Borrowed& b : borrowed_) {
            if (b.at > at && !f(buf_.data() + at, b.at - at)) return false;
            if (!f(b.p, b.n)) return false;
            at = b.at;
        }
        return at == buf_.size() || f(buf_.data() + at, buf_.size() - at);
    }
    void clear() {
        buf_.clear();
        borrowed_.clear();
        borrowed_bytes_ = 0;
        sent_ = 0;
        ok_ = true;
    }

private:
    void flush() {
        if (!sink_ || buf_.empty()) return;
        if (ok_) ok_ = sink_(buf_.data(), buf_.size());
        sent_ += buf_.size();
        buf_.clear();
    }

    struct Borrowed {
        std::size_t at;  // where in buf_ the span goes
        const char* p;
        std::size_t n;
    };
    std::string buf_;
    std::vector<Borrowed> borrowed_;
    std::size_t borrowed_bytes_ = 0;
    std::size_t borrow_from_ = SIZE_MAX;
    Sink sink_;                         // streaming only
    std::size_t flush_at_ = SIZE_MAX;   // streaming: the piece size
    std::size_t sent_ = 0;              // streaming: bytes handed to the sink
    bool ok_ = true;                    // streaming: the sink took everything so far
};

/// Reads bytes written by Writer; throws Error on truncated input instead of reading past it.
/// Over memory as constructed here; a subclass reads a stream (engine/detail/pipe_message.hpp
/// PipeReader): it refills the buffer as it empties, and reads a large span straight into its
/// destination.
class Reader {
public:
    Reader(const char* p, std::size_t n) : p_(p), end_(p + n) {}
    virtual ~Reader() = default;
    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;

    void bytes(void* out, std::size_t n) {
        if (n > buffered()) [[unlikely]] return bytes_past_buffer(static_cast<char*>(out), n);
        std::memcpy(out, p_, n);
        p_ += n;
    }
    template <class T>
    T pod() {
        T v;
        bytes(&v, sizeof v);
        return v;
    }
    /// A view of the next n bytes, valid while the underlying buffer lives (for a stream: until
    /// the next read).
    const char* take(std::size_t n) {
        need(n);
        const char* at = p_;
        p_ += n;
        return at;
    }
    /// True when views from take() stay valid while the underlying buffer lives (over memory);
    /// false for a stream, whose views last until the next read only.
    bool stable() const { return !streams_; }
    /// Bytes left in the message.
    std::size_t remaining() const { return buffered() + static_cast<std::size_t>(unread_); }

protected:
    Reader() : streams_(true) {}
    /// A stream's: makes at least n bytes buffered, n <= remaining(). Sets p_, end_ and unread_.
    virtual void refill(std::size_t) {}
    /// A stream's: reads n <= unread_ bytes straight into out, with nothing buffered.
    virtual void read_direct(char*, std::size_t) {}
    std::size_t buffered() const { return static_cast<std::size_t>(end_ - p_); }

    const char* p_ = nullptr;
    const char* end_ = nullptr;
    std::uint64_t unread_ = 0;  // a stream's bytes not read into the buffer yet
    bool streams_ = false;

private:
    void need(std::size_t n) {
        if (n <= buffered()) [[likely]] return;
        if (n > remaining()) throw Error("serialized partial is truncated");
        refill(n);
    }
    void bytes_past_buffer(char* out, std::size_t n) {
        if (n > remaining()) throw Error("serialized partial is truncated");
        const std::size_t b = buffered();
        // Small: through the buffer. (b >= n cannot happen here; saying so lets GCC see that the
        // copy below fits `out`, which it warned about at -O1.)
        if (b >= n || n - b < (std::size_t{64} << 10)) {
            need(n);
            std::memcpy(out, p_, n);
            p_ += n;
            return;
        }
        std::memcpy(out, p_, b);
        p_ = end_;
        read_direct(out + b, n - b);
    }
};

template <class T, class Enable = void>
struct Serializer;  // no definition: types without a serializer are not Serializable

/// True when T can cross a pipe in Mode::processes (checked all the way down: a vector of a
/// type without a serializer is not Serializable).
template <class T>
concept Serializable = requires(Writer& w, Reader& r, const T& c, T& m) {
    Serializer<T>::write(w, c);
    Serializer<T>::read(r, m);
};

template <class T>
void serialize(Writer& w, const T& v) { Serializer<T>::write(w, v); }

/// Writes the same bytes as serialize(w, v), but may give v's memory back as it goes, leaving v
/// valid but unspecified: a worker's partial on its way out shrinks while it is sent, instead of
/// staying whole next to the copy being built from it. A Serializer opts in with
/// write_consuming(Writer&, T&). With a writer that keeps spans by reference (keeps_spans())
/// this is serialize(): a freed span would dangle.
template <class T>
void serialize_consuming(Writer& w, T& v) {
    if constexpr (requires { Serializer<T>::write_consuming(w, v); }) {
        if (!w.keeps_spans()) return Serializer<T>::write_consuming(w, v);
    }
    Serializer<T>::write(w, v);
}
template <class T>
void deserialize(Reader& r, T& v) { Serializer<T>::read(r, v); }

namespace detail {
template <class M>
concept MapLike = requires(M m) {
    typename M::key_type;
    typename M::mapped_type;
    m.emplace(std::declval<typename M::key_type>(), std::declval<typename M::mapped_type>());
};
template <class S>
concept SetLike = !MapLike<S> && !std::is_same_v<S, std::string> && requires(S s) {
    typename S::key_type;
    s.insert(std::declval<typename S::key_type>());
    s.begin();
};
template <class M>
concept SerializableMap = MapLike<M> && Serializable<typename M::key_type> && Serializable<typename M::mapped_type>;
template <class S>
concept SerializableSet = SetLike<S> && Serializable<typename S::key_type>;
template <class T>
concept SerializableDescribed = Described<T> && Serializable<fields_tuple_t<T>>;
}  // namespace detail

template <class T>
struct Serializer<T, std::enable_if_t<std::is_arithmetic_v<T> || std::is_enum_v<T>>> {
    static void write(Writer& w, const T& v) { w.pod(v); }
    static void read(Reader& r, T& v) { v = r.pod<T>(); }
};

template <>
struct Serializer<std::string> {
    static void write(Writer& w, const std::string& s) {
        w.pod<std::uint64_t>(s.size());
        w.bytes(s.data(), s.size());
    }
    static void read(Reader& r, std::string& s) {
        auto n = r.pod<std::uint64_t>();
        s.assign(r.take(n), n);
    }
};

template <class T, class A>
struct Serializer<std::vector<T, A>, std::enable_if_t<Serializable<T>>> {
    static void write(Writer& w, const std::vector<T, A>& v) {
        w.pod<std::uint64_t>(v.size());
        if constexpr (std::is_arithmetic_v<T>) w.bytes(v.data(), v.size() * sizeof(T));
        else for (const auto& e : v) serialize(w, e);
    }
    static void read(Reader& r, std::vector<T, A>& v) {
        auto n = r.pod<std::uint64_t>();
        if constexpr (std::is_arithmetic_v<T>) {
            if (n > r.remaining() / sizeof(T)) throw Error("serialized partial is truncated");
            v.resize(n);
            r.bytes(v.data(), n * sizeof(T));
        } else {
            v.clear();
            v.reserve(std::min<std::uint64_t>(n, r.remaining()));
            for (std::uint64_t i = 0; i < n; ++i) deserialize(r, v.emplace_back());
        }
    }
};

template <class T, std::size_t N>
struct Serializer<std::array<T, N>, std::enable_if_t<Serializable<T>>> {
    static void write(Writer& w, const std::array<T, N>& a) { for (const auto& e : a) serialize(w, e); }
    static void read(Reader& r, std::array<T, N>& a) { for (auto& e : a) deserialize(r, e); }
};

template <class A, class B>
struct Serializer<std::pair<A, B>, std::enable_if_t<Serializable<A> && Serializable<B>>> {
    static void write(Writer& w, const std::pair<A, B>& p) { serialize(w, p.first); serialize(w, p.second); }
    static void read(Reader& r, std::pair<A, B>& p) { deserialize(r, p.first); deserialize(r, p.second); }
};

template <class... Ts>
struct Serializer<std::tuple<Ts...>, std::enable_if_t<(Serializable<Ts> && ...)>> {
    static void write(Writer& w, const std::tuple<Ts...>& t) {
        std::apply([&](const auto&... e) { (serialize(w, e), ...); }, t);
    }
    static void read(Reader& r, std::tuple<Ts...>& t) {
        std::apply([&](auto&... e) { (deserialize(r, e), ...); }, t);
    }
};

template <class T>
struct Serializer<std::optional<T>, std::enable_if_t<Serializable<T>>> {
    static void write(Writer& w, const std::optional<T>& o) {
        w.pod<std::uint8_t>(o ? 1 : 0);
        if (o) serialize(w, *o);
    }
    static void read(Reader& r, std::optional<T>& o) {
        if (r.pod<std::uint8_t>() == 0) {
            o.reset();
            return;
        }
        deserialize(r, o.emplace());
    }
};

/// std::map, std::unordered_map, absl::flat_hash_map and friends.
template <class M>
struct Serializer<M, std::enable_if_t<detail::SerializableMap<M>>> {
    static void write(Writer& w, const M& m) {
        w.pod<std::uint64_t>(m.size());
        for (const auto& [k, v] : m) {
            serialize(w, k);
            serialize(w, v);
        }
    }
    static void read(Reader& r, M& m) {
        auto n = r.pod<std::uint64_t>();
        m.clear();
        if constexpr (requires { m.reserve(n); }) m.reserve(std::min<std::uint64_t>(n, r.remaining()));
        for (std::uint64_t i = 0; i < n; ++i) {
            typename M::key_type k;
            typename M::mapped_type v;
            deserialize(r, k);
            deserialize(r, v);
            m.emplace(std::move(k), std::move(v));
        }
    }
};

/// std::set, std::unordered_set, absl::flat_hash_set and friends.
template <class S>
struct Serializer<S, std::enable_if_t<detail::SerializableSet<S>>> {
    static void write(Writer& w, const S& s) {
        w.pod<std::uint64_t>(s.size());
        for (const auto& k : s) serialize(w, k);
    }
    static void read(Reader& r, S& s) {
        auto n = r.pod<std::uint64_t>();
        s.clear();
        if constexpr (requires { s.reserve(n); }) s.reserve(std::min<std::uint64_t>(n, r.remaining()));
        for (std::uint64_t i = 0; i < n; ++i) {
            typename S::key_type k;
            deserialize(r, k);
            s.insert(std::move(k));
        }
    }
};

/// Types described with PARAPIPE_FIELDS: their members in order.
template <class T>
struct Serializer<T, std::enable_if_t<detail::SerializableDescribed<T>>> {
    static void write(Writer& w, const T& v) {
        std::apply([&](const auto&... f) { (serialize(w, f), ...); }, v.parapipe_fields());
    }
    static void write_consuming(Writer& w, T& v) {
        std::apply([&](auto&... f) { (serialize_consuming(w, f), ...); }, v.parapipe_fields());
    }
    static void read(Reader& r, T& v) {
        std::apply([&](auto&... f) { (deserialize(r, f), ...); }, v.parapipe_fields());
    }
};

}  // namespace parapipe
