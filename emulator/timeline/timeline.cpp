#include "emulator/timeline/timeline.h"

namespace vmlab::emulator {

Timeline::Timeline(Machine& machine, const TimelineOptions& options, std::FILE* vmstat_stream)
    : machine_(machine) {
  if (!options.file.empty()) sinks_.push_back(open_timeline_file(options.file));
  if (options.vmstat) sinks_.push_back(std::make_unique<VmstatPrinter>(vmstat_stream));
  last_ = take_sample(machine_);
  machine_.kernel().set_ticker(options.schedule(), [this] { tick(); });
}

Timeline::~Timeline() {
  machine_.kernel().clear_ticker();
  for (auto& sink : sinks_)
    sink->finish();
}

void Timeline::tick() {
  if (finished_) return;
  Sample now = take_sample(machine_);
  const TimelineRecord record = make_record(++index_, last_, now);
  last_ = std::move(now);
  for (auto& sink : sinks_)
    sink->add(record);
  listeners_.raise(record);
}

void Timeline::finish() {
  if (finished_) return;
  const os::Kernel& kernel = machine_.kernel();
  if (kernel.instructions() != last_.instructions || kernel.uptime_ns() != last_.uptime_ns) tick();
  finished_ = true;
  for (auto& sink : sinks_)
    sink->finish();
}

}  // namespace vmlab::emulator
