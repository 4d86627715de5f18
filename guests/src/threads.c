// POSIX threads as students and libraries use them; each mode's output is deterministic, so
// runs compare byte for byte with native ones.
//   sync        4 threads: a mutex-protected counter, a barrier, then a condition variable
//               that lets them print in order; thread-local storage; join results
//   segv        a thread dereferences NULL: the whole process dies of SIGSEGV
//   exit-group  a thread calls exit(7) while the others wait: the process ends with 7
//   main-exit   main calls pthread_exit; the process lives on in a detached thread
//   signal      a process-directed signal is taken by the one thread that does not block it
//   fork        a thread forks; the child runs and the thread waits for it
//   exec        a thread execs while another runs: the process becomes the new program
//   bomb        threads are created until pthread_create fails (its error is printed)
//   deadlock    two threads lock two mutexes in opposite orders
//   proc        /proc/self/task and the Threads: line of /proc/self/status with 4 threads
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

enum { kThreads = 4, kIterations = 10000 };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static pthread_barrier_t barrier;
static long counter;
static int turn;
static __thread int tls_value;

static void* sync_worker(void* arg) {
  const int id = (int)(long)arg;
  tls_value = id * 100;
  for (int i = 0; i < kIterations; ++i) {
    pthread_mutex_lock(&lock);
    counter += id + 1;
    pthread_mutex_unlock(&lock);
  }
  pthread_barrier_wait(&barrier);
  pthread_mutex_lock(&lock);
  while (turn != id)
    pthread_cond_wait(&cond, &lock);
  printf("thread %d: tls %d, counter %ld\n", id, tls_value, counter);
  ++turn;
  pthread_cond_broadcast(&cond);
  pthread_mutex_unlock(&lock);
  return (void*)(long)(id * 2);
}

static int run_sync(void) {
  pthread_t t[kThreads];
  pthread_barrier_init(&barrier, NULL, kThreads);
  tls_value = -1;
  for (long i = 0; i < kThreads; ++i)
    pthread_create(&t[i], NULL, sync_worker, (void*)i);
  long sum = 0;
  for (int i = 0; i < kThreads; ++i) {
    void* r;
    pthread_join(t[i], &r);
    sum += (long)r;
  }
  printf("main: tls %d, counter %ld, joined %ld\n", tls_value, counter, sum);
  return 0;
}

static void* segv_worker(void* arg) {
  (void)arg;
  puts("worker: about to fault");
  fflush(stdout);
  *(volatile int*)0 = 1;
  return NULL;
}

static void* exit_worker(void* arg) {
  (void)arg;
  puts("worker: exit(7)");
  fflush(stdout);
  exit(7);
}

static void* waiting_worker(void* arg) {
  (void)arg;
  pthread_mutex_lock(&lock);
  for (;;)
    pthread_cond_wait(&cond, &lock);
  return NULL;
}

static int run_ending(void* (*fn)(void*)) {
  pthread_t waiter, t;
  pthread_create(&waiter, NULL, waiting_worker, NULL);
  pthread_create(&t, NULL, fn, NULL);
  pthread_join(t, NULL);
  puts("main: not reached");
  return 1;
}

static void* detached_worker(void* arg) {
  (void)arg;
  pthread_mutex_lock(&lock);
  while (!turn)
    pthread_cond_wait(&cond, &lock);  // main has printed
  pthread_mutex_unlock(&lock);
  for (int i = 0; i < 3; ++i) {
    printf("detached: %d\n", i);
    sched_yield();
  }
  return NULL;
}

static int run_main_exit(void) {
  pthread_t t;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_create(&t, &attr, detached_worker, NULL);
  puts("main: pthread_exit");
  fflush(stdout);
  pthread_mutex_lock(&lock);
  turn = 1;
  pthread_cond_signal(&cond);
  pthread_mutex_unlock(&lock);
  pthread_exit(NULL);
}

static volatile sig_atomic_t handled_by_worker = -1;
static pid_t worker_tid;

static void on_usr1(int sig) {
  (void)sig;
  handled_by_worker = (pid_t)syscall(SYS_gettid) == worker_tid;
}

static void* signal_worker(void* arg) {
  (void)arg;
  pthread_mutex_lock(&lock);
  worker_tid = (pid_t)syscall(SYS_gettid);
  turn = 1;
  pthread_cond_broadcast(&cond);
  while (handled_by_worker < 0) {
    pthread_mutex_unlock(&lock);
    sched_yield();
    pthread_mutex_lock(&lock);
  }
  pthread_mutex_unlock(&lock);
  return NULL;
}

static int run_signal(void) {
  signal(SIGUSR1, on_usr1);
  sigset_t usr1;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &usr1, NULL);  // the worker does not inherit the block: set later
  pthread_t t;
  pthread_sigmask(SIG_UNBLOCK, &usr1, NULL);
  pthread_create(&t, NULL, signal_worker, NULL);
  pthread_sigmask(SIG_BLOCK, &usr1, NULL);
  pthread_mutex_lock(&lock);
  while (turn != 1)
    pthread_cond_wait(&cond, &lock);
  pthread_mutex_unlock(&lock);
  kill(getpid(), SIGUSR1);
  pthread_join(t, NULL);
  printf("SIGUSR1 handled by the worker: %s; main's tid is the pid: %s\n",
         handled_by_worker ? "yes" : "no", syscall(SYS_gettid) == getpid() ? "yes" : "no");
  return 0;
}

static void* fork_worker(void* arg) {
  (void)arg;
  const pid_t child = fork();
  if (child == 0) {
    puts("child: running");
    fflush(stdout);
    _exit(3);
  }
  int status = 0;
  waitpid(child, &status, 0);
  printf("worker: child exited with %d\n", WEXITSTATUS(status));
  return NULL;
}

static int run_fork(void) {
  pthread_t t;
  pthread_create(&t, NULL, fork_worker, NULL);
  pthread_join(t, NULL);
  puts("main: joined");
  return 0;
}

static void* exec_worker(void* arg) {
  (void)arg;
  char* const argv[] = {"/bin/echo", "exec from a thread", NULL};
  execv(argv[0], argv);
  perror("execv");
  return NULL;
}

static int run_exec(void) {
  pthread_t waiter, t;
  pthread_create(&waiter, NULL, waiting_worker, NULL);
  pthread_create(&t, NULL, exec_worker, NULL);
  pthread_join(t, NULL);
  return 1;
}

static void* idle_worker(void* arg) {
  (void)arg;
  pthread_mutex_lock(&lock);
  while (!turn)
    pthread_cond_wait(&cond, &lock);
  pthread_mutex_unlock(&lock);
  return NULL;
}

static int run_bomb(void) {
  enum { kMax = 4096 };
  static pthread_t t[kMax];
  int n = 0, err = 0;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 64 * 1024);
  while (n < kMax && (err = pthread_create(&t[n], &attr, idle_worker, NULL)) == 0)
    ++n;
  pthread_mutex_lock(&lock);
  turn = 1;
  pthread_cond_broadcast(&cond);
  pthread_mutex_unlock(&lock);
  for (int i = 0; i < n; ++i)
    pthread_join(t[i], NULL);
  printf("created %d threads, then: %s\n", n, err ? strerror(err) : "no error");
  return 0;
}

static pthread_mutex_t first = PTHREAD_MUTEX_INITIALIZER, second = PTHREAD_MUTEX_INITIALIZER;

static void* deadlock_worker(void* arg) {
  (void)arg;
  pthread_mutex_lock(&second);
  pthread_barrier_wait(&barrier);
  pthread_mutex_lock(&first);
  return NULL;
}

static int run_deadlock(void) {
  pthread_t t;
  pthread_barrier_init(&barrier, NULL, 2);
  pthread_create(&t, NULL, deadlock_worker, NULL);
  pthread_mutex_lock(&first);
  pthread_barrier_wait(&barrier);
  puts("both hold one lock");
  fflush(stdout);
  pthread_mutex_lock(&second);
  return 0;
}

static void* parked_worker(void* arg) {
  (void)arg;
  pthread_barrier_wait(&barrier);  // started
  pthread_barrier_wait(&barrier);  // main has looked
  return NULL;
}

static int run_proc(void) {
  pthread_t t[kThreads - 1];
  pthread_barrier_init(&barrier, NULL, kThreads);
  for (int i = 0; i < kThreads - 1; ++i)
    pthread_create(&t[i], NULL, parked_worker, NULL);
  pthread_barrier_wait(&barrier);
  int tasks = 0, self_listed = 0;
  DIR* d = opendir("/proc/self/task");
  for (struct dirent* e; d != NULL && (e = readdir(d)) != NULL;) {
    if (e->d_name[0] == '.') continue;
    ++tasks;
    if (atoi(e->d_name) == getpid()) ++self_listed;
  }
  if (d != NULL) closedir(d);
  char line[256];
  FILE* status = fopen("/proc/self/status", "r");
  while (status != NULL && fgets(line, sizeof line, status) != NULL)
    if (strncmp(line, "Threads:", 8) == 0) fputs(line, stdout);
  if (status != NULL) fclose(status);
  printf("task entries: %d, the main thread among them: %d\n", tasks, self_listed);
  pthread_barrier_wait(&barrier);
  for (int i = 0; i < kThreads - 1; ++i)
    pthread_join(t[i], NULL);
  return 0;
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "";
  if (strcmp(mode, "sync") == 0) return run_sync();
  if (strcmp(mode, "segv") == 0) return run_ending(segv_worker);
  if (strcmp(mode, "exit-group") == 0) return run_ending(exit_worker);
  if (strcmp(mode, "main-exit") == 0) return run_main_exit();
  if (strcmp(mode, "signal") == 0) return run_signal();
  if (strcmp(mode, "fork") == 0) return run_fork();
  if (strcmp(mode, "exec") == 0) return run_exec();
  if (strcmp(mode, "bomb") == 0) return run_bomb();
  if (strcmp(mode, "deadlock") == 0) return run_deadlock();
  if (strcmp(mode, "proc") == 0) return run_proc();
  fprintf(stderr,
          "usage: threads sync | segv | exit-group | main-exit | signal | fork | exec | bomb | "
          "deadlock | proc\n");
  return 2;
}
