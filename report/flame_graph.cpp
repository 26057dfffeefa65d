#include "flame_graph.hpp"

#include "html_report.hpp" // html_escaped: SVG text and titles need the same five escapes
#include "number_text.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <sstream>

namespace e4mext::report {

namespace {

constexpr double kWidth = 1200;     // of the graph, pixels
constexpr double kMargin = 10;      // left and right
constexpr double kFrameHeight = 16; // one stack level
constexpr double kTop = 40;         // the title's room
constexpr double kBottom = 24;      // the legend's room
constexpr double kCharWidth = 6.6;  // of an 11px sans-serif label, roughly
constexpr double kMinWidth = 0.3;   // narrower frames are left out (invisible anyway)

struct Node {
	std::string frame;
	std::uint64_t samples = 0;
	std::map<std::string, std::unique_ptr<Node>> children; // alphabetical, as flame graphs sort

	Node &child(const std::string &name)
	{
		auto &slot = children[name];
		if (!slot) {
			slot = std::make_unique<Node>();
			slot->frame = name;
		}
		return *slot;
	}
};

std::size_t depth_of(const Node &node)
{
	std::size_t deepest = 0;
	for (const auto &[name, child] : node.children)
		deepest = std::max(deepest, depth_of(*child));
	return deepest + 1;
}

// A stable colour per function: kernel frames in oranges, user frames in reds, the comm (the
// first level) in yellows, the hue varied a little by the name so neighbours differ.
std::string colour_of(const std::string &frame, std::size_t level)
{
	unsigned hash = 2166136261u;
	for (const char ch : frame)
		hash = (hash ^ unsigned(static_cast<unsigned char>(ch))) * 16777619u;
	const unsigned vary = hash % 50;
	unsigned r = 205 + vary % 50, g, b = vary % 30;
	if (level == 1)
		g = 190 + vary % 40;
	else if (is_kernel_frame(frame))
		g = 120 + vary;
	else
		g = 50 + vary;
	char text[16];
	std::snprintf(text, sizeof text, "#%02x%02x%02x", r, g, b);
	return text;
}

// An SVG coordinate or length: one decimal.
std::string number(double value)
{
	return format_fixed(value, 1);
}

class SvgWriter {
public:
	SvgWriter(std::uint64_t total, double bottom, const std::string &unit, std::ostringstream &out)
		: total_(total), bottom_(bottom), unit_(unit), out_(out)
	{
	}

	void frames(const Node &node, double x, std::size_t level)
	{
		const double width = (kWidth - 2 * kMargin) * double(node.samples) / double(total_);
		if (width < kMinWidth)
			return;
		const double y = bottom_ - double(level + 1) * kFrameHeight;
		const std::string name = function_of(node.frame);
		const std::string share = format_fixed(100.0 * double(node.samples) / double(total_), 2);
		out_ << "<g><title>" << html_escaped(name) << (is_kernel_frame(node.frame) ? " [kernel]" : "") << " ("
		     << node.samples << " " << unit_ << ", " << share << "%)</title><rect x=\"" << number(x) << "\" y=\""
		     << number(y) << "\" width=\"" << number(width) << "\" height=\"" << number(kFrameHeight - 1) << "\" fill=\""
		     << (level == 0 ? std::string("#e0e0e0") : colour_of(node.frame, level)) << "\" rx=\"2\"/>";
		const std::size_t fits = std::size_t((width - 6) / kCharWidth);
		if (fits >= 3) {
			const std::string label = name.size() <= fits ? name : name.substr(0, fits - 2) + "..";
			out_ << "<text x=\"" << number(x + 3) << "\" y=\"" << number(y + kFrameHeight - 4.5) << "\">"
			     << html_escaped(label) << "</text>";
		}
		out_ << "</g>\n";
		double child_x = x;
		for (const auto &[key, child] : node.children) {
			frames(*child, child_x, level + 1);
			child_x += (kWidth - 2 * kMargin) * double(child->samples) / double(total_);
		}
	}

private:
	std::uint64_t total_;
	double bottom_;
	std::string unit_;
	std::ostringstream &out_;
};

} // namespace

std::string render_flame_graph(const FoldedProfile &profile, const std::string &title, const std::string &unit)
{
	Node root;
	root.frame = "all";
	for (const auto &[stack, count] : profile.stacks) {
		Node *node = &root;
		node->samples += count;
		for (const std::string &frame : split_stack(stack)) {
			node = &node->child(frame);
			node->samples += count;
		}
	}
	const std::size_t levels = root.samples ? depth_of(root) : 1;
	const double height = kTop + double(levels) * kFrameHeight + kBottom;
	std::ostringstream out;
	out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << kWidth << "\" height=\"" << number(height)
	    << "\" viewBox=\"0 0 " << kWidth << " " << number(height)
	    << "\" font-family=\"Verdana, DejaVu Sans, sans-serif\" font-size=\"11\">\n"
	    << "<rect width=\"100%\" height=\"100%\" fill=\"#fdfdf5\"/>\n"
	    << "<text x=\"" << kWidth / 2 << "\" y=\"20\" text-anchor=\"middle\" font-size=\"15\">" << html_escaped(title)
	    << "</text>\n"
	    << "<text x=\"" << kMargin << "\" y=\"" << number(height - 7) << "\" fill=\"#555\">" << root.samples << " " << unit
	    << "; width: share of " << unit
	    << "; bottom: callers, top: callees; orange: kernel, red: user space, yellow: process (hover for figures)</text>\n";
	if (root.samples > 0) {
		SvgWriter writer(root.samples, height - kBottom, unit, out);
		writer.frames(root, kMargin, 0);
	} else {
		out << "<text x=\"" << kWidth / 2 << "\" y=\"" << number(kTop + 12)
		    << "\" text-anchor=\"middle\">no samples were recorded</text>\n";
	}
	out << "</svg>\n";
	return out.str();
}

} // namespace e4mext::report
