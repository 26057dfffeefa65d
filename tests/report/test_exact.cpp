// Exact figures in every output: each change and ratio that table, compare (text, markdown, csv,
// json), the gate (text, markdown, json), the rounds' look lines, the HTML report and the charts
// print agrees to three significant digits with the one this test computes itself from the run
// files (1000 * total_ios / runtime per run, fio's clat percentiles; medians over the runs) - never
// with fio's truncated "iops" field, which the fixture sets to a value that would show. And every
// output flags the case with too few moves (U 128k of 6.18-old) and the run that ended before its
// window (M 128k of 6.19-new), and not the case with neither (U 4k).
// Fixtures: tests/data/report/exact (make-fixtures.py).
#include "golden.hpp"

#include "compare.hpp"
#include "fio_parse.hpp"
#include "gate.hpp"
#include "html_report.hpp"
#include "plot.hpp"
#include "result_set.hpp"
#include "rounds.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

using namespace e4mext::report;
namespace fs = std::filesystem;

namespace {

const std::string old_set = "exact/6.18-old";
const std::string new_set = "exact/6.19-new";
const std::array<std::string, 3> cases{"U-4k", "U-128k", "M-128k"};

double median_of(std::vector<double> values)
{
	std::sort(values.begin(), values.end());
	const auto n = values.size();
	return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

// The figures of one case's runs, read straight from fio's JSON (not through the report's parser).
struct RunFigures {
	std::vector<double> iops, truncated_iops, bw, p50, p99, p99_9;
};

// The value in column `column` (named by the csv's header) of the first line starting with
// `prefix`; NaN when there is none. Fields before the text column hold no commas.
double csv_value(const std::string &csv, const std::string &prefix, const std::string &column)
{
	std::istringstream lines(csv);
	std::string header, line;
	std::getline(lines, header);
	const auto split = [](const std::string &text) {
		std::vector<std::string> fields;
		std::istringstream in(text);
		for (std::string field; std::getline(in, field, ',');)
			fields.push_back(field);
		return fields;
	};
	const auto names = split(header);
	const auto at = std::find(names.begin(), names.end(), column) - names.begin();
	while (std::getline(lines, line))
		if (line.rfind(prefix, 0) == 0) {
			const auto fields = split(line);
			return static_cast<std::size_t>(at) < fields.size() ? std::stod(fields[at]) : std::nan("");
		}
	return std::nan("");
}

RunFigures figures_of(const std::string &set, const std::string &case_dir)
{
	RunFigures f;
	for (const auto &entry : fs::directory_iterator(set + "/runs/coverletter/" + case_dir)) {
		const auto doc = nlohmann::json::parse(read_file_text(entry.path()));
		const auto &write = doc["jobs"][0]["write"];
		const double runtime = write["runtime"].get<double>();
		f.iops.push_back(1000.0 * write["total_ios"].get<double>() / runtime);
		f.truncated_iops.push_back(write["iops"].get<double>());
		f.bw.push_back(1000.0 * write["io_bytes"].get<double>() / runtime);
		const auto &percentile = write["clat_ns"]["percentile"];
		f.p50.push_back(percentile["50.000000"].get<double>());
		f.p99.push_back(percentile["99.000000"].get<double>());
		f.p99_9.push_back(percentile["99.900000"].get<double>());
	}
	return f;
}

// The ratio new / old of a figure's medians.
double ratio_of(const std::string &case_dir, std::vector<double> RunFigures::*figure)
{
	return median_of(figures_of(new_set, case_dir).*figure) / median_of(figures_of(old_set, case_dir).*figure);
}

// Three significant digits, as a person would write the exact value: 14.6, 1.11, 0.0685.
std::string three_digits(double value)
{
	std::array<char, 32> text{};
	const int decimals = value >= 100 ? 0 : value >= 10 ? 1 : value >= 1 ? 2 : 2 - int(std::floor(std::log10(value)));
	std::snprintf(text.data(), text.size(), "%.*f", decimals, value);
	return text.data();
}

// The change in percent to one decimal, as the tables print it: "+1357.7%".
std::string change_text(double ratio)
{
	std::array<char, 32> text{};
	std::snprintf(text.data(), text.size(), "%+.1f%%", (ratio - 1) * 100);
	return text.data();
}

std::string label_of(const std::string &case_dir)
{
	auto label = case_dir;
	label[label.find('-')] = ' ';
	return label;
}

// An output as words: whitespace runs (wrapped lines, indents) as one space, Markdown's escapes gone.
std::string plain(const std::string &text)
{
	std::string out;
	for (std::size_t i = 0; i < text.size(); ++i) {
		const char c = text[i];
		if (c == '\\' && i + 1 < text.size() && std::ispunct(static_cast<unsigned char>(text[i + 1])))
			continue;
		if (std::isspace(static_cast<unsigned char>(c))) {
			if (!out.empty() && out.back() != ' ')
				out += ' ';
			continue;
		}
		out += c;
	}
	return out;
}

struct Scratch {
	fs::path path = fs::temp_directory_path() / ("e4mext-exact-test-" + std::to_string(::getpid()));
	Scratch() { fs::create_directories(path); }
	~Scratch() { fs::remove_all(path); }
};

} // namespace

TEST_CASE("the fixture can tell exact ratios from fio's truncated iops", "[exact]")
{
	// Otherwise the checks below would pass with either.
	const double exact = ratio_of("U-128k", &RunFigures::iops);
	const double truncated = ratio_of("U-128k", &RunFigures::truncated_iops);
	CHECK(three_digits(exact) == "14.6");
	CHECK(three_digits(truncated) == "14.9");
}

TEST_CASE("every change and ratio agrees with the run files to three significant digits", "[exact]")
{
	Scratch scratch;
	std::map<std::string, std::string> outputs;
	for (const char *format : {"text", "markdown", "csv", "json"}) {
		const auto run = run_report({"compare", old_set, new_set, "--format", format});
		REQUIRE(run.status == 0);
		outputs[std::string("compare ") + format] = run.out;
	}
	const auto summary = scratch.path / "gate.md", verdict = scratch.path / "gate.json";
	const auto gate = run_report({"gate", old_set, new_set, "--min-samples", "3", "--markdown-summary", summary.string(),
				      "--verdict-json", verdict.string()});
	REQUIRE((gate.status == 0 || gate.status == 5));
	outputs["gate text"] = gate.out;
	outputs["gate markdown"] = read_file_text(summary);
	outputs["gate json"] = read_file_text(verdict);
	REQUIRE(run_report({"report", old_set, new_set, "-o", (scratch.path / "report").string()}).status == 0);
	outputs["html"] = read_file_text(scratch.path / "report" / "report.html");
	outputs["report markdown"] = read_file_text(scratch.path / "report" / "report.md");
	auto sets = load_result_sets({old_set, new_set});
	const std::vector<const ResultSet *> pointers{&sets[0], &sets[1]};
	const auto comparison = compare_sets(pointers);
	outputs["rounds"] = look_line(4, standings_of(comparison, Metric::iops));

	for (const auto &case_dir : cases) {
		const auto label = label_of(case_dir);
		const double iops = ratio_of(case_dir, &RunFigures::iops);
		const double p99 = ratio_of(case_dir, &RunFigures::p99);
		INFO(label << ": exact IOPS ratio " << iops << ", p99 ratio " << p99);
		// The change as every table prints it, and the ratio beside the verdicts.
		for (const char *output :
		     {"compare text", "compare markdown", "gate text", "gate markdown", "html", "report markdown"})
			CHECK_THAT(outputs[output], Catch::Contains(change_text(iops)));
		for (const char *output : {"compare text", "compare markdown", "html", "rounds"})
			CHECK_THAT(outputs[output], Catch::Contains(three_digits(iops) + "x"));
		// The completion latency's change (p99), where compare and the HTML print it.
		for (const char *output : {"compare text", "compare markdown", "html"})
			CHECK_THAT(outputs[output], Catch::Contains(change_text(p99)));
		// Machine-readable outputs: the ratio itself, unrounded.
		// A parsed document of its own: a range-for over a member of a temporary would dangle.
		const auto compare_json = nlohmann::json::parse(outputs["compare json"]);
		for (const auto &entry : compare_json["cases"])
			if (entry["case"] == label) {
				CHECK(entry["results"][1]["iops"]["ratio"].get<double>() == Approx(iops).epsilon(1e-9));
				CHECK(entry["results"][1]["completion_latency"]["p99_ns"]["ratio"].get<double>() ==
				      Approx(p99).epsilon(1e-9));
			}
		const auto gate_json = nlohmann::json::parse(outputs["gate json"]);
		for (const auto &entry : gate_json["cases"])
			if (entry["case"] == label)
				CHECK(entry["ratio"].get<double>() == Approx(iops).epsilon(1e-9));
		bool in_csv = false;
		for (std::istringstream lines(outputs["compare csv"]); !lines.eof();) {
			std::string line;
			std::getline(lines, line);
			if (line.rfind("iops," + label + ",6.19-new,", 0) == 0) {
				in_csv = true;
				CHECK_THAT(line, Catch::Contains("," + std::to_string(iops).substr(0, 6)));
			}
		}
		CHECK(in_csv);
		// The csv's latency rows: a move's p99, ratio unrounded.
		CHECK(csv_value(outputs["compare csv"], "p99_latency_ns," + label + ",6.19-new,", "ratio") ==
		      Approx(p99).epsilon(1e-9));
		// The ratio chart: its bar and the text written at its end.
		for (const auto &row : ratio_plot_data_of(comparison, Metric::iops).rows)
			if (row.label == label) {
				CHECK(row.bars[0].ratio == Approx(iops).epsilon(1e-9));
				CHECK_THAT(row.bars[0].text, Catch::StartsWith(three_digits(iops) + "x"));
			}
	}
	// fio's truncated iops would have given U 128k 14.9x.
	for (const auto &[name, text] : outputs)
		CHECK_THAT(text, !Catch::Contains("14.9x"));
}

TEST_CASE("every output flags thin runs and runs that ended before their window", "[exact]")
{
	Scratch scratch;
	const auto thin = "THIN (< 400 moves in a run)";
	const auto early = "1 run ENDED BEFORE THE WINDOW";
	// table: the cover letter's block with a line per flagged case, and the other formats.
	const auto old_table = run_report({"table", old_set}).out;
	CHECK_THAT(old_table, Catch::Contains("   U 128k: 95-113 moves per run, " + std::string(thin) + "\n"));
	CHECK_THAT(old_table, !Catch::Contains("   U 4k: 2890-3104 moves per run"));
	CHECK_THAT(run_report({"table", new_set}).out,
		   Catch::Contains("   M 128k: 1190-1745 moves per run, " + std::string(early) + "\n"));
	for (const char *format : {"markdown", "csv", "json"}) {
		CHECK_THAT(plain(run_report({"table", old_set, "--format", format}).out), Catch::Contains(thin));
		CHECK_THAT(plain(run_report({"table", new_set, "--format", format}).out), Catch::Contains(early));
	}
	const auto table_json = nlohmann::json::parse(run_report({"table", old_set, "--format", "json"}).out);
	for (const auto &case_entry : table_json["cases"])
		CHECK(case_entry["flags"] == (case_entry["case"] == "U 128k" ? thin : ""));
	// compare, every format.
	for (const char *format : {"text", "markdown", "csv", "json"}) {
		const auto out = plain(run_report({"compare", old_set, new_set, "--format", format}).out);
		CHECK_THAT(out, Catch::Contains(thin));
		CHECK_THAT(out, Catch::Contains(early));
	}
	// The gate, every format.
	const auto summary = scratch.path / "gate.md", verdict = scratch.path / "gate.json";
	const auto gate = run_report({"gate", old_set, new_set, "--min-samples", "3", "--markdown-summary", summary.string(),
				      "--verdict-json", verdict.string()});
	for (const auto &out : {gate.out, read_file_text(summary)}) {
		CHECK_THAT(plain(out), Catch::Contains("6.18-old: " + std::string(thin)));
		CHECK_THAT(plain(out), Catch::Contains("6.19-new: " + std::string(early)));
	}
	const auto verdict_json = nlohmann::json::parse(read_file_text(verdict));
	for (const auto &entry : verdict_json["cases"]) {
		CHECK(entry["base_flags"] == (entry["case"] == "U 128k" ? thin : ""));
		CHECK(entry["candidate_flags"] == (entry["case"] == "M 128k" ? early : ""));
	}
	// The rounds: a look line's short marks, the final standings in full.
	auto sets = load_result_sets({old_set, new_set});
	const std::vector<const ResultSet *> pointers{&sets[0], &sets[1]};
	const auto comparison = compare_sets(pointers);
	const auto standings = standings_of(comparison, Metric::iops);
	const auto line = look_line(4, standings);
	CHECK_THAT(line, Catch::Contains("[THIN]"));
	CHECK_THAT(line, Catch::Contains("[ENDED EARLY]"));
	CHECK(std::count(line.begin(), line.end(), '[') == 2); // U 4k carries none
	RoundsOutcome outcome{4, StopReason::max_rounds, standings};
	CHECK_THAT(standings_text(outcome), Catch::Contains("[6.18-old: " + std::string(thin) + "]"));
	// The HTML report and its Markdown twin.
	REQUIRE(run_report({"report", old_set, new_set, "-o", (scratch.path / "report").string()}).status == 0);
	for (const char *file : {"report.html", "report.md"}) {
		auto text = plain(read_file_text(scratch.path / "report" / file));
		for (auto at = text.find("&lt;"); at != std::string::npos; at = text.find("&lt;"))
			text.replace(at, 4, "<");
		CHECK_THAT(text, Catch::Contains(thin));
		CHECK_THAT(text, Catch::Contains(early));
	}
	// The charts: "!" after a flagged case's figure, explained in the title.
	const auto chart = plot_data_of(pointers, Metric::iops);
	CHECK_THAT(chart.title, Catch::Contains("!: thin evidence"));
	std::size_t marked = 0;
	for (const auto &panel : chart.panels)
		for (const auto &bars : panel.bars)
			for (const auto &bar : bars)
				marked += bar.present && bar.text.ends_with("!") ? 1 : 0;
	CHECK(marked == 2); // U 128k of 6.18-old, M 128k of 6.19-new
	const auto ratios = ratio_plot_data_of(comparison, Metric::iops);
	CHECK_THAT(ratios.title, Catch::Contains("!: thin evidence"));
	for (const auto &row : ratios.rows)
		if (row.label != "geomean (3 cases)")
			CHECK(row.bars[0].text.ends_with("!") == (row.label != "U 4k"));
}
