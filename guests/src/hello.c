/* A libc program that exercises stdio, malloc (100 MB, touched sparsely), strings and qsort.
   Built with musl and with glibc; its output must match a native run exactly. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int compare(const void* a, const void* b) {
  const int x = *(const int*)a, y = *(const int*)b;
  return (x > y) - (x < y);
}

int main(int argc, char** argv) {
  printf("hello, %s! argc=%d\n", argc > 1 ? argv[1] : "world", argc);
  const size_t big = 100u << 20;
  unsigned char* p = malloc(big);
  if (p == NULL) return 1;
  unsigned long sum = 0;
  for (size_t i = 0; i < big; i += 1 << 20)
    p[i] = (unsigned char)(i >> 20);
  for (size_t i = 0; i < big; i += 1 << 20)
    sum += p[i];
  printf("sparse 100 MB sum %lu\n", sum);
  free(p);
  char text[64];
  strcpy(text, "virtual memory");
  strcat(text, " made visible");
  printf("%s (%zu chars, 'm' at %ld)\n", text, strlen(text), (long)(strchr(text, 'm') - text));
  int numbers[16];
  unsigned seed = 12345;
  for (int i = 0; i < 16; ++i)
    numbers[i] = (int)((seed = seed * 1103515245u + 12345u) >> 16) % 1000;
  qsort(numbers, 16, sizeof numbers[0], compare);
  for (int i = 0; i < 16; ++i)
    printf("%d%c", numbers[i], i == 15 ? '\n' : ' ');
  return 0;
}
