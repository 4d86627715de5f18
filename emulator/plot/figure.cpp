#include "emulator/plot/figure.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace vmlab::emulator::plot {

namespace {

constexpr int kWidth = 800, kHeight = 500;              // one panel: pixels (PNG) or points (SVG)
constexpr int kFigureWidth = 1400, kPanelHeight = 300;  // a figure of several panels
// The panels of a figure share their left and right edges (the keys go right of them), so
// their time axes line up.
constexpr const char* kPanelMargins = "set lmargin at screen 0.07\nset rmargin at screen 0.64\n";

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// A gnuplot single-quoted string: no escapes inside except '' for a quote. Backquotes (command
// substitution) and control characters are dropped, so text can never become a command.
std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'')
      out += "''";
    else if (c != '`' && static_cast<unsigned char>(c) >= ' ')
      out += c;
  }
  return out + "'";
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names)
    out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::vector<std::string> csv_header(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) throw std::runtime_error("cannot read '" + path + "'");
  std::vector<std::string> columns;
  std::stringstream items(line);
  for (std::string item; std::getline(items, item, ',');)
    columns.push_back(item);
  return columns;
}

// gnuplot's number of `name` in `csv` (from 1).
int column(const std::string& csv, const std::string& name) {
  const std::vector<std::string> columns = csv_header(csv);
  auto it = std::find(columns.begin(), columns.end(), name);
  if (it == columns.end())
    throw std::runtime_error("column '" + name + "' is not in " + csv + " (" + join(columns) + ")");
  return static_cast<int>(it - columns.begin()) + 1;
}

std::string scaled(int column, double scale) {
  if (scale == 1) return std::to_string(column);
  std::ostringstream out;
  out << "($" << column << "*" << scale << ")";
  return out.str();
}

// "set yrange [0:*]": a bound of the axis, or gnuplot's choice.
std::string range(const char* axis, const std::optional<double>& lo,
                  const std::optional<double>& hi) {
  std::ostringstream out;
  out << "set " << axis << "range [";
  if (lo) out << *lo;
  out << (lo ? "" : "*") << ":";
  if (hi) out << *hi;
  out << (hi ? "" : "*") << "]\n";
  return out.str();
}

std::string width(const Line& line) {
  if (line.width == 1) return "";
  std::ostringstream out;
  out << " lw " << line.width;
  return out.str();
}

void panel_settings(std::ostringstream& gp, const Panel& panel) {
  gp << "set title " << quoted(panel.title) << "\n"
     << "set xlabel " << quoted(panel.xlabel) << "\n"
     << "set ylabel " << quoted(panel.ylabel) << "\n";
  gp << (panel.logx ? "set logscale x 2\n" : "unset logscale x\n");
  gp << (panel.logy ? "set logscale y\n" : "unset logscale y\n");
  gp << range("x", panel.xmin, panel.xmax) << range("y", panel.ymin, panel.ymax);
}

void panel_plot(std::ostringstream& gp, const Panel& panel) {
  gp << "plot ";
  if (!panel.stacked) {
    for (size_t i = 0; i < panel.lines.size(); ++i) {
      const Line& l = panel.lines[i];
      gp << (i ? ", \\\n     " : "") << quoted(l.csv) << " using "
         << scaled(column(l.csv, l.x), panel.xscale) << ":" << scaled(column(l.csv, l.y), l.scale)
         << " skip 1 with " << panel.style << width(l) << " title "
         << quoted(l.title.empty() ? l.y : l.title);
    }
    gp << "\n";
    return;
  }
  // Areas: the last line's area is the sum of all, drawn first; each earlier one on top of it.
  for (size_t i = panel.lines.size(); i-- > 0;) {
    const Line& l = panel.lines[i];
    std::string sum;
    for (size_t j = 0; j <= i; ++j) {
      const Line& part = panel.lines[j];
      sum += (j ? "+" : "") + std::string("$") + std::to_string(column(part.csv, part.y));
    }
    gp << (i + 1 < panel.lines.size() ? ", \\\n     " : "") << quoted(l.csv) << " using "
       << scaled(column(l.csv, l.x), panel.xscale) << ":((" << sum << ")*" << l.scale
       << ") skip 1 with filledcurves x1 title " << quoted(l.title.empty() ? l.y : l.title);
  }
  gp << "\n";
}

}  // namespace

const std::vector<std::string>& styles() {
  static const std::vector<std::string> names = {"linespoints", "lines", "points"};
  return names;
}

bool is_image_name(const std::string& path) {
  return ends_with(path, ".png") || ends_with(path, ".svg");
}

std::string gnuplot_script(const Figure& figure) {
  const bool svg = ends_with(figure.output, ".svg");
  const bool single = figure.panels.size() == 1;
  const int width = single ? kWidth : kFigureWidth;
  const int height = single ? kHeight : kPanelHeight * static_cast<int>(figure.panels.size());
  std::ostringstream gp;
  gp << "# Written by vmlab; run: gnuplot " << quoted(figure.output + ".gp") << "\n"
     << "set terminal " << (svg ? "svg" : "png") << " size " << width << "," << height << "\n"
     << "set termoption noenhanced\n"  // names like page_toucher are not subscripts
     << "set output " << quoted(figure.output) << "\n"
     << "set datafile separator ','\n";
  if (single) {
    const Panel& panel = figure.panels.front();
    gp << "set title " << quoted(panel.title.empty() ? figure.title : panel.title) << "\n"
       << "set xlabel " << quoted(panel.xlabel) << "\n"
       << "set ylabel " << quoted(panel.ylabel) << "\n"
       << "set grid\nset key outside right\n";
    if (panel.logx) gp << "set logscale x 2\n";
    if (panel.logy) gp << "set logscale y\n";
    if (panel.xmin || panel.xmax) gp << range("x", panel.xmin, panel.xmax);
    if (panel.ymin || panel.ymax) gp << range("y", panel.ymin, panel.ymax);
    if (panel.stacked) gp << "set style fill solid 0.8 noborder\n";
    panel_plot(gp, panel);
    return gp.str();
  }
  // Keys read left to right (sample, then text) in the right margin, clear of the plots.
  gp << "set grid\nset key outside right top Left reverse\nset style fill solid 0.8 noborder\n"
     << kPanelMargins << "set multiplot layout " << figure.panels.size() << ",1 title "
     << quoted(figure.title) << "\n";
  for (const Panel& panel : figure.panels) {
    panel_settings(gp, panel);
    panel_plot(gp, panel);
  }
  gp << "unset multiplot\n";
  return gp.str();
}

std::optional<std::string> find_gnuplot() {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const std::string candidate = (dir.empty() ? "." : dir) + "/gnuplot";
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

bool run_gnuplot(const std::string& script_path) {
  const auto gnuplot = find_gnuplot();
  if (!gnuplot) return false;
  std::string program = *gnuplot, script = script_path;
  char* argv[] = {program.data(), script.data(), nullptr};
  pid_t pid = 0;
  if (posix_spawn(&pid, program.c_str(), nullptr, nullptr, argv, environ) != 0) return false;
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return false;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

Drawing draw(const Figure& figure) {
  Drawing drawing;
  const std::string script = gnuplot_script(figure);
  drawing.script = figure.output + ".gp";
  std::ofstream file(drawing.script, std::ios::trunc);
  file << script;
  if (!file.flush()) throw std::runtime_error("cannot write '" + drawing.script + "'");
  file.close();
  drawing.drawn = run_gnuplot(drawing.script);
  return drawing;
}

std::string missing_gnuplot_message(const Drawing& drawing, const std::string& output) {
  if (find_gnuplot())
    return "gnuplot failed to draw " + output + " (its script is " + drawing.script + ")";
  return "gnuplot is not installed: 'sudo apt-get install gnuplot-nox' (or ./scripts/setup.sh), "
         "then 'gnuplot " +
         drawing.script + "' draws " + output;
}

}  // namespace vmlab::emulator::plot
