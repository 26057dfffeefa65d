// The kernel's complaints during a case: new /dev/kmsg records with "WARNING:", "BUG:" or "Oops".
// The log is the whole machine's, so a complaint caused by someone else's work lands here too;
// the failure quotes the line so that a person can tell.
#pragma once

#include "unique_fd.h"

#include <string>
#include <string_view>
#include <vector>

namespace e4mext::jobfuzz {

// The message of one /dev/kmsg record ("prio,seq,usec,flags;message\n continuation...") when it
// is a complaint ("WARNING:", "BUG:", "Oops"); "" when it is not.
std::string kernel_complaint(std::string_view record);

class KernelLog {
public:
	KernelLog(); // opens /dev/kmsg; when it cannot, why_unreadable() says why
	bool readable() const { return fd_.valid(); }
	const std::string &why_unreadable() const { return why_unreadable_; }

	void skip_to_end();                        // forget what is there now
	std::vector<std::string> new_complaints(); // complaints since skip_to_end() or the last call

private:
	e4mext::UniqueFd fd_;
	std::string why_unreadable_;
};

} // namespace e4mext::jobfuzz
