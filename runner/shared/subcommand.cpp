#include "subcommand.h"

#include "cleanup_registry.h"
#include "runner_errors.h"

#include <algorithm>
#include <iostream>
#include <optional>

namespace e4mext::runner {

namespace {

std::vector<std::string> g_arguments;

// Levenshtein distance: how many letters to insert, delete or change to turn a into b.
size_t edit_distance(const std::string &a, const std::string &b)
{
	std::vector<size_t> row(b.size() + 1);
	for (size_t j = 0; j <= b.size(); ++j)
		row[j] = j;
	for (size_t i = 1; i <= a.size(); ++i) {
		size_t diagonal = row[0];
		row[0] = i;
		for (size_t j = 1; j <= b.size(); ++j) {
			const size_t above = row[j];
			row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
			diagonal = above;
		}
	}
	return row[b.size()];
}

// "unknown command 'tabel' (did you mean 'table'?); the commands are ..." for the first word of
// the command line that stands where a command is expected and names none (a guess only when one
// is a few letters off); nothing when there is no such word, and CLI11's message stands (for a
// mistyped command it says only "A subcommand is required").
std::optional<std::string> unknown_command(const CLI::App &app, const std::string &program, int argc, char **argv)
{
	const CLI::App *at = &app;
	std::string where = program;
	for (int i = 1; i < argc; ++i) {
		const std::string word = argv[i];
		const std::vector<const CLI::App *> commands = at->get_subcommands([](const CLI::App *) { return true; });
		if (word.empty() || word.front() == '-' || commands.empty())
			return std::nullopt;
		const auto named =
			std::find_if(commands.begin(), commands.end(), [&](const CLI::App *c) { return c->get_name() == word; });
		if (named != commands.end()) {
			at = *named;
			where += " " + word;
			continue;
		}
		std::string names, nearest;
		size_t nearest_distance = word.size();
		for (const CLI::App *c : commands) {
			names += (names.empty() ? "" : ", ") + c->get_name();
			const size_t d = edit_distance(word, c->get_name());
			if (d < nearest_distance && d <= std::max<size_t>(2, c->get_name().size() / 3)) {
				nearest_distance = d;
				nearest = c->get_name();
			}
		}
		return "unknown command '" + word + "'" + (where == program ? "" : " for " + where) +
		       (nearest.empty() ? "" : " (did you mean '" + nearest + "'?)") + "; the commands are " + names;
	}
	return std::nullopt;
}

} // namespace

const std::vector<std::string> &program_arguments()
{
	return g_arguments;
}

CLI::Option *add_accelerator_option(CLI::App &app, std::string &accel)
{
	return app.add_option("--accel", accel, "VM accelerator: kvm, tcg, or auto (a short KVM boot decides)")
		->capture_default_str()
		->check(CLI::IsMember({"auto", "kvm", "tcg"}));
}

std::string exit_status_help(const std::string &program)
{
	std::string text = program == "e4mext-vm" ? "exit status: vm run: the command's own (several kernels: the first that "
						    "is not 0); else"
						  : "exit status:";
	bool first = true;
	for (const ExitStatusEntry &e : kExitStatuses) {
		if ((program == "e4mext-report" && !e.report) || (program == "e4mext-vm" && !e.vm))
			continue;
		text += (first ? " " : ", ") + std::string(e.status) + " " + e.meaning;
		first = false;
	}
	text += program == "e4mext-vm" ? "." : " (man " + program + ": EXIT STATUS).";
	// Lines of at most 100 columns, broken at spaces, as the rest of the help.
	for (size_t line_start = 0, space = 0; text.size() - line_start > 100; line_start = space + 1) {
		space = text.rfind(' ', line_start + 100);
		if (space == std::string::npos || space < line_start)
			break;
		text[space] = '\n';
	}
	return text;
}

int run_subcommands(CLI::App &app, const std::vector<Subcommand> &commands, const std::string &program, int argc, char **argv)
{
	g_arguments.assign(argv + 1, argv + argc);
	try {
		app.parse(argc, argv);
	} catch (const CLI::CallForHelp &e) {
		return app.exit(e);
	} catch (const CLI::CallForAllHelp &e) {
		return app.exit(e);
	} catch (const CLI::CallForVersion &e) {
		return app.exit(e);
	} catch (const CLI::ParseError &e) {
		const std::optional<std::string> unknown = unknown_command(app, program, argc, argv);
		std::cerr << program << ": " << (unknown ? *unknown : e.what()) << " (see " << program << " --help)\n";
		return kExitBadUsage;
	}
	try {
		for (const Subcommand &c : commands)
			if (c.app->parsed())
				return c.run();
		std::cerr << program << ": no command given (see " << program << " --help)\n";
		return kExitBadUsage;
	} catch (const Interrupted &e) {
		std::cerr << program << ": interrupted\n";
		return 128 + e.signal;
	} catch (const UsageError &e) {
		std::cerr << program << ": " << e.what() << "\n";
		return kExitBadUsage;
	} catch (const std::exception &e) { // RunFailed and its kinds, and whatever else went wrong
		std::cerr << program << ": " << e.what() << "\n";
		return kExitRunFailed;
	}
}

} // namespace e4mext::runner
