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
  table PATH... [--label NAME] [--format text|markdown|csv|json]
  compare BASE CAND [--labels "A,B"] [--format text|markdown|json]
  plot PATH... -o OUT.png|OUT.svg [--log] [--labels "A,B,..."]
  gate BASE CAND [--max-regression 5%] [--metric iops|bw] [--min-samples N] [--labels "A,B"]
                 [--markdown-summary FILE] [--verdict-json FILE]
  report BASE CAND -o DIR [--labels "A,B"]

PATH, BASE and CAND are fio --output-format=json (or json+) files or directories of them
(searched recursively for *.json). An engine statistics side file x.stats.jsonl next to x.json
is joined automatically.
exit status: 0 ok, 1 gate found a regression, 2 bad usage, bad input or a failed gnuplot.
)";

constexpr const char* table_help = R"(usage: e4mext-report table PATH... [--label NAME] [--format text|markdown|csv|json]

Prints one block of the cover letter's table: "  [NAME]", then one row per case,
"   U 4k:    IOPS=225k,  BW=877MiB/s", U rows before M rows, block sizes ascending, numbers
formatted exactly as fio formats them. Several runs of one case print their median; markdown,
csv and json add min, max, stddev, n and, when a side file exists, the engine's extents
before/after, partial moves and retries. Jobs with an error or without writes are listed as
excluded, never averaged in.
  --label NAME     the block's name (default: the single PATH's name, else "results")
  --format FORMAT  text (default), markdown, csv or json
)";

constexpr const char* compare_help = R"(usage: e4mext-report compare BASE CAND [--labels "A,B"] [--format text|markdown|json]

Prints both blocks as the cover letter does, then per case the ratio of medians CAND/BASE
("17.1x"), the % change and whether the change is significant.
Significance rule: with n >= 3 runs on both sides, a change is significant when the 95%
confidence intervals of the two means (mean +- t(0.975, n-1) * stddev / sqrt(n)) do not
overlap; with fewer runs it says "n too small" instead of guessing.
  --labels "A,B"   names of BASE and CAND (default: their file or directory names)
  --format FORMAT  text (default), markdown (with min-max and stddev) or json
)";

constexpr const char* plot_help = R"(usage: e4mext-report plot PATH... -o OUT.png|OUT.svg [--log] [--labels "A,B,..."]

Grouped bar charts of IOPS and BW (MiB/s) per case, one bar per PATH (a labelled set), drawn
by gnuplot (set E4MEXT_GNUPLOT to use another gnuplot binary). The format follows the
extension. A failed gnuplot or a missing output file is an error (exit 2).
  -o, --output FILE  the image to write (.png or .svg)
  --log              logarithmic y axes
  --labels "A,..."   one name per PATH (default: their file or directory names)
)";

constexpr const char* gate_help = R"(usage: e4mext-report gate BASE CAND [--max-regression 5%] [--metric iops|bw] [--min-samples N]
                          [--labels "A,B"] [--markdown-summary FILE] [--verdict-json FILE]

Compares the median of each case; a case regresses when CAND is lower than BASE by more than
--max-regression, or when CAND has no usable run of it. Cases only in CAND are listed as new.
Prints every case and, for each regression, by how much. Exit status: 0 pass, 1 regression,
2 bad usage or input (including a case with fewer runs than --min-samples).
  --max-regression P     allowed drop, in percent (default 5%)
  --metric iops|bw       the figure compared (default iops)
  --min-samples N        runs required per case on both sides (default 1)
  --labels "A,B"         names of BASE and CAND
  --markdown-summary F   append a Markdown summary to F (e.g. "$GITHUB_STEP_SUMMARY")
  --verdict-json F       write the verdict as JSON to F
)";

constexpr const char* report_help = R"(usage: e4mext-report report BASE CAND -o DIR [--labels "A,B"]

Writes DIR/report.html (self-contained: inline SVG chart, the comparison, the runs' metadata),
DIR/report.md (its Markdown twin) and DIR/report.svg (the chart the Markdown shows).
  -o, --output DIR  the directory to write (created if needed)
  --labels "A,B"    names of BASE and CAND
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

std::vector<std::string> set_labels(const Arguments& a, const std::vector<std::vector<std::string>>& inputs,
                                    const std::string& command)
{
    if (a.has("--labels"))
        return split_labels(a.values.at("--labels"), inputs.size(), command);
    std::vector<std::string> labels;
    for (const auto& input : inputs)
        labels.push_back(default_label(input));
    return labels;
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
    const auto a = parse_arguments(args, "table", {{"--label", "--format"}, {}, {}});
    if (a.flags.contains("--help")) {
        out << table_help;
        return exit_ok;
    }
    if (a.positionals.empty())
        throw UsageError("table: expected at least one PATH (see e4mext-report table --help)");
    const auto format = parse_output_format(a.value_or("--format", "text"));
    const auto set = load_result_set(a.positionals, a.value_or("--label", default_label(a.positionals)));
    out << render_table(set, format);
    return exit_ok;
}

int run_compare(const std::vector<std::string>& args, std::ostream& out)
{
    const auto a = parse_arguments(args, "compare", {{"--labels", "--format"}, {}, {}});
    if (a.flags.contains("--help")) {
        out << compare_help;
        return exit_ok;
    }
    require_positionals(a, 2, "compare", "BASE and CAND");
    const auto format = parse_output_format(a.value_or("--format", "text"));
    if (format == OutputFormat::csv)
        throw UsageError("compare: --format csv is not offered; use text, markdown or json");
    const auto labels = set_labels(a, {{a.positionals[0]}, {a.positionals[1]}}, "compare");
    const auto base = load_result_set({a.positionals[0]}, labels[0]);
    const auto candidate = load_result_set({a.positionals[1]}, labels[1]);
    out << render_comparison(compare_sets(base, candidate), format);
    return exit_ok;
}

int run_plot(const std::vector<std::string>& args, std::ostream& out)
{
    const auto a = parse_arguments(args, "plot", {{"--output", "--labels"}, {"--log"}, {{"-o", "--output"}}});
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
    std::vector<std::vector<std::string>> inputs;
    for (const auto& p : a.positionals)
        inputs.push_back({p});
    const auto labels = set_labels(a, inputs, "plot");
    std::vector<ResultSet> sets;
    for (std::size_t i = 0; i < inputs.size(); ++i)
        sets.push_back(load_result_set(inputs[i], labels[i]));
    std::vector<const ResultSet*> pointers;
    for (const auto& s : sets)
        pointers.push_back(&s);
    write_plot(plot_data_of(pointers), output, a.flags.contains("--log"));
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
    const auto labels = set_labels(a, {{a.positionals[0]}, {a.positionals[1]}}, "gate");
    const auto base = load_result_set({a.positionals[0]}, labels[0]);
    const auto candidate = load_result_set({a.positionals[1]}, labels[1]);
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
    require_positionals(a, 2, "report", "BASE and CAND");
    if (!a.has("--output"))
        throw UsageError("report: -o DIR is required");
    const auto labels = set_labels(a, {{a.positionals[0]}, {a.positionals[1]}}, "report");
    const auto base = load_result_set({a.positionals[0]}, labels[0]);
    const auto candidate = load_result_set({a.positionals[1]}, labels[1]);
    const std::filesystem::path dir = a.values.at("--output");
    write_report(base, candidate, dir);
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
