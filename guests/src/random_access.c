/* random_access MIB ACCESSES [SEED]: fills an array of MIB MiB, then reads and updates
   ACCESSES random 8-byte words (a 64-bit LCG). Prints a checksum. The TLB's worst case. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  if (argc < 3) {
    fputs("usage: random_access MIB ACCESSES [SEED]\n", stderr);
    return 2;
  }
  const size_t words = (size_t)strtoul(argv[1], NULL, 0) << 17; /* MiB / 8 bytes */
  const unsigned long accesses = strtoul(argv[2], NULL, 0);
  uint64_t x = argc > 3 ? strtoull(argv[3], NULL, 0) : 1;
  uint64_t* a = malloc(words * sizeof *a);
  if (a == NULL || words == 0) return 1;
  for (size_t i = 0; i < words; ++i)
    a[i] = i;
  uint64_t sum = 0;
  for (unsigned long i = 0; i < accesses; ++i) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    const size_t k = (size_t)(x >> 20) % words;
    sum += a[k];
    a[k] = sum;
  }
  printf("random_access: %zu MiB, %lu accesses, checksum %llu\n", words >> 17, accesses,
         (unsigned long long)sum);
  return 0;
}
