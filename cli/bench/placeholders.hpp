#pragma once
// The placeholders of a bench command line: {mode}, {workers} and {chunk} (the chunk size in
// bytes), replaced wherever they appear in an argument ("--mode={mode}" too). Other braces are
// left alone, so `awk '{print $1}'` passes through unchanged.
#include <string>
#include <vector>

namespace parapipe::cli::bench {

inline constexpr const char* kModeSlot = "{mode}";
inline constexpr const char* kWorkersSlot = "{workers}";
inline constexpr const char* kChunkSlot = "{chunk}";

/// True when some argument of `argv` holds `slot`.
bool uses(const std::vector<std::string>& argv, const std::string& slot);

struct SlotValues {
    std::string mode, workers, chunk;
};

/// `argv` with every placeholder replaced by its value.
std::vector<std::string> substitute(const std::vector<std::string>& argv, const SlotValues& v);

/// The command line for messages: arguments joined by spaces, quoted where a shell would need it.
std::string shell_line(const std::vector<std::string>& argv);

}  // namespace parapipe::cli::bench
