#include "plot.hpp"

#include "classify.hpp"
#include "fio_parse.hpp"
#include "input_error.hpp"

#include <gnuplot-iostream.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

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
    TemporaryDirectory(const TemporaryDirectory&) = delete;
    TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

std::string first_error_line(const std::string& text)
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

void plot_panel(std::ostringstream& script, const PlotData& data, const char* title, const char* ylabel, bool log_scale)
{
    script << "set title " << gnuplot_quoted(title) << "\n";
    script << "set ylabel " << gnuplot_quoted(ylabel) << "\n";
    script << (log_scale ? "set logscale y\n" : "unset logscale y\n");
    script << (log_scale ? "set yrange [*:*]\n" : "set yrange [0:*]\n");
    script << "plot ";
    for (std::size_t s = 0; s < data.set_labels.size(); ++s)
        script << (s ? ", " : "") << "'-' using 1 title " << gnuplot_quoted(data.set_labels[s]);
    script << "\n";
}

} // namespace

PlotData plot_data_of(const std::vector<const ResultSet*>& sets)
{
    std::vector<std::vector<CaseResult>> cases;
    std::map<CaseKey, std::size_t> index;
    std::vector<CaseKey> keys;
    for (const auto* set : sets) {
        cases.push_back(set->cases());
        for (const auto& c : cases.back()) {
            keys.push_back(c.key);
            index.emplace(c.key, 0);
        }
    }
    const auto varying = varying_dimensions(keys);
    PlotData data;
    std::size_t position = 0;
    for (auto& [key, i] : index) {
        i = position++;
        data.case_labels.push_back(case_label(key, varying));
    }
    for (std::size_t s = 0; s < sets.size(); ++s) {
        data.set_labels.push_back(sets[s]->label);
        data.iops.emplace_back(index.size(), 0.0);
        data.bw_mib.emplace_back(index.size(), 0.0);
        for (const auto& c : cases[s]) {
            const auto i = index.at(c.key);
            data.iops[s][i] = static_cast<double>(c.median_iops());
            data.bw_mib[s][i] = static_cast<double>(c.median_bw()) / (1024.0 * 1024.0);
        }
    }
    return data;
}

PlotFormat plot_format_for(const fs::path& output)
{
    const auto extension = output.extension().string();
    if (extension == ".png")
        return PlotFormat::png;
    if (extension == ".svg")
        return PlotFormat::svg;
    throw UsageError("-o " + output.string() + ": the output must end in .png or .svg");
}

std::string gnuplot_script(const PlotData& data, const fs::path& output, PlotFormat format, bool log_scale)
{
    const std::size_t width = std::max<std::size_t>(900, 160 * data.case_labels.size() + 300);
    std::ostringstream script;
    script << (format == PlotFormat::png ? "set terminal pngcairo noenhanced font 'sans,10' size "
                                         : "set terminal svg noenhanced dynamic font 'sans,10' size ")
           << width << ",900\n";
    script << "set output " << gnuplot_quoted(output.string()) << "\n";
    script << "set style data histograms\n"
              "set style histogram clustered gap 1\n"
              "set style fill solid 0.85 border -1\n"
              "set boxwidth 0.9\n"
              "set grid ytics\n"
              "set key outside right top vertical\n";
    std::size_t longest = 0;
    for (const auto& label : data.case_labels)
        longest = std::max(longest, label.size());
    script << (longest > 12 ? "set xtics nomirror rotate by -30\n" : "set xtics nomirror norotate\n");
    script << "set xtics (";
    for (std::size_t i = 0; i < data.case_labels.size(); ++i)
        script << (i ? ", " : "") << gnuplot_quoted(data.case_labels[i]) << " " << i;
    script << ")\n";
    script << "set xrange [-0.6:" << data.case_labels.size() << "-0.4]\n";
    script << "set multiplot layout 2,1\n";
    plot_panel(script, data, "IOPS per case", log_scale ? "IOPS (log scale)" : "IOPS", log_scale);
    return script.str();
}

void write_plot(const PlotData& data, const fs::path& output, bool log_scale)
{
    const auto format = plot_format_for(output);
    if (data.case_labels.empty())
        throw InputError("plot: no usable results to draw (every job failed or wrote nothing)");
    if (output.string().find_first_of("\n\r") != std::string::npos)
        throw UsageError("-o: the output path contains a line break");
    std::error_code ec;
    fs::remove(output, ec); // a stale file must not pass for a new one
    if (ec && ec != std::errc::no_such_file_or_directory)
        throw PlotError(output.string() + ": cannot replace: " + ec.message());

    const TemporaryDirectory work;
    const auto errors = work.path() / "gnuplot.stderr";
    const auto status = work.path() / "gnuplot.status";
    const char* configured = std::getenv("E4MEXT_GNUPLOT");
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
        gp << gnuplot_script(data, output, format, log_scale);
        for (const auto& series : data.iops)
            gp.send1d(series);
        std::ostringstream bw_panel;
        plot_panel(bw_panel, data, "Bandwidth per case", log_scale ? "BW, MiB/s (log scale)" : "BW, MiB/s", log_scale);
        gp << bw_panel.str();
        for (const auto& series : data.bw_mib)
            gp.send1d(series);
        gp << "unset multiplot\nset output\nexit\n";
        gp.flush();
    } catch (const std::exception& e) { // gnuplot-iostream waits for gnuplot when gp goes
        throw PlotError("plot: cannot run " + program + ": " + e.what());
    }

    std::string exit_code = "unknown";
    try {
        exit_code = read_file_text(status);
        exit_code.erase(exit_code.find_last_not_of(" \n") + 1);
    } catch (const InputError&) {
    }
    std::string stderr_text;
    try {
        stderr_text = read_file_text(errors);
    } catch (const InputError&) {
    }
    if (exit_code != "0")
        throw PlotError("plot: " + program + " failed (exit status " + exit_code + ")" +
                        (stderr_text.empty() ? "" : ": " + first_error_line(stderr_text)) + "; " + output.string() +
                        " not written");
    if (!fs::exists(output, ec) || fs::file_size(output, ec) == 0)
        throw PlotError("plot: " + program + " exited 0 but " + output.string() + " is missing or empty" +
                        (stderr_text.empty() ? "" : ": " + first_error_line(stderr_text)));
}

} // namespace e4mext::report
