#include "compare.hpp"

#include "input_error.hpp"
#include "num2str.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <map>
#include <sstream>

namespace e4mext::report {

namespace {

std::optional<double> ratio_of(double base, double candidate)
{
    if (base <= 0)
        return std::nullopt;
    return candidate / base;
}

std::string ratio_text(const std::optional<double>& ratio)
{
    return ratio ? format_ratio(*ratio) : "n/a";
}

std::string change_text(const std::optional<double>& ratio)
{
    return ratio ? format_change(*ratio) : "n/a";
}

std::string pad_right(std::string text, std::size_t width)
{
    if (text.size() < width)
        text.append(width - text.size(), ' ');
    return text;
}

std::string significance_text(const CaseComparison& c)
{
    const auto n = "n=" + std::to_string(c.base->iops.n) + " vs " + std::to_string(c.candidate->iops.n);
    if (c.iops_significance == Significance::too_few_runs)
        return "n too small (" + n + ")";
    return "IOPS " + describe(c.iops_significance) + ", BW " + describe(c.bw_significance) + " (" + n + ")";
}

std::string render_text(const Comparison& cmp)
{
    const auto& base_label = cmp.base->label;
    const auto& cand_label = cmp.candidate->label;
    std::string out = render_text_block(base_label, cmp.base_cases, cmp.varying);
    out += render_exclusions(*cmp.base, cmp.varying);
    out += "\n";
    out += render_text_block(cand_label, cmp.candidate_cases, cmp.varying);
    out += render_exclusions(*cmp.candidate, cmp.varying);
    out += "\n  [" + cand_label + " vs " + base_label + "]\n";
    std::ostringstream rows;
    std::vector<std::string> labels;
    for (const auto& c : cmp.cases)
        labels.push_back(case_label(c.key, cmp.varying));
    const auto width = label_column_width(labels);
    for (const auto& c : cmp.cases) {
        rows << "   " << pad_right(case_label(c.key, cmp.varying) + ":", width);
        if (!c.base) {
            rows << "only in " << cand_label << "\n";
            continue;
        }
        if (!c.candidate) {
            rows << "only in " << base_label << "\n";
            continue;
        }
        rows << "IOPS " << pad_right(ratio_text(c.iops_ratio()), 7) << pad_right(change_text(c.iops_ratio()), 10)
             << "BW " << pad_right(ratio_text(c.bw_ratio()), 7) << pad_right(change_text(c.bw_ratio()), 10)
             << significance_text(c) << "\n";
    }
    out += rows.str();
    return out;
}

std::string spread_text(const Summary& s, bool bw)
{
    auto figure = [bw](double v) {
        const auto n = v <= 0 ? 0 : static_cast<std::uint64_t>(std::llround(v));
        return bw ? format_bw(n) : format_iops(n);
    };
    if (s.n < 2)
        return figure(s.median);
    return figure(s.median) + " (" + figure(s.min) + "-" + figure(s.max) + ", sd " + figure(s.stddev) + ")";
}

std::string render_markdown(const Comparison& cmp)
{
    const auto& b = markdown_cell(cmp.base->label);
    const auto& c = markdown_cell(cmp.candidate->label);
    std::ostringstream out;
    out << "| case | IOPS " << b << " | IOPS " << c << " | IOPS ratio | IOPS change | BW " << b << " | BW " << c
        << " | BW ratio | BW change | n " << b << " | n " << c << " | significance |\n";
    out << "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n";
    for (const auto& cc : cmp.cases) {
        out << "| " << markdown_cell(case_label(cc.key, cmp.varying)) << " | ";
        out << (cc.base ? spread_text(cc.base->iops, false) : "-") << " | "
            << (cc.candidate ? spread_text(cc.candidate->iops, false) : "-") << " | "
            << (cc.in_both() ? ratio_text(cc.iops_ratio()) : "-") << " | "
            << (cc.in_both() ? change_text(cc.iops_ratio()) : "-") << " | ";
        out << (cc.base ? spread_text(cc.base->bw, true) : "-") << " | "
            << (cc.candidate ? spread_text(cc.candidate->bw, true) : "-") << " | "
            << (cc.in_both() ? ratio_text(cc.bw_ratio()) : "-") << " | "
            << (cc.in_both() ? change_text(cc.bw_ratio()) : "-") << " | ";
        out << (cc.base ? std::to_string(cc.base->iops.n) : "0") << " | "
            << (cc.candidate ? std::to_string(cc.candidate->iops.n) : "0") << " | ";
        if (cc.in_both())
            out << significance_text(cc);
        else
            out << "only in " << (cc.base ? b : c);
        out << " |\n";
    }
    return out.str();
}

nlohmann::ordered_json summary_json(const Summary& s)
{
    return {{"median", s.median}, {"min", s.min}, {"max", s.max}, {"stddev", s.stddev}, {"n", s.n}};
}

std::string render_json(const Comparison& cmp)
{
    nlohmann::ordered_json out;
    out["base"] = cmp.base->label;
    out["candidate"] = cmp.candidate->label;
    out["significance_rule"] = "n >= 3 on both sides and disjoint 95% confidence intervals of the means";
    out["cases"] = nlohmann::ordered_json::array();
    for (const auto& c : cmp.cases) {
        nlohmann::ordered_json row;
        row["case"] = case_label(c.key, cmp.varying);
        for (const auto& [name, side] : {std::pair{"base", &c.base}, std::pair{"candidate", &c.candidate}}) {
            if (!*side) {
                row[name] = nullptr;
                continue;
            }
            row[name] = {{"iops", summary_json((*side)->iops)}, {"bw_bytes", summary_json((*side)->bw)},
                         {"iops_text", format_iops((*side)->median_iops())},
                         {"bw_text", format_bw((*side)->median_bw())}};
        }
        if (c.in_both()) {
            const auto iops = c.iops_ratio();
            const auto bw = c.bw_ratio();
            row["iops_ratio"] = iops ? nlohmann::ordered_json(*iops) : nlohmann::ordered_json(nullptr);
            row["bw_ratio"] = bw ? nlohmann::ordered_json(*bw) : nlohmann::ordered_json(nullptr);
            row["iops_significance"] = describe(c.iops_significance);
            row["bw_significance"] = describe(c.bw_significance);
        }
        out["cases"].push_back(std::move(row));
    }
    return out.dump(2) + "\n";
}

} // namespace

std::optional<double> CaseComparison::iops_ratio() const
{
    if (!in_both())
        return std::nullopt;
    return ratio_of(static_cast<double>(base->median_iops()), static_cast<double>(candidate->median_iops()));
}

std::optional<double> CaseComparison::bw_ratio() const
{
    if (!in_both())
        return std::nullopt;
    return ratio_of(static_cast<double>(base->median_bw()), static_cast<double>(candidate->median_bw()));
}

Comparison compare_sets(const ResultSet& base, const ResultSet& candidate)
{
    Comparison cmp;
    cmp.base = &base;
    cmp.candidate = &candidate;
    cmp.base_cases = base.cases();
    cmp.candidate_cases = candidate.cases();

    std::map<CaseKey, CaseComparison> by_key;
    for (const auto& c : cmp.base_cases)
        by_key[c.key].base = c;
    for (const auto& c : cmp.candidate_cases)
        by_key[c.key].candidate = c;
    std::vector<CaseKey> keys;
    for (auto& [key, c] : by_key) {
        c.key = key;
        if (c.in_both()) {
            c.iops_significance = judge_significance(c.base->iops, c.candidate->iops);
            c.bw_significance = judge_significance(c.base->bw, c.candidate->bw);
        }
        keys.push_back(key);
        cmp.cases.push_back(std::move(c));
    }
    for (const auto* set : {&base, &candidate})
        for (const auto* m : set->excluded())
            keys.push_back(m->key);
    cmp.varying = varying_dimensions(keys);
    return cmp;
}

std::string format_ratio(double ratio)
{
    std::array<char, 32> text{};
    const int decimals = ratio < 9.995 ? 2 : ratio < 99.95 ? 1 : 0;
    std::snprintf(text.data(), text.size(), "%.*fx", decimals, ratio);
    return text.data();
}

std::string format_change(double ratio)
{
    std::array<char, 32> text{};
    std::snprintf(text.data(), text.size(), "%+.1f%%", (ratio - 1.0) * 100.0);
    return text.data();
}

std::string render_comparison(const Comparison& comparison, OutputFormat format)
{
    switch (format) {
    case OutputFormat::text: return render_text(comparison);
    case OutputFormat::markdown: return render_markdown(comparison);
    case OutputFormat::json: return render_json(comparison);
    case OutputFormat::csv: break;
    }
    throw UsageError("compare: --format csv is not offered; use text, markdown or json");
}

} // namespace e4mext::report
