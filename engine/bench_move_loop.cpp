// bench-move-loop: the same EXT4_IOC_MOVE_EXT calls fio + libe4mext issues for rw=write, in a bare
// loop with no fio around them - the floor the engine's overhead is measured against.
//
// usage: bench-move-loop FILE BS_BYTES
//   Prepares a private unwritten donor next to FILE (as the engine does), then moves FILE's blocks
//   into it BS_BYTES at a time from offset 0 to the end, and prints one line:
//   "ops=N bytes=N usec=N iops=N.N bw_bytes=N"
#include "defrag_file.h"
#include "engine_error.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

namespace {

using namespace e4mext;

// Moves the whole file bs bytes at a time and prints the line; what fails is an Error.
Status run(const std::string &path, uint64_t bs)
{
	DefragConfig config;
	config.donor.path = path + ".bench-donor";
	config.donor.default_name = false;
	struct stat st;
	if (::stat(path.c_str(), &st) != 0)
		return errno_error(errno, "stat " + path);
	const uint64_t size = static_cast<uint64_t>(st.st_size);
	if (bs == 0 || size % bs != 0)
		return Error{EINVAL, "BS_BYTES must divide the file size " + std::to_string(size)};
	{
		// The donor is created here, so it is removed when `file` goes away.
		UniqueFd probe(::open(config.donor.path.c_str(), O_RDONLY | O_CLOEXEC));
		if (probe.valid())
			return Error{EEXIST, config.donor.path + " exists: remove it first"};
	}
	Result<std::unique_ptr<DefragFile>> opened = DefragFile::open(path, config);
	if (!opened)
		return opened.error();
	DefragFile &file = **opened;
	if (Status prepared = file.prepare(0, size); !prepared)
		return prepared;
	UniqueFd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
	if (!fd.valid())
		return errno_error(errno, "open " + path);

	uint64_t ops = 0, bytes = 0;
	const auto start = std::chrono::steady_clock::now();
	for (uint64_t offset = 0; offset < size; offset += bs) {
		const MoveOutcome outcome = file.move(fd.get(), offset, bs);
		if (outcome.error != 0)
			return errno_error(outcome.error, "move at offset " + std::to_string(offset));
		++ops;
		bytes += outcome.bytes_moved;
	}
	const auto usec = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count();
	file.finish({});
	std::printf("ops=%llu bytes=%llu usec=%lld iops=%.1f bw_bytes=%.0f\n", static_cast<unsigned long long>(ops),
		    static_cast<unsigned long long>(bytes), static_cast<long long>(usec), ops * 1e6 / static_cast<double>(usec),
		    bytes * 1e6 / static_cast<double>(usec));
	return {};
}

} // namespace

int main(int argc, char **argv)
{
	if (argc != 3) {
		std::fprintf(stderr, "usage: %s FILE BS_BYTES\n", argv[0]);
		return 2;
	}
	if (const Status done = run(argv[1], std::strtoull(argv[2], nullptr, 0)); !done) {
		std::fprintf(stderr, "bench-move-loop: %s\n", done.error().message.c_str());
		return 1;
	}
	return 0;
}
