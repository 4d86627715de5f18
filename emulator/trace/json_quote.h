// A JSON string literal for the JSONL trace's hot path (emulator/trace/jsonl_format.cpp).
//
// The rest of vmlab writes JSON with nlohmann::json; the trace keeps this small writer because
// it is the one place where JSON costs time per guest instruction. Measured with
// `vmlab run --trace FILE --trace-format jsonl --trace-count 1000000 build/guests/matmul-musl`
// (165 MB of trace, byte-identical either way; min of 3 on a loaded 2-core machine): these
// lines built by hand 5.5 s wall / 2.0 s user CPU, the same lines as nlohmann::ordered_json
// objects dumped one per event 10.3 s / 4.3 s.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace vmlab::emulator {

// `s` quoted and escaped as nlohmann::json escapes it (\b \f \n \r \t, other control bytes as
// \u00XX); other bytes are copied as they are.
inline void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

inline std::string json_string(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  append_json_string(out, s);
  return out;
}

}  // namespace vmlab::emulator
