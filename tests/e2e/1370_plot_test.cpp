// vmlab plot TIMELINE.csv: the standard panels of a timeline in one picture, drawn by gnuplot;
// without gnuplot, one line that says how to get it.
#include <unistd.h>

#include <fstream>

#include "tests/support/vmlab_test.h"

namespace vmlab::testing {
namespace {

std::string timeline(const std::string& name, const std::string& model) {
  const std::string csv = temp_dir() + "/" + name + ".csv";
  const VmlabRun run = run_vmlab(
      {"--model", model, "--interval", "1ms", "--timeline", csv, "--ram", "1M", "--swap", "8M"},
      {guest("page_toucher-rt"), "400", "1", "wr", "4"});
  EXPECT_EQ(run.result.status, 0) << run.result.err;
  return csv;
}

bool has_gnuplot() {
  return run_command({"/bin/sh", "-c", "command -v gnuplot"}).status == 0;
}

TEST(Plot, StandardPanelsOfATimeline) {
  const std::string csv = timeline("full", "full");
  const std::string png = temp_dir() + "/full.png";
  const CommandResult r = run_command({vmlab_binary(), "plot", csv, png});
  const std::string script = read_file(png + ".gp");
  for (const char* panel :
       {"Memory: resident sets", "Page faults and swap traffic", "Where the modelled cycles went",
        "Memory pressure (PSI)", "TLB miss rate"})
    EXPECT_NE(script.find(panel), std::string::npos) << panel;
  EXPECT_NE(script.find("set multiplot layout 5,1"), std::string::npos) << script;
  if (!has_gnuplot()) GTEST_SKIP() << "gnuplot is not installed";
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "plot: " + png + "\n");
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(read_file(png).substr(1, 3), "PNG");
}

TEST(Plot, WithoutTlbStatisticsTheFigureSaysWhy) {
  const std::string csv = timeline("fast", "fast");
  const CommandResult r = run_command({vmlab_binary(), "plot", csv});  // fast.png by default
  const std::string script = read_file(temp_dir() + "/fast.png.gp");
  EXPECT_NE(script.find("set multiplot layout 4,1"), std::string::npos) << script;
  EXPECT_NE(script.find("(TLB miss rates: --model full)"), std::string::npos);
  if (has_gnuplot()) {
    EXPECT_EQ(r.status, 0) << r.err;
  }
}

TEST(Plot, WithoutGnuplotOneLineSaysHowToGetIt) {
  const std::string csv = timeline("nognuplot", "fast");
  const std::string png = temp_dir() + "/nognuplot.png";
  const CommandResult r =
      run_command({"/usr/bin/env", "PATH=/nonexistent", vmlab_binary(), "plot", csv, png});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "vmlab plot: gnuplot is not installed: 'sudo apt-get install gnuplot-nox' (or "
            "./scripts/setup.sh), then 'gnuplot " +
                png + ".gp' draws " + png + "\n");
  EXPECT_FALSE(read_file(png + ".gp").empty());
}

TEST(Plot, BadInputIsOneLineAndStatus125) {
  const std::string not_timeline = temp_dir() + "/other.csv";
  std::ofstream(not_timeline) << "a,b\n1,2\n";
  CommandResult r = run_command({vmlab_binary(), "plot", not_timeline});
  EXPECT_EQ(r.status, 125);
  EXPECT_EQ(r.err, "vmlab plot: '" + not_timeline +
                       "' is not a timeline of vmlab run --timeline (it has no column time_ms)\n");
  r = run_command({vmlab_binary(), "plot", temp_dir() + "/missing.csv"});
  EXPECT_EQ(r.status, 125);
  EXPECT_EQ(r.err, "vmlab plot: cannot read '" + temp_dir() + "/missing.csv'\n");
  r = run_command({vmlab_binary(), "plot", not_timeline, "out.jpg"});
  EXPECT_EQ(r.status, 125);
  EXPECT_EQ(r.err, "vmlab plot: the picture must end in .png or .svg, got 'out.jpg'\n");
  r = run_command({vmlab_binary(), "plot"});
  EXPECT_EQ(r.status, 125);
  EXPECT_EQ(r.err, "vmlab: usage: vmlab plot TIMELINE.csv [OUTPUT.png|OUTPUT.svg]\n");
}

}  // namespace
}  // namespace vmlab::testing
