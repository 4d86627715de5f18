// The machine over time (vmlab run --interval, --vmstat, --timeline; Lua's `tick` event).
//
// The kernel's ticker (os/ticker.h) calls the timeline at exact points of the run, between
// time slices; each call samples the machine (emulator/timeline/sample.h) and turns the
// difference from the previous sample into a record that goes to the sinks (a file, vmstat's
// lines) and to listeners (Lua). Nothing of this runs per instruction or per access: a run
// without a timeline pays nothing, and sampling changes nothing the guest sees.
#pragma once

#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "emulator/machine.h"
#include "emulator/timeline/interval.h"
#include "emulator/timeline/record.h"
#include "emulator/timeline/sinks.h"
#include "os/event_list.h"

namespace vmlab::emulator {

struct TimelineOptions {
  std::optional<os::TickSchedule> interval;  // --interval (default kDefaultInterval)
  bool vmstat = false;                       // --vmstat: lines on stderr
  std::string file;                          // --timeline FILE.csv|FILE.jsonl
  bool enabled() const { return interval.has_value() || vmstat || !file.empty(); }
  os::TickSchedule schedule() const { return interval.value_or(kDefaultInterval); }
};

class Timeline {
 public:
  using Listener = std::function<void(const TimelineRecord&)>;

  // Opens the file (std::runtime_error with a one-line message when it cannot) and installs
  // the kernel's ticker; the first interval starts now.
  Timeline(Machine& machine, const TimelineOptions& options, std::FILE* vmstat_stream = stderr);
  ~Timeline();
  Timeline(const Timeline&) = delete;
  Timeline& operator=(const Timeline&) = delete;

  // The listener hears every record until the returned handle is destroyed.
  os::Subscription add_listener(Listener listener) {
    return listeners_.subscribe(std::move(listener));
  }
  // The run is over: a last record for the partial interval since the last tick (when the
  // machine moved), then the file is completed. Later ticks are ignored.
  void finish();
  uint64_t records() const { return index_; }

 private:
  void tick();

  Machine& machine_;
  std::vector<std::unique_ptr<TimelineSink>> sinks_;
  os::EventList<TimelineRecord> listeners_;
  Sample last_;
  uint64_t index_ = 0;
  bool finished_ = false;
};

}  // namespace vmlab::emulator
