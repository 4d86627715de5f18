// vmlab.plot: a gnuplot script from a checked description of a line plot of CSV columns.
#pragma once

#include <lua.hpp>

#include <optional>
#include <string>
#include <vector>

namespace vmlab::lua {

struct PlotSpec {
  std::string csv;             // data, with a header line naming the columns
  std::string output;          // FILE.png or FILE.svg; the script is FILE.png.gp
  std::string x;               // column of the x axis
  std::vector<std::string> y;  // one line per column
  std::string title, xlabel, ylabel;
  std::string style = "linespoints";
  bool logx = false, logy = false;
};

// Reads vmlab.plot's table argument (raises on unknown fields and wrong types).
PlotSpec read_plot_spec(lua_State* L, int index);
// Throws std::runtime_error when the CSV cannot be read or lacks a column.
std::string gnuplot_script(const PlotSpec& spec);
// The gnuplot executable on PATH, if any.
std::optional<std::string> find_gnuplot();
// Runs gnuplot on the script; false when gnuplot is missing or fails.
bool run_gnuplot(const std::string& script_path);

}  // namespace vmlab::lua
