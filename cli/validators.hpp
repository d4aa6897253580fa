#pragma once
// Option checks declared to CLI11, so `--help` lists choices and ranges, and the parse errors
// that CLI11 and the command tree produce, in the project's one style ("parapipe: <what>").
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace parapipe::cli {

/// One of `choices`; --help shows {a,b,c}.
CLI::Validator choice(std::vector<std::string> choices);

/// A whole number in [min, max] (no sign, no suffix); --help shows INT in [min - max].
CLI::Validator whole_number(unsigned long long min, unsigned long long max);

/// A parse error as one line: "--workers: '-1' is not a whole number from 1 to 1024".
std::string parse_error_message(const CLI::ParseError& e);

/// Names an unknown or missing subcommand ("unknown command 'frobnicate'"), which CLI11 would
/// report as "A subcommand is required"; nullopt when the command path is fine or help is asked.
std::optional<std::string> check_command_path(const CLI::App& app, int argc, const char* const* argv);

}  // namespace parapipe::cli
