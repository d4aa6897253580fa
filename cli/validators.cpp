#include "cli/validators.hpp"

#include <cctype>
#include <charconv>

namespace parapipe::cli {

namespace {

std::string join(const std::vector<std::string>& words, const char* sep) {
    std::string out;
    for (const auto& w : words) out += (out.empty() ? "" : sep) + w;
    return out;
}

std::vector<std::string> names_of(const CLI::App& app) {
    std::vector<std::string> names;
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
        if (!sub->get_group().empty()) names.push_back(sub->get_name());  // an empty group: hidden
    return names;
}

}  // namespace

CLI::Validator choice(std::vector<std::string> choices) {
    const std::string desc = "{" + join(choices, ",") + "}";
    return CLI::Validator(
        [choices](std::string& value) -> std::string {
            for (const auto& c : choices)
                if (value == c) return {};
            return "'" + value + "' is not one of " + join(choices, ", ");
        },
        desc, "choice");
}

CLI::Validator whole_number(unsigned long long min, unsigned long long max) {
    const bool unbounded = max >= (1ull << 40);
    const std::string range = unbounded ? std::to_string(min) + " or more" : std::to_string(min) + " to " + std::to_string(max);
    return CLI::Validator(
        [min, max, range](std::string& value) -> std::string {
            unsigned long long n = 0;
            const char* end = value.data() + value.size();
            auto [p, ec] = std::from_chars(value.data(), end, n);
            if (value.empty() || ec != std::errc() || p != end || n < min || n > max)
                return "'" + value + "' is not a whole number from " + range;
            return {};
        },
        unbounded ? ">= " + std::to_string(min) : "in [" + std::to_string(min) + " - " + std::to_string(max) + "]",
        "whole_number");
}

std::string parse_error_message(const CLI::ParseError& e) {
    std::string what = e.what();
    // CLI11's own wording ("Could not convert: --x = y", "The following argument...") starts
    // with a capital; ours never does.
    const std::string convert = "Could not convert: ";
    if (what.rfind(convert, 0) == 0) {
        const std::string rest = what.substr(convert.size());
        const auto eq = rest.find(" = ");
        if (eq != std::string::npos) return rest.substr(0, eq) + ": invalid value '" + rest.substr(eq + 3) + "'";
    }
    if (!what.empty() && std::isupper(static_cast<unsigned char>(what[0])) &&
        !(what.size() > 1 && std::isupper(static_cast<unsigned char>(what[1]))))
        what[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(what[0])));
    return what + " (see --help)";
}

std::optional<std::string> check_command_path(const CLI::App& app, int argc, const char* const* argv) {
    const CLI::App* level = &app;
    std::string path = "parapipe";
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "-h" || arg == "--help" || arg == "--version" || arg == "-V") return std::nullopt;
        if (arg == "--") break;
        if (arg.starts_with('-')) continue;  // the levels with subcommands take flags only
        const CLI::App* next = nullptr;
        for (const CLI::App* sub : level->get_subcommands([](const CLI::App*) { return true; }))
            if (sub->check_name(arg)) next = sub;
        const bool pipelines = level->get_name() == "run";
        if (!next)
            return (pipelines ? "unknown pipeline '" : "unknown command '") + arg + "' (choose " +
                   join(names_of(*level), ", ") + (pipelines ? "; see 'parapipe list')" : ")");
        level = next;
        path += " " + arg;
        // Only the top level and `run` take nothing but a subcommand; below, CLI11 checks.
        if (level->get_name() != "run") return std::nullopt;
    }
    const bool pipelines = level->get_name() == "run";
    return std::string(pipelines ? "missing pipeline" : "missing command") + " (choose " +
           join(names_of(*level), ", ") + "; see '" + path + " --help')";
}

}  // namespace parapipe::cli
