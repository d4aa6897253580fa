#include <parapipe/engine/spill/folder.hpp>

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <random>
#include <system_error>

#include <parapipe/engine/errors.hpp>

namespace parapipe {

namespace {
constexpr const char* prefix = "parapipe-spill-";

std::string parent_or_default(const std::string& parent) {
    if (!parent.empty()) return parent;
    const char* t = std::getenv("TMPDIR");
    return t && *t ? t : "/tmp";
}
}  // namespace

SpillFolder::SpillFolder(const std::string& parent) : owner_(::getpid()) {
    std::random_device rd;
    char suffix[17];
    std::snprintf(suffix, sizeof suffix, "%08x%08x", rd(), rd());
    path_ = parent_or_default(parent) + "/" + prefix + std::to_string(owner_) + "-" + suffix;
}

SpillFolder::~SpillFolder() {
    if (::getpid() != owner_) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

std::string SpillFolder::new_run(const char* p) {
    // Created by the first spill of any process of the run (workers race: EEXIST is theirs, if
    // it is a folder of ours that nobody else can write).
    if (::mkdir(path_.c_str(), 0700) == 0) {
        remove_stale(std::filesystem::path(path_).parent_path().string());
    } else {
        const int err = errno;
        struct stat st {};
        if (err != EEXIST || ::lstat(path_.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::getuid() ||
            (st.st_mode & 077) != 0)
            throw Error("cannot create temporary folder " + path_ + " for spilling (" +
                        std::strerror(err == EEXIST ? EEXIST : err) + "); set TMPDIR to a writable folder");
    }
    return path_ + "/" + p + "-" + std::to_string(::getpid()) + "-" + std::to_string(next_.fetch_add(1));
}

std::vector<std::string> SpillFolder::runs(const char* p) const {
    std::vector<std::string> out;
    const std::string want = std::string(p) + "-";
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(path_, ec)) {
        const std::string name = e.path().filename().string();
        if (name.compare(0, want.size(), want) == 0) out.push_back(e.path().string());
    }
    std::sort(out.begin(), out.end());
    return out;
}

void SpillFolder::drop_runs_of(pid_t pid) {
    // Appended, not "-" + std::to_string(pid): GCC 12 warns falsely on that form (-Wrestrict).
    std::string tag = "-";
    tag += std::to_string(pid);
    tag += '-';
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(path_, ec)) {
        const std::string name = e.path().filename().string();
        auto dash = name.find('-');
        if (dash != std::string::npos && name.compare(dash, tag.size(), tag) == 0) std::filesystem::remove(e.path(), ec);
    }
}

void SpillFolder::remove(const std::string& file) const { ::unlink(file.c_str()); }

void SpillFolder::fail(const char* what, int err) const {
    if (err == ENOSPC || err == EDQUOT || err == EFBIG)
        throw Error("temporary folder " + path_ + " is full while " + what + " (" + std::strerror(err) +
                    "); free space there, set TMPDIR to another folder, or raise --memory-limit");
    throw Error("cannot write to temporary folder " + path_ + " while " + what + " (" + std::strerror(err) +
                "); set TMPDIR to another folder");
}

int SpillFolder::remove_stale(const std::string& parent) {
    int removed = 0;
    const std::string dir = parent_or_default(parent);
    DIR* d = ::opendir(dir.c_str());
    if (!d) return 0;
    const std::size_t n = std::strlen(prefix);
    while (dirent* e = ::readdir(d)) {
        const char* name = e->d_name;
        if (std::strncmp(name, prefix, n) != 0) continue;
        char* end = nullptr;
        const long pid = std::strtol(name + n, &end, 10);
        if (pid <= 0 || *end != '-') continue;
        if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM) continue;  // its run is alive
        struct stat st {};
        if (::lstat((dir + "/" + name).c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::getuid()) continue;
        std::error_code ec;
        std::filesystem::remove_all(dir + "/" + name, ec);
        if (!ec) ++removed;
    }
    ::closedir(d);
    return removed;
}

}  // namespace parapipe
