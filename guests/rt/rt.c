#include "rt.h"

i64 rt_syscall(i64 n, i64 a, i64 b, i64 c, i64 d, i64 e, i64 f) {
  i64 ret;
  register i64 r10 __asm__("r10") = d;
  register i64 r8 __asm__("r8") = e;
  register i64 r9 __asm__("r9") = f;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                   : "rcx", "r11", "memory");
  return ret;
}

void rt_exit(int code) {
  rt_syscall(SYS_exit_group, code, 0, 0, 0, 0, 0);
  __builtin_unreachable();
}

i64 rt_write(int fd, const void* buf, u64 n) {
  return rt_syscall(SYS_write, fd, (i64)buf, (i64)n, 0, 0, 0);
}

void* rt_mmap(u64 length, int prot, int flags) {
  return (void*)rt_syscall(SYS_mmap, 0, (i64)length, prot, flags, -1, 0);
}

u64 rt_strlen(const char* s) {
  u64 n = 0;
  while (s[n]) ++n;
  return n;
}

int rt_streq(const char* a, const char* b) {
  while (*a && *a == *b) ++a, ++b;
  return *a == *b;
}

u64 rt_parse(const char* s) {
  u64 v = 0;
  if (s[0] == '0' && s[1] == 'x') {
    for (s += 2;; ++s) {
      const char c = *s;
      const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (d < 0) return v;
      v = v * 16 + (u64)d;
    }
  }
  for (; *s >= '0' && *s <= '9'; ++s) v = v * 10 + (u64)(*s - '0');
  return v;
}

void rt_puts(const char* s) { rt_write(1, s, rt_strlen(s)); }

void rt_put_u64(u64 v) {
  char buf[24];
  int i = sizeof buf;
  do {
    buf[--i] = (char)('0' + v % 10);
    v /= 10;
  } while (v != 0);
  rt_write(1, buf + i, sizeof buf - (u64)i);
}

void rt_put_hex(u64 v) {
  char buf[18];
  int i = sizeof buf;
  do {
    const int d = (int)(v & 15);
    buf[--i] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
    v >>= 4;
  } while (v != 0);
  buf[--i] = 'x';
  buf[--i] = '0';
  rt_write(1, buf + i, sizeof buf - (u64)i);
}

void rt_start(u64* sp) __attribute__((noreturn));
void rt_start(u64* sp) {
  const int argc = (int)sp[0];
  char** argv = (char**)(sp + 1);
  rt_exit(main(argc, argv));
}
