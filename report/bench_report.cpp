// Benchmark (not a test): parse + table over N fio result files (default 1,000), written to a
// temporary directory from a template fio JSON file with varied figures and block sizes.
// usage: bench-report [TEMPLATE.json] [N]
#include "fio_parse.hpp"
#include "input_error.hpp"
#include "render.hpp"
#include "result_set.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

namespace fs = std::filesystem;

int main(int argc, char **argv)
{
	try {
		const fs::path template_path = argc > 1 ? argv[1] : E4MEXT_BENCH_TEMPLATE;
		const int files = argc > 2 ? std::atoi(argv[2]) : 1000;
		if (files <= 0) {
			std::cerr << "bench-report: N must be a positive number\n";
			return 2;
		}
		auto doc = nlohmann::json::parse(e4mext::report::read_file_text(template_path));
		std::string pattern = (fs::temp_directory_path() / "e4mext-bench-XXXXXX").string();
		if (::mkdtemp(pattern.data()) == nullptr) {
			std::cerr << "bench-report: cannot create a temporary directory\n";
			return 2;
		}
		const fs::path dir = pattern;
		const char *sizes[] = {"4k", "32k", "128k"};
		std::uintmax_t bytes = 0;
		for (int i = 0; i < files; ++i) {
			auto &job = doc["jobs"][0];
			job["job options"]["bs"] = sizes[i % 3];
			job["job options"]["overwrite"] = (i / 3) % 2 ? "1" : "0";
			job["write"]["total_ios"] = 100000 + i * 37;
			job["write"]["io_bytes"] = (100000 + i * 37) * 4096ULL;
			job["write"]["runtime"] = 30000 + i % 11;
			const auto path = dir / ("run-" + std::to_string(i) + ".json");
			std::ofstream(path) << "fio: informational line before the document\n" << doc.dump(2) << "\n";
			bytes += fs::file_size(path);
		}
		const auto start = std::chrono::steady_clock::now();
		const auto set = e4mext::report::load_result_set({dir.string()}, "bench");
		const auto table = e4mext::report::render_table(set, e4mext::report::OutputFormat::text);
		const auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
		fs::remove_all(dir);
		std::cout << table;
		std::cout << "bench-report: parsed " << set.files.size() << " files (" << bytes / 1024 << " KiB) and rendered "
			  << set.cases().size() << " cases in " << elapsed * 1000.0 << " ms (target < 1000 ms)\n";
		return elapsed < 1.0 ? 0 : 1;
	} catch (const std::exception &e) {
		std::cerr << "bench-report: " << e.what() << "\n";
		return 2;
	}
}
