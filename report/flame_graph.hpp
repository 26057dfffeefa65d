// A flame graph of folded stacks as one static SVG: the root ("all") at the bottom, each frame
// as wide as its share of the samples, callers below callees, kernel frames orange and user
// frames red; every frame has a <title> (the tooltip in a browser). No script, no external
// resources: it opens in a browser, an image viewer or a mail client alike.
#pragma once

#include "profile.hpp"

#include <string>

namespace e4mext::report {

// `unit`: what a stack's count is ("samples"; off-CPU profiles: "us off-CPU").
std::string render_flame_graph(const FoldedProfile &profile, const std::string &title, const std::string &unit = "samples");

} // namespace e4mext::report
