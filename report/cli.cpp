#include "cli.hpp"

#include "compare.hpp"
#include "gate.hpp"
#include "html_report.hpp"
#include "input_error.hpp"
#include "json_fields.hpp"
#include "plot.hpp"
#include "render.hpp"
#include "result_set.hpp"

#include <charconv>
#include <fstream>
#include <map>
#include <set>

namespace e4mext::report {

namespace {

constexpr const char* main_help = R"(usage: e4mext-report COMMAND [ARGS]  (e4mext-report COMMAND --help for details)

Tables, comparisons, plots and a CI gate from fio JSON results of ext4 online defragmentation
(EXT4_IOC_MOVE_EXT via fio's e4defrag engine or libe4mext).

commands:
  table PATH... [--label NAME | --labels "A,B,..."] [--format text|markdown|csv|json]
  compare PATH... [--labels "A,B,..."] [--format text|markdown|csv|json]
  plot PATH... -o OUT.png|OUT.svg [--metric iops|bw] [--log] [--labels "A,B,..."]
  gate BASE CAND [--max-regression 5%] [--metric iops|bw] [--min-samples 3] [--labels "A,B"]
                 [--markdown-summary FILE] [--verdict-json FILE]
  report PATH... -o DIR [--labels "A,B,..."]

PATH, BASE and CAND are fio --output-format=json (or json+) files or directories of them
(searched recursively for *.json). An engine statistics side file x.stats.jsonl next to x.json
is joined automatically.
Sets: a set is the runs of one label - a directory holding metadata.txt (scripts/bench's
results/<label>/) or a file named "label" (results/coverletter/wo), with everything under it.
A PATH holding several such directories gives several sets, a PATH inside one gives that set;
result files under none form one set per PATH. Sets are never merged.
Statistics: significance by the Mann-Whitney U rank test (exact up to 20 runs, else the normal
approximation; Boost.Math), because the tables print medians; alpha 0.05; "n too small" when no
arrangement of the runs could reach it. Confidence intervals and the repeats estimate use
Student's t (Boost.Math students_t).
exit status: 0 ok (gate: pass, inconclusive cases included), 1 the gate found a regression,
2 bad usage, bad input or a failed gnuplot.
)";

constexpr const char* table_help = R"(usage: e4mext-report table PATH... [--label NAME | --labels "A,B,..."] [--format text|markdown|csv|json]

Prints one block of the cover letter's table per set: "  [NAME]", then one row per case,
"   U 4k:    IOPS=225k,  BW=877MiB/s", U rows before M rows, block sizes ascending, numbers
formatted exactly as fio formats them. Several runs of one case print their median; markdown,
csv and json add min, max, stddev, n and, when a side file exists, the engine's extents
before/after, partial moves and retries. Jobs with an error or without writes are listed as
excluded, never averaged in. Several sets print one block each (json: an array of them).
  --label NAME      the name of the one set (an error when PATHs hold several)
  --labels "A,..."  one name per set, in the order found
                    (default: metadata.txt's label, the "label" file, else the directory name)
  --format FORMAT   text (default), markdown, csv or json
)";

constexpr const char* compare_help = R"(usage: e4mext-report compare PATH... [--labels "A,B,..."] [--format text|markdown|csv|json]

Compares two or more sets (PATHs, or the sets inside them), one column per set: text prints
the cover letter's blocks side by side, then for IOPS and for BW each case's median with its
spread (+-stddev as % of the median), its % change against the first set and a mark:
  *  significant: two-sided Mann-Whitney U test of the runs, p <= 0.05 (exact for up to 20
     runs; the test compares ranks, as the tables compare medians)
  ?  n too small: no arrangement of that many runs could reach p <= 0.05 (3 vs 3 runs cannot)
     no mark: not significant
and a geomean row: the geometric mean of the medians over the cases every set has.
markdown adds min-max, n and p; csv has one row per metric, case and set (with the 95% CI of
the mean, Student's t from Boost.Math); json has everything, runs included.
  --labels "A,..."  one name per set (default: as for table)
  --format FORMAT   text (default), markdown, csv or json
)";

constexpr const char* plot_help = R"(usage: e4mext-report plot PATH... -o OUT.png|OUT.svg [--metric iops|bw] [--log] [--labels "A,B,..."]

Bar charts drawn by gnuplot (E4MEXT_GNUPLOT names another gnuplot binary): small multiples, one
panel per group of cases that differ only in block size (U, M, "U donor=written", ...), block
sizes along x, one bar per set (each PATH's sets) with the median written over it and a min-max
bar; each panel has its own y scale. Panels are 420x340 px, four per row at most, whatever the
number of cases. The title names each set's kernel, fio and e4mext versions. The format follows
the extension. A failed gnuplot or a missing output file is an error (exit 2).
  -o, --output FILE  the image to write (.png or .svg)
  --metric iops|bw   IOPS (default) or bandwidth in MiB/s
  --log              logarithmic y axes
  --labels "A,..."   one name per set (default: as for table)
)";

constexpr const char* gate_help = R"(usage: e4mext-report gate BASE CAND [--max-regression 5%] [--metric iops|bw] [--min-samples 3]
                          [--labels "A,B"] [--markdown-summary FILE] [--verdict-json FILE]

Compares the median of each case of CAND with BASE's (each one set). A case
  regresses     when its median is lower by more than --max-regression AND the drop is
                significant: one-sided Mann-Whitney U test (CAND lower), p <= 0.05;
  inconclusive  when it is lower by more than --max-regression but not significantly: the gate
                says how many runs per side would settle it (t-test sample size for the runs'
                spread at 80% power, Student's t from Boost.Math, over the rank test's
                efficiency 3/pi) and does not fail;
  is missing    when CAND has no usable run of it: a failure.
Cases only in CAND are listed as new.
Exit status: 0 pass (inconclusive cases included), 1 a case regressed or is missing, 2 bad usage
or input (including a case with fewer runs than --min-samples).
  --max-regression P     allowed drop in percent: 5% and 5 both mean five percent; a bare number
                         below 1 (0.05) is refused as ambiguous (default 5%)
  --metric iops|bw       the figure compared (default iops)
  --min-samples N        runs required per case on both sides (default 3)
  --labels "A,B"         names of BASE and CAND
  --markdown-summary F   append a Markdown summary to F (e.g. "$GITHUB_STEP_SUMMARY")
  --verdict-json F       write the verdict as JSON to F (max_regression as given, and in percent)
)";

constexpr const char* report_help = R"(usage: e4mext-report report PATH... -o DIR [--labels "A,B,..."]

For two or more sets, writes DIR/report.html (self-contained: each set's metadata - kernel,
machine, fio, e4mext version and git sha, date, load and every other metadata.txt line - the
cover letter's blocks, the comparison tables of compare, the IOPS and BW charts of plot inline,
and every run), DIR/report.md (its Markdown twin) and DIR/report-iops.svg, DIR/report-bw.svg
(the charts the Markdown shows).
  -o, --output DIR  the directory to write (created if needed)
  --labels "A,..."  one name per set (default: as for table)
)";

struct Arguments {
    std::vector<std::string> positionals;
    std::map<std::string, std::string> values;
    std::set<std::string> flags;

    bool has(const std::string& name) const { return values.contains(name) || flags.contains(name); }
    std::string value_or(const std::string& name, std::string fallback) const
    {
        const auto it = values.find(name);
        return it == values.end() ? std::move(fallback) : it->second;
    }
};

struct OptionSpec {
    std::set<std::string> with_value;
    std::set<std::string> flags;
    std::map<std::string, std::string> aliases; // "-o" -> "--output"
};

Arguments parse_arguments(const std::vector<std::string>& args, const std::string& command, const OptionSpec& spec)
{
    Arguments parsed;
    bool only_positionals = false;
    for (std::size_t i = 1; i < args.size(); ++i) {
        std::string arg = args[i];
        if (only_positionals || arg.size() < 2 || arg[0] != '-') {
            parsed.positionals.push_back(arg);
            continue;
        }
        if (arg == "--") {
            only_positionals = true;
            continue;
        }
        std::optional<std::string> inline_value;
        if (const auto eq = arg.find('='); arg.starts_with("--") && eq != std::string::npos) {
            inline_value = arg.substr(eq + 1);
            arg.erase(eq);
        }
        if (const auto alias = spec.aliases.find(arg); alias != spec.aliases.end())
            arg = alias->second;
        if (arg == "--help" || arg == "-h" || spec.flags.contains(arg)) {
            if (inline_value)
                throw UsageError(command + ": " + arg + " takes no value");
            parsed.flags.insert(arg == "-h" ? "--help" : arg);
            continue;
        }
        if (!spec.with_value.contains(arg))
            throw UsageError(command + ": unknown option " + args[i] + " (see e4mext-report " + command + " --help)");
        if (!inline_value) {
            if (i + 1 >= args.size())
                throw UsageError(command + ": " + arg + " needs a value (see e4mext-report " + command + " --help)");
            inline_value = args[++i];
        }
        if (parsed.values.contains(arg))
            throw UsageError(command + ": " + arg + " given twice");
        parsed.values[arg] = *inline_value;
    }
    return parsed;
}

std::vector<std::string> split_labels(const std::string& text, std::size_t expected, const std::string& command)
{
    std::vector<std::string> labels;
    std::size_t start = 0;
    while (true) {
        const auto comma = text.find(',', start);
        labels.push_back(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (comma == std::string::npos)
            break;
        start = comma + 1;
    }
    if (labels.size() != expected)
        throw UsageError(command + ": --labels \"" + text + "\" names " + std::to_string(labels.size()) +
                         " set(s), expected " + std::to_string(expected) + " (comma-separated)");
    for (const auto& label : labels)
        if (label.empty())
            throw UsageError(command + ": --labels \"" + text + "\" has an empty name");
    return labels;
}

std::string set_names(const std::vector<ResultSet>& sets)
{
    std::string names;
    for (const auto& set : sets)
        names += (names.empty() ? "" : ", ") + set.label + " (" + set.root.string() + ")";
    return names;
}

// Every set of the PATHs, named by --labels (one per set) or --label (the only set).
std::vector<ResultSet> load_sets(const Arguments& a, const std::vector<std::string>& paths, const std::string& command)
{
    auto sets = load_result_sets(paths);
    if (a.has("--labels")) {
        const auto labels = split_labels(a.values.at("--labels"), sets.size(), command);
        for (std::size_t i = 0; i < sets.size(); ++i)
            sets[i].label = labels[i];
    }
    if (a.has("--label")) {
        if (sets.size() != 1)
            throw UsageError(command + ": --label names one set, but the PATHs hold " + std::to_string(sets.size()) +
                             ": " + set_names(sets) + "; use --labels \"A,B,...\"");
        sets[0].label = a.values.at("--label");
    }
    return sets;
}

// BASE or CAND of the gate: exactly one set.
ResultSet load_one_set(const std::string& path, const std::string& role, const std::string& command)
{
    auto sets = load_result_sets({path});
    if (sets.size() != 1)
        throw UsageError(command + ": " + role + " " + path + " holds " + std::to_string(sets.size()) +
                         " sets: " + set_names(sets) + "; name one of them");
    return std::move(sets[0]);
}

std::vector<const ResultSet*> pointers_to(const std::vector<ResultSet>& sets)
{
    std::vector<const ResultSet*> pointers;
    for (const auto& s : sets)
        pointers.push_back(&s);
    return pointers;
}

void require_two_sets(const std::vector<ResultSet>& sets, const std::string& command)
{
    if (sets.size() < 2)
        throw UsageError(command + ": needs two or more sets, the PATHs hold " + std::to_string(sets.size()) + ": " +
                         set_names(sets) + " (see e4mext-report " + command + " --help)");
}

void require_positionals(const Arguments& a, std::size_t exactly, const std::string& command, const char* what)
{
    if (a.positionals.size() != exactly)
        throw UsageError(command + ": expected " + what + ", got " + std::to_string(a.positionals.size()) +
                         " path(s) (see e4mext-report " + command + " --help)");
}

std::size_t parse_count(const std::string& text, const std::string& option)
{
    std::size_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value == 0)
        throw UsageError(option + " " + text + ": expected a whole number >= 1");
    return value;
}

int run_table(const std::vector<std::string>& args, std::ostream& out)
{
    const auto a = parse_arguments(args, "table", {{"--label", "--labels", "--format"}, {}, {}});
    if (a.flags.contains("--help")) {
        out << table_help;
        return exit_ok;
    }
    if (a.positionals.empty())
        throw UsageError("table: expected at least one PATH (see e4mext-report table --help)");
    if (a.has("--label") && a.has("--labels"))
        throw UsageError("table: give --label (one set) or --labels (one name per set), not both");
    const auto format = parse_output_format(a.value_or("--format", "text"));
    const auto sets = load_sets(a, a.positionals, "table");
    out << render_tables(pointers_to(sets), format);
    return exit_ok;
}

int run_compare(const std::vector<std::string>& args, std::ostream& out)
{
    const auto a = parse_arguments(args, "compare", {{"--labels", "--format"}, {}, {}});
    if (a.flags.contains("--help")) {
        out << compare_help;
        return exit_ok;
    }
    if (a.positionals.empty())
        throw UsageError("compare: expected two or more PATHs (see e4mext-report compare --help)");
    const auto format = parse_output_format(a.value_or("--format", "text"));
    const auto sets = load_sets(a, a.positionals, "compare");
    require_two_sets(sets, "compare");
    out << render_comparison(compare_sets(pointers_to(sets)), format);
    return exit_ok;
}

int run_plot(const std::vector<std::string>& args, std::ostream& out)
{
    const auto a = parse_arguments(args, "plot", {{"--output", "--labels", "--metric"}, {"--log"}, {{"-o", "--output"}}});
    if (a.flags.contains("--help")) {
        out << plot_help;
        return exit_ok;
    }
    if (a.positionals.empty())
        throw UsageError("plot: expected at least one PATH (see e4mext-report plot --help)");
    if (!a.has("--output"))
        throw UsageError("plot: -o OUT.png or -o OUT.svg is required");
    const std::filesystem::path output = a.values.at("--output");
    plot_format_for(output); // reject a bad extension before reading anything
    const auto metric = parse_metric(a.value_or("--metric", "iops"));
    const auto sets = load_sets(a, a.positionals, "plot");
    write_plot(plot_data_of(pointers_to(sets), metric), output, a.flags.contains("--log"));
    out << "wrote " << output.string() << "\n";
    return exit_ok;
}

void write_file(const std::string& path, const std::string& text, bool append)
{
    std::ofstream file(path, append ? std::ios::app : std::ios::trunc);
    file << text;
    file.close();
    if (!file)
        throw InputError(path + ": cannot write; check the path and its permissions");
}

int run_gate_command(const std::vector<std::string>& args, std::ostream& out)
{
    const auto a = parse_arguments(args, "gate",
                                   {{"--max-regression", "--metric", "--min-samples", "--labels", "--markdown-summary",
                                     "--verdict-json"},
                                    {},
                                    {}});
    if (a.flags.contains("--help")) {
        out << gate_help;
        return exit_ok;
    }
    require_positionals(a, 2, "gate", "BASE and CAND");
    GateOptions options;
    options.max_regression = parse_percentage(a.value_or("--max-regression", "5%"));
    options.metric = parse_gate_metric(a.value_or("--metric", "iops"));
    if (a.has("--min-samples"))
        options.min_samples = parse_count(a.values.at("--min-samples"), "--min-samples");
    auto base = load_one_set(a.positionals[0], "BASE", "gate");
    auto candidate = load_one_set(a.positionals[1], "CAND", "gate");
    if (a.has("--labels")) {
        const auto labels = split_labels(a.values.at("--labels"), 2, "gate");
        base.label = labels[0];
        candidate.label = labels[1];
    }
    const auto verdict = run_gate(base, candidate, options);
    out << render_gate_text(verdict);
    if (a.has("--markdown-summary"))
        write_file(a.values.at("--markdown-summary"), render_gate_markdown(verdict), true);
    if (a.has("--verdict-json"))
        write_file(a.values.at("--verdict-json"), render_gate_json(verdict), false);
    return verdict.passed() ? exit_ok : exit_regression;
}

int run_report(const std::vector<std::string>& args, std::ostream& out)
{
    const auto a = parse_arguments(args, "report", {{"--output", "--labels"}, {}, {{"-o", "--output"}}});
    if (a.flags.contains("--help")) {
        out << report_help;
        return exit_ok;
    }
    if (a.positionals.empty())
        throw UsageError("report: expected two or more PATHs (see e4mext-report report --help)");
    if (!a.has("--output"))
        throw UsageError("report: -o DIR is required");
    const auto sets = load_sets(a, a.positionals, "report");
    require_two_sets(sets, "report");
    const std::filesystem::path dir = a.values.at("--output");
    write_report(pointers_to(sets), dir);
    out << "wrote " << (dir / "report.html").string() << " and " << (dir / "report.md").string() << "\n";
    return exit_ok;
}

} // namespace

int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err)
{
    const auto fail = [&](const std::string& message) {
        err << "e4mext-report: " << one_line(message, 600) << "\n";
        return exit_error;
    };
    try {
        if (args.empty())
            throw UsageError("no command given; try e4mext-report --help");
        const auto& command = args[0];
        if (command == "--help" || command == "-h" || command == "help") {
            out << main_help;
            return exit_ok;
        }
        if (command == "--version") {
            out << "e4mext-report " << E4MEXT_VERSION << "\n";
            return exit_ok;
        }
        if (command == "table")
            return run_table(args, out);
        if (command == "compare")
            return run_compare(args, out);
        if (command == "plot")
            return run_plot(args, out);
        if (command == "gate")
            return run_gate_command(args, out);
        if (command == "report")
            return run_report(args, out);
        throw UsageError("unknown command '" + command + "'; commands: table, compare, plot, gate, report (see --help)");
    } catch (const UsageError& e) {
        return fail(e.what());
    } catch (const InputError& e) {
        return fail(e.what());
    } catch (const PlotError& e) {
        return fail(e.what());
    } catch (const std::bad_alloc&) {
        return fail("out of memory");
    } catch (const std::exception& e) {
        return fail(std::string("unexpected error: ") + e.what());
    }
}

} // namespace e4mext::report
