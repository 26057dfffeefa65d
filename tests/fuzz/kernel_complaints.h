// The kernel's complaints during a case: new /dev/kmsg records with "WARNING:", "BUG:" or "Oops",
// read through runner/shared/kernel_log.h. The log is the whole machine's, so a complaint caused
// by someone else's work lands here too; the failure quotes the line so that a person can tell.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace e4mext::jobfuzz {

// The message of one /dev/kmsg record ("prio,seq,usec,flags;message\n continuation...") when it
// is a complaint ("WARNING:", "BUG:", "Oops"); "" when it is not.
std::string kernel_complaint(std::string_view record);

class KernelLog {
public:
	KernelLog(); // when /dev/kmsg cannot be read, why_unreadable() says why
	bool readable() const { return why_unreadable_.empty(); }
	const std::string &why_unreadable() const { return why_unreadable_; }

	void skip_to_end();                        // forget what is there now
	std::vector<std::string> new_complaints(); // complaints since skip_to_end() or the last call

private:
	std::string why_unreadable_;
	uint64_t seen_ = 0; // the sequence number of the last record looked at
};

} // namespace e4mext::jobfuzz
