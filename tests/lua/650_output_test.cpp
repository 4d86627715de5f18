// Output: JSON text, CSV files, gnuplot scripts (drawn when gnuplot is installed), folders.
#include <fstream>

#include "tests/lua/lua_test_support.h"
#include "tests/support/vmlab_test.h"

namespace vmlab::lua::testing {
namespace {

using vmlab::testing::read_file;

TEST(Json, SequencesObjectsAndScalars) {
  EXPECT_EQ(eval("return vmlab.json({b = {1, 2.5, 'x'}, a = true, c = {}, d = {n = -3}})"),
            R"({"a":true,"b":[1,2.5,"x"],"c":[],"d":{"n":-3}})");
  EXPECT_EQ(eval("return vmlab.json('quote \" and \\n')"), R"("quote \" and \n")");
  EXPECT_EQ(eval("return vmlab.json({x = 1}, true)"), "{\n  \"x\": 1\n}");
  EXPECT_EQ(eval("return vmlab.json({[1] = 'a', [3] = 'c'})"), R"({"1":"a","3":"c"})");
}

TEST(Json, WhatCannotBeEncoded) {
  EXPECT_EQ(error_of("vmlab.json({f = print})"), "test:1: vmlab.json: cannot encode a function");
  EXPECT_EQ(error_of("vmlab.json(0/0)").rfind("test:1: vmlab.json: cannot encode ", 0), 0u);
  EXPECT_EQ(error_of("local t = {} t.t = t vmlab.json(t)"),
            "test:1: vmlab.json: tables nested more than 100 deep");
  EXPECT_EQ(error_of("vmlab.json({[true] = 1})"),
            "test:1: vmlab.json: object keys must be strings, got boolean");
}

TEST(Csv, RowsWithChosenOrSortedColumns) {
  const std::string path = vmlab::testing::temp_dir() + "/rows.csv";
  EXPECT_EQ(eval("vmlab.write_csv(" + quote(path) +
                 ", {{frames = 3, fifo = 9, note = 'a, \"b\"'}, {frames = 4, fifo = 10}},"
                 " {'frames', 'fifo', 'note'}) return 'ok'"),
            "ok");
  EXPECT_EQ(read_file(path), "frames,fifo,note\n3,9,\"a, \"\"b\"\"\"\n4,10,\n");
  EXPECT_EQ(eval("vmlab.write_csv(" + quote(path) + ", {{b = 1.5, a = true}}) return 'ok'"), "ok");
  EXPECT_EQ(read_file(path), "a,b\ntrue,1.5\n");
  EXPECT_EQ(error_of("vmlab.write_csv('/no/such/dir/x.csv', {})"),
            "test:1: vmlab.write_csv: cannot write '/no/such/dir/x.csv'");
  EXPECT_EQ(error_of("vmlab.write_csv('x.csv', {{a = {}}})"),
            "test:1: vmlab.write_csv: column 'a' holds a table");
}

TEST(Plot, AGnuplotScriptFromCheckedParts) {
  const std::string dir = vmlab::testing::temp_dir() + "/plots/deep";
  const std::string csv = dir + "/data.csv";
  const std::string code = "vmlab.mkdir(" + quote(dir) +
                           ")\n"
                           "vmlab.write_csv(" +
                           quote(csv) +
                           ", {{n = 1, y = 2}, {n = 2, y = 4}}, {'n', 'y'})\n"
                           "local drawn, script = vmlab.plot{csv = " +
                           quote(csv) +
                           ", x = 'n', y = 'y',\n"
                           "  output = " +
                           quote(dir + "/p.png") +
                           ", title = \"it's `rm -rf` time\", logx = true}\n"
                           "return script";
  EXPECT_EQ(eval(code), dir + "/p.png.gp");
  const std::string script = read_file(dir + "/p.png.gp");
  EXPECT_NE(script.find("set title 'it''s rm -rf time'\n"), std::string::npos) << script;
  EXPECT_NE(script.find("set logscale x 2\n"), std::string::npos) << script;
  EXPECT_NE(script.find("plot '" + csv + "' using 1:2 skip 1 with linespoints title 'y'\n"),
            std::string::npos)
      << script;
}

TEST(Plot, DescriptionErrorsAreExact) {
  EXPECT_EQ(error_of("vmlab.plot{csv = 'a.csv', x = 'n', y = 'y', output = 'p.jpg'}"),
            "test:1: vmlab.plot: output must end in .png or .svg, got 'p.jpg'");
  EXPECT_EQ(error_of("vmlab.plot{csv = 'a.csv', y = 'y', output = 'p.png'}"),
            "test:1: vmlab.plot: field 'x' is required");
  EXPECT_EQ(error_of("vmlab.plot{csv = 'a.csv', x = 'n', y = 'y', output = 'p.png', colour = 1}"),
            "test:1: vmlab.plot: unknown field 'colour' (csv, output, x, y, title, xlabel, "
            "ylabel, style, logx, logy, lines, stacked, xscale, xmin, xmax, ymin, ymax, panels)");
  const std::string csv = vmlab::testing::temp_dir() + "/cols.csv";
  std::ofstream(csv) << "n,y\n1,2\n";
  EXPECT_EQ(
      error_of("vmlab.plot{csv = " + quote(csv) + ", x = 'n', y = {'y', 'z'}, output = 'p.png'}"),
      "test:1: vmlab.plot: column 'z' is not in " + csv + " (n, y)");
}

TEST(Plot, PanelsOfLinesFromSeveralFiles) {
  // One figure, two panels; the second panel's lines come from two files (two runs side by
  // side) and its areas are stacked.
  const std::string dir = vmlab::testing::temp_dir() + "/panels";
  const std::string a = dir + "/a.csv", b = dir + "/b.csv";
  const std::string code = "vmlab.mkdir(" + quote(dir) + ")\n" + "vmlab.write_csv(" + quote(a) +
                           ", {{t = 1, u = 2, k = 3}, {t = 2, u = 4, k = 1}}, {'t', 'u', 'k'})\n" +
                           "vmlab.write_csv(" + quote(b) +
                           ", {{t = 1, u = 5}, {t = 3, u = 6}}, {'t', 'u'})\n" +
                           "local drawn, script = vmlab.plot{output = " + quote(dir + "/f.svg") +
                           ", title = 'Two runs', x = 't', panels = {\n"
                           "  {csv = " +
                           quote(a) +
                           ", y = {'u', 'k'}, stacked = true, title = 'Areas', ymax = 100},\n"
                           "  {title = 'Side by side', xscale = 0.001, lines = {{csv = " +
                           quote(a) + ", y = 'u', title = 'first'}, {csv = " + quote(b) +
                           ", y = 'u', title = 'second', scale = 2}}},\n"
                           "}}\n"
                           "return script";
  EXPECT_EQ(eval(code), dir + "/f.svg.gp");
  const std::string script = read_file(dir + "/f.svg.gp");
  EXPECT_NE(script.find("set terminal svg size 1400,600\n"), std::string::npos) << script;
  EXPECT_NE(script.find("set multiplot layout 2,1 title 'Two runs'\n"), std::string::npos);
  EXPECT_NE(script.find("'" + a + "' using 1:(($2+$3)*1) skip 1 with filledcurves x1 title 'k'"),
            std::string::npos)
      << script;
  EXPECT_NE(script.find("'" + b +
                        "' using ($1*0.001):($2*2) skip 1 with linespoints title "
                        "'second'"),
            std::string::npos)
      << script;
  EXPECT_NE(script.find("unset multiplot\n"), std::string::npos);
  EXPECT_EQ(error_of("vmlab.plot{output = 'p.png', panels = {{y = 'u'}}}"),
            "test:1: vmlab.plot: field 'csv' is required");
  EXPECT_EQ(error_of("vmlab.plot{output = 'p.png', panels = {{csv = 'a.csv', x = 't', "
                     "lines = {{y = 'u', colour = 'red'}}}}}"),
            "test:1: vmlab.plot: unknown field 'colour' (csv, x, y, title, scale, width)");
}

TEST(Mkdir, ReportsWhatItCannotCreate) {
  EXPECT_EQ(error_of("vmlab.mkdir('/proc/self/nope')")
                .rfind("test:1: vmlab.mkdir: cannot create '/proc/self/nope': ", 0),
            0u);
  EXPECT_EQ(eval("return type(vmlab.has_gnuplot())"), "boolean");
}

}  // namespace
}  // namespace vmlab::lua::testing
