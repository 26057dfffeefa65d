// libFuzzer target for the fio JSON parser and the classification behind it: any input must
// either parse or raise InputError, never crash, hang or leak.
#include "classify.hpp"
#include "engine_stats.hpp"
#include "fio_parse.hpp"
#include "input_error.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
	const std::string_view text(reinterpret_cast<const char *>(data), size);
	try {
		const auto run = e4mext::report::parse_fio_output(text, "fuzz-input");
		for (const auto &job : run.jobs)
			(void)e4mext::report::classify(job, run.source);
	} catch (const e4mext::report::InputError &) {
	}
	try {
		(void)e4mext::report::parse_engine_stats(text, "fuzz-input");
	} catch (const e4mext::report::InputError &) {
	}
	return 0;
}
