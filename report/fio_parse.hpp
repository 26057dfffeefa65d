// Parsing fio's --output-format=json / json+ output, as fio 3.33..3.42 write it: informational
// lines before the document, several documents (--status-interval; the last one is the final
// result), nan/inf printed by %f, "global options" as an object or (3.39+, several clients) an
// array, client/server output under "client_stats". Anything else is an InputError naming the file.
#pragma once

#include "fio_result.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace e4mext::report {

struct JsonDocument {
	std::string text;
	std::size_t first_line = 1; // where it starts in the file, for messages
	std::size_t offset = 0;     // the byte where it starts
};

// The JSON documents (top-level objects starting on their own line) in text, with bare nan/inf
// tokens turned into null so that a JSON parser accepts them. Throws InputError.
std::vector<JsonDocument> extract_json_documents(std::string_view text, const std::string &source);

// Parses the text of one fio output file; source names it in messages. Text before the first
// document is kept in FioRun::preamble, for the caller to judge. Throws InputError.
FioRun parse_fio_output(std::string_view text, const std::string &source);

// Reads and parses one file. Throws InputError (unreadable, empty, malformed, not fio's).
FioRun load_fio_file(const std::filesystem::path &path);

// One fio server's part of a client/server run with several --client (fio writes them all into
// one document): the same document with only that server's "client_stats" entries.
struct ClientOutput {
	std::string hostname; // as fio names it: the --client's host
	std::int64_t port = 0;
	std::string text; // a JSON document parse_fio_output reads as that server's run
};

// The fio output `text` cut per server (fio's "All clients" sum left out, as it is no server's).
// What the servers said before the document, less what a server in fio's normal output mode says
// of every run (its job lines, "Starting", "Laying out", the engine's lines), stands in front of
// every server's document (the client prefixes a line with its server's hostname, which servers
// may share), so that parse_fio_output gives it to each as FioRun::preamble, as it does for a
// local run. Throws InputError when it is not client/server output.
std::vector<ClientOutput> split_client_output(std::string_view text, const std::string &source);

// Reads a whole file (common/whole_file.h, at most 256 MiB); throws InputError with the system's
// reason when it cannot.
std::string read_file_text(const std::filesystem::path &path);

} // namespace e4mext::report
