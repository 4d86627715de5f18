/* shared_file [DIR [PAGES]]: a file mapped MAP_SHARED is the file. Stores through the mapping are seen
   by read() at once, survive msync, munmap and reopening; a later write() shows in a mapping
   that already exists; a child's stores through an inherited shared mapping reach the parent
   and the file. Prints what each step sees; the output must match a native run. With PAGES,
   it then stores into every page of a PAGES-page shared file and reads the file back with
   read() after munmap (under memory pressure, reclaim must write dirty pages back). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

enum { kSize = 3 * 4096 + 100 };

static void show(const char* step, int fd, off_t offset) {
  char buffer[17] = {0};
  if (pread(fd, buffer, 16, offset) != 16) {
    printf("%s: short read\n", step);
    return;
  }
  printf("%-28s %.16s\n", step, buffer);
}

static int big_file(const char* path, int pages) {
  const size_t size = (size_t)pages * 4096;
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || ftruncate(fd, (off_t)size) != 0) return 7;
  unsigned char* map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) return 8;
  for (int i = 0; i < pages; ++i)
    for (int j = 0; j < 4096; j += 512)
      map[(size_t)i * 4096 + j] = (unsigned char)(i * 7 + j / 512);
  if (munmap(map, size) != 0) return 9;
  unsigned char page[4096];
  int wrong = 0;
  for (int i = 0; i < pages; ++i) {
    if (pread(fd, page, sizeof page, (off_t)i * 4096) != (ssize_t)sizeof page) return 10;
    for (int j = 0; j < 4096; j += 512)
      wrong += page[j] != (unsigned char)(i * 7 + j / 512);
  }
  printf("%d pages stored through the mapping, %d bytes read back wrong\n", pages, wrong);
  close(fd);
  unlink(path);
  return 0;
}

int main(int argc, char** argv) {
  char path[256];
  snprintf(path, sizeof path, "%s/shared_file.dat", argc > 1 ? argv[1] : "/tmp");
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return 1;
  static char initial[kSize];
  memset(initial, '.', sizeof initial);
  if (write(fd, initial, sizeof initial) != (ssize_t)sizeof initial) return 2;
  char* map = mmap(NULL, kSize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) return 3;

  memcpy(map, "stored-by-map-01", 16);
  show("read() after a store", fd, 0);
  memcpy(map + 2 * 4096, "second-page-0002", 16);
  if (msync(map, kSize, MS_SYNC) != 0) return 4;
  show("read() after msync", fd, 2 * 4096);
  if (pwrite(fd, "written-by-pwrit", 16, 4096) != 16) return 5;
  printf("%-28s %.16s\n", "the mapping after pwrite()", map + 4096);

  pid_t child = fork();
  if (child == 0) {
    memcpy(map + 3 * 4096, "child-stored-003", 16);
    _exit(0);
  }
  waitpid(child, NULL, 0);
  printf("%-28s %.16s\n", "the parent's mapping", map + 3 * 4096);
  memcpy(map + 3 * 4096 + 50, "tail-of-the-file", 16);
  if (munmap(map, kSize) != 0) return 6;
  close(fd);

  fd = open(path, O_RDONLY);
  show("after munmap, reopened", fd, 0);
  show("page 1, reopened", fd, 4096);
  show("page 3, reopened", fd, 3 * 4096);
  show("past the store, reopened", fd, 3 * 4096 + 50);
  off_t size = lseek(fd, 0, SEEK_END);
  printf("size %ld\n", (long)size);
  close(fd);
  unlink(path);
  return argc > 2 ? big_file(path, atoi(argv[2])) : 0;
}
