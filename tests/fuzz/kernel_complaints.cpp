#include "kernel_complaints.h"

#include "kernel_log.h"

namespace e4mext::jobfuzz {

namespace {

bool is_complaint(std::string_view message)
{
	for (const char *mark : {"WARNING:", "BUG:", "Oops"})
		if (message.find(mark) != std::string_view::npos)
			return true;
	return false;
}

} // namespace

KernelLog::KernelLog() : why_unreadable_(runner::kernel_log_unreadable())
{
	skip_to_end();
}

void KernelLog::skip_to_end()
{
	if (readable())
		seen_ = runner::kernel_log_sequence();
}

std::vector<std::string> KernelLog::new_complaints()
{
	std::vector<std::string> out;
	if (!readable())
		return out;
	for (runner::KernelLogRecord &r : runner::kernel_log_records(seen_)) {
		seen_ = r.sequence;
		if (is_complaint(r.text))
			out.push_back(std::move(r.text));
	}
	return out;
}

std::string kernel_complaint(std::string_view record)
{
	const auto r = runner::parse_kernel_log_record(record);
	return r && is_complaint(r->text) ? r->text : "";
}

} // namespace e4mext::jobfuzz
