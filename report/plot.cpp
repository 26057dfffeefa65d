#include "plot.hpp"

#include "classify.hpp"
#include "fio_parse.hpp"
#include "input_error.hpp"
#include "number_text.hpp"
#include "render.hpp"

#include <gnuplot-iostream.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

namespace e4mext::report {

namespace fs = std::filesystem;

namespace {

// gnuplot double-quoted string: backslash and double quote escaped.
std::string gnuplot_quoted(std::string_view text)
{
	std::string out = "\"";
	for (char c : text) {
		if (c == '"' || c == '\\')
			out += '\\';
		out += (c == '\n' || c == '\r') ? ' ' : c;
	}
	return out + "\"";
}

// gnuplot double-quoted string keeping line breaks (as \n, which gnuplot turns into new lines).
std::string gnuplot_quoted_lines(std::string_view text)
{
	std::string out = "\"";
	for (char c : text) {
		if (c == '\n') {
			out += "\\n";
			continue;
		}
		if (c == '"' || c == '\\')
			out += '\\';
		out += c == '\r' ? ' ' : c;
	}
	return out + "\"";
}

// Shell single-quoted word.
std::string shell_quoted(std::string_view text)
{
	std::string out = "'";
	for (char c : text) {
		if (c == '\'')
			out += "'\\''";
		else
			out += c;
	}
	return out + "'";
}

class TemporaryDirectory {
public:
	TemporaryDirectory()
	{
		std::string pattern = (fs::temp_directory_path() / "e4mext-plot-XXXXXX").string();
		if (::mkdtemp(pattern.data()) == nullptr)
			throw PlotError("plot: cannot create a temporary directory in " + fs::temp_directory_path().string());
		path_ = pattern;
	}
	~TemporaryDirectory()
	{
		std::error_code ec;
		fs::remove_all(path_, ec);
	}
	TemporaryDirectory(const TemporaryDirectory &) = delete;
	TemporaryDirectory &operator=(const TemporaryDirectory &) = delete;
	const fs::path &path() const { return path_; }

private:
	fs::path path_;
};

std::string first_error_line(const std::string &text)
{
	std::istringstream lines(text);
	std::string line, last;
	while (std::getline(lines, line)) {
		if (line.find_first_not_of(" \t^") == std::string::npos)
			continue;
		last = line;
		if (line.find("rror") != std::string::npos || line.find("not found") != std::string::npos)
			return line;
	}
	return last;
}

constexpr std::size_t panel_width = 420;
constexpr std::size_t panel_height = 340;
constexpr std::size_t most_panels_per_row = 4;
constexpr std::size_t title_line_height = 18;
constexpr std::size_t title_char_width = 7; // sans 10 at most, for fitting the title lines

std::size_t panels_per_row(std::size_t panels)
{
	return std::max<std::size_t>(2, std::min(most_panels_per_row, panels));
}

std::size_t title_lines(const PlotData &data)
{
	return 1 + static_cast<std::size_t>(std::count(data.title.begin(), data.title.end(), '\n'));
}

std::string data_block_name(std::size_t panel, std::size_t set)
{
	return "$p" + std::to_string(panel) + "s" + std::to_string(set);
}

std::string set_line(const ResultSet &set)
{
	auto kernel = set.kernel();
	kernel = kernel.substr(0, kernel.find(" ("));               // the release, without the build's "(#1 SMP ...)"
	const auto accelerator = set.metadata_value("accelerator"); // a VM's: emulated figures say so
	const std::string vm = accelerator.rfind("tcg", 0) == 0   ? " in a VM under TCG (emulated)"
			       : accelerator.rfind("kvm", 0) == 0 ? " in a VM under KVM"
								  : "";
	return set.label + ": kernel " + kernel + vm + ", " + set.fio_version() + ", e4mext " + set.e4mext_version();
}

std::size_t longest_line(const std::string &text)
{
	std::size_t longest = 0;
	std::size_t start = 0;
	while (start <= text.size()) {
		const auto end = std::min(text.find('\n', start), text.size());
		longest = std::max(longest, end - start);
		start = end + 1;
	}
	return longest;
}

// The value over a bar: IOPS as fio prints it ("175k"), MiB/s with 3 significant figures ("874").
std::string bar_text(Metric metric, double value)
{
	return metric == Metric::iops ? format_figure(metric, value) : format_significant(value);
}

void write_data_blocks(std::ostringstream &script, const PlotData &data)
{
	const auto sets = data.set_labels.size();
	const double slot = 0.8 / static_cast<double>(sets);
	for (std::size_t p = 0; p < data.panels.size(); ++p) {
		for (std::size_t s = 0; s < sets; ++s) {
			script << data_block_name(p, s) << " << EOD\n";
			const auto &bars = data.panels[p].bars[s];
			for (std::size_t x = 0; x < bars.size(); ++x) {
				if (!bars[x].present)
					continue;
				const double position = static_cast<double>(x) + (static_cast<double>(s) - (sets - 1) / 2.0) * slot;
				script << exact_number(position) << " " << exact_number(bars[x].median) << " "
				       << exact_number(bars[x].min) << " " << exact_number(bars[x].max) << " "
				       << gnuplot_quoted(bars[x].text) << "\n";
			}
			script << "EOD\n";
		}
	}
}

// A tic's text: whole numbers as they are ("900", "1500"), exact thousands and millions short
// ("175k", "2M"), fractions with the digits they need ("0.5").
std::string tic_text(double value)
{
	std::array<char, 32> text{};
	if (value >= 1e6 && std::fmod(value, 1e6) == 0)
		std::snprintf(text.data(), text.size(), "%gM", value / 1e6);
	else if (value >= 1e4 && std::fmod(value, 1e3) == 0)
		std::snprintf(text.data(), text.size(), "%gk", value / 1e3);
	else
		std::snprintf(text.data(), text.size(), "%.6g", value);
	return text.data();
}

struct PanelRange {
	double low = 0;  // the smallest min-max bar end above 0
	double high = 0; // the largest
};

PanelRange panel_range(const PlotPanel &panel)
{
	PanelRange range;
	for (const auto &bars : panel.bars)
		for (const auto &bar : bars)
			if (bar.present) {
				if (bar.min > 0)
					range.low = range.low == 0 ? bar.min : std::min(range.low, bar.min);
				range.high = std::max(range.high, bar.max);
			}
	return range;
}

// A panel whose values span more than a decade is drawn on a log axis: on a linear one the small
// bars vanish beside the large (U 1m's 800 IOPS beside U 4k's 175k).
bool panel_needs_log(const PlotPanel &panel)
{
	const auto range = panel_range(panel);
	return range.low > 0 && range.high / range.low > 10;
}

// Linear tics from 0: a step of 1, 2, 2.5 or 5 times a power of ten giving 4-8 tics, at least 1 where
// the top is 4 or more, so whole-number figures get whole-number tics.
std::vector<double> linear_tics(double top)
{
	if (top <= 0)
		return {0, 1};
	const double rough = top / 5;
	const double power = std::pow(10.0, std::floor(std::log10(rough)));
	double step = power;
	for (const double m : {1.0, 2.0, 2.5, 5.0, 10.0})
		if ((m != 2.5 || power >= 10) && m * power >= rough) { // 2.5 only where it is whole
			step = m * power;
			break;
		}
	if (top >= 4)
		step = std::max(step, 1.0);
	std::vector<double> tics;
	for (double t = 0; t <= top * 1.2 + step * 1e-9; t += step)
		tics.push_back(std::round(t / step) * step);
	return tics;
}

// Log tics: every power of ten in range, and 2 and 5 times them where the range is under two
// decades (more would crowd a 340 px panel).
std::vector<double> log_tics(const PanelRange &range)
{
	std::vector<double> tics;
	if (range.low <= 0 || range.high <= 0)
		return tics; // nothing above 0: gnuplot's own
	const double low = range.low / 1.5, high = range.high * 1.5;
	const bool fine = high / low < 100;
	for (double power = std::pow(10.0, std::floor(std::log10(low))); power <= high; power *= 10)
		for (const double m : {1.0, 2.0, 5.0})
			if ((m == 1.0 || fine) && m * power >= low && m * power <= high)
				tics.push_back(m * power);
	return tics;
}

void write_panel(std::ostringstream &script, const PlotData &data, std::size_t p, bool log_scale)
{
	const auto &panel = data.panels[p];
	const auto sets = data.set_labels.size();
	const bool crowded = sets * panel.x_labels.size() > 6;
	const bool log_axis = log_scale || panel_needs_log(panel);
	script << "set title " << gnuplot_quoted(panel.title + (log_axis ? " (log scale)" : "")) << "\n";
	script << "set xtics (";
	for (std::size_t x = 0; x < panel.x_labels.size(); ++x)
		script << (x ? ", " : "") << gnuplot_quoted(panel.x_labels[x]) << " " << x;
	script << ")\n";
	script << "set xrange [-0.5:" << panel.x_labels.size() << "-0.5]\n";
	const auto range = panel_range(panel);
	const auto tics = log_axis ? log_tics(range) : linear_tics(range.high);
	if (tics.empty())
		script << "set ytics autofreq\n";
	else {
		script << "set ytics (";
		for (std::size_t t = 0; t < tics.size(); ++t)
			script << (t ? ", " : "") << gnuplot_quoted(tic_text(tics[t])) << " " << exact_number(tics[t]);
		script << ")\n";
	}
	// On a log axis the boxes start at its bottom, a tic or the smallest value's half below it.
	if (log_axis && range.low <= 0)
		script << "set logscale y\nset yrange [*:*]\n";
	else if (log_axis)
		script << "set logscale y\nset yrange ["
		       << exact_number(std::min(tics.empty() ? range.low : tics.front(), range.low / 2)) << ":"
		       << exact_number(range.high * 2.5) << "]\n"; // the top: room for the values over the bars
	else
		script << "unset logscale y\nset yrange [0:*]\n";
	script << "set ylabel " << gnuplot_quoted(data.y_label) << "\n";
	script << "set offsets 0, 0, " << (log_axis ? "0" : "graph 0.15") << ", 0\n"; // room for the values over the bars
	script << "set boxwidth " << exact_number(0.8 / static_cast<double>(sets) * 0.9) << " absolute\n";
	// The key in the first panel's corner over its lower bars: IOPS fall with the block size,
	// latencies rise.
	const auto height_at = [&panel](std::size_t x) {
		double high = 0;
		for (const auto &bars : panel.bars)
			if (x < bars.size() && bars[x].present)
				high = std::max(high, bars[x].max);
		return high;
	};
	const bool key_left = !panel.x_labels.empty() && height_at(0) < height_at(panel.x_labels.size() - 1);
	script << (p == 0 ? std::string("set key top ") + (key_left ? "left" : "right") + " vertical font ',8'\n"
			  : std::string("unset key\n"));
	script << "plot ";
	for (std::size_t s = 0; s < sets; ++s) {
		const auto block = data_block_name(p, s);
		script << (s ? ", " : "") << block << " using 1:2 with boxes lc " << s + 1 << " notitle, " << block
		       << " using 1:3:(0):($4-$3) with vectors nohead lw 1.5 lc rgb '#222222' notitle, " << block
		       << " using 1:4:5 with labels " << (crowded ? "rotate by 90 left offset 0,0.3" : "offset 0,0.7")
		       << " font ',8' notitle";
	}
	// The key names every set, also those without a case in this panel (gnuplot leaves out the
	// titles of empty data).
	for (std::size_t s = 0; s < sets && p == 0; ++s)
		script << ", keyentry with boxes lc " << s + 1 << " title " << gnuplot_quoted(data.set_labels[s]);
	script << "\n";
}

constexpr std::size_t ratio_bar_area_width = 720;
constexpr std::size_t ratio_label_char_width = 7; // sans 9, for the case labels' column
constexpr std::size_t ratio_bottom_margin = 80;   // x tics, the axis label and the key

// A row is tall enough for its bars (one per compared set) and its value labels.
std::size_t ratio_row_height(const RatioPlotData &data)
{
	return std::max<std::size_t>(22, 15 * data.set_labels.size() + 8);
}

std::size_t ratio_title_lines(const RatioPlotData &data)
{
	return 1 + static_cast<std::size_t>(std::count(data.title.begin(), data.title.end(), '\n'));
}

std::size_t ratio_label_column(const RatioPlotData &data)
{
	std::size_t longest = 0;
	for (const auto &row : data.rows)
		longest = std::max(longest, row.label.size());
	return longest * ratio_label_char_width + 24;
}

// A bar whose runs are thin evidence (evidence_flags) ends in "!"; the chart's title says why.
constexpr const char *thin_bar_mark = "!";
std::string thin_legend()
{
	return "!: thin evidence - a run with fewer than " + std::to_string(fewest_moves_per_run) +
	       " moves, or a run that ended before its window";
}

std::string thin_mark(const CaseRow &row)
{
	return std::any_of(row.cells.begin(), row.cells.end(),
			   [](const CaseCell &cell) { return cell.result && cell.result->thin_evidence(); })
		       ? thin_bar_mark
		       : "";
}

struct RatioRange {
	double low = 1;
	double high = 1;
};

// From the smallest to the largest ratio and 1.0, widened so that the values written past the
// bars' ends stay inside.
RatioRange ratio_range(const RatioPlotData &data)
{
	RatioRange range;
	for (const auto &row : data.rows)
		for (const auto &bar : row.bars)
			if (bar.present) {
				range.low = std::min(range.low, bar.ratio);
				range.high = std::max(range.high, bar.ratio);
			}
	const double span = std::max(std::log(range.high / range.low), std::log(1.2));
	const double pad = 0.12 * span + std::log(1.02);
	return {range.low / std::exp(pad), range.high * std::exp(pad)};
}

// Tics a reader knows (0.5, 0.8, 1, 1.25, 2, ...): the coarse ones first, finer ones where they
// stay apart by the width of their text.
std::vector<double> ratio_tics(const RatioRange &range)
{
	const double closest = std::log(range.high / range.low) * 40.0 / static_cast<double>(ratio_bar_area_width);
	const auto apart = [&](const std::vector<double> &tics, double t) {
		return std::all_of(tics.begin(), tics.end(), [&](double u) { return std::fabs(std::log(t / u)) >= closest; });
	};
	const std::vector<std::vector<double>> tiers{
		{0.001, 0.01, 0.1, 1, 10, 100, 1000},
		{0.002, 0.005, 0.02, 0.05, 0.2, 0.5, 2, 5, 20, 50, 200, 500},
		{0.8, 1.25, 1.5, 0.67},
		{0.9, 1.1},
		{0.95, 1.05},
	};
	std::vector<double> tics;
	for (const auto &tier : tiers) {
		std::vector<double> more = tics;
		for (const double t : tier)
			if (t >= range.low && t <= range.high && apart(more, t))
				more.push_back(t);
		if (more.size() > 12)
			break;
		tics = std::move(more);
	}
	std::sort(tics.begin(), tics.end());
	return tics;
}

std::string ratio_block_name(std::size_t set)
{
	return "$r" + std::to_string(set);
}

// One block per compared set: ratio, y, x from, x to, y from, y to, text; and one of the cases
// a set lacks, written at 1.0.
void write_ratio_blocks(std::ostringstream &script, const RatioPlotData &data)
{
	const auto sets = data.set_labels.size();
	const double slot = 0.8 / static_cast<double>(sets);
	const auto y_of = [&](std::size_t row, std::size_t set) {
		return static_cast<double>(data.rows.size() - 1 - row) +
		       (static_cast<double>(sets - 1) / 2.0 - static_cast<double>(set)) * slot;
	};
	for (std::size_t s = 0; s < sets; ++s) {
		script << ratio_block_name(s) << " << EOD\n";
		for (std::size_t r = 0; r < data.rows.size(); ++r) {
			const auto &bar = data.rows[r].bars[s];
			if (!bar.present)
				continue;
			const double y = y_of(r, s);
			script << exact_number(bar.ratio) << " " << exact_number(y) << " " << exact_number(std::min(1.0, bar.ratio))
			       << " " << exact_number(std::max(1.0, bar.ratio)) << " " << exact_number(y - slot * 0.42) << " "
			       << exact_number(y + slot * 0.42) << " " << gnuplot_quoted(bar.text) << "\n";
		}
		script << "EOD\n";
	}
	script << "$missing << EOD\n";
	for (std::size_t r = 0; r < data.rows.size(); ++r)
		for (std::size_t s = 0; s < sets; ++s)
			if (!data.rows[r].bars[s].present)
				script << "1 " << exact_number(y_of(r, s)) << " \"not in both sets\"\n";
	script << "EOD\n";
}

// Every other row shaded, so that a bar is easy to follow to its case's label.
void write_ratio_rows(std::ostringstream &script, const RatioPlotData &data)
{
	script << "set ytics (";
	for (std::size_t r = 0; r < data.rows.size(); ++r)
		script << (r ? ", " : "") << gnuplot_quoted(data.rows[r].label) << " " << data.rows.size() - 1 - r;
	script << ") scale 0\n";
	for (std::size_t r = 0; r < data.rows.size(); r += 2) {
		const auto y = static_cast<double>(data.rows.size() - 1 - r);
		script << "set object " << r + 1 << " rect from graph 0, first " << exact_number(y - 0.5) << " to graph 1, first "
		       << exact_number(y + 0.5) << " fc rgb '#f0f0f0' fillstyle solid 1.0 noborder behind\n";
	}
}

// Runs gnuplot on the script, which writes output; a failure, or no output, is a PlotError.
void run_gnuplot(const std::string &script, const fs::path &output)
{
	if (output.string().find_first_of("\n\r") != std::string::npos)
		throw UsageError("-o: the output path contains a line break");
	std::error_code ec;
	fs::remove(output, ec); // a stale file must not pass for a new one
	if (ec && ec != std::errc::no_such_file_or_directory)
		throw PlotError(output.string() + ": cannot replace: " + ec.message());

	const TemporaryDirectory work;
	const auto errors = work.path() / "gnuplot.stderr";
	const auto status = work.path() / "gnuplot.status";
	const char *configured = std::getenv("E4MEXT_GNUPLOT");
	const std::string program = configured && *configured ? configured : "gnuplot";
	const std::string command = "{ " + shell_quoted(program) + "; echo $? >" + shell_quoted(status.string()) + "; } 2>" +
				    shell_quoted(errors.string());
	// gnuplot that dies early must not kill us with SIGPIPE: writes then fail, the status tells.
	struct IgnoreSigpipe {
		void (*previous)(int) = std::signal(SIGPIPE, SIG_IGN);
		~IgnoreSigpipe() { std::signal(SIGPIPE, previous); }
	} ignore_sigpipe;
	try {
		Gnuplot gp(command);
		gp << script << "exit\n";
		gp.flush();
	} catch (const std::exception &e) { // gnuplot-iostream waits for gnuplot when gp goes
		throw PlotError("plot: cannot run " + program + ": " + e.what());
	}

	std::string exit_code = "unknown";
	try {
		exit_code = read_file_text(status);
		exit_code.erase(exit_code.find_last_not_of(" \n") + 1);
	} catch (const InputError &) {
	}
	std::string stderr_text;
	try {
		stderr_text = read_file_text(errors);
	} catch (const InputError &) {
	}
	if (exit_code != "0")
		throw PlotError("plot: " + program + " failed (exit status " + exit_code + ")" +
				(stderr_text.empty() ? "" : ": " + first_error_line(stderr_text)) + "; " + output.string() +
				" not written");
	if (!fs::exists(output, ec) || fs::file_size(output, ec) == 0)
		throw PlotError("plot: " + program + " exited 0 but " + output.string() + " is missing or empty" +
				(stderr_text.empty() ? "" : ": " + first_error_line(stderr_text)));
}

} // namespace

namespace {

// One figure of a case that a chart draws: its summary over the runs (nullptr: the case has
// none), the scale it is divided by, and the panel title's suffix (" p50"; "" for the only one).
struct CaseFigure {
	std::string suffix;
	std::function<const Summary *(const CaseResult &)> of;
};

// "3 runs per case", "3-5 runs per case": the runs behind the figures of one set.
std::string runs_per_case(const std::vector<CaseResult> &cases, const std::vector<CaseFigure> &figures)
{
	std::size_t fewest = 0, most = 0;
	for (const auto &c : cases)
		for (const auto &figure : figures)
			if (const auto *summary = figure.of(c); summary && summary->n > 0) {
				fewest = fewest == 0 ? summary->n : std::min(fewest, summary->n);
				most = std::max(most, summary->n);
			}
	const auto count = fewest == most ? std::to_string(most) : std::to_string(fewest) + "-" + std::to_string(most);
	return count + (most == 1 ? " run per case" : " runs per case");
}

// Small multiples of FIGURES of the cases of SETS: one panel per figure and value of the
// factors other than the x axis (in case order), one bar group per value of the x-axis factor
// (its label, ordered by rank).
PlotData chart_data_of(const std::vector<const ResultSet *> &sets, const std::vector<CaseFigure> &figures, double scale,
		       const std::function<std::string(double)> &text_of)
{
	std::vector<std::vector<CaseResult>> cases;
	std::vector<CaseFactors> keys;
	for (const auto *set : sets) {
		cases.push_back(set->cases());
		for (const auto &c : cases.back())
			keys.push_back(c.key);
	}
	const auto varying = varying_dimensions(keys);
	using AxisValue = std::tuple<std::int64_t, std::string, std::string>; // rank, value, label
	const auto axis_value = [](const CaseFactors &key) {
		const auto *axis = key.axis();
		return axis ? AxisValue{axis->rank, axis->value, axis->label} : AxisValue{};
	};
	std::map<CaseFactors, std::set<AxisValue>> groups;
	for (const auto &key : keys)
		groups[key.without_axis()].insert(axis_value(key));

	PlotData data;
	if (std::any_of(cases.begin(), cases.end(), [](const auto &set_cases) {
		    return std::any_of(set_cases.begin(), set_cases.end(), [](const CaseResult &c) { return c.thin_evidence(); });
	    }))
		data.title += "\n" + thin_legend();
	for (std::size_t s = 0; s < sets.size(); ++s) {
		data.set_labels.push_back(sets[s]->label + " (" + runs_per_case(cases[s], figures) + ")");
		data.title += "\n" + set_line(*sets[s]);
	}
	for (const auto &[group, sizes] : groups) {
		for (const auto &figure : figures) {
			PlotPanel panel;
			panel.title = group_label(group, varying) + figure.suffix;
			for (const auto &size : sizes)
				panel.x_labels.push_back(std::get<2>(size));
			bool any = false;
			for (std::size_t s = 0; s < sets.size(); ++s) {
				std::vector<PlotBar> bars(sizes.size());
				for (const auto &c : cases[s]) {
					const auto *summary = c.key.without_axis() == group ? figure.of(c) : nullptr;
					if (summary == nullptr || summary->n == 0)
						continue;
					const auto x = static_cast<std::size_t>(
						std::distance(sizes.begin(), sizes.find(axis_value(c.key))));
					const double median = summary->median / scale;
					bars[x] = {true, median, summary->min / scale, summary->max / scale,
						   text_of(median) + (c.thin_evidence() ? thin_bar_mark : "")};
					any = true;
				}
				panel.bars.push_back(std::move(bars));
			}
			if (any)
				data.panels.push_back(std::move(panel));
		}
	}
	return data;
}

} // namespace

PlotData plot_data_of(const std::vector<const ResultSet *> &sets, Metric metric)
{
	const double scale = metric == Metric::iops ? 1.0 : 1024.0 * 1024.0;
	auto data = chart_data_of(
		sets, {{"", [metric](const CaseResult &c) { return &c.summary(metric); }}}, scale,
		// IOPS as tables print them: truncated as fio truncates
		[metric](double median) { return bar_text(metric, metric == Metric::iops ? std::trunc(median) : median); });
	data.title = std::string("e4mext: ") + (metric == Metric::iops ? "IOPS" : "bandwidth") +
		     " per case (median of the runs, bar: min-max)" + data.title;
	data.y_label = metric == Metric::iops ? "IOPS (moves/s)" : "bandwidth (MiB/s)";
	return data;
}

// A bar's latency (the chart's unit is microseconds) as compare writes a latency: "469us", "22.4ms".
std::string microseconds_text(double median_us)
{
	return format_latency(median_us * 1000);
}

PlotData latency_plot_data_of(const std::vector<const ResultSet *> &sets)
{
	const auto percentile = [](Latency which) {
		return [which](const CaseResult &c) { return c.latency ? &c.latency_of(which) : nullptr; };
	};
	auto data = chart_data_of(
		sets,
		{{" p50", percentile(Latency::p50)}, {" p99", percentile(Latency::p99)}, {" p99.9", percentile(Latency::p99_9)}},
		1000.0, microseconds_text);
	data.title = "e4mext: completion latency of a move per case, p50, p99 and p99.9 (fio's clat percentiles; median of the "
		     "runs, bar: min-max)" +
		     data.title;
	data.y_label = "latency (us)";
	return data;
}

PlotData foreground_plot_data_of(const std::vector<const ResultSet *> &sets)
{
	const auto p99 = [](bool alone) {
		return [alone](const CaseResult &c) -> const Summary * {
			if (!c.foreground)
				return nullptr;
			const auto &latency = alone ? c.foreground->alone : c.foreground->loaded;
			return latency ? &latency->p99_ns : nullptr;
		};
	};
	const PlotData loaded = chart_data_of(sets, {{"", p99(false)}}, 1000.0, microseconds_text);
	const PlotData alone = chart_data_of(sets, {{"", p99(true)}}, 1000.0, microseconds_text);
	// Each set's two series side by side: beside the moves, then alone, in the panels of the cases
	// that have a foreground (the same groups in both, matched by title).
	PlotData data;
	for (std::size_t s = 0; s < sets.size(); ++s)
		for (const char *which : {" beside the moves", " alone"})
			data.set_labels.push_back(sets[s]->label + which + loaded.set_labels[s].substr(sets[s]->label.size()));
	for (const PlotPanel &panel : loaded.panels) {
		const auto other = std::find_if(alone.panels.begin(), alone.panels.end(),
						[&](const PlotPanel &p) { return p.title == panel.title; });
		PlotPanel both{panel.title, panel.x_labels, {}};
		for (std::size_t s = 0; s < sets.size(); ++s) {
			both.bars.push_back(panel.bars[s]);
			both.bars.push_back(other != alone.panels.end() && other->x_labels == panel.x_labels
						    ? other->bars[s]
						    : std::vector<PlotBar>(panel.x_labels.size()));
		}
		data.panels.push_back(std::move(both));
	}
	data.title = "e4mext: the foreground's p99 completion latency beside the moves and alone, per case (fio's clat "
		     "or fsync percentiles; median of the runs, bar: min-max)" +
		     loaded.title;
	data.y_label = "foreground p99 (us)";
	return data;
}

PlotFormat plot_format_for(const fs::path &output)
{
	const auto extension = output.extension().string();
	if (extension == ".png")
		return PlotFormat::png;
	if (extension == ".svg")
		return PlotFormat::svg;
	throw UsageError("-o " + output.string() + ": the output must end in .png or .svg");
}

PlotSize plot_size(const PlotData &data)
{
	const auto columns = panels_per_row(data.panels.size());
	const auto rows = (data.panels.size() + columns - 1) / columns;
	const auto title_width = longest_line(data.title) * title_char_width + 40;
	return {std::max(columns * panel_width, title_width),
		std::max<std::size_t>(rows, 1) * panel_height + title_lines(data) * title_line_height + 30};
}

std::string gnuplot_script(const PlotData &data, const fs::path &output, PlotFormat format, bool log_scale)
{
	const auto size = plot_size(data);
	const auto columns = panels_per_row(data.panels.size());
	const auto rows = (data.panels.size() + columns - 1) / columns;
	std::ostringstream script;
	script << (format == PlotFormat::png ? "set terminal pngcairo noenhanced font 'sans,9' size "
					     : "set terminal svg noenhanced font 'sans,9' size ")
	       << size.width << "," << size.height << "\n";
	script << "set output " << gnuplot_quoted(output.string()) << "\n";
	write_data_blocks(script, data);
	script << "set style fill solid 0.85 border -1\n"
		  "set grid ytics\n"
		  "set xtics nomirror norotate\n"
		  "set ytics nomirror\n"
		  "set errorbars small\n";
	const double title_share =
		static_cast<double>(title_lines(data) * title_line_height + 40) / static_cast<double>(size.height);
	const auto &title = data.title;
	script << "set multiplot layout " << rows << "," << columns << " title " << gnuplot_quoted_lines(title)
	       << " font ',10' margins " << exact_number(60.0 / static_cast<double>(size.width)) << ", 0.98, 0.06, "
	       << exact_number(1 - title_share) << " spacing " << exact_number(60.0 / static_cast<double>(size.width)) << ", "
	       << exact_number(70.0 / static_cast<double>(size.height)) << "\n";
	for (std::size_t p = 0; p < data.panels.size(); ++p)
		write_panel(script, data, p, log_scale);
	script << "unset multiplot\nset output\n";
	return script.str();
}

void write_plot(const PlotData &data, const fs::path &output, bool log_scale)
{
	const auto format = plot_format_for(output);
	if (data.panels.empty())
		throw InputError("plot: no usable results to draw (every job failed or wrote nothing)");
	run_gnuplot(gnuplot_script(data, output, format, log_scale), output);
}

RatioPlotData ratio_plot_data_of(const Comparison &comparison, Metric metric)
{
	const auto &sets = comparison.sets;
	const auto &base = sets.at(0)->label;
	RatioPlotData data;
	data.title = std::string("e4mext: ") + (metric == Metric::iops ? "IOPS" : "bandwidth") + " of each case against " + base +
		     " (median / " + base + "'s median, log scale; 1.0: no change)\n" +
		     "after the ratio: * changed, = equivalent, ? undecided (the decision rule of compare and the gate)";
	if (std::any_of(comparison.cases.begin(), comparison.cases.end(),
			[](const CaseRow &row) { return !thin_mark(row).empty(); }))
		data.title += "\n" + thin_legend();
	for (const auto *set : sets)
		data.title += "\n" + set_line(*set);
	data.base_label = base;
	for (std::size_t s = 1; s < sets.size(); ++s)
		data.set_labels.push_back(sets[s]->label);
	for (const auto &row : comparison.cases) {
		RatioRow ratio_row{case_label(row.key, comparison.varying), {}};
		for (std::size_t s = 1; s < row.cells.size(); ++s) {
			const auto &cell = row.cells[s];
			const auto change = cell.change(metric);
			RatioBar bar;
			if (change && 1 + *change > 0) {
				bar = {true, 1 + *change,
				       format_ratio(1 + *change) + verdict_mark(cell.decision(metric).verdict) + thin_mark(row)};
			}
			ratio_row.bars.push_back(std::move(bar));
		}
		data.rows.push_back(std::move(ratio_row));
	}
	if (comparison.geomean.cases > 0) {
		const auto &means = comparison.geomean.of(metric);
		RatioRow geomean{"geomean (" + std::to_string(comparison.geomean.cases) + " cases)", {}};
		for (std::size_t s = 1; s < means.size(); ++s) {
			RatioBar bar;
			if (means[0] > 0 && means[s] > 0)
				bar = {true, means[s] / means[0], format_ratio(means[s] / means[0])};
			geomean.bars.push_back(std::move(bar));
		}
		data.rows.push_back(std::move(geomean));
	}
	return data;
}

fs::path latency_plot_path(const fs::path &output)
{
	return output.parent_path() / (output.stem().string() + "-latency" + output.extension().string());
}

fs::path foreground_plot_path(const fs::path &output)
{
	return output.parent_path() / (output.stem().string() + "-foreground" + output.extension().string());
}

fs::path ratio_plot_path(const fs::path &output)
{
	return output.parent_path() / (output.stem().string() + "-ratio" + output.extension().string());
}

PlotSize ratio_plot_size(const RatioPlotData &data)
{
	const auto title_width = longest_line(data.title) * title_char_width + 40;
	const auto width = std::max(ratio_label_column(data) + ratio_bar_area_width + 30, title_width);
	return {width,
		data.rows.size() * ratio_row_height(data) + ratio_title_lines(data) * title_line_height + 40 + ratio_bottom_margin};
}

std::string ratio_gnuplot_script(const RatioPlotData &data, const fs::path &output, PlotFormat format)
{
	const auto size = ratio_plot_size(data);
	const auto width = static_cast<double>(size.width);
	const auto height = static_cast<double>(size.height);
	const auto range = ratio_range(data);
	std::ostringstream script;
	script << (format == PlotFormat::png ? "set terminal pngcairo noenhanced font 'sans,9' size "
					     : "set terminal svg noenhanced font 'sans,9' size ")
	       << size.width << "," << size.height << "\n";
	script << "set output " << gnuplot_quoted(output.string()) << "\n";
	write_ratio_blocks(script, data);
	const double top = 1 - static_cast<double>(ratio_title_lines(data) * title_line_height + 30) / height;
	// The title is centred on the image, not on the plot beside the case labels.
	script << "set label 1 " << gnuplot_quoted_lines(data.title) << " at screen 0.5, screen " << exact_number(1 - 16 / height)
	       << " center font ',10'\n"
	       << "set lmargin at screen " << exact_number(static_cast<double>(ratio_label_column(data)) / width) << "\n"
	       << "set rmargin at screen " << exact_number(1 - 30 / width) << "\n"
	       << "set tmargin at screen " << exact_number(top) << "\n"
	       << "set bmargin at screen " << exact_number(ratio_bottom_margin / height) << "\n"
	       << "set logscale x\n"
	       << "set xrange [" << exact_number(range.low) << ":" << exact_number(range.high) << "]\n"
	       << "set yrange [-0.5:" << exact_number(static_cast<double>(data.rows.size()) - 0.5) << "]\n"
	       << "set xtics (";
	const auto tics = ratio_tics(range);
	for (std::size_t t = 0; t < tics.size(); ++t)
		script << (t ? ", " : "") << gnuplot_quoted(tic_text(tics[t])) << " " << exact_number(tics[t]);
	script << ") nomirror\n"
	       << "set grid xtics front lc rgb '#bbbbbb'\n"
	       << "set xlabel " << gnuplot_quoted("median / " + data.base_label + "'s median (log scale)") << "\n";
	write_ratio_rows(script, data);
	script << "set arrow 1 from 1, graph 0 to 1, graph 1 nohead lw 2 lc rgb '#222222' front\n"
		  "set style fill solid 0.85 border -1\n"
		  "set key at screen 0.5, screen "
	       << exact_number(22 / height) << " center horizontal font ',9'\n";
	script << "plot ";
	for (std::size_t s = 0; s < data.set_labels.size(); ++s) {
		const auto block = ratio_block_name(s);
		script << (s ? ", " : "") << block << " using 1:2:3:4:5:6 with boxxyerror lc " << s + 2 << " notitle, "
		       << "keyentry with boxes lc " << s + 2 << " title " << gnuplot_quoted(data.set_labels[s]) << ", " << block
		       << " using ($1 >= 1 ? $1 : NaN):2:7 with labels left offset char 0.5,0 font ',8' notitle, " << block
		       << " using ($1 < 1 ? $1 : NaN):2:7 with labels right offset char -0.5,0 font ',8' notitle";
	}
	script << ", $missing using 1:2:3 with labels left offset char 0.5,0 font ',8' tc rgb '#777777' notitle\n";
	script << "set output\n";
	return script.str();
}

void write_ratio_plot(const RatioPlotData &data, const fs::path &output)
{
	const auto format = plot_format_for(output);
	if (data.rows.empty() || data.set_labels.empty())
		throw InputError("plot: no cases to draw a ratio chart of (it needs two or more sets)");
	run_gnuplot(ratio_gnuplot_script(data, output, format), output);
}

} // namespace e4mext::report
