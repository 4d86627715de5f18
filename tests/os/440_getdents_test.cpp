// getdents64 writes struct linux_dirent64 records byte for byte as Linux does: d_ino, d_off,
// d_reclen (8-byte aligned), d_type, NUL-terminated name; it continues across calls. A host
// directory lists in the host's readdir order (what a native run sees), "." and ".." first.
#include <dirent.h>
#include <fcntl.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "os/vfs/dirent.h"
#include "os/vfs/file_system.h"
#include "tests/os/vfs_test_support.h"

namespace vmlab::os::vfs {
namespace {

using testing::errno_of;
using testing::TempTree;

struct Record {
  uint64_t ino;
  int64_t off;
  uint16_t reclen;
  uint8_t type;
  std::string name;
};

std::vector<Record> parse(std::span<const uint8_t> buffer) {
  std::vector<Record> out;
  for (size_t at = 0; at < buffer.size();) {
    Record r{};
    std::memcpy(&r.ino, buffer.data() + at + kDirentInoOffset, sizeof r.ino);
    std::memcpy(&r.off, buffer.data() + at + kDirentOffOffset, sizeof r.off);
    std::memcpy(&r.reclen, buffer.data() + at + kDirentReclenOffset, sizeof r.reclen);
    r.type = buffer[at + kDirentTypeOffset];
    r.name = reinterpret_cast<const char*>(buffer.data() + at + kDirentNameOffset);
    out.push_back(r);
    if (r.reclen == 0) break;
    at += r.reclen;
  }
  return out;
}

class Getdents : public ::testing::Test {
 protected:
  Getdents() {
    tree.mkdir("d/sub");
    tree.write("d/a", "");
    tree.write("d/a_much_longer_file_name", "");
    tree.symlink("a", "d/link");
  }
  std::shared_ptr<OpenFile> open_dir() {
    return fs.open("/d", "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0)->file;
  }
  // ".", "..", then the names as the host's own readdir returns them.
  std::vector<std::string> expected_names() const {
    std::vector<std::string> names = {".", ".."};
    DIR* dir = ::opendir((tree.root() + "/d").c_str());
    while (const dirent* d = ::readdir(dir)) {
      const std::string name = d->d_name;
      if (name != "." && name != "..") names.push_back(name);
    }
    ::closedir(dir);
    return names;
  }
  TempTree tree;
  FileSystem fs{tree.root()};
};

TEST(DirentLayout, RecordLengthsAreAlignedToEightBytes) {
  EXPECT_EQ(dirent_record_length(1), 24u);  // 19 + "a" + NUL = 21 -> 24
  EXPECT_EQ(dirent_record_length(4), 24u);  // 19 + 4 + 1 = 24 exactly
  EXPECT_EQ(dirent_record_length(5), 32u);
  EXPECT_EQ(dirent_record_length(255), 280u);
}

TEST(DirentLayout, OneRecordByteForByte) {
  const DirEntry entry{"ab", 0x1122334455667788ull, DT_REG};
  std::vector<uint8_t> buffer(64, 0xee);
  const DirentBatch batch = encode_dirents(std::span(&entry, 1), 0, buffer);
  ASSERT_EQ(batch.bytes, 24);
  EXPECT_EQ(batch.next, 1u);
  const std::vector<uint8_t> expected = {
      0x88,   0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,  // d_ino, little-endian
      1,      0,    0,    0,    0,    0,    0,    0,     // d_off: the next entry's index
      24,     0,                                         // d_reclen
      DT_REG,                                            // d_type
      'a',    'b',  0,    0,    0};                      // d_name, NUL, zero padding
  EXPECT_EQ(std::vector<uint8_t>(buffer.begin(), buffer.begin() + 24), expected);
  EXPECT_EQ(buffer[24], 0xee);  // nothing written past the record
}

TEST_F(Getdents, ListsEveryEntryWithTypesAndInodes) {
  auto dir = open_dir();
  ASSERT_NE(dir, nullptr);
  std::vector<uint8_t> buffer(4096);
  const int64_t n = dir->getdents64(buffer);
  ASSERT_GT(n, 0);
  const auto records = parse(std::span(buffer).first(static_cast<size_t>(n)));
  ASSERT_EQ(records.size(), 6u);
  const std::vector<std::string> names = expected_names();
  const std::map<std::string, uint8_t> types = {
      {".", DT_DIR},    {"..", DT_DIR}, {"a", DT_REG}, {"a_much_longer_file_name", DT_REG},
      {"link", DT_LNK}, {"sub", DT_DIR}};
  int64_t total = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i].name, names[i]);
    EXPECT_EQ(records[i].type, types.at(names[i])) << names[i];
    EXPECT_EQ(records[i].off, static_cast<int64_t>(i + 1));
    EXPECT_EQ(records[i].reclen, dirent_record_length(names[i].size()));
    EXPECT_EQ(records[i].reclen % kDirentAlignment, 0u);
    total += records[i].reclen;
  }
  EXPECT_EQ(total, n);
  EXPECT_EQ(records[0].ino, fs.resolve("/d", "/", Follow::kYes)->inode->stat().ino);
  EXPECT_EQ(records[1].ino, fs.resolve("/", "/", Follow::kYes)->inode->stat().ino);
  EXPECT_EQ(records[2].ino,
            fs.resolve("/d/" + records[2].name, "/", Follow::kYes)->inode->stat().ino);
  EXPECT_EQ(dir->getdents64(buffer), 0);  // the end, and it stays there
  EXPECT_EQ(dir->getdents64(buffer), 0);
}

TEST_F(Getdents, ContinuesAcrossCallsWithASmallBuffer) {
  auto dir = open_dir();
  std::vector<uint8_t> buffer(dirent_record_length(std::strlen("link")));  // 24 bytes
  std::vector<uint8_t> big(48);
  for (const std::string& name : expected_names()) {
    if (dirent_record_length(name.size()) > buffer.size()) {
      // The next name needs 48 bytes: EINVAL, and the position does not move.
      EXPECT_EQ(dir->getdents64(buffer), -EINVAL);
      ASSERT_EQ(dir->getdents64(big), 48);
      EXPECT_EQ(parse(big)[0].name, name);
    } else {
      ASSERT_EQ(dir->getdents64(buffer), 24);
      EXPECT_EQ(parse(buffer)[0].name, name);
    }
  }
  EXPECT_EQ(dir->getdents64(buffer), 0);
}

TEST_F(Getdents, BufferTooSmallForOneRecordIsEinval) {
  auto dir = open_dir();
  std::vector<uint8_t> tiny(dirent_record_length(1) - 1);
  EXPECT_EQ(dir->getdents64(tiny), -EINVAL);
}

TEST_F(Getdents, SeekResumesAtADirentOffsetAndRewindRereads) {
  auto dir = open_dir();
  std::vector<uint8_t> buffer(4096);
  const int64_t n = dir->getdents64(buffer);
  const auto first = parse(std::span(buffer).first(static_cast<size_t>(n)));
  EXPECT_EQ(dir->seek(first[3].off, SEEK_SET), first[3].off);
  ASSERT_GT(dir->getdents64(buffer), 0);
  EXPECT_EQ(parse(buffer)[0].name, expected_names()[4]);
  EXPECT_EQ(dir->seek(0, SEEK_END), -EINVAL);
  // After a rewind, entries created meanwhile appear, after the host's.
  ASSERT_EQ(errno_of(fs.create("/d/b", "/", 0644, Exclusive::kYes)), 0);
  EXPECT_EQ(dir->seek(0, SEEK_SET), 0);
  const int64_t again = dir->getdents64(buffer);
  const auto second = parse(std::span(buffer).first(static_cast<size_t>(again)));
  ASSERT_EQ(second.size(), 7u);
  EXPECT_EQ(second[6].name, "b");
}

TEST_F(Getdents, NotADirectory) {
  auto file = fs.open("/d/a", "/", O_RDONLY, 0)->file;
  std::vector<uint8_t> buffer(256);
  EXPECT_EQ(file->getdents64(buffer), -ENOTDIR);
  auto dir = open_dir();
  EXPECT_EQ(dir->read(buffer), -EISDIR);
}

}  // namespace
}  // namespace vmlab::os::vfs
