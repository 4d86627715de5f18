// Plots that draw: a figure of one or more panels of lines from CSV columns, written as a
// gnuplot script (FIGURE.png.gp) and drawn with gnuplot when it is installed. Scripts are
// generated from these checked fields only, never from text a user wrote, so drawing a plot
// can run no command (vmlab.plot is allowed in Lua's sandbox).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace vmlab::emulator::plot {

struct Line {
  std::string csv;    // a file with a header line naming its columns
  std::string x, y;   // columns
  std::string title;  // in the key (default: y)
  double scale = 1;   // y is multiplied by it (1/1024: KiB to MiB)
  double width = 1;   // line width (2: the line the figure is about)
};

struct Panel {
  std::string title, xlabel, ylabel;
  std::vector<Line> lines;
  std::string style = "linespoints";  // linespoints, lines, points
  bool logx = false, logy = false;
  bool stacked = false;  // filled areas, each line on top of the ones before it
  double xscale = 1;     // x is multiplied by it (1/1000: ms to s)
  std::optional<double> xmin, xmax, ymin, ymax;
};

struct Figure {
  std::string output;  // FILE.png or FILE.svg
  std::string title;   // above the panels (a figure of several panels)
  std::vector<Panel> panels;
};

// The styles a panel may use, for messages.
const std::vector<std::string>& styles();
bool is_image_name(const std::string& path);  // ends in .png or .svg

// Throws std::runtime_error when a CSV cannot be read or lacks a column.
std::string gnuplot_script(const Figure& figure);
// The gnuplot executable on PATH, if any.
std::optional<std::string> find_gnuplot();
// Runs gnuplot on a script; false when gnuplot is missing or fails.
bool run_gnuplot(const std::string& script_path);

struct Drawing {
  bool drawn = false;
  std::string script;  // OUTPUT.gp: `gnuplot SCRIPT` draws the figure later
};
// Writes the script next to the output and runs gnuplot. Throws std::runtime_error when the
// script cannot be generated or written.
Drawing draw(const Figure& figure);

// What to say when gnuplot is missing: one line that says how to get the pictures.
std::string missing_gnuplot_message(const Drawing& drawing, const std::string& output);

}  // namespace vmlab::emulator::plot
