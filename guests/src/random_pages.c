/* random_pages MIB [SEED]: writes one word into every page of a fresh MIB-MiB anonymous mapping,
   visiting the pages in a random order (a Fisher-Yates shuffle from SEED), then reads them all
   back. Every page becomes resident, scattered in time across the whole region: the access
   pattern that a page-per-host-mapping emulator cannot survive at scale. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

enum { kPage = 4096 };

static uint64_t state;
static uint64_t next_random(void) { /* SplitMix64 */
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fputs("usage: random_pages MIB [SEED]\n", stderr);
    return 2;
  }
  const size_t pages = (size_t)strtoul(argv[1], NULL, 0) * (1024 * 1024 / kPage);
  state = argc > 2 ? strtoull(argv[2], NULL, 0) : 1;
  uint32_t* order = malloc(pages * sizeof *order);
  unsigned char* region =
      mmap(NULL, pages * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (order == NULL || region == MAP_FAILED) {
    fputs("random_pages: out of memory\n", stderr);
    return 1;
  }
  for (size_t i = 0; i < pages; ++i)
    order[i] = (uint32_t)i;
  for (size_t i = pages; i > 1; --i) {
    const size_t j = next_random() % i;
    const uint32_t t = order[i - 1];
    order[i - 1] = order[j];
    order[j] = t;
  }
  for (size_t i = 0; i < pages; ++i)
    *(uint64_t*)(region + (size_t)order[i] * kPage) = order[i] * 2654435761u;
  uint64_t checksum = 0;
  for (size_t i = 0; i < pages; ++i)
    checksum += *(uint64_t*)(region + i * kPage);
  printf("random_pages: %zu pages, checksum %llu\n", pages, (unsigned long long)checksum);
  return 0;
}
