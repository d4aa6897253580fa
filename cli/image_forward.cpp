// `parapipe run image` in parapipe itself: listed like every pipeline, run by parapipe-image
// (cli/image_program.hpp). main() hands `run image ...` over before parsing; this entry is what
// `parapipe run --help` lists, and hands over whatever reaches it another way.
#include "cli/command.hpp"
#include "cli/image_program.hpp"

namespace parapipe::cli {

void add_image_command(CLI::App& run, Action& action) {
    auto* cmd = run.add_subcommand("image", image_command_summary);
    cmd->prefix_command();  // every argument, --help included, is parapipe-image's to read
    cmd->set_help_flag();
    cmd->callback([&action] { action = [] { return exec_image_program(); }; });
}

}  // namespace parapipe::cli
