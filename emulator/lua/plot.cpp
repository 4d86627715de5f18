#include "emulator/lua/plot.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "emulator/lua/lua_support.h"

extern char** environ;

namespace vmlab::lua {

namespace {

constexpr const char* kWho = "vmlab.plot";
constexpr int kWidth = 800, kHeight = 500;  // pixels (PNG) or points (SVG)
const char* const kStyles[] = {"linespoints", "lines", "points"};

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

}  // namespace

PlotSpec read_plot_spec(lua_State* L, int index) {
  check_fields(L, index, kWho,
               {"csv", "output", "x", "y", "title", "xlabel", "ylabel", "style", "logx", "logy"});
  PlotSpec spec;
  auto required = [&](const char* name) {
    auto v = string_field(L, index, kWho, name);
    if (!v) luaL_error(L, "%s: field '%s' is required", kWho, name);
    return *v;
  };
  spec.csv = required("csv");
  spec.output = required("output");
  spec.x = required("x");
  if (!ends_with(spec.output, ".png") && !ends_with(spec.output, ".svg"))
    luaL_error(L, "%s: output must end in .png or .svg, got '%s'", kWho, spec.output.c_str());
  if (lua_getfield(L, index, "y") == LUA_TSTRING) {
    spec.y.push_back(lua_tostring(L, -1));
  } else if (lua_istable(L, -1)) {
    for (lua_Integer i = 1; i <= luaL_len(L, -1); ++i) {
      if (lua_rawgeti(L, -1, i) != LUA_TSTRING)
        luaL_error(L, "%s: y must list column names, got %s", kWho, luaL_typename(L, -1));
      spec.y.push_back(lua_tostring(L, -1));
      lua_pop(L, 1);
    }
  }
  lua_pop(L, 1);
  if (spec.y.empty()) luaL_error(L, "%s: field 'y' needs a column name or a list of them", kWho);
  spec.title = string_field(L, index, kWho, "title").value_or("");
  spec.xlabel = string_field(L, index, kWho, "xlabel").value_or(spec.x);
  spec.ylabel = string_field(L, index, kWho, "ylabel").value_or("");
  spec.style = string_field(L, index, kWho, "style").value_or(spec.style);
  if (std::find(std::begin(kStyles), std::end(kStyles), spec.style) == std::end(kStyles))
    luaL_error(L, "%s: style must be linespoints, lines or points, got '%s'", kWho,
               spec.style.c_str());
  spec.logx = boolean_field(L, index, kWho, "logx").value_or(false);
  spec.logy = boolean_field(L, index, kWho, "logy").value_or(false);
  return spec;
}

std::string gnuplot_script(const PlotSpec& spec) {
  const std::vector<std::string> columns = csv_header(spec.csv);
  auto column = [&](const std::string& name) {
    auto it = std::find(columns.begin(), columns.end(), name);
    if (it == columns.end())
      throw std::runtime_error("column '" + name + "' is not in " + spec.csv + " (" +
                               join_names(columns) + ")");
    return std::to_string(it - columns.begin() + 1);  // gnuplot counts from 1
  };
  const std::string x = column(spec.x);
  std::ostringstream gp;
  const bool svg = ends_with(spec.output, ".svg");
  gp << "# Written by vmlab.plot; run: gnuplot " << quoted(spec.output + ".gp") << "\n"
     << "set terminal " << (svg ? "svg" : "png") << " size " << kWidth << "," << kHeight << "\n"
     << "set termoption noenhanced\n"  // names like page_toucher are not subscripts
     << "set output " << quoted(spec.output) << "\n"
     << "set datafile separator ','\n"
     << "set title " << quoted(spec.title) << "\n"
     << "set xlabel " << quoted(spec.xlabel) << "\n"
     << "set ylabel " << quoted(spec.ylabel) << "\n"
     << "set grid\nset key outside right\n";
  if (spec.logx) gp << "set logscale x 2\n";
  if (spec.logy) gp << "set logscale y\n";
  gp << "plot ";
  for (size_t i = 0; i < spec.y.size(); ++i) {
    gp << (i ? ", \\\n     " : "") << quoted(spec.csv) << " using " << x << ":" << column(spec.y[i])
       << " skip 1 with " << spec.style << " title " << quoted(spec.y[i]);
  }
  gp << "\n";
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

}  // namespace vmlab::lua
