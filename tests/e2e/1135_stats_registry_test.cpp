// The statistics registry: docs/stats.md is what `vmlab stats-doc` lists, every key a run
// writes is documented, and --stats shows the registry's pieces with the JSON's values.
#include <set>
#include <string>

#include "tests/support/vmlab_test.h"

namespace vmlab::testing {
namespace {

// Every key of a JSON tree as docs/stats.md writes it ("faults.minor", "processes[].pid").
void collect_keys(const Json& json, const std::string& path, std::set<std::string>& keys) {
  if (json.type() == Json::Type::kObject) {
    for (const auto& [key, value] : json.object())
      collect_keys(value, path.empty() ? key : path + "." + key, keys);
  } else if (json.type() == Json::Type::kArray) {
    keys.insert(path + "[]");  // an empty array is still documented
    for (const Json& item : json.array())
      collect_keys(item, path + "[]", keys);
  } else {
    keys.insert(path);
  }
}

TEST(StatsRegistry, DocsStatsMdIsWhatStatsDocLists) {
  const CommandResult listed = run_command({vmlab_binary(), "stats-doc"});
  ASSERT_EQ(listed.status, 0) << listed.err;
  EXPECT_EQ(read_file(std::string(VMLAB_SOURCE_DIR) + "/docs/stats.md"), listed.out)
      << "docs/stats.md differs from the registry: build/vmlab stats-doc > docs/stats.md";
}

TEST(StatsRegistry, EveryKeyOfARunIsDocumented) {
  const std::string doc = read_file(std::string(VMLAB_SOURCE_DIR) + "/docs/stats.md");
  ASSERT_FALSE(doc.empty());
  // Swap, two CPUs, threads and a fork: every optional section and array has content.
  const VmlabRun run = run_vmlab({"--swap", "1M", "--cpus", "2"}, {guest("threads-glibc"), "fork"});
  ASSERT_EQ(run.result.status, 0) << run.result.err;
  std::set<std::string> keys;
  collect_keys(run.stats, "", keys);
  EXPECT_GT(keys.size(), 150u);
  for (const std::string& key : keys) {
    // An array of objects is documented by its members.
    const bool listed = doc.find("| `" + key + "` |") != std::string::npos ||
                        (key.ends_with("[]") && doc.find("| `" + key + ".") != std::string::npos);
    EXPECT_TRUE(listed) << key << " is not in docs/stats.md";
  }
}

TEST(StatsRegistry, TheStatsSummaryShowsTheRegistrysPieces) {
  const std::string json = temp_dir() + "/summary.json";
  const CommandResult r = run_command({vmlab_binary(), "run", "--stats", "--stats-json", json,
                                       guest("page_toucher-rt"), "30", "1", "rw"});
  ASSERT_EQ(r.status, 0) << r.err;
  const Json stats = Json::parse(read_file(json));
  const Json& f = stats["faults"];
  auto n = [&](const char* key) { return std::to_string(f[key].u64()); };
  const std::string line = "faults              " + n("minor") + " minor, " + n("major") +
                           " major: " + n("zero_fill") + " zero-fill, " + n("zero_page") +
                           " zero-page, " + n("file") + " file, " + n("cow") + " COW (" +
                           n("cow_copies") + " copied, " + n("cow_reuses") + " reused), " +
                           n("segv") + " SIGSEGV";
  EXPECT_NE(r.err.find("\n" + line), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("---- vmlab statistics ----\ninstructions        " +
                       std::to_string(stats["instructions"].u64()) + "\n"),
            std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace vmlab::testing
