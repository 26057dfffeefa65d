#include "names.h"

namespace e4mext {

std::optional<DonorMode> parse_donor_mode(std::string_view text)
{
	if (text.empty() || text == "unwritten")
		return DonorMode::unwritten;
	if (text == "written")
		return DonorMode::written;
	return std::nullopt;
}

const char *donor_mode_name(DonorMode mode)
{
	return mode == DonorMode::written ? "written" : "unwritten";
}

std::string expand_name(std::string_view pattern, const NameContext &ctx)
{
	const std::string_view basename = std::string_view(ctx.filename).substr(ctx.filename.rfind('/') + 1);
	const struct {
		std::string_view key;
		std::string value;
	} keys[] = {{"$jobnum", std::to_string(ctx.jobnum)}, {"$jobname", ctx.jobname}, {"$filename", std::string(basename)}};

	std::string out;
	for (size_t i = 0; i < pattern.size();) {
		bool replaced = false;
		for (const auto &k : keys) {
			if (pattern.substr(i, k.key.size()) == k.key) {
				out += k.value;
				i += k.key.size();
				replaced = true;
				break;
			}
		}
		if (!replaced)
			out += pattern[i++];
	}
	return out;
}

std::string donor_path(std::string_view donorname, const NameContext &ctx)
{
	if (donorname.empty()) {
		std::string name = ctx.filename;
		name.append(kDefaultDonorInfix).append(std::to_string(ctx.thread_number));
		return name;
	}
	std::string name = expand_name(donorname, ctx);
	if (name.front() != '/' && !ctx.directory.empty())
		name = ctx.directory + "/" + name;
	return name;
}

} // namespace e4mext
