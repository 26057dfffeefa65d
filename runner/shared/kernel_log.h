// The kernel log as /dev/kmsg gives it, read one way for e4mext (stress's checks, the job fuzzer):
// records "prio,seq,usec,flags;text\n dictionary..." with a sequence number, so that a check sees
// only what appeared since a point, never older lines. The regression suite writes its case marker
// there (regression/guest.cpp); reading is here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace e4mext::runner {

struct KernelLogRecord {
	uint64_t sequence = 0;
	std::string text; // the message's first line (continuation lines are the record's dictionary)
};

// One record as read(2) of /dev/kmsg returns it; nothing when it is not one.
std::optional<KernelLogRecord> parse_kernel_log_record(std::string_view record);

// Why /dev/kmsg cannot be read ("cannot open /dev/kmsg: Permission denied"); "" when it can.
std::string kernel_log_unreadable();

// Every record still in the buffer that is newer than `sequence` (nothing when unreadable).
std::vector<KernelLogRecord> kernel_log_records(uint64_t sequence = 0);

// The sequence number of the newest record (0 when /dev/kmsg cannot be read).
uint64_t kernel_log_sequence();

// The text of every record newer than `sequence`.
std::vector<std::string> kernel_log_since(uint64_t sequence);

} // namespace e4mext::runner
