#pragma once
// CSV fields as RFC 4180 wants them, shared by every CSV parapipe writes (word count, bench).
#include <string>

namespace parapipe {

/// `s` as one CSV field: quoted when it holds a comma, a quote or a line break, inner quotes doubled.
inline std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + '"';
}

}  // namespace parapipe
