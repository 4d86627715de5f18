// Where timeline records go: a CSV or JSONL file (--timeline FILE, by extension) and vmstat's
// lines on a stream (--vmstat).
#pragma once

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "emulator/timeline/record.h"

namespace vmlab::emulator {

class TimelineSink {
 public:
  virtual ~TimelineSink() = default;
  virtual void add(const TimelineRecord& record) = 0;
  // The run is over (a CSV file is written then: its columns include every process seen).
  virtual void finish() {}
};

// A number as the files write it: integers exactly, others with at most 3 decimals; empty
// for a missing value.
std::string format_value(const StatValue& value);

// FILE.csv or FILE.jsonl (also .json and .ndjson for JSONL). Throws std::runtime_error with a
// one-line message when the file cannot be created or the extension is unknown.
std::unique_ptr<TimelineSink> open_timeline_file(const std::string& path);

// CSV: one header line, one row per record: the fields, then rss_kib.PID of every process that
// appeared (empty while it did not exist), then every registry statistic as totals.NAME.
class CsvTimeline final : public TimelineSink {
 public:
  explicit CsvTimeline(std::ofstream out, std::string path);
  void add(const TimelineRecord& record) override;
  void finish() override;

 private:
  std::ofstream out_;
  std::string path_;
  std::vector<std::string> field_names_, total_names_;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> rows_;        // the rows so far, as text
  std::vector<std::vector<std::pair<int, uint64_t>>> rss_kib_;  // each row's (pid, RSS KiB)
  bool finished_ = false;
};

// JSONL: one object per record, written as it comes: the fields, "processes" (pid, command,
// rss_kib, swap_kib) and "totals" (every registry statistic by its dotted name).
class JsonlTimeline final : public TimelineSink {
 public:
  explicit JsonlTimeline(std::ofstream out) : out_(std::move(out)) {}
  void add(const TimelineRecord& record) override;

 private:
  std::ofstream out_;
};

// vmstat's columns, one line per record (scripts/README.md documents vmlab's meaning of each).
class VmstatPrinter final : public TimelineSink {
 public:
  explicit VmstatPrinter(std::FILE* stream) : stream_(stream) {}
  void add(const TimelineRecord& record) override;
  static std::string header();
  static std::string line(const TimelineRecord& record);

 private:
  std::FILE* stream_;
  bool header_done_ = false;
};

}  // namespace vmlab::emulator
