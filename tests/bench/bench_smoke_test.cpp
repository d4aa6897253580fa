// Smoke test of `parapipe bench` on tiny generated inputs: every mode at 1 and 2 workers runs,
// every output (and every baseline's) equals seq's, and the JSON, CSV and SVG files are complete
// and well-formed; bad arguments exit 2 before anything is written. `bench exec` fills its
// placeholders, runs the rows in rounds, flags output that differs by mode, and names a command
// that fails.
// Asserts results and file structure, never speed.
#include <fcntl.h>
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace {

namespace fs = std::filesystem;

struct Outcome {
    int exit_code = -1;
    std::string out, err;
};

std::string slurp(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

class BenchSmoke : public ::testing::Test {
protected:
    void SetUp() override {
        const char* bin = std::getenv("PARAPIPE_BIN");
        ASSERT_TRUE(bin && *bin) << "PARAPIPE_BIN must name the parapipe binary";
        bin_ = bin;
        std::string tmpl = (fs::temp_directory_path() / "parapipe-bench-test-XXXXXX").string();
        ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override {
        std::error_code ec;
        if (!dir_.empty()) fs::remove_all(dir_, ec);
    }

    // Runs parapipe with `args`; stdout and stderr captured through files.
    Outcome run(const std::vector<std::string>& args) {
        const std::string out = (dir_ / "stdout").string(), err = (dir_ / "stderr").string();
        std::vector<std::string> argv{bin_};
        argv.insert(argv.end(), args.begin(), args.end());
        std::vector<char*> cargv;
        for (auto& a : argv) cargv.push_back(a.data());
        cargv.push_back(nullptr);
        pid_t pid = ::fork();
        if (pid == 0) {
            int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            ::dup2(o, 1);
            ::dup2(e, 2);
            ::execv(cargv[0], cargv.data());
            ::_exit(127);
        }
        int status = 0;
        ::waitpid(pid, &status, 0);
        Outcome r;
        r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        r.out = slurp(out);
        r.err = slurp(err);
        return r;
    }

    std::string path(const std::string& name) const { return (dir_ / name).string(); }

    std::string bin_;
    fs::path dir_;
};

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::string cur;
    std::stringstream ss(s);
    while (std::getline(ss, cur, sep)) out.push_back(cur);
    return out;
}

TEST_F(BenchSmoke, EveryModeMatchesSeqAndFilesAreWellFormed) {
    const auto r = run({"bench", "wordcount", "--size", "256KiB", "--repeat", "1", "--workers", "1,2", "--modes",
                        "seq,threads,processes,shm", "--json", path("b.json"), "--csv", path("b.csv"), "--plot",
                        path("b.svg"), "--cache-dir", path("cache")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // seq once, then threads, processes and shm at 1 and 2 workers.
    EXPECT_NE(r.out.find("result: all 7 configurations produced output identical to seq"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("DIFFERENT"), std::string::npos) << r.out;

    // JSON: every row present, measured, and matching the reference.
    const auto j = nlohmann::json::parse(slurp(path("b.json")));
    EXPECT_EQ(j.at("schema"), "parapipe-bench/1");
    EXPECT_GE(j.at("machine").at("cores").get<int>(), 1);
    // Word count, then the start-up table every word-count bench ends with.
    ASSERT_EQ(j.at("workloads").size(), 2u);
    EXPECT_EQ(j.at("workloads")[1].at("workload"), "start-up");
    const auto& w = j.at("workloads")[0];
    EXPECT_EQ(w.at("workload"), "wordcount");
    EXPECT_GE(w.at("bytes").get<std::uint64_t>(), 256u << 10);
    EXPECT_TRUE(w.at("all_match").get<bool>());
    const auto& rows = w.at("results");
    ASSERT_EQ(rows.size(), 7u);
    std::multiset<std::string> names;
    std::set<std::string> hashes;
    for (const auto& row : rows) {
        names.insert(row.at("name").get<std::string>());
        hashes.insert(row.at("output_fnv1a64").get<std::string>());
        EXPECT_TRUE(row.at("matches_reference").get<bool>()) << row.dump();
        EXPECT_EQ(row.at("wall_seconds").size(), 1u);
        EXPECT_GT(row.at("median_seconds").get<double>(), 0.0);
        EXPECT_GT(row.at("throughput").get<double>(), 0.0);
        EXPECT_GT(row.at("max_rss_bytes").get<std::uint64_t>(), 0u);
    }
    EXPECT_EQ(names, (std::multiset<std::string>{"seq", "threads", "threads", "processes", "processes", "shm", "shm"}));
    EXPECT_EQ(hashes.size(), 1u);
    EXPECT_TRUE(rows[0].at("is_reference").get<bool>());

    // CSV: a header and one line per configuration, every line with the header's field count.
    const auto lines = split(slurp(path("b.csv")), '\n');
    ASSERT_EQ(lines.size(), 10u);  // the 7 word-count rows and the 2 start-up rows
    const auto fields = split(lines[0], ',').size();
    EXPECT_EQ(fields, 16u);
    for (std::size_t i = 1; i < lines.size(); ++i) {
        EXPECT_EQ(split(lines[i], ',').size(), fields) << lines[i];
        EXPECT_NE(lines[i].find(",true"), std::string::npos) << lines[i];
    }

    // SVG: one complete document with a bar per configuration.
    const std::string svg = slurp(path("b.svg"));
    EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
    EXPECT_NE(svg.find("<svg xmlns=\"http://www.w3.org/2000/svg\""), std::string::npos);
    EXPECT_EQ(svg.substr(svg.size() - 7), "</svg>\n");
    EXPECT_NE(svg.find("throughput (MiB/s)"), std::string::npos);
    std::size_t bars = 0;
    for (std::size_t at = 0; (at = svg.find("<title>", at)) != std::string::npos; ++at) ++bars;
    EXPECT_EQ(bars, 9u);  // a bar per configuration: 7 word-count rows, 2 start-up rows
    std::size_t opened = 0, closed = 0;
    for (std::size_t at = 0; (at = svg.find("<text", at)) != std::string::npos; ++at) ++opened;
    for (std::size_t at = 0; (at = svg.find("</text>", at)) != std::string::npos; ++at) ++closed;
    EXPECT_EQ(opened, closed);

    // Nothing half-written is left beside the outputs.
    for (const auto& e : fs::directory_iterator(dir_))
        EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << e.path();
}

// Whiskers span the repeats: one per row whose repeats differ. The PNG chart is rendered (setup
// installs rsvg-convert) and, like the SVG, gets the umask's mode.
TEST_F(BenchSmoke, ChartsShowTheSpreadOfTheRepeats) {
    const mode_t old = ::umask(022);
    const auto r = run({"bench", "wordcount", "--size", "64KiB", "--repeat", "3", "--warmup", "0", "--workers", "1",
                        "--modes", "seq,threads", "--json", path("w.json"), "--plot", path("w.svg"), "--cache-dir",
                        path("cache")});
    const auto png = run({"bench", "wordcount", "--size", "64KiB", "--repeat", "1", "--warmup", "0", "--workers", "1",
                          "--modes", "seq", "--plot", path("w.png"), "--cache-dir", path("cache")});
    ::umask(old);
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    std::size_t spread = 0;  // over every workload's rows: the chart draws them all
    const auto report = nlohmann::json::parse(slurp(path("w.json")));
    for (const auto& w : report.at("workloads")) {
        for (const auto& row : w.at("results")) {
            const auto walls = row.at("wall_seconds").get<std::vector<double>>();
            spread += *std::min_element(walls.begin(), walls.end()) < *std::max_element(walls.begin(), walls.end());
        }
    }
    const std::string svg = slurp(path("w.svg"));
    std::size_t whiskers = 0;
    for (std::size_t at = 0; (at = svg.find("<path d=\"M", at)) != std::string::npos; ++at) ++whiskers;
    EXPECT_EQ(whiskers, spread);
    EXPECT_NE(svg.find("whiskers: min-max"), std::string::npos);
    ASSERT_EQ(png.exit_code, 0) << png.err;
    EXPECT_EQ(slurp(path("w.png")).substr(1, 3), "PNG");
    struct stat st {};
    ASSERT_EQ(::stat(path("w.png").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0644u);
}

TEST_F(BenchSmoke, BaselinesGiveTheSameCountsAsSeq) {
    const auto r = run({"bench", "wordcount", "--size", "256KiB", "--repeat", "1", "--warmup", "0", "--workers", "2",
                        "--modes", "seq", "--baselines", "--json", path("b.json"), "--cache-dir", path("cache")});
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    const auto j = nlohmann::json::parse(slurp(path("b.json")));
    const auto& rows = j.at("workloads")[0].at("results");
    bool cpp = false;
    for (const auto& row : rows) {
        EXPECT_TRUE(row.at("matches_reference").get<bool>()) << row.dump();
        cpp = cpp || row.at("name") == "C++ baseline";
    }
    EXPECT_TRUE(cpp);
}

// Every --corpus kind is generated as it says, and every mode counts it as seq does.
TEST_F(BenchSmoke, EveryCorpusKindIsWhatItSaysAndModesMatchSeq) {
    for (const std::string kind : {"ascii", "cyrillic", "cjk", "distinct"}) {
        const std::string cache = path("cache-" + kind);
        const auto r = run({"bench", "wordcount", "--corpus", kind, "--size", "256KiB", "--repeat", "1", "--warmup", "0",
                            "--workers", "2", "--modes", "seq,threads,shm", "--json", path("c.json"), "--cache-dir", cache});
        ASSERT_EQ(r.exit_code, 0) << kind << ": " << r.err << r.out;
        const auto j = nlohmann::json::parse(slurp(path("c.json")));
        EXPECT_TRUE(j.at("workloads")[0].at("all_match").get<bool>()) << kind;
        std::string text;
        for (const auto& e : fs::directory_iterator(cache))
            if (e.path().filename().string().find("text-" + kind + "-256KiB") == 0) text = slurp(e.path());
        ASSERT_GT(text.size(), 250'000u) << kind << ": no cached corpus named after its kind";
        std::size_t ascii = 0, cjk_leads = 0;
        for (unsigned char c : text) {
            ascii += c < 0x80;
            cjk_leads += c >= 0xE4 && c <= 0xE9;  // first byte of U+4E00..U+9FFF
        }
        if (kind == "ascii") {
            EXPECT_EQ(ascii, text.size());
        } else if (kind == "cyrillic") {
            EXPECT_LT(ascii, text.size() / 2);  // two bytes per Cyrillic letter
        } else if (kind == "cjk") {
            EXPECT_GT(cjk_leads, text.size() / 6);
        }
        if (kind == "distinct") {
            const auto lines = split(text, '\n');
            const std::set<std::string> unique(lines.begin(), lines.end());
            EXPECT_EQ(unique.size(), lines.size());
            for (const auto& w : lines) ASSERT_EQ(w.size(), 7u) << w;
        }
    }
}

TEST_F(BenchSmoke, ImageModesAndOpenCvBaselineMatchSeq) {
    const auto r = run({"bench", "image", "--images", "3", "--image-size", "96x64", "--repeat", "1", "--warmup", "0",
                        "--workers", "1,2", "--baselines", "--json", path("i.json"), "--plot", path("i.svg"),
                        "--cache-dir", path("cache")});
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    const auto j = nlohmann::json::parse(slurp(path("i.json")));
    const auto& w = j.at("workloads")[0];
    EXPECT_EQ(w.at("workload"), "image");
    EXPECT_EQ(w.at("pixels").get<std::uint64_t>(), 3u * 96 * 64);
    EXPECT_TRUE(w.at("all_match").get<bool>());
    const auto& rows = w.at("results");
    ASSERT_EQ(rows.size(), 8u);  // seq, 3 modes x 2 worker counts, the OpenCV loop
    EXPECT_EQ(rows.back().at("name"), "OpenCV baseline");
    for (const auto& row : rows) EXPECT_TRUE(row.at("matches_reference").get<bool>()) << row.dump();
    EXPECT_NE(slurp(path("i.svg")).find("throughput (MPix/s)"), std::string::npos);
}

TEST_F(BenchSmoke, BadArgumentsExitTwoAndWriteNothing) {
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"bench", "--modes", "seq,bogus", "--json", path("x.json")},
             {"bench", "--workers", "0", "--json", path("x.json")},
             {"bench", "--chunk-size", "eight", "--json", path("x.json")},
             {"bench", "--repeat", "0", "--json", path("x.json")},
             {"bench", "--corpus", "klingon", "--json", path("x.json")},
             {"bench", "--plot", path("x.gif"), "--json", path("x.json")},
             {"bench", "--input", path("missing.txt"), "--json", path("x.json")},
             {"bench", "image", "--ops", "blur:4", "--json", path("x.json"), "--cache-dir", path("cache")},
             {"bench", "image", "--image-size", "4096", "--json", path("x.json")},
         }) {
        const auto r = run(args);
        EXPECT_EQ(r.exit_code, 2) << args[1] << ": " << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
        EXPECT_FALSE(fs::exists(path("x.json")));
    }
}

TEST_F(BenchSmoke, ExecFillsPlaceholdersAndEveryRowMatchesSeq) {
    std::ofstream(path("in.txt")) << "the cat and the dog and the bird\n";
    const auto r = run({"bench", "exec", "--repeat", "1", "--warmup", "0", "--workers", "1,2", "--json", path("e.json"),
                        "--", bin_, "run", "wordcount", "--mode", "{mode}", "--workers={workers}", "--progress",
                        "never", "--", path("in.txt")});
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    EXPECT_NE(r.out.find("result: all 7 configurations produced output identical to seq"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("DIFFERENT"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("MiB/s"), std::string::npos) << "no --work or --input: no rate column\n" << r.out;

    const auto j = nlohmann::json::parse(slurp(path("e.json")));
    const auto& w = j.at("workloads")[0];
    EXPECT_EQ(w.at("workload"), "exec");
    EXPECT_TRUE(w.at("all_match").get<bool>());
    const auto& rows = w.at("results");
    ASSERT_EQ(rows.size(), 7u);
    EXPECT_EQ(rows[0].at("name"), "seq");
    EXPECT_EQ(rows[0].at("argv")[4], "seq");
    EXPECT_EQ(rows[0].at("argv")[5], "--workers=1");
    std::set<std::string> seen;
    for (const auto& row : rows) {
        const auto argv = row.at("argv").get<std::vector<std::string>>();
        EXPECT_EQ(argv[4], row.at("name").get<std::string>());
        EXPECT_EQ(argv[5], "--workers=" + std::to_string(row.at("workers").get<unsigned>()));
        seen.insert(argv[4] + " " + argv[5]);
    }
    EXPECT_EQ(seen.size(), 7u);
}

TEST_F(BenchSmoke, RunsRowsInRoundsWarmUpsFirst) {
    // Each run appends its row's name to a log: the order in which bench started them.
    const auto r = run({"bench", "exec", "--repeat", "2", "--warmup", "1", "--modes", "seq,threads", "--workers", "2",
                        "--", "sh", "-c", "echo {mode}{workers} >> " + path("order.log")});
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    EXPECT_EQ(slurp(path("order.log")), "seq1\nthreads2\nseq1\nthreads2\nseq1\nthreads2\n");
}

TEST_F(BenchSmoke, ExecWithInputShowsThroughputAndChunkRows) {
    std::ofstream(path("in.txt")) << "one two two three three three\n";
    const auto r = run({"bench", "exec", "--repeat", "1", "--warmup", "0", "--modes", "seq,threads", "--workers", "2",
                        "--chunk-size", "1KiB,4KiB", "--input", path("in.txt"), "--csv", path("e.csv"), "--", bin_,
                        "run", "wordcount", "--mode", "{mode}", "--workers", "{workers}", "--chunk-size", "{chunk}",
                        "--progress", "never", "--", path("in.txt")});
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    EXPECT_NE(r.out.find("MiB/s"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("result: all 4 configurations produced output identical to seq, 1 worker, 1KiB"),
              std::string::npos)
        << r.out;
    const auto lines = split(slurp(path("e.csv")), '\n');
    ASSERT_EQ(lines.size(), 5u);
    EXPECT_NE(lines[1].find("exec,seq,false,1,1024,"), std::string::npos) << lines[1];
    EXPECT_NE(lines[4].find("exec,threads,false,2,4096,"), std::string::npos) << lines[4];
}

TEST_F(BenchSmoke, ExecOutputThatDiffersByModeIsAMismatch) {
    const auto r = run({"bench", "exec", "--repeat", "1", "--warmup", "0", "--modes", "seq,threads", "--workers", "1",
                        "--", "sh", "-c", "echo {mode}"});
    EXPECT_EQ(r.exit_code, 1) << r.err << r.out;
    EXPECT_NE(r.out.find("DIFFERENT"), std::string::npos) << r.out;
    EXPECT_NE(r.err.find("different from seq"), std::string::npos) << r.err;

    // The same through --output-path, which is hashed instead of stdout and removed afterwards.
    const std::string out = path("result.txt");
    const auto f = run({"bench", "exec", "--repeat", "1", "--warmup", "0", "--modes", "seq,shm", "--workers", "1",
                        "--output-path", out, "--", "sh", "-c", "echo {mode} > " + out});
    EXPECT_EQ(f.exit_code, 1) << f.err << f.out;
    EXPECT_NE(f.out.find("DIFFERENT"), std::string::npos) << f.out;
    EXPECT_FALSE(fs::exists(out));
}

TEST_F(BenchSmoke, ExecUsageErrorsExitTwo) {
    std::ofstream(path("taken.txt")) << "the user's file\n";
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"bench", "exec", "echo", "hi"},
             {"bench", "exec", "--repeat", "1"},
             {"bench", "exec", "--"},
             {"bench", "exec", "--workers", "1,2", "--"},
             {"bench", "exec", "--bogus", "--", "echo"},
             {"bench", "exec", "--", "no-such-program-here"},
             {"bench", "exec", "--work", "1MiB", "--input", path("taken.txt"), "--", "true"},
             {"bench", "exec", "--output-path", path("taken.txt"), "--", "true"},  // never removes a user's file
         }) {
        const auto r = run(args);
        EXPECT_EQ(r.exit_code, 2) << args.back() << ": " << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
        EXPECT_EQ(r.err.rfind("parapipe: ", 0), 0u) << r.err;
    }
    EXPECT_EQ(slurp(path("taken.txt")), "the user's file\n");
}

TEST_F(BenchSmoke, ExecNamesAFailingCommandAndItsStatus) {
    const auto r = run({"bench", "exec", "--repeat", "1", "--warmup", "0", "--modes", "seq", "--", "sh", "-c",
                        "echo first >&2; echo disk on fire >&2; exit 3"});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("sh -c 'echo first >&2; echo disk on fire >&2; exit 3'"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("exited with status 3"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("exited with status 3: disk on fire\n"), std::string::npos) << "the last stderr line\n"
                                                                                   << r.err;
}

}  // namespace
