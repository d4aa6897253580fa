#pragma once
// files(paths): one item per file of `paths` (files, or folders walked with engine/walk.hpp),
// with its path and its whole contents. Files are grouped into chunks of about `chunk_size`
// bytes (a file is never split; a large file is a chunk of its own). A file is opened and read
// only while its chunk runs, so any number of files can be processed with few open at once.
//
//   auto sizes = parapipe::files({"src/"}).map([](const parapipe::FileItem& f) {
//       return std::pair(std::string(f.path), f.data.size()); }).sort().run();
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <parapipe/engine/flow.hpp>
#include <parapipe/engine/walk.hpp>

namespace parapipe {

/// A whole file. Both views live only during the stage call: copy to keep.
struct FileItem {
    std::string_view path;  ///< as the walker produced it
    std::string_view data;  ///< every byte of the file
};

/// The Source behind files().
class FilesSource {
public:
    using item_type = FileItem;

    /// Walks `paths` now and notes each file's size. Throws UsageError for a missing path, for
    /// stdin and for an explicit path that is not a regular file.
    FilesSource(const std::vector<std::string>& paths, std::size_t chunk_size, const WalkOptions& walk = {});

    std::size_t chunk_count() const { return chunk_begin_.size() - 1; }
    template <class Emit>
    void for_each(std::size_t chunk, Emit&& emit) const {
        std::string data;
        for (std::size_t i = chunk_begin_[chunk]; i < chunk_begin_[chunk + 1]; ++i) {
            read(i, data);
            emit(FileItem{paths_[i], data});
        }
    }
    std::uint64_t weight(std::size_t chunk) const;
    std::string describe(std::size_t chunk) const;
    void release(std::size_t) const {}

    std::size_t file_count() const { return paths_.size(); }

private:
    /// Reads file i whole into `out`; throws Error naming the file when it cannot.
    void read(std::size_t i, std::string& out) const;

    std::vector<std::string> paths_;
    std::vector<std::uint64_t> sizes_;
    std::vector<std::size_t> chunk_begin_{0};
};

/// A flow over the files of `paths`, about `chunk_size` bytes of files a chunk.
inline auto files(const std::vector<std::string>& paths, std::size_t chunk_size = std::size_t{8} << 20,
                  const WalkOptions& walk = {}) {
    return from(std::make_shared<const FilesSource>(paths, chunk_size, walk));
}

}  // namespace parapipe
