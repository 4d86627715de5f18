/* matmul N: C = A x B for N x N doubles, naive triple loop. Prints a checksum. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  const int n = argc > 1 ? atoi(argv[1]) : 100;
  if (n <= 0) return 2;
  double* a = malloc(sizeof(double) * n * n);
  double* b = malloc(sizeof(double) * n * n);
  double* c = calloc((size_t)n * n, sizeof(double));
  if (!a || !b || !c) return 1;
  for (int i = 0; i < n * n; ++i) {
    a[i] = (i % 7) * 0.5;
    b[i] = (i % 5) * 0.25;
  }
  for (int i = 0; i < n; ++i)
    for (int k = 0; k < n; ++k)
      for (int j = 0; j < n; ++j)
        c[i * n + j] += a[i * n + k] * b[k * n + j];
  double sum = 0;
  for (int i = 0; i < n * n; ++i)
    sum += c[i];
  printf("matmul %d: checksum %.3f\n", n, sum);
  return 0;
}
