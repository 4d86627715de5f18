// vmlab plot TIMELINE.csv [OUTPUT.png|OUTPUT.svg]: the standard panels of a timeline.
#include <cstdio>

#include "emulator/cli/commands.h"
#include "emulator/plot/timeline_plot.h"

namespace vmlab::cli {

namespace {

constexpr int kNotDrawn = 1;  // the script was written, gnuplot did not draw it

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::string plot_help() {
  return "usage: vmlab plot TIMELINE.csv [OUTPUT.png|OUTPUT.svg]\n\n"
         "Draws a timeline written by `vmlab run --timeline TIMELINE.csv` into one picture\n"
         "(default: TIMELINE.png) with gnuplot: memory (RSS, free, page cache, swap), page faults\n"
         "and swap traffic, where the modelled cycles went (user, kernel, waiting for swap or\n"
         "file reads, idle), memory pressure (PSI) and TLB miss rates (--model full). The gnuplot\n"
         "script is written next to the picture (OUTPUT.gp). Exits 1 when gnuplot is not\n"
         "installed or failed, 125 when the file is not a timeline.\n";
}

int plot_command(const std::vector<std::string>& args) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    std::fputs(plot_help().c_str(), stdout);
    return 0;
  }
  if (args.empty() || args.size() > 2) {
    std::fputs(("vmlab: " + plot_help().substr(0, plot_help().find('\n')) + "\n").c_str(), stderr);
    return kExitVmlabError;
  }
  const std::string& csv = args[0];
  std::string output = args.size() > 1          ? args[1]
                       : ends_with(csv, ".csv") ? csv.substr(0, csv.size() - 4) + ".png"
                                                : csv + ".png";
  if (!emulator::plot::is_image_name(output)) {
    std::fprintf(stderr, "vmlab plot: the picture must end in .png or .svg, got '%s'\n",
                 output.c_str());
    return kExitVmlabError;
  }
  emulator::plot::Drawing drawing;
  try {
    drawing = emulator::plot::draw(emulator::plot::timeline_figure(csv, output));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vmlab plot: %s\n", e.what());
    return kExitVmlabError;
  }
  if (!drawing.drawn) {
    std::fprintf(stderr, "vmlab plot: %s\n",
                 emulator::plot::missing_gnuplot_message(drawing, output).c_str());
    return kNotDrawn;
  }
  std::printf("plot: %s\n", output.c_str());
  return 0;
}

}  // namespace vmlab::cli
