/*
 * getpid() from C, timed the way bench/ffi.ts times it through koffi: batches of calls, the median
 * batch, nanoseconds per call. The baseline of "what a system call costs here": koffi's figure is
 * compared with it. Prints one number.
 *
 * Built by the bench with the machine's C compiler, if it has one: cc -O2 -o getpid getpid.c
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e9 + t.tv_nsec;
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  int batches = argc > 1 ? atoi(argv[1]) : 7;
  double batch_ms = argc > 2 ? atof(argv[2]) : 60;
  double per_call[64];
  if (batches < 1 || batches > 64) return 2;
  volatile long sink = 0;
  for (int batch = 0; batch <= batches; batch++) {
    double start = now_ns(), end = start + batch_ms * 1e6, t = start;
    long calls = 0;
    while (t < end) {
      /* syscall(), not getpid(): some C libraries once cached the pid, and then no system call is made. */
      for (int i = 0; i < 1000; i++) sink += syscall(SYS_getpid);
      calls += 1000;
      t = now_ns();
    }
    if (batch > 0) per_call[batch - 1] = (t - start) / calls; /* the first batch only warms up */
  }
  qsort(per_call, batches, sizeof per_call[0], by_value);
  printf("%.1f\n", per_call[batches / 2]);
  return 0;
}
