#include "emulator/options/run_options.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <map>

#include "emulator/options/option_table.h"

namespace vmlab::emulator {

namespace {

const std::vector<std::string> kDefaultEnv = {
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "HOME=/",
};

}  // namespace

uint64_t parse_count(const std::string& option, const std::string& text) {
  uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty())
    throw UsageError(option + ": expected a non-negative integer, got '" + text + "'");
  return v;
}

uint64_t parse_size(const std::string& option, const std::string& text) {
  uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  const std::string suffix(end, text.data() + text.size());
  static const std::map<std::string, unsigned> kShift = {{"", 0},   {"K", 10}, {"k", 10}, {"M", 20},
                                                         {"m", 20}, {"G", 30}, {"g", 30}};
  const auto shift = kShift.find(suffix);
  if (ec != std::errc() || text.empty() || shift == kShift.end())
    throw UsageError(option + ": expected a size like 64M, got '" + text + "'");
  if (v > (UINT64_MAX >> shift->second)) throw UsageError(option + ": " + text + " is too large");
  v <<= shift->second;
  if (v % 4096 != 0) throw UsageError(option + ": " + text + " is not a multiple of 4K");
  return v;
}

RunOptions parse_run_options(const std::vector<std::string>& args) {
  RunOptions o;
  o.env = kDefaultEnv;
  size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      ++i;
      break;
    }
    if (a.rfind("--", 0) != 0) break;
    std::string name = a, value;
    const auto eq = a.find('=');
    if (eq != std::string::npos) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
    }
    const auto& table = run_option_table();
    const auto it = std::find_if(table.begin(), table.end(),
                                 [&](const Option& opt) { return opt.name == name; });
    if (it == table.end()) throw UsageError("unknown option " + name + " (see vmlab run --help)");
    if (!it->argument.empty() && eq == std::string::npos) {
      if (i + 1 >= args.size()) throw UsageError(name + " needs a value (" + it->argument + ")");
      value = args[++i];
    } else if (it->argument.empty() && eq != std::string::npos) {
      throw UsageError(name + " takes no value");
    }
    it->apply(o, value);
  }
  o.argv.assign(args.begin() + static_cast<long>(i), args.end());
  const std::string& policy = o.machine.kernel.policy;
  const bool per_access =
      policy == "lru" || policy == "opt" || !o.machine.kernel.record_references.empty();
  if (per_access && o.machine.cpu.model == emulator::ModelMode::kFast)
    throw UsageError("--policy " + policy +
                     " and --record-refs need every access: use --model full");
  if (o.argv.empty())
    throw UsageError("no program to run (vmlab run [options] [--] PROGRAM [ARGS...])");
  return o;
}

std::vector<OptionSyntax> run_option_syntax() {
  std::vector<OptionSyntax> out;
  for (const auto& opt : run_option_table())
    out.push_back(OptionSyntax{opt.name, opt.argument});
  return out;
}

std::string run_help() {
  RunOptions defaults;
  std::string out =
      "usage: vmlab run [options] [--] PROGRAM [ARGS...]\n\n"
      "Runs an x86-64 Linux program, static or dynamically linked, with every memory access\n"
      "translated by a modelled MMU (TLBs, page walker) and every fault handled by vmlab's\n"
      "guest kernel. The guest's\n"
      "stdin/stdout/stderr are vmlab's; vmlab exits with the guest's exit status (128+N when\n"
      "killed by signal N), 124 when --max-insns stopped it, 125 on a vmlab error, 126 when\n"
      "the program cannot be executed and 127 when it is not found.\n\noptions:\n";
  for (const auto& opt : run_option_table()) {
    std::string head = "  " + opt.name + (opt.argument.empty() ? "" : " " + opt.argument);
    if (head.size() < 28)
      head.append(28 - head.size(), ' ');
    else
      head += "\n" + std::string(28, ' ');
    out += head + opt.help + " [default: " + opt.default_text(defaults) + "]\n";
  }
  out += "\ndefault TLB hierarchy (--tlb):\n";
  std::string tlb = defaults.machine.mmu.describe();
  for (size_t start = 0; start < tlb.size();) {
    const auto nl = tlb.find('\n', start);
    out += "  " + tlb.substr(start, nl - start) + "\n";
    start = nl + 1;
  }
  return out;
}

}  // namespace vmlab::emulator
