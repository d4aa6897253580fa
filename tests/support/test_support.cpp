#include "tests/support/test_support.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <parapipe/engine/mpi_transport.hpp>

namespace parapipe::testing {

namespace fs = std::filesystem;

namespace {

// The job a launcher started this process in, the same on all its ranks ("" without one).
std::string launcher_job() {
    for (const char* name : {"PMIX_NAMESPACE", "OMPI_MCA_ess_base_jobid"})
        if (const char* v = std::getenv(name); v && *v) return v;
    return "";
}

}  // namespace

TempDir::TempDir() {
    const char* tmp = std::getenv("TMPDIR");
    fs::path base = tmp && *tmp ? tmp : "/tmp";
    static const std::string job = launcher_job();
    if (!job.empty()) {
        // Every rank runs the same tests in the same order: the n-th folder is the same one.
        static unsigned made = 0;
        shared_ = true;
        path_ = base / ("parapipe-test-job-" + job + "-" + std::to_string(made++));
    } else {
        std::random_device rd;
        path_ = base / ("parapipe-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    }
    fs::create_directories(path_);
}

TempDir::~TempDir() {
    if (shared_) return;  // other ranks may still read it; tests/mpi/every_mode.sh removes it
    std::error_code ec;
    // Restore permissions tests may have removed, so cleanup cannot fail.
    for (auto it = fs::recursive_directory_iterator(path_, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
        fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ec);
    fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(path_, ec);
}

std::string TempDir::write(const std::string& name, std::string_view content) const {
    fs::path p = path_ / name;
    fs::create_directories(p.parent_path());
    // In a shared folder, the ranks write the same bytes: the first whole copy is linked into
    // place and stays (replacing it would make a rank's run see a replaced file). The temporary
    // name is hidden, so that another rank's walk of the folder skips it.
    const fs::path to =
        shared_ ? p.parent_path() / ("." + p.filename().string() + ".tmp-" + std::to_string(::getpid())) : p;
    {
        std::ofstream f(to, std::ios::binary);
        f.write(content.data(), static_cast<std::streamsize>(content.size()));
        if (!f) throw std::runtime_error("cannot write " + to.string());
    }
    if (shared_) {
        if (::link(to.c_str(), p.c_str()) != 0 && errno != EEXIST)
            throw std::runtime_error("cannot link " + p.string() + ": " + std::strerror(errno));
        fs::remove(to);
    }
    return p.string();
}

std::string ModeCase::name() const { return std::string(to_string(mode)) + "_" + std::to_string(workers); }

bool mode_enabled(Mode m) {
    const char* env = std::getenv("PARAPIPE_TEST_MODES");
    if (!env || !*env) return m != Mode::mpi;
    std::stringstream list(env);
    for (std::string item; std::getline(list, item, ',');)
        if (item == to_string(m)) return true;
    return false;
}

bool test_small() {
    const char* env = std::getenv("PARAPIPE_TEST_SMALL");
    return env && *env && std::string(env) != "0";
}

std::vector<ModeCase> all_mode_cases() {
    std::vector<ModeCase> out;
    if (mode_enabled(Mode::seq)) out.push_back({Mode::seq, 1});
    for (Mode m : {Mode::threads, Mode::processes, Mode::shm})
        if (mode_enabled(m))
            for (unsigned w : {1u, 2u, 4u}) out.push_back({m, w});
    if (mode_enabled(Mode::mpi))
        for (unsigned w : {1u, 2u}) out.push_back({Mode::mpi, w});
    return out;
}

bool output_here(const ModeCase& mc) { return mc.mode != Mode::mpi || mpi_rank() == 0; }

void reference_count(std::string_view text, ReferenceCount& into) {
    const auto* s = reinterpret_cast<const std::uint8_t*>(text.data());
    const auto n = static_cast<std::int32_t>(text.size());
    std::string word;
    auto flush = [&] {
        if (!word.empty()) {
            ++into.counts[word];
            ++into.words;
            word.clear();
        }
    };
    for (std::int32_t i = 0; i < n;) {
        std::int32_t at = i;
        UChar32 c;
        U8_NEXT(s, i, n, c);
        if (c < 0) {
            into.invalid_bytes += static_cast<std::uint64_t>(i - at);
            flush();
            continue;
        }
        if (U_GET_GC_MASK(c) & (U_GC_L_MASK | U_GC_M_MASK | U_GC_N_MASK)) {
            char buf[4];
            std::int32_t len = 0;
            U8_APPEND_UNSAFE(buf, len, u_tolower(c));
            word.append(buf, static_cast<std::size_t>(len));
        } else {
            flush();
        }
    }
    flush();
}

std::string reference_tsv(const ReferenceCount& r) {
    std::vector<std::pair<std::string, std::uint64_t>> v(r.counts.begin(), r.counts.end());
    std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    std::string out;
    for (const auto& [w, c] : v) out += w + '\t' + std::to_string(c) + '\n';
    return out;
}

Exec run_parapipe(const std::vector<std::string>& args, const std::string& stdin_data) {
    const char* bin = std::getenv("PARAPIPE_BIN");
    if (!bin) throw std::runtime_error("PARAPIPE_BIN is not set (run the tests through ctest)");
    int in[2], out[2], err[2];
    if (::pipe(in) || ::pipe(out) || ::pipe(err)) throw std::runtime_error("pipe failed");
    pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(in[0], 0);
        ::dup2(out[1], 1);
        ::dup2(err[1], 2);
        for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) ::close(fd);
        std::vector<char*> argv{const_cast<char*>(bin)};
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        ::execv(bin, argv.data());
        ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    Exec r;
    std::size_t fed = 0;
    if (stdin_data.empty()) ::close(in[1]), in[1] = -1;
    std::vector<pollfd> fds;
    bool out_open = true, err_open = true;
    char buf[65536];
    while (out_open || err_open) {
        fds.clear();
        if (out_open) fds.push_back({out[0], POLLIN, 0});
        if (err_open) fds.push_back({err[0], POLLIN, 0});
        if (in[1] >= 0) fds.push_back({in[1], POLLOUT, 0});
        ::poll(fds.data(), fds.size(), -1);
        for (auto& p : fds) {
            if (!p.revents) continue;
            if (p.fd == in[1]) {
                ssize_t w = ::write(in[1], stdin_data.data() + fed, std::min<std::size_t>(65536, stdin_data.size() - fed));
                if (w > 0) fed += static_cast<std::size_t>(w);
                if (w < 0 || fed == stdin_data.size()) ::close(in[1]), in[1] = -1;
                continue;
            }
            ssize_t n = ::read(p.fd, buf, sizeof buf);
            if (n <= 0) {
                (p.fd == out[0] ? out_open : err_open) = false;
                continue;
            }
            (p.fd == out[0] ? r.out : r.err).append(buf, static_cast<std::size_t>(n));
        }
    }
    if (in[1] >= 0) ::close(in[1]);
    ::close(out[0]);
    ::close(err[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return r;
}

std::string read_file(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

int count_shm_segments(int pid) {
    int n = 0;
    const std::string prefix = "parapipe-" + std::to_string(pid ? pid : ::getpid()) + "-";
    for (const auto& e : fs::directory_iterator("/dev/shm"))
        if (e.path().filename().string().rfind(prefix, 0) == 0) ++n;
    return n;
}

int count_open_fds() {
    int n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator("/proc/self/fd")) ++n;
    return n;
}

std::vector<int> children_of(int pid) {
    std::vector<int> out;
    const std::string parent = std::to_string(pid ? pid : ::getpid());
    for (const auto& e : fs::directory_iterator("/proc")) {
        std::string name = e.path().filename().string();
        if (name.empty() || !std::isdigit(static_cast<unsigned char>(name[0]))) continue;
        std::ifstream f(e.path() / "stat");
        std::string stat;
        std::getline(f, stat);
        auto close = stat.rfind(')');
        if (close == std::string::npos) continue;
        std::istringstream rest(stat.substr(close + 2));
        std::string state, ppid;
        rest >> state >> ppid;
        if (ppid == parent) out.push_back(std::stoi(name));
    }
    return out;
}

int count_children() { return static_cast<int>(children_of().size()); }

}  // namespace parapipe::testing
