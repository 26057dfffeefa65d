// Rendering a result set as the cover letter prints it (text) or as markdown, csv or json with
// the spread of repetitions and the engine's side-file figures.
#pragma once

#include "classify.hpp"
#include "result_set.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace e4mext::report {

enum class OutputFormat { text, markdown, csv, json };

OutputFormat parse_output_format(std::string_view name); // throws UsageError

// "   U 4k:    IOPS=225k,  BW=877MiB/s": three spaces, "LABEL:" left-aligned in label_width
// (9, as in the cover letter), "IOPS=...," left-aligned in 12, then "BW=...".
std::string format_case_row(const std::string &label, std::uint64_t iops, std::uint64_t bw_bytes, std::size_t label_width = 9);

// The label column's width for a block: 9, or wider so that every "LABEL:" keeps a space after it.
std::size_t label_column_width(const std::vector<std::string> &labels);

// "  [NAME]" and one row per case (medians), as in the cover letter.
std::string render_text_block(const std::string &name, const std::vector<CaseResult> &cases, const VaryingDimensions &varying);

// In-use cases (a foreground beside the moves): per case the defragmenter's IOPS and the
// foreground's p99 with and without the defragmenter, their ratio, p50, p99.9 and achieved rate;
// "" when no case has a foreground.
std::string render_foreground_block(const std::vector<CaseResult> &cases, const VaryingDimensions &varying);

// The moves behind a case's figure and its flags: "95-113 moves per run, THIN (< 400 moves in a
// run)" (evidence_flags).
std::string moves_per_run_text(const CaseResult &c);

// One line per case whose runs are thin evidence: "   U 128k: 95-113 moves per run, THIN (...)";
// "" when none is.
std::string render_evidence_flags(const std::vector<CaseResult> &cases, const VaryingDimensions &varying);

// One line per job that was not counted: "   excluded: U 4k (file.json, job 'defrag'): error=5 (...)".
std::string render_exclusions(const ResultSet &set, const VaryingDimensions &varying);

std::string render_table(const ResultSet &set, OutputFormat format);

// Each set rendered on its own, never merged: text and markdown blocks separated by a blank line,
// csv with one header (its "set" column tells them apart), json one object for one set and an
// array of them for several.
std::string render_tables(const std::vector<const ResultSet *> &sets, OutputFormat format);

const char *metric_name(Metric metric);     // "IOPS", "BW"
Metric parse_metric(std::string_view text); // "iops" or "bw"; throws UsageError

std::string csv_field(std::string_view text);
std::string markdown_cell(std::string_view text);

} // namespace e4mext::report
