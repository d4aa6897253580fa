// `parapipe list`: the prebuilt pipelines, one line each.
#include <cstdio>

#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include <parapipe/pipelines/registry.hpp>

namespace parapipe::cli {

void add_list_command(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand("list", "List the prebuilt pipelines");
    cmd->callback([&action] {
        action = [] {
            for (const auto& p : pipelines::registry()) std::printf("%-10s %s\n", p.name, p.summary);
            return static_cast<int>(exit_ok);
        };
    });
}

}  // namespace parapipe::cli
