#include "emulator/lua/plot.h"

#include <algorithm>

#include "emulator/lua/lua_support.h"

namespace vmlab::lua {

namespace {

using emulator::plot::Figure;
using emulator::plot::Line;
using emulator::plot::Panel;

constexpr const char* kWho = "vmlab.plot";

// Where a panel's lines take their file and x column when they do not name them.
struct Defaults {
  std::string csv, x;
};

std::string text_or(lua_State* L, int index, const char* name, const std::string& fallback) {
  return string_field(L, index, kWho, name).value_or(fallback);
}

std::string required_text(lua_State* L, int index, const char* name, const std::string& fallback) {
  std::string value = text_or(L, index, name, fallback);
  if (value.empty()) luaL_error(L, "%s: field '%s' is required", kWho, name);
  return value;
}

// `y`: a column name or a list of them, each a line.
void read_y(lua_State* L, int index, const Defaults& d, std::vector<Line>& lines) {
  if (lua_getfield(L, index, "y") == LUA_TSTRING) {
    lines.push_back(Line{d.csv, d.x, lua_tostring(L, -1), "", 1});
  } else if (lua_istable(L, -1)) {
    for (lua_Integer i = 1; i <= luaL_len(L, -1); ++i) {
      if (lua_rawgeti(L, -1, i) != LUA_TSTRING)
        luaL_error(L, "%s: y must list column names, got %s", kWho, luaL_typename(L, -1));
      lines.push_back(Line{d.csv, d.x, lua_tostring(L, -1), "", 1});
      lua_pop(L, 1);
    }
  } else if (!lua_isnil(L, -1)) {
    luaL_error(L, "%s: field 'y' must be a column name or a list of them, got %s", kWho,
               luaL_typename(L, -1));
  }
  lua_pop(L, 1);
}

// `lines`: {{csv =, x =, y =, title =, scale =}, ...}, each from its own file if it says so.
void read_lines(lua_State* L, int index, const Defaults& d, std::vector<Line>& lines) {
  if (lua_getfield(L, index, "lines") == LUA_TNIL) {
    lua_pop(L, 1);
    return;
  }
  if (!lua_istable(L, -1))
    luaL_error(L, "%s: field 'lines' must be a list of tables, got %s", kWho, luaL_typename(L, -1));
  const int list = lua_gettop(L);
  for (lua_Integer i = 1; i <= luaL_len(L, list); ++i) {
    if (lua_rawgeti(L, list, i) != LUA_TTABLE)
      luaL_error(L, "%s: lines must be tables, got %s", kWho, luaL_typename(L, -1));
    const int line = lua_gettop(L);
    check_fields(L, line, kWho, {"csv", "x", "y", "title", "scale", "width"});
    Line l;
    l.csv = required_text(L, line, "csv", d.csv);
    l.x = required_text(L, line, "x", d.x);
    l.y = required_text(L, line, "y", "");
    l.title = text_or(L, line, "title", "");
    l.scale = number_field(L, line, kWho, "scale").value_or(1);
    l.width = number_field(L, line, kWho, "width").value_or(1);
    lines.push_back(l);
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
}

// The fields every panel has (the table's own for a single panel, each of `panels`).
Panel read_panel(lua_State* L, int index, const Defaults& outer) {
  Panel p;
  Defaults d{text_or(L, index, "csv", outer.csv), text_or(L, index, "x", outer.x)};
  read_y(L, index, d, p.lines);
  read_lines(L, index, d, p.lines);
  if (p.lines.empty()) luaL_error(L, "%s: field 'y' needs a column name or a list of them", kWho);
  for (const Line& l : p.lines) {
    if (l.csv.empty()) luaL_error(L, "%s: field 'csv' is required", kWho);
    if (l.x.empty()) luaL_error(L, "%s: field 'x' is required", kWho);
  }
  p.title = text_or(L, index, "title", "");
  p.xlabel = text_or(L, index, "xlabel", d.x);
  p.ylabel = text_or(L, index, "ylabel", "");
  p.style = text_or(L, index, "style", p.style);
  const auto& styles = emulator::plot::styles();
  if (std::find(styles.begin(), styles.end(), p.style) == styles.end())
    luaL_error(L, "%s: style must be linespoints, lines or points, got '%s'", kWho,
               p.style.c_str());
  p.logx = boolean_field(L, index, kWho, "logx").value_or(false);
  p.logy = boolean_field(L, index, kWho, "logy").value_or(false);
  p.stacked = boolean_field(L, index, kWho, "stacked").value_or(false);
  p.xscale = number_field(L, index, kWho, "xscale").value_or(1);
  p.xmin = number_field(L, index, kWho, "xmin");
  p.xmax = number_field(L, index, kWho, "xmax");
  p.ymin = number_field(L, index, kWho, "ymin");
  p.ymax = number_field(L, index, kWho, "ymax");
  return p;
}

}  // namespace

Figure read_plot_spec(lua_State* L, int index) {
  index = lua_absindex(L, index);
  check_fields(L, index, kWho,
               {"csv", "output", "x", "y", "title", "xlabel", "ylabel", "style", "logx", "logy",
                "lines", "stacked", "xscale", "xmin", "xmax", "ymin", "ymax", "panels"});
  Figure figure;
  const bool panels = lua_getfield(L, index, "panels") != LUA_TNIL;
  lua_pop(L, 1);
  if (!panels) required_text(L, index, "csv", "");
  figure.output = required_text(L, index, "output", "");
  if (!panels) required_text(L, index, "x", "");
  if (!emulator::plot::is_image_name(figure.output))
    luaL_error(L, "%s: output must end in .png or .svg, got '%s'", kWho, figure.output.c_str());
  figure.title = text_or(L, index, "title", "");
  const Defaults defaults{text_or(L, index, "csv", ""), text_or(L, index, "x", "")};
  if (!panels) {
    figure.panels.push_back(read_panel(L, index, defaults));
    return figure;
  }
  lua_getfield(L, index, "panels");
  if (!lua_istable(L, -1) || luaL_len(L, -1) == 0)
    luaL_error(L, "%s: field 'panels' must be a list of panel tables", kWho);
  const int list = lua_gettop(L);
  for (lua_Integer i = 1; i <= luaL_len(L, list); ++i) {
    if (lua_rawgeti(L, list, i) != LUA_TTABLE)
      luaL_error(L, "%s: panels must be tables, got %s", kWho, luaL_typename(L, -1));
    check_fields(L, lua_gettop(L), kWho,
                 {"csv", "x", "y", "lines", "title", "xlabel", "ylabel", "style", "logx", "logy",
                  "stacked", "xscale", "xmin", "xmax", "ymin", "ymax"});
    figure.panels.push_back(read_panel(L, lua_gettop(L), defaults));
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  return figure;
}

}  // namespace vmlab::lua
