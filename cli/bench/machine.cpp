#include "cli/bench/machine.hpp"

#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>

namespace parapipe::cli::bench {

Machine read_machine() {
    Machine m;
    std::ifstream f("/proc/cpuinfo");
    for (std::string line; std::getline(f, line);) {
        // x86 says "model name", some ARM kernels only "Hardware" or "CPU part".
        if (line.rfind("model name", 0) == 0 || (m.cpu_model.empty() && line.rfind("Hardware", 0) == 0)) {
            auto colon = line.find(':');
            if (colon != std::string::npos) {
                m.cpu_model = line.substr(line.find_first_not_of(" \t", colon + 1));
                if (line.rfind("model name", 0) == 0) break;
            }
        }
    }
    if (m.cpu_model.empty()) m.cpu_model = "unknown CPU";
    long n = ::sysconf(_SC_NPROCESSORS_ONLN);
    m.cores = n > 0 ? static_cast<unsigned>(n) : 1;
    utsname u{};
    if (::uname(&u) == 0) m.kernel = std::string(u.sysname) + " " + u.release;
    return m;
}

CpuSample sample_cpu() {
    CpuSample c;
    std::ifstream f("/proc/stat");
    std::string line;
    if (std::getline(f, line) && line.rfind("cpu ", 0) == 0) {
        std::istringstream in(line.substr(4));
        unsigned long long v[8] = {};  // user nice system idle iowait irq softirq steal
        for (auto& x : v) in >> x;
        const double tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
        c.machine_busy_seconds = static_cast<double>(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / tick;
    }
    auto secs = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
    rusage self{}, kids{};
    ::getrusage(RUSAGE_SELF, &self);
    ::getrusage(RUSAGE_CHILDREN, &kids);
    c.own_seconds = secs(self.ru_utime) + secs(self.ru_stime) + secs(kids.ru_utime) + secs(kids.ru_stime);
    c.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
    return c;
}

double other_load(const CpuSample& a, const CpuSample& b) {
    const double wall = b.wall_seconds - a.wall_seconds;
    if (wall <= 0) return 0;
    const double others = (b.machine_busy_seconds - a.machine_busy_seconds) - (b.own_seconds - a.own_seconds);
    return std::max(0.0, others / wall);
}

}  // namespace parapipe::cli::bench
