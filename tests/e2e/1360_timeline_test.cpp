// The machine over time: --interval, --timeline (CSV and JSONL) and --vmstat, end to end. One
// row per interval at exact points, the per-interval amounts adding up to the end-of-run
// statistics, the same command giving the same timeline, and bad input refused up front.
#include <map>
#include <sstream>

#include "tests/support/vmlab_test.h"

namespace vmlab::testing {
namespace {

const std::vector<std::string> kThrashing = {"--ram", "1M", "--swap", "8M"};
std::vector<std::string> toucher() {
  return {guest("page_toucher-rt"), "400", "1", "wr", "4"};
}

using Row = std::map<std::string, std::string>;

std::vector<std::string> split(const std::string& line, char separator) {
  std::vector<std::string> out;
  std::stringstream items(line);
  for (std::string item; std::getline(items, item, separator);)
    out.push_back(item);
  if (!line.empty() && line.back() == separator) out.emplace_back();
  return out;
}

struct Csv {
  std::vector<std::string> columns;
  std::vector<Row> rows;
};

Csv read_csv(const std::string& path) {
  Csv csv;
  std::istringstream in(read_file(path));
  std::string line;
  std::getline(in, line);
  csv.columns = split(line, ',');
  while (std::getline(in, line)) {
    const std::vector<std::string> cells = split(line, ',');
    EXPECT_EQ(cells.size(), csv.columns.size()) << line;
    Row row;
    for (size_t i = 0; i < cells.size() && i < csv.columns.size(); ++i)
      row[csv.columns[i]] = cells[i];
    csv.rows.push_back(row);
  }
  return csv;
}

uint64_t sum(const std::vector<Row>& rows, const std::string& column) {
  uint64_t total = 0;
  for (const Row& row : rows)
    total += std::stoull(row.at(column));
  return total;
}

TEST(Timeline, CsvHasOneRowPerIntervalAtTheNextBlockBoundary) {
  const std::string file = temp_dir() + "/toucher.csv";
  constexpr uint64_t kInterval = 5000;
  constexpr uint64_t kLongestBlock = 512;  // TCG's limit on the instructions of a block
  const VmlabRun run = run_vmlab(
      {"--interval", std::to_string(kInterval), "--timeline", file, "--ram", "1M", "--swap", "8M"},
      toucher());
  ASSERT_EQ(run.result.status, 0) << run.result.err;
  const Csv csv = read_csv(file);
  const uint64_t instructions = run.stats["instructions"].u64();
  ASSERT_GE(csv.rows.size(), instructions / kInterval);
  ASSERT_LE(csv.rows.size(), instructions / kInterval + 1);
  for (size_t i = 0; i + 1 < csv.rows.size(); ++i) {
    EXPECT_EQ(csv.rows[i].at("interval"), std::to_string(i + 1));
    const uint64_t at = std::stoull(csv.rows[i].at("instructions"));
    EXPECT_GE(at, (i + 1) * kInterval);
    EXPECT_LT(at, (i + 1) * kInterval + kLongestBlock);
  }
  EXPECT_EQ(csv.rows.back().at("instructions"), std::to_string(instructions));
  // The documented columns are there; one process appeared.
  for (const char* column : {"time_ms", "user_pct", "kernel_pct", "swap_wait_pct", "fault_pct",
                             "free_kib", "cache_kib", "anon_kib", "swap_used_kib", "rss_kib",
                             "tlb_l1d_miss_pct", "psi_full_pct", "psi_full_avg10", "rss_kib.1"})
    EXPECT_NE(std::find(csv.columns.begin(), csv.columns.end(), column), csv.columns.end())
        << column;
}

TEST(Timeline, IntervalsAddUpToTheEndOfRunStatistics) {
  const std::string file = temp_dir() + "/totals.csv";
  const VmlabRun run = run_vmlab(
      {"--interval", "3000", "--timeline", file, "--ram", "1M", "--swap", "8M"}, toucher());
  ASSERT_EQ(run.result.status, 0) << run.result.err;
  const Csv csv = read_csv(file);
  const Json& s = run.stats;
  EXPECT_EQ(sum(csv.rows, "insns"), s["instructions"].u64());
  EXPECT_EQ(sum(csv.rows, "faults"), s["faults"]["minor"].u64() + s["faults"]["major"].u64());
  EXPECT_EQ(sum(csv.rows, "major_faults"), s["faults"]["major"].u64());
  EXPECT_EQ(sum(csv.rows, "swap_ins"), s["reclaim"]["swap_ins"].u64());
  EXPECT_EQ(sum(csv.rows, "swap_outs"), s["reclaim"]["swap_outs"].u64());
  EXPECT_EQ(sum(csv.rows, "evictions"), s["reclaim"]["evictions"].u64());
  EXPECT_EQ(sum(csv.rows, "context_switches"), s["context_switches"].u64());
  EXPECT_EQ(sum(csv.rows, "syscalls"), s["syscalls"].u64());
  EXPECT_EQ(sum(csv.rows, "cycles"), s["cycles"]["total"].u64());
  EXPECT_EQ(sum(csv.rows, "user_cycles") + sum(csv.rows, "kernel_cycles") +
                sum(csv.rows, "swap_wait_cycles") + sum(csv.rows, "io_wait_cycles") +
                sum(csv.rows, "idle_cycles"),
            s["cycles"]["total"].u64());
  // The last row's running totals are the statistics.
  const Row& last = csv.rows.back();
  EXPECT_EQ(last.at("totals.faults.major"), std::to_string(s["faults"]["major"].u64()));
  EXPECT_EQ(last.at("totals.reclaim.swap_outs"), std::to_string(s["reclaim"]["swap_outs"].u64()));
  EXPECT_EQ(last.at("totals.cycles.total"), std::to_string(s["cycles"]["total"].u64()));
  EXPECT_EQ(last.at("totals.pressure.memory.full.total_us"),
            std::to_string(s["pressure"]["memory"]["full"]["total_us"].u64()));
  EXPECT_EQ(last.at("totals.mmu.walks"), std::to_string(s["mmu"]["walks"].u64()));
}

TEST(Timeline, TimeIntervalsSampleOnTheModelledClock) {
  const std::string file = temp_dir() + "/time.csv";
  const VmlabRun run = run_vmlab(
      {"--interval", "2ms", "--timeline", file, "--ram", "1M", "--swap", "8M"}, toucher());
  ASSERT_EQ(run.result.status, 0) << run.result.err;
  const Csv csv = read_csv(file);
  const double total_ms = static_cast<double>(run.stats["cycles"]["total"].u64()) / 1e6;
  ASSERT_EQ(csv.rows.size(), static_cast<size_t>(total_ms / 2) + 1);
  for (size_t i = 0; i + 1 < csv.rows.size(); ++i) {
    const double t = std::stod(csv.rows[i].at("time_ms"));
    // At the first instruction boundary past each deadline: within one page fault's cost.
    EXPECT_GE(t, 2.0 * static_cast<double>(i + 1));
    EXPECT_LT(t, 2.0 * static_cast<double>(i + 1) + 0.05);
  }
  EXPECT_EQ(sum(csv.rows, "swap_ins"), run.stats["reclaim"]["swap_ins"].u64());
}

TEST(Timeline, JsonlHasTheSameRecordsWithProcessesAndTotals) {
  const std::string csv_file = temp_dir() + "/same.csv", jsonl_file = temp_dir() + "/same.jsonl";
  run_vmlab({"--interval", "4000", "--timeline", csv_file, "--ram", "2M", "--swap", "8M"},
            {guest("fork_demo-musl"), "300", "100", "50"});
  const VmlabRun run =
      run_vmlab({"--interval", "4000", "--timeline", jsonl_file, "--ram", "2M", "--swap", "8M"},
                {guest("fork_demo-musl"), "300", "100", "50"});
  ASSERT_EQ(run.result.status, 0) << run.result.err;
  const Csv csv = read_csv(csv_file);
  std::istringstream in(read_file(jsonl_file));
  std::vector<Json> lines;
  for (std::string line; std::getline(in, line);)
    lines.push_back(Json::parse(line));
  ASSERT_EQ(lines.size(), csv.rows.size());
  bool saw_two = false;
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(std::to_string(lines[i]["faults"].u64()), csv.rows[i].at("faults"));
    EXPECT_EQ(std::to_string(lines[i]["totals"]["faults.cow"].u64()),
              csv.rows[i].at("totals.faults.cow"));
    uint64_t rss = 0;
    for (const Json& p : lines[i]["processes"].array()) {
      rss += p["rss_kib"].u64();
      EXPECT_EQ(std::to_string(p["rss_kib"].u64()),
                csv.rows[i].at("rss_kib." + std::to_string(p["pid"].u64())));
    }
    EXPECT_EQ(rss, lines[i]["rss_kib"].u64());
    saw_two = saw_two || lines[i]["processes"].size() == 2;
  }
  EXPECT_TRUE(saw_two) << "the child's RSS appears while it lives";
  EXPECT_EQ(lines.back()["totals"]["faults.cow_copies"].u64(),
            run.stats["faults"]["cow_copies"].u64());
}

TEST(Timeline, SameCommandSameTimelineAndSamplingChangesNothing) {
  const std::string a = temp_dir() + "/a.csv", b = temp_dir() + "/b.csv";
  for (const char* model : {"full", "fast"}) {
    const std::vector<std::string> options = {"--model", model, "--ram", "2M", "--swap", "8M"};
    const std::vector<std::string> argv = {guest("fork_demo-musl"), "300", "100", "50"};
    auto with = [&](const std::string& file, const std::string& interval) {
      std::vector<std::string> o = options;
      o.insert(o.end(), {"--interval", interval, "--timeline", file});
      return run_vmlab(o, argv);
    };
    const VmlabRun first = with(a, "777"), second = with(b, "777");
    EXPECT_EQ(read_file(a), read_file(b));
    EXPECT_FALSE(read_file(a).empty());
    const VmlabRun plain = run_vmlab(options, argv), timed = with(b, "20us");
    // Sampling does not change the run: two processes, the same slices, the same statistics
    // down to the TLB's instruction fetches.
    for (const VmlabRun* run : {&first, &second, &timed}) {
      EXPECT_EQ(run->stats["cycles"]["total"].u64(), plain.stats["cycles"]["total"].u64());
      EXPECT_EQ(run->stats["context_switches"].u64(), plain.stats["context_switches"].u64());
      EXPECT_EQ(run->stats["faults"]["cow_copies"].u64(),
                plain.stats["faults"]["cow_copies"].u64());
      EXPECT_EQ(run->stats["mmu"]["walks"].u64(), plain.stats["mmu"]["walks"].u64());
      EXPECT_EQ(run->stats["memory_accesses"]["fetch"].u64(),
                plain.stats["memory_accesses"]["fetch"].u64());
    }
  }
}

// vmstat: two header lines, then one line of 16 numbers per interval.
std::vector<std::vector<uint64_t>> vmstat_rows(const std::string& err) {
  std::istringstream in(err);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "procs -----------memory---------- ---swap-- -----io---- -system-- ----cpu----");
  std::getline(in, line);
  EXPECT_EQ(line, " r  b   swpd   free   buff  cache   si   so    bi    bo   in   cs us sy id wa");
  std::vector<std::vector<uint64_t>> rows;
  while (std::getline(in, line)) {
    std::istringstream cells(line);
    std::vector<uint64_t> row;
    for (uint64_t v = 0; cells >> v;)
      row.push_back(v);
    EXPECT_EQ(row.size(), 16u) << line;
    rows.push_back(row);
  }
  return rows;
}

TEST(Vmstat, OneLinePerIntervalInVmstatsColumnsAddingUpToTheTotals) {
  const std::string file = temp_dir() + "/vmstat.csv";
  const VmlabRun run = run_vmlab(
      {"--vmstat", "--interval", "1ms", "--timeline", file, "--ram", "1M", "--swap", "8M"},
      toucher());
  ASSERT_EQ(run.result.status, 0) << run.result.err;
  const auto rows = vmstat_rows(run.result.err);
  const Csv csv = read_csv(file);
  ASSERT_EQ(rows.size(), csv.rows.size());
  ASSERT_GT(rows.size(), 5u);
  enum { r, b, swpd, free, buff, cache, si, so, bi, bo, in, cs, us, sy, id, wa };
  uint64_t swapped_in = 0, swapped_out = 0, traps = 0, switches = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& row = rows[i];
    swapped_in += row[si];
    swapped_out += row[so];
    traps += row[in];
    switches += row[cs];
    EXPECT_EQ(row[buff], 0u);
    EXPECT_EQ(row[free], std::stoull(csv.rows[i].at("free_kib")));
    EXPECT_EQ(row[swpd], std::stoull(csv.rows[i].at("swap_used_kib")));
    EXPECT_LE(row[us] + row[sy] + row[id] + row[wa], 102u);
    EXPECT_GE(row[us] + row[sy] + row[id] + row[wa], 98u);
  }
  const Json& s = run.stats;
  EXPECT_EQ(swapped_in, s["reclaim"]["swap_ins"].u64() * 4);
  EXPECT_EQ(swapped_out, s["reclaim"]["swap_outs"].u64() * 4);
  EXPECT_EQ(traps, s["faults"]["minor"].u64() + s["faults"]["major"].u64());
  EXPECT_EQ(switches, s["context_switches"].u64());
  // Thrashing: the middle rows wait for swap and one process is blocked on it.
  const auto& middle = rows[rows.size() / 2];
  EXPECT_GT(middle[wa], 80u);
  EXPECT_EQ(middle[b], 1u);
  EXPECT_GT(middle[si], 0u);
}

TEST(Vmstat, GuestOutputStaysOnStdout) {
  const VmlabRun run = run_vmlab({"--vmstat", "--interval", "10000"}, {guest("hello_rt-rt")});
  EXPECT_EQ(run.result.status, 0);
  EXPECT_EQ(run.result.out, "hello from a freestanding guest\n");
  EXPECT_EQ(vmstat_rows(run.result.err).size(), 1u);  // the run is shorter than one interval
}

TEST(TimelineErrors, BadIntervalOrFileIsOneLineAndStatus125) {
  const std::string expected_interval =
      "--interval: expected a number of instructions (1000000) or of modelled time (500us, "
      "10ms, 2s, 100000c), got '";
  for (const std::string bad : {"0", "abc", "10xs", "-5", "0ms", "1.5"}) {
    const VmlabRun run = run_vmlab({"--interval", bad}, {guest("hello_rt-rt")});
    EXPECT_EQ(run.result.status, 125) << bad;
    EXPECT_EQ(run.result.err, "vmlab: " + expected_interval + bad + "'\n");
    EXPECT_EQ(run.result.out, "");
  }
  const VmlabRun missing =
      run_vmlab({"--timeline", "/nonexistent/dir/t.csv"}, {guest("hello_rt-rt")});
  EXPECT_EQ(missing.result.status, 125);
  EXPECT_EQ(missing.result.err,
            "vmlab: cannot write --timeline file '/nonexistent/dir/t.csv': No such file or "
            "directory\n");
  EXPECT_EQ(missing.result.out, "") << "the guest never ran";
  const VmlabRun extension =
      run_vmlab({"--timeline", temp_dir() + "/t.txt"}, {guest("hello_rt-rt")});
  EXPECT_EQ(extension.result.status, 125);
  EXPECT_NE(extension.result.err.find("must end in .csv or .jsonl"), std::string::npos);
}

}  // namespace
}  // namespace vmlab::testing
