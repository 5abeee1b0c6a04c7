/* OpenBLAS's own cblas_sgemm on n x n float32 matrices: the practical ceiling for mlxts matmul here.
   Prints the median GFLOP/s of `repeats` runs after a warm-up. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static int compare(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1024;
  int repeats = argc > 2 ? atoi(argv[2]) : 7;
  float* a = malloc(sizeof(float) * n * n);
  float* b = malloc(sizeof(float) * n * n);
  float* c = malloc(sizeof(float) * n * n);
  for (long i = 0; i < (long)n * n; i++) {
    a[i] = (float)(i % 97) / 97.0f;
    b[i] = (float)(i % 89) / 89.0f - 0.5f;
  }
  double* gflops = malloc(sizeof(double) * repeats);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
  for (int r = 0; r < repeats; r++) {
    double t0 = now();
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
    gflops[r] = 2.0 * n * n * (double)n / (now() - t0) / 1e9;
  }
  qsort(gflops, repeats, sizeof(double), compare);
  printf("%.1f\n", gflops[repeats / 2]);
  return 0;
}
