// The command line: usage errors, every malformed input, plot and report files.
#include "golden.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using e4mext::report::read_file_text;

namespace {

struct ScratchDir {
    fs::path path = fs::temp_directory_path() / ("e4mext-report-test-" + std::to_string(::getpid()));
    ScratchDir()
    {
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~ScratchDir() { fs::remove_all(path); }
};

struct EnvVar {
    std::string name;
    EnvVar(std::string n, const std::string& value) : name(std::move(n)) { ::setenv(name.c_str(), value.c_str(), 1); }
    ~EnvVar() { ::unsetenv(name.c_str()); }
};

bool single_line(const std::string& text)
{
    return !text.empty() && text.back() == '\n' && text.find('\n') == text.size() - 1;
}

} // namespace

TEST_CASE("help and usage errors", "[cli]")
{
    CHECK(run_report({"--help"}).status == 0);
    CHECK_THAT(run_report({"--version"}).out, Catch::StartsWith("e4mext-report "));
    for (const char* command : {"table", "compare", "plot", "gate", "report"}) {
        const auto help = run_report({command, "--help"});
        CHECK(help.status == 0);
        CHECK_THAT(help.out, Catch::StartsWith(std::string("usage: e4mext-report ") + command));
    }
    CHECK_THAT(run_report({"compare", "--help"}).out, Catch::Contains("confidence intervals"));
    const std::vector<std::vector<std::string>> bad{
        {},
        {"tabel", "x"},
        {"table"},
        {"table", "gate/base", "--format", "yaml"},
        {"table", "gate/base", "--bogus"},
        {"table", "gate/base", "--label"},
        {"table", "gate/base", "--label", "a", "--label", "b"},
        {"compare", "gate/base"},
        {"compare", "gate/base", "gate/noise", "--labels", "only-one"},
        {"compare", "gate/base", "gate/noise", "--labels", "a,"},
        {"compare", "gate/base", "gate/noise", "--format", "csv"},
        {"plot", "gate/base"},
        {"plot", "gate/base", "-o", "chart.pdf"},
        {"plot", "gate/base", "--log=yes", "-o", "x.png"},
        {"gate", "gate/base", "gate/noise", "--max-regression", "abc"},
        {"report", "gate/base", "gate/noise"},
    };
    for (const auto& args : bad) {
        INFO((args.empty() ? std::string("(none)") : args[0] + (args.size() > 1 ? " " + args.back() : "")));
        const auto run = run_report(args);
        CHECK(run.status == 2);
        CHECK(run.out.empty());
        CHECK(single_line(run.err));
        CHECK_THAT(run.err, Catch::StartsWith("e4mext-report: "));
    }
}

TEST_CASE("every malformed input: exit 2, one line naming the file", "[cli]")
{
    for (const auto& entry : fs::directory_iterator("malformed")) {
        const auto path = entry.path().string();
        INFO(path);
        for (const auto& args : {std::vector<std::string>{"table", path},
                                 std::vector<std::string>{"compare", "gate/base", path},
                                 std::vector<std::string>{"gate", path, "gate/base"}}) {
            const auto run = run_report(args);
            CHECK(run.status == 2);
            CHECK(single_line(run.err));
            CHECK_THAT(run.err, Catch::Contains(path));
        }
    }
    for (const auto& path : {std::string("no/such/path.json"), std::string("sidefile-bad")}) {
        const auto run = run_report({"table", path});
        CHECK(run.status == 2);
        CHECK(single_line(run.err));
        CHECK_THAT(run.err, Catch::Contains(path));
    }
    ScratchDir scratch;
    const auto run = run_report({"table", scratch.path.string()});
    CHECK(run.status == 2);
    CHECK_THAT(run.err, Catch::Contains("no .json files"));
}

TEST_CASE("directories are searched recursively; several PATHs make one set", "[cli]")
{
    const auto run = run_report({"table", "gate", "--format", "json"});
    REQUIRE(run.status == 0);
    CHECK_THAT(run.out, Catch::Contains("\"n\": 20"));
    const auto two = run_report({"table", "gate/base", "gate/noise", "--format", "csv"});
    CHECK_THAT(two.out, Catch::Contains("results,U 4k,unwritten,4096,unwritten,0,seq,e4defrag,,10,"));
}

TEST_CASE("plot writes PNG and SVG, and fails loudly", "[cli][plot]")
{
    ScratchDir scratch;
    const auto png = (scratch.path / "chart.png").string();
    const auto svg = (scratch.path / "chart.svg").string();
    const auto log_png = (scratch.path / "log.png").string();
    REQUIRE(run_report({"plot", coverletter("wo"), coverletter("w"), "-o", png}).status == 0);
    REQUIRE(run_report({"plot", coverletter("wo"), coverletter("w"), "--output", svg, "--labels", "before,after"})
                .status == 0);
    REQUIRE(run_report({"plot", "gate/base", "gate/regressed", "gate/improved", "-o", log_png, "--log"}).status == 0);
    CHECK(read_file_text(png).substr(1, 3) == "PNG");
    CHECK(read_file_text(log_png).substr(1, 3) == "PNG");
    const auto svg_text = read_file_text(svg);
    CHECK_THAT(svg_text, Catch::Contains("<svg"));
    CHECK_THAT(svg_text, Catch::Contains("before"));
    CHECK_THAT(svg_text, Catch::Contains("U 128k"));
    CHECK_THAT(svg_text, Catch::Contains("Bandwidth per case"));

    SECTION("a failing gnuplot is an error and leaves no stale file")
    {
        EnvVar gnuplot("E4MEXT_GNUPLOT", "false");
        const auto run = run_report({"plot", "gate/base", "-o", png});
        CHECK(run.status == 2);
        CHECK(single_line(run.err));
        CHECK_THAT(run.err, Catch::Contains("failed (exit status 1)"));
        CHECK_FALSE(fs::exists(png));
    }
    SECTION("a missing gnuplot is an error")
    {
        EnvVar gnuplot("E4MEXT_GNUPLOT", "/nonexistent/gnuplot");
        const auto run = run_report({"plot", "gate/base", "-o", svg});
        CHECK(run.status == 2);
        CHECK_THAT(run.err, Catch::Contains("exit status 127"));
    }
    SECTION("gnuplot succeeding without writing the file is an error")
    {
        const auto fake = scratch.path / "fake-gnuplot";
        {
            std::ofstream script(fake);
            script << "#!/bin/sh\ncat >/dev/null\nexit 0\n";
        }
        fs::permissions(fake, fs::perms::owner_all);
        EnvVar gnuplot("E4MEXT_GNUPLOT", fake.string());
        const auto run = run_report({"plot", "gate/base", "-o", png});
        CHECK(run.status == 2);
        CHECK_THAT(run.err, Catch::Contains("missing or empty"));
    }
    SECTION("nothing usable to draw")
    {
        CHECK(run_report({"plot", "fio-3.33/read-only.json", "-o", png}).status == 2);
    }
}

TEST_CASE("report writes a self-contained HTML page and its Markdown twin", "[cli][report]")
{
    ScratchDir scratch;
    const auto dir = scratch.path / "out";
    const auto run = run_report({"report", coverletter("wo"), coverletter("w"), "-o", dir.string()});
    REQUIRE(run.status == 0);
    const auto html = read_file_text(dir / "report.html");
    CHECK_THAT(html, Catch::StartsWith("<!DOCTYPE html>"));
    CHECK_THAT(html, Catch::Contains("<svg"));
    CHECK(html.find("<?xml") == std::string::npos);
    CHECK_THAT(html, Catch::Contains("   U 128k:  IOPS=146k,  BW=17.8GiB/s"));
    CHECK_THAT(html, Catch::Contains("<td>17.1x (+1613.5%)</td>"));
    CHECK_THAT(html, Catch::Contains("w/o"));
    CHECK_THAT(html, Catch::Contains("fio-3.33"));
    CHECK_THAT(html, Catch::Contains("2025-09-23 00:00:00 UTC"));
    CHECK(html.find("src=") == std::string::npos); // nothing external
    const auto md = read_file_text(dir / "report.md");
    CHECK_THAT(md, Catch::Contains("![IOPS and BW per case](report.svg)"));
    CHECK_THAT(md, Catch::Contains("| U 128k | 8510 | 146k | 17.1x | +1613.5% |"));
    CHECK(fs::file_size(dir / "report.svg") > 0);
    std::ofstream(scratch.path / "a-file") << "x";
    const auto blocked = run_report({"report", "gate/base", "gate/noise", "-o", (scratch.path / "a-file" / "out").string()});
    CHECK(blocked.status == 2);
    CHECK_THAT(blocked.err, Catch::Contains("cannot create the output directory"));
}
