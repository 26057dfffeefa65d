#include "result_set.hpp"

#include "fio_parse.hpp"
#include "input_error.hpp"
#include "num2str.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>

namespace e4mext::report {

namespace fs = std::filesystem;

std::string describe_status(const Measurement& m)
{
    switch (m.status) {
    case RunStatus::ok: return "ok";
    case RunStatus::failed: return "error=" + std::to_string(m.error) + " (" + std::strerror(m.error) + ")";
    case RunStatus::no_writes: break;
    }
    return "no writes";
}

namespace {

std::uint64_t rounded(double value)
{
    return value <= 0 ? 0 : static_cast<std::uint64_t>(std::llround(value));
}

template <typename Field>
Summary summarize_field(const std::vector<const Measurement*>& runs, Field field)
{
    std::vector<double> values;
    for (const auto* run : runs)
        if (run->engine_stats)
            values.push_back(static_cast<double>(field(*run->engine_stats)));
    return summarize(std::move(values));
}

std::optional<EngineSummary> summarize_engine(const std::vector<const Measurement*>& runs)
{
    if (std::none_of(runs.begin(), runs.end(), [](const auto* r) { return r->engine_stats.has_value(); }))
        return std::nullopt;
    EngineSummary s;
    s.extents_before = summarize_field(runs, [](const EngineStats& e) { return e.extents_before; });
    s.extents_after = summarize_field(runs, [](const EngineStats& e) { return e.extents_after; });
    s.partial_moves = summarize_field(runs, [](const EngineStats& e) { return e.partial_moves; });
    s.retries = summarize_field(runs, [](const EngineStats& e) { return e.retries; });
    s.verify_failed = std::any_of(runs.begin(), runs.end(),
                                  [](const auto* r) { return r->engine_stats && r->engine_stats->verify_failed; });
    return s;
}

} // namespace

std::uint64_t CaseResult::median_iops() const
{
    return rounded(iops.median);
}

std::uint64_t CaseResult::median_bw() const
{
    return rounded(bw.median);
}

std::vector<CaseResult> ResultSet::cases() const
{
    std::map<CaseKey, std::vector<const Measurement*>> by_case;
    for (const auto& m : measurements)
        if (m.status == RunStatus::ok)
            by_case[m.key].push_back(&m);
    std::vector<CaseResult> result;
    result.reserve(by_case.size());
    for (auto& [key, runs] : by_case) {
        CaseResult c;
        c.key = key;
        std::vector<double> iops, bw;
        for (const auto* run : runs) {
            iops.push_back(static_cast<double>(run->iops));
            bw.push_back(static_cast<double>(run->bw_bytes));
        }
        c.iops = summarize(std::move(iops));
        c.bw = summarize(std::move(bw));
        c.engine = summarize_engine(runs);
        c.runs = std::move(runs);
        result.push_back(std::move(c));
    }
    return result;
}

std::vector<const Measurement*> ResultSet::excluded() const
{
    std::vector<const Measurement*> result;
    for (const auto& m : measurements)
        if (m.status != RunStatus::ok)
            result.push_back(&m);
    return result;
}

std::vector<fs::path> find_result_files(const std::vector<std::string>& inputs)
{
    std::vector<fs::path> files;
    for (const auto& input : inputs) {
        const fs::path path(input);
        std::error_code ec;
        const auto status = fs::status(path, ec);
        if (ec || !fs::exists(status))
            throw InputError(input + ": " + (ec ? ec.message() : std::string("no such file or directory")));
        if (!fs::is_directory(status)) {
            files.push_back(path);
            continue;
        }
        std::vector<fs::path> found;
        try {
            for (const auto& entry : fs::recursive_directory_iterator(path)) {
                if (entry.is_regular_file() && entry.path().extension() == ".json")
                    found.push_back(entry.path());
            }
        } catch (const fs::filesystem_error& e) {
            throw InputError(input + ": cannot search the directory: " + e.code().message());
        }
        if (found.empty())
            throw InputError(input + ": no .json files under this directory; expected fio --output-format=json results");
        std::sort(found.begin(), found.end());
        files.insert(files.end(), found.begin(), found.end());
    }
    return files;
}

std::vector<Measurement> measurements_of(const FioRun& run, const std::optional<EngineStatsByJob>& engine_stats)
{
    std::vector<Measurement> result;
    for (const auto& job : run.jobs) {
        Measurement m;
        m.source = run.source;
        m.jobname = job.jobname;
        m.key = classify(job, run.source);
        m.error = job.error;
        m.clones = job.clones;
        m.write = job.write;
        m.iops = fio_iops(job.write.total_ios, job.write.runtime_ms);
        m.bw_bytes = fio_bw_bytes(job.write.io_bytes, job.write.runtime_ms);
        if (job.error != 0)
            m.status = RunStatus::failed;
        else if (job.write.total_ios == 0 || job.write.runtime_ms == 0)
            m.status = RunStatus::no_writes;
        if (engine_stats) {
            if (const auto it = engine_stats->find(job.jobname); it != engine_stats->end())
                m.engine_stats = it->second;
        }
        m.fio_version = run.fio_version;
        m.timestamp = run.timestamp;
        m.options = job.options;
        result.push_back(std::move(m));
    }
    return result;
}

ResultSet load_result_set(const std::vector<std::string>& inputs, std::string label)
{
    ResultSet set;
    set.label = std::move(label);
    set.files = find_result_files(inputs);
    for (const auto& file : set.files) {
        const auto run = load_fio_file(file);
        auto measurements = measurements_of(run, load_engine_stats_beside(file));
        set.measurements.insert(set.measurements.end(), std::make_move_iterator(measurements.begin()),
                                std::make_move_iterator(measurements.end()));
    }
    return set;
}

std::string default_label(const std::vector<std::string>& inputs)
{
    if (inputs.size() != 1)
        return "results";
    fs::path path(inputs.front());
    while (!path.empty() && path.filename().empty())
        path = path.parent_path();
    std::error_code ec;
    const bool directory = fs::is_directory(path, ec);
    if (directory && fs::is_regular_file(path / "label", ec)) {
        std::string text;
        try {
            text = read_file_text(path / "label");
        } catch (const InputError&) {
        }
        text = text.substr(0, text.find('\n'));
        if (!text.empty() && text.back() == '\r')
            text.pop_back();
        if (!text.empty())
            return text;
    }
    const auto name = directory ? path.filename().string() : path.stem().string();
    return name.empty() || name == "." ? "results" : name;
}

std::vector<CaseKey> keys_of(const std::vector<CaseResult>& cases)
{
    std::vector<CaseKey> keys;
    keys.reserve(cases.size());
    for (const auto& c : cases)
        keys.push_back(c.key);
    return keys;
}

} // namespace e4mext::report
