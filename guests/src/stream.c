/* stream MIB ROUNDS: sums an array of MIB MiB sequentially ROUNDS times (streaming access). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  const size_t words = (size_t)(argc > 1 ? strtoul(argv[1], NULL, 0) : 16) << 17;
  const unsigned rounds = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 0) : 10;
  uint64_t* a = malloc(words * sizeof *a);
  if (a == NULL) return 1;
  for (size_t i = 0; i < words; ++i)
    a[i] = i * 3;
  uint64_t sum = 0;
  for (unsigned r = 0; r < rounds; ++r)
    for (size_t i = 0; i < words; ++i)
      sum += a[i] ^ r;
  printf("stream: %zu MiB x %u rounds, checksum %llu\n", words >> 17, rounds,
         (unsigned long long)sum);
  return 0;
}
