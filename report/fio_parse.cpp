#include "fio_parse.hpp"

#include "input_error.hpp"
#include "json_fields.hpp"
#include "whole_file.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace e4mext::report {

namespace {

using nlohmann::json;

constexpr int max_nesting = 256;

bool is_word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool bare_token_at(std::string_view text, std::size_t at, std::string_view token)
{
	return text.substr(at, token.size()) == token &&
	       (at + token.size() == text.size() || !is_word_char(text[at + token.size()]));
}

// Copies one top-level JSON object starting at text[start] == '{' into doc, replacing fio's bare
// nan/inf (printed by %f) with null. Returns the index after the closing brace.
std::size_t copy_json_object(std::string_view text, std::size_t start, std::size_t start_line, const std::string &source,
			     std::string &doc)
{
	int depth = 0;
	bool in_string = false;
	bool escaped = false;
	for (std::size_t i = start; i < text.size(); ++i) {
		const char c = text[i];
		if (in_string) {
			doc += c;
			if (escaped)
				escaped = false;
			else if (c == '\\')
				escaped = true;
			else if (c == '"')
				in_string = false;
			continue;
		}
		switch (c) {
		case '"':
			in_string = true;
			doc += c;
			break;
		case '{':
		case '[':
			if (++depth > max_nesting)
				throw InputError(source + ": JSON nested deeper than " + std::to_string(max_nesting) +
						 " levels in the document starting at line " + std::to_string(start_line) +
						 "; fio never writes that: is this fio output?");
			doc += c;
			break;
		case '}':
		case ']':
			doc += c;
			if (--depth == 0)
				return i + 1;
			break;
		case 'n':
		case 'i': {
			const bool nan = c == 'n' && bare_token_at(text, i, "nan");
			const bool inf = c == 'i' && (bare_token_at(text, i, "inf") || bare_token_at(text, i, "infinity"));
			if (nan || inf) {
				if (!doc.empty() && doc.back() == '-')
					doc.pop_back();
				doc += "null";
				i += bare_token_at(text, i, "infinity") ? 7 : 2;
			} else {
				doc += c;
			}
			break;
		}
		default: doc += c;
		}
	}
	throw InputError(source + ": the JSON document starting at line " + std::to_string(start_line) +
			 " is truncated (the file ends inside it): was fio interrupted?");
}

bool looks_binary(std::string_view text)
{
	const auto control = std::count_if(text.begin(), text.end(), [](char c) {
		const auto byte = static_cast<unsigned char>(c);
		return byte == 0 || (byte < 0x20 && c != '\n' && c != '\r' && c != '\t');
	});
	return control > 0;
}

json parse_document(const std::string &doc, const std::string &source, std::size_t start_line)
{
	try {
		return json::parse(doc);
	} catch (const json::exception &e) { // parse_error, and out_of_range for numbers like 1E4444
		std::string reason = e.what();
		if (const auto end = reason.find("] "); end != std::string::npos)
			reason.erase(0, end + 2);
		throw InputError(source + ": invalid JSON in the document starting at line " + std::to_string(start_line) + ": " +
				 one_line(reason, 160));
	}
}

bool is_fio_document(const json &doc)
{
	if (!doc.is_object())
		return false;
	const auto jobs = doc.find("jobs");
	const auto clients = doc.find("client_stats");
	return (jobs != doc.end() && jobs->is_array()) || (clients != doc.end() && clients->is_array());
}

void read_options_object(const json &object, const std::string &where, const std::string &path, FioOptions &options)
{
	for (const auto &[key, value] : object.items()) {
		if (!value.is_string())
			throw InputError(where + ": " + path + "." + key +
					 ": expected a string (fio prints every option as one), found " +
					 describe_json_type(value));
		options[key] = value.get<std::string>();
	}
}

FioOptions read_global_options(const json &doc, const std::string &source)
{
	FioOptions options;
	const auto it = doc.find("global options");
	if (it == doc.end())
		return options;
	const std::string path = "\"global options\"";
	if (it->is_object()) {
		read_options_object(*it, source, path, options);
	} else if (it->is_array()) {
		// fio 3.39+ with several clients: one object per client job file; merged in order.
		for (std::size_t i = 0; i < it->size(); ++i) {
			const auto &element = (*it)[i];
			const auto element_path = path + "[" + std::to_string(i) + "]";
			if (!element.is_object())
				throw InputError(source + ": " + element_path + ": expected an object, found " +
						 describe_json_type(element));
			read_options_object(element, source, element_path, options);
		}
	} else {
		throw InputError(source + ": " + path + ": expected an object or an array, found " + describe_json_type(*it));
	}
	return options;
}

// One percentile of clat_ns.percentile ("99.900000": 170917888); fio prints the keys with six
// decimals, so the key is matched by its value, not its spelling.
std::optional<double> percentile_value(const json &percentiles, double wanted)
{
	for (const auto &[key, value] : percentiles.items()) {
		char *end = nullptr;
		const double at = std::strtod(key.c_str(), &end);
		if (end != key.c_str() && std::fabs(at - wanted) < 1e-6 && value.is_number())
			return value.get<double>();
	}
	return std::nullopt;
}

// The percentiles of one direction's clat_ns (or the sync section's lat_ns).
std::optional<LatencyPercentiles> read_clat_percentiles(const json &direction, const char *key = "clat_ns")
{
	const auto clat = direction.find(key);
	if (clat == direction.end() || !clat->is_object())
		return std::nullopt;
	const auto percentiles = clat->find("percentile");
	if (percentiles == clat->end() || !percentiles->is_object())
		return std::nullopt;
	const auto p50 = percentile_value(*percentiles, 50);
	const auto p99 = percentile_value(*percentiles, 99);
	const auto p99_9 = percentile_value(*percentiles, 99.9);
	if (!p50 || !p99 || !p99_9)
		return std::nullopt;
	return LatencyPercentiles{*p50, *p99, *p99_9};
}

struct JobEntry {
	FioJob job;
	std::string hostname;
	std::optional<std::int64_t> port;
	bool aggregate = false; // client/server "All clients"
};

JobEntry read_job_entry(const json &entry, const std::string &source, const std::string &path, const FioOptions &global_options)
{
	const JsonFields fields(entry, source, path);
	JobEntry result;
	auto &job = result.job;
	job.jobname = fields.string("jobname");
	if (const auto error = fields.optional_integer("error")) {
		if (*error < INT32_MIN || *error > INT32_MAX)
			fields.fail("error", "out of range for an errno: " + std::to_string(*error));
		job.error = static_cast<int>(*error);
	}
	job.options = global_options;
	if (const auto *job_options = fields.optional_object("job options"))
		read_options_object(*job_options, source, fields.field_path("job options"), job.options);

	const JsonFields write(fields.object("write"), source, fields.field_path("write"));
	job.write.io_bytes = write.unsigned_integer("io_bytes");
	job.write.total_ios = write.unsigned_integer("total_ios");
	job.write.runtime_ms = write.unsigned_integer("runtime");
	if (job.write.total_ios > 0)
		job.write_clat = read_clat_percentiles(fields.object("write"));
	if (const auto *read = fields.optional_object("read")) {
		const JsonFields read_fields(*read, source, fields.field_path("read"));
		job.read_io_bytes = job.read.io_bytes = read_fields.unsigned_integer("io_bytes");
		if (const auto ios = read_fields.optional_integer("total_ios"))
			job.read.total_ios = static_cast<std::uint64_t>(std::max<std::int64_t>(*ios, 0));
		if (const auto runtime = read_fields.optional_integer("runtime"))
			job.read.runtime_ms = static_cast<std::uint64_t>(std::max<std::int64_t>(*runtime, 0));
		if (job.read.total_ios > 0)
			job.read_clat = read_clat_percentiles(*read);
	}
	if (const auto *sync = fields.optional_object("sync")) {
		const JsonFields sync_fields(*sync, source, fields.field_path("sync"));
		if (const auto ios = sync_fields.optional_integer("total_ios"))
			job.sync_ios = static_cast<std::uint64_t>(std::max<std::int64_t>(*ios, 0));
		if (job.sync_ios > 0)
			job.sync_lat = read_clat_percentiles(*sync, "lat_ns");
	}
	if (const auto total_err = fields.optional_integer("total_err"))
		job.total_err = static_cast<std::uint64_t>(std::max<std::int64_t>(*total_err, 0));

	if (const auto hostname = fields.optional_string("hostname"))
		result.hostname = *hostname;
	result.port = fields.optional_integer("port");
	return result;
}

// fio's "All clients" entry carries no job options: it gets the options every client entry shares.
FioOptions shared_options(const std::vector<JobEntry> &entries)
{
	std::optional<FioOptions> shared;
	for (const auto &entry : entries) {
		if (entry.aggregate)
			continue;
		if (!shared) {
			shared = entry.job.options;
			continue;
		}
		std::erase_if(*shared, [&](const auto &option) {
			const auto it = entry.job.options.find(option.first);
			return it == entry.job.options.end() || it->second != option.second;
		});
	}
	return shared.value_or(FioOptions{});
}

void assign_hosts(std::vector<JobEntry> &entries)
{
	std::map<std::string, std::set<std::int64_t>> ports_by_host;
	for (const auto &entry : entries)
		if (!entry.aggregate && entry.port)
			ports_by_host[entry.hostname].insert(*entry.port);
	const auto shared = shared_options(entries);
	for (auto &entry : entries) {
		if (entry.aggregate) {
			entry.job.host = "All clients";
			for (const auto &[key, value] : shared)
				entry.job.options.try_emplace(key, value);
			continue;
		}
		entry.job.host = entry.hostname.empty() ? "unnamed client" : entry.hostname;
		if (entry.port && ports_by_host[entry.hostname].size() > 1)
			entry.job.host += ":" + std::to_string(*entry.port);
	}
}

// Clones of one job (numjobs without group_reporting) are summed the way fio's group_reporting
// sums them: io_bytes and total_ios added, runtime the longest, the first error kept.
std::vector<FioJob> merge_clones(std::vector<JobEntry> &entries)
{
	std::vector<FioJob> jobs;
	for (auto &entry : entries) {
		auto same_job = [&](const FioJob &job) {
			return job.host == entry.job.host && job.jobname == entry.job.jobname && job.options == entry.job.options;
		};
		const auto it = std::find_if(jobs.begin(), jobs.end(), same_job);
		if (it == jobs.end()) {
			jobs.push_back(std::move(entry.job));
			continue;
		}
		it->write.io_bytes += entry.job.write.io_bytes;
		it->write.total_ios += entry.job.write.total_ios;
		it->write.runtime_ms = std::max(it->write.runtime_ms, entry.job.write.runtime_ms);
		if (it->write_clat && entry.job.write_clat) {
			it->write_clat->p50_ns = std::max(it->write_clat->p50_ns, entry.job.write_clat->p50_ns);
			it->write_clat->p99_ns = std::max(it->write_clat->p99_ns, entry.job.write_clat->p99_ns);
			it->write_clat->p99_9_ns = std::max(it->write_clat->p99_9_ns, entry.job.write_clat->p99_9_ns);
		} else {
			it->write_clat.reset(); // a clone without percentiles: no bound for the whole
		}
		it->read_io_bytes += entry.job.read_io_bytes;
		it->read.io_bytes += entry.job.read.io_bytes;
		it->read.total_ios += entry.job.read.total_ios;
		it->read.runtime_ms = std::max(it->read.runtime_ms, entry.job.read.runtime_ms);
		it->sync_ios += entry.job.sync_ios;
		for (auto [mine, theirs] :
		     {std::pair{&it->read_clat, &entry.job.read_clat}, std::pair{&it->sync_lat, &entry.job.sync_lat}})
			if (*mine && *theirs) // a bound, as for write_clat
				**mine = {std::max((*mine)->p50_ns, (*theirs)->p50_ns),
					  std::max((*mine)->p99_ns, (*theirs)->p99_ns),
					  std::max((*mine)->p99_9_ns, (*theirs)->p99_9_ns)};
			else
				mine->reset();
		it->total_err += entry.job.total_err;
		if (it->error == 0)
			it->error = entry.job.error;
		++it->clones;
	}
	return jobs;
}

FioRun read_fio_document(const json &doc, const std::string &source)
{
	FioRun run;
	run.source = source;
	const JsonFields top(doc, source, "");
	run.fio_version = top.optional_string("fio version").value_or("");
	run.timestamp = top.optional_integer("timestamp").value_or(0);
	const auto global_options = read_global_options(doc, source);

	const bool client_server = doc.contains("client_stats") && doc["client_stats"].is_array();
	const char *list_name = client_server ? "client_stats" : "jobs";
	const auto &list = doc[list_name];
	if (list.empty())
		throw InputError(source + ": \"" + list_name + "\" is empty: fio ran no job (check the job file)");

	std::vector<JobEntry> entries;
	entries.reserve(list.size());
	for (std::size_t i = 0; i < list.size(); ++i) {
		auto entry =
			read_job_entry(list[i], source, std::string(list_name) + "[" + std::to_string(i) + "]", global_options);
		entry.aggregate = client_server && entry.job.jobname == "All clients";
		entries.push_back(std::move(entry));
	}
	if (client_server)
		assign_hosts(entries);
	run.jobs = merge_clones(entries);
	return run;
}

} // namespace

std::vector<JsonDocument> extract_json_documents(std::string_view text, const std::string &source)
{
	std::vector<JsonDocument> documents;
	std::size_t pos = 0;
	std::size_t line = 1;
	while (pos < text.size()) {
		std::size_t first = pos;
		while (first < text.size() && (text[first] == ' ' || text[first] == '\t' || text[first] == '\r'))
			++first;
		if (first < text.size() && text[first] == '{') {
			JsonDocument doc;
			doc.first_line = line;
			doc.offset = first;
			const std::size_t end = copy_json_object(text, first, line, source, doc.text);
			line += static_cast<std::size_t>(std::count(text.begin() + static_cast<std::ptrdiff_t>(first),
								    text.begin() + static_cast<std::ptrdiff_t>(end), '\n'));
			documents.push_back(std::move(doc));
			pos = end;
			continue;
		}
		const auto newline = text.find('\n', first);
		if (newline == std::string_view::npos)
			break;
		pos = newline + 1;
		++line;
	}
	return documents;
}

FioRun parse_fio_output(std::string_view text, const std::string &source)
{
	if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
		throw InputError(source + ": empty file; expected the output of fio --output-format=json (was the run cut short?)");
	const auto documents = extract_json_documents(text, source);
	if (documents.empty()) {
		if (const auto first = text.find_first_not_of(" \t\r\n"); text[first] == '[')
			throw InputError(source +
					 ": a JSON array, not fio output; expected the output of fio --output-format=json");
		if (looks_binary(text))
			throw InputError(source +
					 ": binary data, not fio JSON output; expected the output of fio --output-format=json");
		throw InputError(source + ": no JSON document found; expected the output of fio --output-format=json (or json+)");
	}
	std::optional<json> last_fio_document;
	for (const auto &doc : documents) {
		auto parsed = parse_document(doc.text, source, doc.first_line);
		if (is_fio_document(parsed))
			last_fio_document = std::move(parsed);
	}
	if (!last_fio_document)
		throw InputError(source + ": valid JSON but not fio output (no \"jobs\" or \"client_stats\" array); "
					  "expected the output of fio --output-format=json");
	FioRun run = read_fio_document(*last_fio_document, source);
	const std::string_view before = text.substr(0, documents.front().offset);
	if (const auto from = before.find_first_not_of(" \t\r\n"); from != std::string_view::npos)
		run.preamble = std::string(before.substr(from, before.find_last_not_of(" \t\r\n") + 1 - from));
	return run;
}

namespace {

// A line a fio server prints for every run because it runs in fio's normal output mode, where a run
// writing JSON prints it nowhere (or, the engine's, on stderr): a job's description and "..." for
// its clones (init.c), "Starting N processes" (backend.c), "Laying out IO file" (filesetup.c), the
// engine's own lines ("e4mext: ..."), blank lines. `line` is without the client's "<host> ".
bool normal_mode_line(const std::string &line)
{
	static const std::regex progress(R"(\s*|\.\.\.|Starting \d+ (threads?|process(es)?)( and \d+ process(es)?)?|)"
					 R"(.+: \(g=\d+\): rw=.*|.+: Laying out IO files? \(.*\)|e4mext: .*)");
	return std::regex_match(line, progress);
}

// What the servers said before the document that a local run would have written there too.
std::string servers_preamble(std::string_view before)
{
	static const std::regex host_prefix(R"(^<[^>]*> ?)");
	std::string kept;
	std::istringstream lines{std::string(before)};
	for (std::string line; std::getline(lines, line);)
		if (!normal_mode_line(std::regex_replace(line, host_prefix, "")))
			kept += line + "\n";
	return kept;
}

} // namespace

std::vector<ClientOutput> split_client_output(std::string_view text, const std::string &source)
{
	std::optional<json> last;
	const auto documents = extract_json_documents(text, source);
	for (const auto &doc : documents)
		if (auto parsed = parse_document(doc.text, source, doc.first_line); is_fio_document(parsed))
			last = std::move(parsed);
	if (!last || !last->contains("client_stats") || !(*last)["client_stats"].is_array())
		throw InputError(source + ": not fio client/server output (no \"client_stats\" array)");
	std::vector<ClientOutput> outputs;
	std::vector<json> entries; // per output, its client_stats
	for (const json &entry : (*last)["client_stats"]) {
		if (!entry.is_object() || entry.value("jobname", "") == "All clients")
			continue;
		const std::string hostname = entry.value("hostname", "");
		const std::int64_t port =
			entry.contains("port") && entry["port"].is_number_integer() ? entry["port"].get<std::int64_t>() : 0;
		const auto it = std::find_if(outputs.begin(), outputs.end(),
					     [&](const ClientOutput &o) { return o.hostname == hostname && o.port == port; });
		const std::size_t at = std::size_t(it - outputs.begin());
		if (it == outputs.end()) {
			outputs.push_back({hostname, port, ""});
			entries.push_back(json::array());
		}
		entries[at].push_back(entry);
	}
	const std::string preamble = servers_preamble(text.substr(0, documents.front().offset));
	for (std::size_t i = 0; i < outputs.size(); ++i) {
		json doc = *last;
		doc["client_stats"] = std::move(entries[i]);
		outputs[i].text = preamble + doc.dump(2) + "\n";
	}
	return outputs;
}

std::string read_file_text(const std::filesystem::path &path)
{
	// A limit far above any fio output, so /dev/zero or a runaway file is an error, not a hang.
	const FileRead r = read_whole_file(path, std::size_t(256) << 20);
	switch (r.failure) {
	case FileRead::Failure::none: break;
	case FileRead::Failure::directory: throw InputError(path.string() + ": is a directory, expected a file");
	case FileRead::Failure::open: throw InputError(path.string() + ": cannot open: " + std::strerror(r.error));
	case FileRead::Failure::read: throw InputError(path.string() + ": cannot read: " + std::strerror(r.error));
	case FileRead::Failure::too_large:
		throw InputError(path.string() + ": larger than 256 MiB, which no fio output is; give fio's JSON output");
	}
	return *r.text;
}

FioRun load_fio_file(const std::filesystem::path &path)
{
	return parse_fio_output(read_file_text(path), path.string());
}

} // namespace e4mext::report
