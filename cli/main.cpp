// The parapipe command: list, run PIPELINE, bench. Turns every error into one line on stderr
// and a documented exit code (cli/exit_codes.hpp).
#include <signal.h>

#include <cstdio>
#include <cstring>
#include <exception>
#include <new>

#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/image_program.hpp"
#include "cli/validators.hpp"
#include <parapipe/engine/detail/worker_process.hpp>
#include <parapipe/engine/errors.hpp>

#ifndef PARAPIPE_VERSION
#define PARAPIPE_VERSION "0.0.0"
#endif

namespace {

extern "C" void on_signal(int sig) {
    using parapipe::cli::g_cancel;
    int expected = 0;
    if (!g_cancel.compare_exchange_strong(expected, sig)) {
        // Second signal: the user means it.
        ::signal(sig, SIG_DFL);
        ::raise(sig);
    }
}

int fail(int code, const std::string& message) {
    std::fprintf(stderr, "parapipe: %s\n", message.c_str());
    return code;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace parapipe;
    using namespace parapipe::cli;

    remember_argv(argv);
#if !PARAPIPE_WITH_IMAGE
    // Before building the command line: an image command starts no faster than it must.
    if (needs_image_program(argc, argv)) return exec_image_program();
#if !PARAPIPE_MPI_PROGRAM
    if (needs_mpi_program(argc, argv)) return exec_mpi_program();
#endif
#endif
    CLI::App app{"parapipe: MapReduce-style data processing in seq, threads, processes and shm modes"};
    app.name("parapipe");  // not argv[0]: usage lines read "parapipe run ...", wherever it is installed
    app.set_version_flag("--version,-V", "parapipe " PARAPIPE_VERSION);
    app.require_subcommand(1);
    Action action;
    add_list_command(app, action);
    auto* run = app.add_subcommand("run", "Run a prebuilt pipeline (see `parapipe list`)");
    run->require_subcommand(1);
    add_wordcount_command(*run, action);
    add_image_command(*run, action);
    add_bench_command(app, action);

    if (auto problem = check_command_path(app, argc, argv)) return fail(exit_usage, *problem);
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::Success& e) {
        return app.exit(e);  // --version
    } catch (const CLI::ParseError& e) {
        return fail(exit_usage, parse_error_message(e));
    }

    struct sigaction sa {};
    sa.sa_handler = on_signal;
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);

    // Test hook (tests/hardening/memory_test.cpp): peak RSS at exit, when asked by env.
    struct ReportAtExit {
        ~ReportAtExit() { detail::report_peak_memory("coordinator"); }
    } report_at_exit;
    try {
        return action ? action() : exit_usage;
    } catch (const Interrupted& e) {
        std::fprintf(stderr, "parapipe: %s\n", e.what());
        return 128 + e.signal();
    } catch (const UsageError& e) {
        return fail(exit_usage, e.what());
    } catch (const std::bad_alloc&) {
        return fail(exit_failed, "out of memory");
    } catch (const std::exception& e) {
        return fail(exit_failed, e.what());
    }
}
