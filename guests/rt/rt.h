/* A tiny freestanding runtime for vmlab guests: raw Linux system calls and a few helpers.
   No libc, so every page fault and instruction of a guest is its own. */
#ifndef VMLAB_RT_H
#define VMLAB_RT_H

typedef unsigned long u64;
typedef long i64;

enum {
  SYS_read = 0,
  SYS_write = 1,
  SYS_mmap = 9,
  SYS_mprotect = 10,
  SYS_munmap = 11,
  SYS_sched_yield = 24,
  SYS_getpid = 39,
  SYS_fork = 57,
  SYS_exit = 60,
  SYS_wait4 = 61,
  SYS_kill = 62,
  SYS_exit_group = 231,
};
enum { PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4 };
enum { MAP_PRIVATE = 2, MAP_ANONYMOUS = 0x20, MAP_SHARED = 1 };

i64 rt_syscall(i64 n, i64 a, i64 b, i64 c, i64 d, i64 e, i64 f);

void rt_exit(int code) __attribute__((noreturn));
i64 rt_write(int fd, const void* buf, u64 n);
void* rt_mmap(u64 length, int prot, int flags);
u64 rt_strlen(const char* s);
int rt_streq(const char* a, const char* b);
/* Decimal or 0x-prefixed hexadecimal; stops at the first non-digit. */
u64 rt_parse(const char* s);
void rt_puts(const char* s);
void rt_put_u64(u64 v);
void rt_put_hex(u64 v);

/* The guest's main: argc/argv as usual. */
int main(int argc, char** argv);

#endif
