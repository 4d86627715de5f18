#include "emulator/timeline/sinks.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <set>
#include <stdexcept>

#include "emulator/json_stats_writer.h"
#include "mmu/address.h"

namespace vmlab::emulator {

namespace {

constexpr uint64_t kKibPerPage = mmu::kPageBytes / 1024;
constexpr char kPartSeparator = '\t';  // between a row's fields and its totals (no value has one)

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

Json value_to_json(const StatValue& v) {
  if (v.missing) return nullptr;
  if (v.integer) return v.count;
  return json_number(v.as_double());
}

}  // namespace

std::string format_value(const StatValue& value) {
  if (value.missing) return {};
  if (value.integer) return std::to_string(value.count);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.3f", value.number);
  std::string text = buffer;
  while (text.back() == '0')
    text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text == "-0" ? "0" : text;
}

std::unique_ptr<TimelineSink> open_timeline_file(const std::string& path) {
  const bool csv = ends_with(path, ".csv");
  const bool jsonl =
      ends_with(path, ".jsonl") || ends_with(path, ".ndjson") || ends_with(path, ".json");
  if (!csv && !jsonl)
    throw std::runtime_error("--timeline: '" + path +
                             "' must end in .csv or .jsonl (the format is chosen by extension)");
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out)
    throw std::runtime_error("cannot write --timeline file '" + path +
                             "': " + std::strerror(errno));
  if (csv) return std::make_unique<CsvTimeline>(std::move(out), path);
  return std::make_unique<JsonlTimeline>(std::move(out));
}

// ---------------------------------------------------------------------------------------------
// CSV

CsvTimeline::CsvTimeline(std::ofstream out, std::string path)
    : out_(std::move(out)), path_(std::move(path)), rows_(std::tmpfile(), &std::fclose) {
  if (rows_ == nullptr)
    throw std::runtime_error("cannot write --timeline file '" + path_ +
                             "': no temporary file: " + std::strerror(errno));
}

void CsvTimeline::add(const TimelineRecord& record) {
  if (rss_kib_.empty()) {
    for (const StatValue& v : record.fields)
      field_names_.push_back(v.name);
    for (const StatValue& v : record.totals)
      total_names_.push_back(std::string(kTotals) + "." + v.name);
  }
  // The fields and totals of the row wait in a temporary file, split by a tab, until the
  // processes of the whole run (the rss_kib.PID columns between them) are known.
  std::string text;
  for (const StatValue& v : record.fields)
    text += (text.empty() ? "" : ",") + format_value(v);
  text += kPartSeparator;
  for (size_t i = 0; i < record.totals.size(); ++i)
    text += (i == 0 ? "" : ",") + format_value(record.totals[i]);
  text += '\n';
  std::fputs(text.c_str(), rows_.get());
  auto& rss = rss_kib_.emplace_back();
  for (const ProcessSample& p : record.processes)
    rss.emplace_back(p.pid, p.rss_pages * kKibPerPage);
}

void CsvTimeline::finish() {
  if (finished_) return;
  finished_ = true;
  std::set<int> pids;
  for (const auto& row : rss_kib_)
    for (const auto& [pid, kib] : row)
      pids.insert(pid);
  std::string header;
  auto column = [&](const std::string& name) { header += (header.empty() ? "" : ",") + name; };
  for (const std::string& name : field_names_)
    column(name);
  for (int pid : pids)
    column("rss_kib." + std::to_string(pid));
  for (const std::string& name : total_names_)
    column(name);
  out_ << header << "\n";
  std::rewind(rows_.get());
  std::string text;
  for (const auto& rss : rss_kib_) {
    text.clear();
    for (int c; (c = std::fgetc(rows_.get())) != EOF && c != '\n';)
      text += static_cast<char>(c);
    const size_t split = text.find(kPartSeparator);
    std::string line = text.substr(0, split);
    for (int pid : pids) {
      const auto it =
          std::find_if(rss.begin(), rss.end(), [&](const auto& e) { return e.first == pid; });
      line += "," + (it == rss.end() ? std::string() : std::to_string(it->second));
    }
    out_ << line << "," << text.substr(split + 1) << "\n";
  }
  out_.flush();
  if (!out_) std::fprintf(stderr, "vmlab: cannot write --timeline file '%s'\n", path_.c_str());
}

// ---------------------------------------------------------------------------------------------
// JSONL

void JsonlTimeline::add(const TimelineRecord& record) {
  Json line = Json::object();
  for (const StatValue& v : record.fields)
    line[v.name] = value_to_json(v);
  Json& processes = line["processes"] = Json::array();
  for (const ProcessSample& p : record.processes)
    processes.push_back({{"pid", p.pid},
                         {"command", p.command},
                         {"rss_kib", p.rss_pages * kKibPerPage},
                         {"swap_kib", p.swap_pages * kKibPerPage}});
  Json& totals = line[kTotals] = Json::object();
  for (const StatValue& v : record.totals)
    totals[v.name] = value_to_json(v);
  out_ << json_dump(line) << "\n";
  out_.flush();  // a line at a time: `tail -f` follows a long run
}

// ---------------------------------------------------------------------------------------------
// vmstat

std::string VmstatPrinter::header() {
  return "procs -----------memory---------- ---swap-- -----io---- -system-- ----cpu----\n"
         " r  b   swpd   free   buff  cache   si   so    bi    bo   in   cs us sy id wa\n";
}

std::string VmstatPrinter::line(const TimelineRecord& r) {
  auto pct = [&](const char* name) {
    const StatValue* v = r.field(name);
    return v == nullptr || v->missing ? 0LL : std::llround(v->number);
  };
  auto n = [&](const char* name) { return static_cast<unsigned long long>(r.count(name)); };
  constexpr unsigned long long kBuffers = 0;  // vmlab has no buffer cache
  char buffer[256];
  std::snprintf(buffer, sizeof buffer,
                "%2llu %2llu %6llu %6llu %6llu %6llu %4llu %4llu %5llu %5llu %4llu %4llu %2lld "
                "%2lld %2lld %2lld\n",
                n("runnable"), n("waiting"), n("swap_used_kib"), n("free_kib"), kBuffers,
                n("cache_kib"), n("swap_ins") * kKibPerPage, n("swap_outs") * kKibPerPage,
                n("pgpgin_kib"), n("pgpgout_kib"), n("faults"), n("context_switches"),
                pct("user_pct"), pct("kernel_pct"), pct("idle_pct"), pct("wait_pct"));
  return buffer;
}

void VmstatPrinter::add(const TimelineRecord& record) {
  if (!header_done_) std::fputs(header().c_str(), stream_);
  header_done_ = true;
  std::fputs(line(record).c_str(), stream_);
  std::fflush(stream_);
}

}  // namespace vmlab::emulator
