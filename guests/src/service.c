/* service START_PAGES END_PAGES SECONDS RATE [LOG_MS] [SEED]: a cache that serves requests.

   Requests arrive at RATE per second of the guest's clock (an open loop: clients do not wait
   for the service). Each one reads and updates a word of a random page of the working set,
   which grows linearly from START_PAGES to END_PAGES over SECONDS (the cache fills up). The
   service serves every request that has arrived, in chunks, then sleeps until the next batch
   arrives; when it cannot keep up, a backlog builds. Every LOG_MS (default 250) it prints one
   line: "t_ms served backlog ws_pages". It stops after SECONDS, unserved requests dropped.

   On vmlab the clock is the modelled one: page faults, swap I/O and the kernel's work take
   time, so a service whose working set outgrows RAM falls behind as a real one does. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

enum { kPage = 4096, kChunk = 256 };
static const uint64_t kNsPerSecond = 1000000000ull, kNsPerMs = 1000000ull;
static const uint64_t kBatchNs = 1000000ull; /* requests arrive in batches of one millisecond */

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * kNsPerSecond + (uint64_t)ts.tv_nsec;
}

static void sleep_until(uint64_t start, uint64_t at) {
  const uint64_t now = now_ns() - start;
  if (at <= now) return;
  const uint64_t ns = at - now;
  struct timespec ts = {(time_t)(ns / kNsPerSecond), (long)(ns % kNsPerSecond)};
  nanosleep(&ts, NULL);
}

int main(int argc, char** argv) {
  if (argc < 5) {
    fputs("usage: service START_PAGES END_PAGES SECONDS RATE [LOG_MS] [SEED]\n", stderr);
    return 2;
  }
  const uint64_t start_pages = strtoull(argv[1], NULL, 0);
  const uint64_t end_pages = strtoull(argv[2], NULL, 0);
  const uint64_t duration = strtoull(argv[3], NULL, 0) * kNsPerSecond;
  const uint64_t rate = strtoull(argv[4], NULL, 0);
  const uint64_t log_every = (argc > 5 ? strtoull(argv[5], NULL, 0) : 250) * kNsPerMs;
  uint64_t x = argc > 6 ? strtoull(argv[6], NULL, 0) : 1;
  if (start_pages == 0 || end_pages < start_pages || duration == 0 || rate == 0) return 2;
  volatile unsigned char* cache =
      mmap(NULL, end_pages * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (cache == MAP_FAILED) return 1;
  setvbuf(stdout, NULL, _IOLBF, 0);

  const uint64_t start = now_ns();
  uint64_t filled = 0, served = 0, next_log = log_every;
  for (;;) {
    const uint64_t t = now_ns() - start;
    if (t >= duration) break;
    /* The working set at time t; new entries are written once when they join it. */
    const uint64_t ws = start_pages + (end_pages - start_pages) * (t / kNsPerMs) /
                                          (duration / kNsPerMs);
    for (; filled < ws; ++filled)
      cache[filled * kPage] = 1;
    const uint64_t arrived = (uint64_t)((__uint128_t)rate * (t - t % kBatchNs) / kNsPerSecond);
    for (int i = 0; i < kChunk && served < arrived; ++i, ++served) {
      x = x * 6364136223846793005ull + 1442695040888963407ull;
      volatile unsigned char* entry = cache + ((x >> 33) % filled) * kPage + (x & 0xff8);
      *entry = (unsigned char)(*entry + 1);
    }
    if (t >= next_log) {
      printf("%llu %llu %llu %llu\n", (unsigned long long)(t / kNsPerMs),
             (unsigned long long)served, (unsigned long long)(arrived - served),
             (unsigned long long)filled);
      next_log += log_every;
    }
    if (served >= arrived) sleep_until(start, t - t % kBatchNs + kBatchNs);
  }
  return 0;
}
