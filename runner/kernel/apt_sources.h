// The machine's own apt sources, read (never written) so the runner can reach the same Debian
// mirror, with the same keyring, from a private apt state of its own: deb822 files
// (sources.list.d/*.sources) and one-line files (sources.list, sources.list.d/*.list).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace e4mext::runner {

struct AptSource {
	std::vector<std::string> types; // deb, deb-src
	std::vector<std::string> uris;
	std::vector<std::string> suites;
	std::vector<std::string> components;
	std::string signed_by; // a keyring path, an ASCII-armoured key block, or "" (apt's trusted keys)
	bool enabled = true;   // deb822 "Enabled: no"
	std::string origin;    // "file:line", for messages
};

// Parses one deb822 .sources file / one one-line .list file; `file` names it in origins.
std::vector<AptSource> parse_deb822_sources(const std::string &text, const std::string &file);
std::vector<AptSource> parse_one_line_sources(const std::string &text, const std::string &file);

// Everything apt itself would read under etc_apt: sources.list and sources.list.d/ files whose
// names end in .list or .sources (other names, e.g. *.disabled, are ignored as apt ignores them).
std::vector<AptSource> read_machine_sources(const std::string &etc_apt = "/etc/apt");

// The mirror of Debian's main archive: an enabled "deb" source with component main and a Debian
// release suite (bookworm, bookworm-updates, sid, ... - not *-security, which is another archive).
struct DebianMirror {
	std::string uri;       // e.g. http://mirror.example.org/debian (whatever the machine uses)
	std::string signed_by; // as in AptSource
	std::string origin;
};
std::optional<DebianMirror> find_debian_mirror(const std::vector<AptSource> &sources);

} // namespace e4mext::runner
