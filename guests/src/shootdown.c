// TLB shootdowns: THREADS threads share a buffer of PAGES pages; in each of ROUNDS rounds every
// thread reads every page (so each CPU caches its translations), then the main thread takes
// the pages away — mprotect(PROT_READ) and back, or munmap and a new mmap — which on several
// CPUs costs an IPI to each other CPU that runs the process. The printed sum is the same
// however many CPUs run the threads.
//
//   shootdown THREADS ROUNDS PAGES mprotect|munmap
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

enum { kPage = 4096, kMaxThreads = 64 };

static pthread_barrier_t barrier;
static volatile unsigned char* buffer;
static long pages, rounds;
static long sums[kMaxThreads];

static void touch(long id) {
  long sum = 0;
  for (long p = 0; p < pages; ++p) sum += buffer[p * kPage + id % kPage];
  sums[id] += sum;
}

static void* worker(void* arg) {
  const long id = (long)arg;
  for (long r = 0; r < rounds; ++r) {
    pthread_barrier_wait(&barrier);  // the buffer is ready
    touch(id);
    pthread_barrier_wait(&barrier);  // every thread has read it
  }
  return NULL;
}

static unsigned char* fresh_buffer(long round) {
  unsigned char* b = mmap(NULL, (size_t)(pages * kPage), PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (b == MAP_FAILED) {
    perror("mmap");
    exit(1);
  }
  for (long p = 0; p < pages; ++p) memset(b + p * kPage, (int)((p + round) & 0x7f), kPage);
  return b;
}

int main(int argc, char** argv) {
  if (argc != 5 || (strcmp(argv[4], "mprotect") != 0 && strcmp(argv[4], "munmap") != 0)) {
    fprintf(stderr, "usage: shootdown THREADS ROUNDS PAGES mprotect|munmap\n");
    return 2;
  }
  const long threads = atol(argv[1]);
  rounds = atol(argv[2]);
  pages = atol(argv[3]);
  const int unmap = strcmp(argv[4], "munmap") == 0;
  if (threads < 1 || threads > kMaxThreads || rounds < 1 || pages < 1) {
    fprintf(stderr, "shootdown: THREADS 1..%d, ROUNDS and PAGES at least 1\n", kMaxThreads);
    return 2;
  }
  pthread_barrier_init(&barrier, NULL, (unsigned)threads);
  pthread_t t[kMaxThreads];
  buffer = fresh_buffer(0);
  for (long i = 1; i < threads; ++i) pthread_create(&t[i], NULL, worker, (void*)i);
  const size_t bytes = (size_t)(pages * kPage);
  for (long r = 0; r < rounds; ++r) {
    pthread_barrier_wait(&barrier);
    touch(0);
    pthread_barrier_wait(&barrier);
    if (unmap) {
      munmap((void*)buffer, bytes);
      buffer = fresh_buffer(r + 1);
    } else {
      mprotect((void*)buffer, bytes, PROT_READ);
      mprotect((void*)buffer, bytes, PROT_READ | PROT_WRITE);
    }
  }
  for (long i = 1; i < threads; ++i) pthread_join(t[i], NULL);
  long total = 0;
  for (long i = 0; i < threads; ++i) total += sums[i];
  printf("threads %ld, rounds %ld, pages %ld, %s: sum %ld\n", threads, rounds, pages, argv[4],
         total);
  return 0;
}
