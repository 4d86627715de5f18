/* compute ITERATIONS: a register-only integer loop (xorshift mixing); almost no memory. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  const unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 10000000;
  uint64_t x = 88172645463325252ull, acc = 0;
  for (unsigned long i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    acc += x % 1000003;
  }
  printf("compute: %lu iterations, checksum %llu\n", n, (unsigned long long)acc);
  return 0;
}
