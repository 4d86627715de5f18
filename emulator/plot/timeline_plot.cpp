#include "emulator/plot/timeline_plot.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

namespace vmlab::emulator::plot {

namespace {

constexpr double kMibPerKib = 1.0 / 1024;
constexpr double kSecondsPerMs = 1e-3;
constexpr double kSecondsAxisFromMs = 2000;  // longer timelines are drawn in seconds
constexpr size_t kLinesUpTo = 50;            // fewer rows: points on the lines too
constexpr size_t kProcessesShown = 4;        // the largest resident sets, by pid
constexpr double kPercentMax = 100;
constexpr double kPercentAxisMax = 105;  // a rate of 100% stays visible above the frame

struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;

  int index(const std::string& name) const {
    auto it = std::find(columns.begin(), columns.end(), name);
    return it == columns.end() ? -1 : static_cast<int>(it - columns.begin());
  }
  bool has_values(const std::string& name) const {
    const int i = index(name);
    if (i < 0) return false;
    return std::any_of(rows.begin(), rows.end(), [&](const auto& row) {
      return static_cast<size_t>(i) < row.size() && !row[i].empty();
    });
  }
  double max(const std::string& name) const {
    const int i = index(name);
    double m = 0;
    for (const auto& row : rows)
      if (i >= 0 && static_cast<size_t>(i) < row.size() && !row[i].empty())
        m = std::max(m, std::stod(row[i]));
    return m;
  }
};

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream items(line);
  for (std::string item; std::getline(items, item, ',');)
    out.push_back(item);
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

Table read_table(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) throw std::runtime_error("cannot read '" + path + "'");
  Table t;
  t.columns = split(line);
  while (std::getline(in, line))
    t.rows.push_back(split(line));
  for (const char* needed : {"time_ms", "rss_kib", "faults", "user_pct"})
    if (t.index(needed) < 0)
      throw std::runtime_error("'" + path +
                               "' is not a timeline of vmlab run --timeline (it has "
                               "no column " +
                               needed + ")");
  if (t.rows.empty()) throw std::runtime_error("'" + path + "' has no rows");
  return t;
}

Line line(const std::string& csv, const std::string& y, const std::string& title,
          double scale = 1) {
  return Line{csv, "time_ms", y, title, scale};
}

Panel memory_panel(const Table& t, const std::string& csv) {
  Panel p;
  p.title = "Memory: resident sets, free memory, page cache, swap";
  p.ylabel = "MiB";
  p.lines = {line(csv, "rss_kib", "RSS, all processes", kMibPerKib),
             line(csv, "free_kib", "free", kMibPerKib),
             line(csv, "cache_kib", "page cache", kMibPerKib),
             line(csv, "swap_used_kib", "swap used", kMibPerKib)};
  // The largest processes of several.
  std::vector<std::pair<double, std::string>> processes;
  for (const std::string& c : t.columns)
    if (c.rfind("rss_kib.", 0) == 0) processes.emplace_back(t.max(c), c);
  if (processes.size() > 1) {
    std::sort(processes.rbegin(), processes.rend());
    processes.resize(std::min(processes.size(), kProcessesShown));
    std::sort(processes.begin(), processes.end(),
              [](const auto& a, const auto& b) { return a.second < b.second; });
    for (const auto& [peak, column] : processes)
      p.lines.push_back(line(csv, column, "RSS pid " + column.substr(8), kMibPerKib));
  }
  return p;
}

Panel faults_panel(const std::string& csv) {
  Panel p;
  p.title = "Page faults and swap traffic, per interval";
  p.ylabel = "faults, pages";
  p.lines = {line(csv, "faults", "page faults"), line(csv, "major_faults", "major faults"),
             line(csv, "swap_ins", "swap-ins"), line(csv, "swap_outs", "swap-outs")};
  return p;
}

Panel cycles_panel(const std::string& csv) {
  Panel p;
  p.title = "Where the modelled cycles went";
  p.ylabel = "% of the interval";
  p.stacked = true;
  p.ymin = 0;
  p.ymax = kPercentMax;
  p.lines = {line(csv, "user_pct", "user"), line(csv, "kernel_pct", "kernel"),
             line(csv, "swap_wait_pct", "waiting for swap"),
             line(csv, "io_wait_pct", "waiting for file reads"), line(csv, "idle_pct", "idle")};
  return p;
}

Panel pressure_panel(const std::string& csv) {
  Panel p;
  p.title = "Memory pressure (PSI): time stalled on memory";
  p.ylabel = "% of the interval";
  p.ymin = 0;
  p.ymax = kPercentAxisMax;
  p.lines = {line(csv, "psi_some_pct", "some"), line(csv, "psi_full_pct", "full"),
             line(csv, "psi_full_avg10", "full avg10")};
  return p;
}

Panel tlb_panel(const Table& t, const std::string& csv) {
  Panel p;
  p.title = "TLB miss rate";
  p.ylabel = "% of lookups";
  p.ymin = 0;
  p.ymax = kPercentAxisMax;
  for (const auto& [column, title] :
       {std::pair{"tlb_l1d_miss_pct", "L1 DTLB"}, std::pair{"tlb_l2_miss_pct", "L2 TLB"},
        std::pair{"tlb_l1i_miss_pct", "L1 ITLB"}})
    if (t.has_values(column)) p.lines.push_back(line(csv, column, title));
  return p;
}

}  // namespace

Figure timeline_figure(const std::string& csv, const std::string& output) {
  const Table t = read_table(csv);
  const bool seconds = t.max("time_ms") > kSecondsAxisFromMs;
  Figure f;
  f.output = output;
  f.title = "vmlab timeline: " + csv;
  f.panels = {memory_panel(t, csv), faults_panel(csv), cycles_panel(csv), pressure_panel(csv)};
  // TLB statistics exist under --model full only.
  if (t.has_values("tlb_l1d_miss_pct"))
    f.panels.push_back(tlb_panel(t, csv));
  else
    f.title += " (TLB miss rates: --model full)";
  for (Panel& p : f.panels) {
    p.xlabel = seconds ? "modelled time (s)" : "modelled time (ms)";
    p.xscale = seconds ? kSecondsPerMs : 1;
    p.style = t.rows.size() > kLinesUpTo ? "lines" : "linespoints";
  }
  return f;
}

}  // namespace vmlab::emulator::plot
