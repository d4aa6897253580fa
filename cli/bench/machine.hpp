#pragma once
// Facts about the machine for titles and JSON (CPU model, cores, kernel), and CPU-time samples
// that tell how busy other processes kept the cores while a benchmark ran. Thread-safe.
#include <string>

namespace parapipe::cli::bench {

/// The machine the figures come from (for titles and JSON).
struct Machine {
    std::string cpu_model;  ///< /proc/cpuinfo "model name"
    unsigned cores = 0;     ///< online logical CPUs
    std::string kernel;     ///< uname -sr
};

/// Reads /proc/cpuinfo, sysconf and uname.
Machine read_machine();

/// CPU time of the whole machine and of this process with its waited-for children, so that a
/// benchmark can tell how busy *other* processes kept the cores while it ran.
struct CpuSample {
    double machine_busy_seconds = 0;  ///< /proc/stat: all CPUs, not idle (steal counts as busy)
    double own_seconds = 0;           ///< user + system of this process and its reaped children
    double wall_seconds = 0;          ///< steady clock
};
CpuSample sample_cpu();

/// Average number of cores that other processes (or the hypervisor) kept busy between a and b.
double other_load(const CpuSample& a, const CpuSample& b);

}  // namespace parapipe::cli::bench
