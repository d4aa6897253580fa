#pragma once
// Parsing of `--ops` chains. All validation happens here, before any work starts, so a typo
// is one clear line and exit code 2, not a failure halfway through a batch.
#include <string_view>

#include <parapipe/operators/image/op.hpp>

namespace parapipe::ops {

/// Parses "grayscale,blur:5,sobel,threshold:128,invert,resize:640x480".
/// Throws UsageError naming the bad op and what was expected. Thread-safe.
ImageOps parse_image_ops(std::string_view spec);

/// One line listing the ops and their arguments, for --help and error messages.
const char* image_ops_help();

}  // namespace parapipe::ops
