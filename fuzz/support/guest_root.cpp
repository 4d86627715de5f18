#include "fuzz/support/guest_root.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace vmlab::fuzz {

namespace fs = std::filesystem;

namespace {

void write_file(const fs::path& path, const std::vector<uint8_t>& bytes, unsigned mode) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out || chmod(path.c_str(), mode) != 0)
    throw std::runtime_error("cannot create fixture " + path.string());
}

std::vector<uint8_t> text(const std::string& s) {
  return {s.begin(), s.end()};
}

}  // namespace

GuestRoot::GuestRoot(const std::vector<RootFile>& extra) {
  std::string pattern = (fs::temp_directory_path() / "vmlab-fuzz-root-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
  const fs::path root(path_);
  write_file(root / "etc/passwd", text("root:x:0:0:root:/root:/bin/sh\n"), 0644);
  write_file(root / "etc/hostname", text("host\n"), 0644);
  write_file(root / "bin/not-executable", text("#!/bin/sh\n"), 0644);
  fs::create_directories(root / "tmp");
  fs::create_directories(root / "empty");
  // Links the sandbox must keep inside the root: relative and absolute escapes, a loop.
  fs::create_symlink("../../../..", root / "escape");
  fs::create_symlink("/etc", root / "absolute");
  fs::create_symlink("loop", root / "loop");
  fs::create_symlink("etc/passwd", root / "passwd-link");
  for (const RootFile& f : extra)
    write_file(root / f.path, f.bytes, f.mode);
}

GuestRoot::~GuestRoot() {
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

std::string GuestRoot::signature() const {
  std::vector<std::string> lines;
  for (const auto& entry : fs::recursive_directory_iterator(path_)) {
    struct stat st {};
    if (lstat(entry.path().c_str(), &st) != 0) continue;
    std::string line = entry.path().string() + " " + std::to_string(st.st_mode) + " " +
                       std::to_string(st.st_size) + " " + std::to_string(st.st_mtim.tv_sec) + "." +
                       std::to_string(st.st_mtim.tv_nsec);
    if (S_ISLNK(st.st_mode)) line += " -> " + fs::read_symlink(entry.path()).string();
    lines.push_back(std::move(line));
  }
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const auto& line : lines)
    out += line + "\n";
  return out;
}

}  // namespace vmlab::fuzz
