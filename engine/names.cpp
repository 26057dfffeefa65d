#include "names.h"

#include <cerrno>
#include <vector>

namespace e4mext {

Result<DonorMode> parse_donor_mode(std::string_view text)
{
	if (text.empty() || text == "unwritten")
		return DonorMode::unwritten;
	if (text == "written")
		return DonorMode::written;
	return Error{EINVAL, "donor_mode=" + std::string(text) + " is not understood: use unwritten or written"};
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

namespace {

std::vector<std::string> split_directories(std::string_view option)
{
	std::vector<std::string> dirs(1);
	for (size_t i = 0; i < option.size(); ++i) {
		if (option[i] == '\\' && i + 1 < option.size() && option[i + 1] == ':') {
			dirs.back() += ':';
			++i;
		} else if (option[i] == ':') {
			dirs.emplace_back();
		} else {
			dirs.back() += option[i];
		}
	}
	std::erase_if(dirs, [](const std::string &d) { return d.empty(); });
	return dirs;
}

} // namespace

std::string directory_of_file(std::string_view directory_option, std::string_view file_name)
{
	const std::vector<std::string> dirs = split_directories(directory_option);
	std::string best;
	for (const std::string &dir : dirs)
		if (file_name.size() > dir.size() && file_name.starts_with(dir) && file_name[dir.size()] == '/' &&
		    dir.size() > best.size())
			best = dir;
	if (best.empty() && !dirs.empty())
		best = dirs.front();
	return best;
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
