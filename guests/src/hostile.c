/* hostile MODE [ARGS]: a guest that does what careless or malicious programs do. Under vmlab
   each mode must end the way Linux ends it, with the host untouched.
   syscalls SEED BATCHES  every syscall number 0..450 with random arguments (small numbers,
                          random words, valid and wild pointers), in forked children so a
                          call that kills its caller ends only that batch
   mmap-flood             maps and touches 64 MiB chunks until the kernel says no
   fork-bomb              every process forks until fork fails, forever
   spin                   never exits
   smc                    code written into memory, run, rewritten and run again (RWX page)
   jit                    code written into a RW page, made executable with mprotect, run
   jit-read               code read() from a pipe into an RWX page (written by the kernel), run
   scatter PAGES          touches every other page of a PAGES*2-page region, then forks
   thread                 starts a POSIX thread (vmlab does not model threads: it must refuse
                          cleanly, and the program must see an error it can report)
   privileged NAME        runs one instruction user mode may not run (in, out, ins, outs, cli,
                          sti, hlt, mov-cr, mov-dr, lgdt, lidt, rdmsr, wrmsr, invlpg): Linux
                          ends the program with SIGSEGV (#GP); "NAME ran" means it did not */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

enum { kPage = 4096, kMaxSyscall = 450, kCallsPerBatch = 64 };

static uint64_t rng_state;
static uint64_t next_random(void) { /* SplitMix64 */
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/* Calls that would stop the experiment rather than test the kernel: they block forever,
   multiply processes, or signal other processes (the parent among them). */
static int skipped(long n) {
  switch (n) {
    case SYS_pause:
    case SYS_rt_sigsuspend:
    case SYS_futex:
    case SYS_rt_sigtimedwait:
    case SYS_poll:
    case SYS_ppoll:
    case SYS_select:
    case SYS_pselect6:
    case SYS_epoll_wait:
    case SYS_epoll_pwait:
    case SYS_epoll_pwait2:
    case SYS_wait4:
    case SYS_waitid:
    case SYS_fork:
    case SYS_vfork:
    case SYS_clone:
    case SYS_clone3:
    case SYS_kill:
    case SYS_tkill:
    case SYS_tgkill:
    case SYS_rt_sigqueueinfo:
    case SYS_rt_tgsigqueueinfo:
    case SYS_read:
    case SYS_readv:
    case SYS_pread64:
    case SYS_preadv:
    case SYS_preadv2:
    case SYS_recvfrom:
    case SYS_recvmsg:
    case SYS_accept:
    case SYS_accept4:
    case SYS_nanosleep:
    case SYS_clock_nanosleep:
    case SYS_msgrcv:
    case SYS_semop:
    case SYS_semtimedop:
    case SYS_flock:
    case SYS_io_getevents:
    case SYS_mq_timedreceive:
    case SYS_process_vm_readv:
    case SYS_process_vm_writev:
    case SYS_ptrace:
      return 1;
    default:
      return 0;
  }
}

static uint64_t random_argument(unsigned char* scratch) {
  switch (next_random() % 6) {
    case 0:
      return next_random() % 8; /* flags, fds, sizes */
    case 1:
      return next_random(); /* anything */
    case 2:
      return (uint64_t)(scratch + next_random() % kPage); /* valid memory */
    case 3:
      return 0; /* NULL */
    case 4:
      return 0xffff800000000000ull + (next_random() & 0xfffff); /* kernel space */
    default:
      return 0xdead0000ull + (next_random() & 0xfff); /* unmapped */
  }
}

static void syscall_batch(unsigned batch) {
  unsigned char* scratch =
      mmap(NULL, 2 * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (scratch == MAP_FAILED) _exit(100);
  for (int i = 0; i < kCallsPerBatch; ++i) {
    for (int j = 0; j < 2 * kPage; j += 8)
      *(uint64_t*)(scratch + j) = next_random();
    const long n = (long)(next_random() % (kMaxSyscall + 1));
    if (skipped(n)) continue;
    uint64_t a[6];
    for (int k = 0; k < 6; ++k)
      a[k] = random_argument(scratch);
    /* Writes to the standard streams would make the output depend on the calls. */
    if (a[0] <= 2) a[0] += 3;
    syscall(n, a[0], a[1], a[2], a[3], a[4], a[5]);
  }
  (void)batch;
  _exit(0);
}

static int fuzz_syscalls(uint64_t seed, unsigned batches) {
  signal(SIGPIPE, SIG_IGN);
  unsigned exited = 0, killed = 0;
  for (unsigned b = 0; b < batches; ++b) {
    rng_state = seed * 1000003u + b;
    fflush(stdout);
    const pid_t child = fork();
    if (child < 0) return 1;
    if (child == 0) syscall_batch(b);
    int status = 0;
    if (waitpid(child, &status, 0) != child) return 1;
    if (WIFSIGNALED(status)) {
      ++killed;
      printf("batch %u: killed by signal %d\n", b, WTERMSIG(status));
    } else {
      ++exited;
      printf("batch %u: exit %d\n", b, WEXITSTATUS(status));
    }
  }
  printf("%u batches: %u exited, %u killed\n", batches, exited, killed);
  return 0;
}

static int mmap_flood(void) {
  const size_t chunk = 64u << 20;
  for (unsigned i = 0;; ++i) {
    unsigned char* p =
        mmap(NULL, chunk, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
      printf("mmap failed after %u chunks: %s\n", i, strerror(errno));
      return 0;
    }
    for (size_t off = 0; off < chunk; off += kPage)
      p[off] = 1;
  }
}

static int fork_bomb(void) {
  for (;;) {
    if (fork() < 0) _exit(0);
  }
}

/* mov eax, IMM32; ret */
static void emit_return(unsigned char* code, uint32_t value) {
  code[0] = 0xb8;
  memcpy(code + 1, &value, 4);
  code[5] = 0xc3;
}

static int self_modifying(void) {
  unsigned char* code =
      mmap(NULL, kPage, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (code == MAP_FAILED) return 1;
  int (*fn)(void) = (int (*)(void))code;
  emit_return(code, 1);
  const int first = fn();
  emit_return(code, 2);
  const int second = fn();
  printf("smc: %d then %d\n", first, second);
  return 0;
}

static int jit(void) {
  unsigned char* code =
      mmap(NULL, kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (code == MAP_FAILED) return 1;
  int (*fn)(void) = (int (*)(void))code;
  int results[3];
  for (int i = 0; i < 3; ++i) {
    if (mprotect(code, kPage, PROT_READ | PROT_WRITE) != 0) return 1;
    emit_return(code, 10 + i);
    if (mprotect(code, kPage, PROT_READ | PROT_EXEC) != 0) return 1;
    results[i] = fn();
  }
  printf("jit: %d %d %d\n", results[0], results[1], results[2]);
  return 0;
}

/* Code the kernel writes: read() from a pipe into an RWX page, run, three times. */
static int jit_read(void) {
  unsigned char* code =
      mmap(NULL, kPage, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  int fds[2];
  if (code == MAP_FAILED || pipe(fds) != 0) return 1;
  int (*fn)(void) = (int (*)(void))code;
  int results[3];
  for (int i = 0; i < 3; ++i) {
    unsigned char instructions[6];
    emit_return(instructions, 20 + i);
    if (write(fds[1], instructions, sizeof instructions) != sizeof instructions) return 1;
    if (read(fds[0], code, sizeof instructions) != sizeof instructions) return 1;
    results[i] = fn();
  }
  printf("jit-read: %d %d %d\n", results[0], results[1], results[2]);
  return 0;
}

static int scatter(size_t pages) {
  unsigned char* p =
      mmap(NULL, pages * 2 * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return 1;
  for (size_t i = 0; i < pages; ++i)
    p[i * 2 * kPage] = 1;
  fflush(stdout);
  const pid_t child = fork();
  if (child == 0) _exit(p[0]);
  int status = 0;
  waitpid(child, &status, 0);
  printf("scatter: %zu pages, child status %d\n", pages, status);
  return 0;
}

static void* thread_body(void* arg) {
  return arg;
}

static int thread(void) {
  pthread_t t;
  const int err = pthread_create(&t, NULL, thread_body, NULL);
  if (err != 0) {
    printf("pthread_create: %s\n", strerror(err));
    return 1;
  }
  pthread_join(t, NULL);
  printf("thread ran\n");
  return 0;
}

static unsigned char io_buffer[16];
static unsigned char descriptor_table[10];

static int privileged(const char* name) {
  /* Each instruction raises #GP at CPL 3 (IOPL 0, no I/O bitmap): nothing after it runs. */
  if (strcmp(name, "in") == 0) {
    unsigned char v;
    __asm__ volatile("inb %%dx, %%al" : "=a"(v) : "d"(0x80));
  } else if (strcmp(name, "out") == 0) {
    __asm__ volatile("outb %%al, %%dx" : : "a"(0), "d"(0x80));
  } else if (strcmp(name, "ins") == 0) {
    void* d = io_buffer;
    __asm__ volatile("insb" : "+D"(d) : "d"(0x80) : "memory");
  } else if (strcmp(name, "outs") == 0) {
    const void* si = io_buffer;
    __asm__ volatile("outsb" : "+S"(si) : "d"(0x80));
  } else if (strcmp(name, "cli") == 0) {
    __asm__ volatile("cli");
  } else if (strcmp(name, "sti") == 0) {
    __asm__ volatile("sti");
  } else if (strcmp(name, "hlt") == 0) {
    __asm__ volatile("hlt");
  } else if (strcmp(name, "mov-cr") == 0) {
    unsigned long v;
    __asm__ volatile("mov %%cr3, %0" : "=r"(v));
  } else if (strcmp(name, "mov-dr") == 0) {
    __asm__ volatile("mov %0, %%dr7" : : "r"(0ul));
  } else if (strcmp(name, "lgdt") == 0) {
    __asm__ volatile("lgdt %0" : : "m"(descriptor_table));
  } else if (strcmp(name, "lidt") == 0) {
    __asm__ volatile("lidt %0" : : "m"(descriptor_table));
  } else if (strcmp(name, "rdmsr") == 0) {
    unsigned lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0xc0000080u));
  } else if (strcmp(name, "wrmsr") == 0) {
    __asm__ volatile("wrmsr" : : "a"(0), "d"(0), "c"(0xc0000080u));
  } else if (strcmp(name, "invlpg") == 0) {
    __asm__ volatile("invlpg %0" : : "m"(io_buffer));
  } else {
    fprintf(stderr, "hostile privileged: unknown instruction '%s'\n", name);
    return 2;
  }
  printf("%s ran\n", name);
  return 0;
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "";
  if (strcmp(mode, "syscalls") == 0 && argc > 3)
    return fuzz_syscalls(strtoull(argv[2], NULL, 0), (unsigned)strtoul(argv[3], NULL, 0));
  if (strcmp(mode, "mmap-flood") == 0) return mmap_flood();
  if (strcmp(mode, "fork-bomb") == 0) return fork_bomb();
  if (strcmp(mode, "spin") == 0)
    for (;;) {
    }
  if (strcmp(mode, "smc") == 0) return self_modifying();
  if (strcmp(mode, "jit") == 0) return jit();
  if (strcmp(mode, "jit-read") == 0) return jit_read();
  if (strcmp(mode, "scatter") == 0 && argc > 2) return scatter(strtoul(argv[2], NULL, 0));
  if (strcmp(mode, "thread") == 0) return thread();
  if (strcmp(mode, "privileged") == 0 && argc > 2) return privileged(argv[2]);
  fprintf(stderr,
          "usage: hostile syscalls SEED BATCHES | mmap-flood | fork-bomb | spin | smc | "
          "jit | jit-read | scatter PAGES | thread | privileged NAME\n");
  return 2;
}
