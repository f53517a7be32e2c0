/* I/O fault injection for the script tests (LD_PRELOAD). Makes writes to chosen files fail as
 * a full disk or a refused permission would, at the system-call boundary that libhdf5 and
 * xbarmc use (open/openat, write/pwrite/writev), so the whole write path above it is tested.
 *
 * Environment:
 *   XBARMC_FAULT_MODE   enospc: writes to a chosen file fail with ENOSPC after
 *                               XBARMC_FAULT_BYTES bytes (a short write first, as a filling
 *                               disk gives);
 *                       eacces: opening a chosen file for writing fails with EACCES.
 *   XBARMC_FAULT_MATCH  substring of the path that chooses a file (required);
 *   XBARMC_FAULT_SKIP   the first N chosen files are left alone (default 0), e.g. to let N
 *                       checkpoints through before the disk "fills";
 *   XBARMC_FAULT_BYTES  enospc: bytes accepted per chosen file (default 0);
 *   XBARMC_FAULT_LOG    file that gets one line per injected fault (to count them).
 * Opens for reading only are never touched. Build: cc -shared -fPIC -o x.so io_faults.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#define MAX_FD 4096

static long long g_budget[MAX_FD]; /* bytes left on a chosen fd; -1 = not chosen */
static int g_init = 0;
static long g_skip_left = 0;

static void init(void) {
  if (g_init) return;
  for (int i = 0; i < MAX_FD; ++i) g_budget[i] = -1;
  const char* skip = getenv("XBARMC_FAULT_SKIP");
  g_skip_left = skip ? atol(skip) : 0;
  g_init = 1;
}

static ssize_t (*real_write_fn(void))(int, const void*, size_t) {
  static ssize_t (*f)(int, const void*, size_t) = 0;
  if (!f) f = (ssize_t(*)(int, const void*, size_t))dlsym(RTLD_NEXT, "write");
  return f;
}

/* Appends one line "what path-or-fd" to XBARMC_FAULT_LOG. */
static void log_fault(const char* what, const char* detail) {
  const char* log = getenv("XBARMC_FAULT_LOG");
  if (!log) return;
  int (*real_open)(const char*, int, ...) = (int (*)(const char*, int, ...))dlsym(RTLD_NEXT, "open");
  int fd = real_open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0) return;
  char line[1200];
  int n = snprintf(line, sizeof line, "%s %s\n", what, detail);
  if (n > 0) real_write_fn()(fd, line, (size_t)(n < (int)sizeof line ? n : (int)sizeof line - 1));
  close(fd);
}

static int mode_is(const char* m) {
  const char* mode = getenv("XBARMC_FAULT_MODE");
  return mode && strcmp(mode, m) == 0;
}

/* Whether an open of `path` with `flags` is chosen (counts XBARMC_FAULT_SKIP down). */
static int chosen(const char* path, int flags) {
  init();
  const char* match = getenv("XBARMC_FAULT_MATCH");
  if (!match || !path || (flags & (O_WRONLY | O_RDWR | O_CREAT)) == 0) return 0;
  if (!strstr(path, match)) return 0;
  if (g_skip_left > 0) {
    --g_skip_left;
    return 0;
  }
  return 1;
}

/* Common tail of every open variant: refuse (eacces) or remember the fd (enospc). */
static int after_open(const char* path, int flags, int (*do_open)(void*), void* ctx) {
  const int pick = chosen(path, flags);
  if (pick && mode_is("eacces")) {
    log_fault("eacces", path);
    errno = EACCES;
    return -1;
  }
  const int fd = do_open(ctx);
  if (fd >= 0 && fd < MAX_FD) {
    const char* bytes = getenv("XBARMC_FAULT_BYTES");
    g_budget[fd] = pick && mode_is("enospc") ? (bytes ? atoll(bytes) : 0) : -1;
  }
  return fd;
}

struct OpenArgs {
  const char* sym;
  int dirfd;
  const char* path;
  int flags;
  mode_t mode;
};

static int call_open(void* p) {
  struct OpenArgs* a = (struct OpenArgs*)p;
  if (a->dirfd == -12345) {
    int (*f)(const char*, int, ...) = (int (*)(const char*, int, ...))dlsym(RTLD_NEXT, a->sym);
    return f(a->path, a->flags, a->mode);
  }
  int (*f)(int, const char*, int, ...) = (int (*)(int, const char*, int, ...))dlsym(RTLD_NEXT, a->sym);
  return f(a->dirfd, a->path, a->flags, a->mode);
}

#define OPEN_MODE(flags, mode)               \
  mode_t mode = 0;                           \
  if ((flags) & (O_CREAT | __O_TMPFILE)) {   \
    va_list ap;                              \
    va_start(ap, flags);                     \
    mode = (mode_t)va_arg(ap, int);          \
    va_end(ap);                              \
  }

int open(const char* path, int flags, ...) {
  OPEN_MODE(flags, mode);
  struct OpenArgs a = {"open", -12345, path, flags, mode};
  return after_open(path, flags, call_open, &a);
}
int open64(const char* path, int flags, ...) {
  OPEN_MODE(flags, mode);
  struct OpenArgs a = {"open64", -12345, path, flags, mode};
  return after_open(path, flags, call_open, &a);
}
int openat(int dirfd, const char* path, int flags, ...) {
  OPEN_MODE(flags, mode);
  struct OpenArgs a = {"openat", dirfd, path, flags, mode};
  return after_open(path, flags, call_open, &a);
}
int openat64(int dirfd, const char* path, int flags, ...) {
  OPEN_MODE(flags, mode);
  struct OpenArgs a = {"openat64", dirfd, path, flags, mode};
  return after_open(path, flags, call_open, &a);
}

int close(int fd) {
  static int (*f)(int) = 0;
  if (!f) f = (int (*)(int))dlsym(RTLD_NEXT, "close");
  if (g_init && fd >= 0 && fd < MAX_FD) g_budget[fd] = -1;
  return f(fd);
}

/* How many of `n` bytes a write to `fd` may write; -1 with errno ENOSPC when none. */
static ssize_t allowed(int fd, size_t n) {
  if (!g_init || fd < 0 || fd >= MAX_FD || g_budget[fd] < 0) return (ssize_t)n;
  if (n == 0) return 0;
  if (g_budget[fd] == 0) {
    char detail[32];
    snprintf(detail, sizeof detail, "fd=%d", fd);
    log_fault("enospc", detail);
    errno = ENOSPC;
    return -1;
  }
  const size_t ok = (size_t)g_budget[fd] < n ? (size_t)g_budget[fd] : n;
  g_budget[fd] -= (long long)ok;
  return (ssize_t)ok;
}

ssize_t write(int fd, const void* buf, size_t n) {
  const ssize_t k = allowed(fd, n);
  return k < 0 ? -1 : real_write_fn()(fd, buf, (size_t)k);
}
ssize_t pwrite(int fd, const void* buf, size_t n, off_t off) {
  static ssize_t (*f)(int, const void*, size_t, off_t) = 0;
  if (!f) f = (ssize_t(*)(int, const void*, size_t, off_t))dlsym(RTLD_NEXT, "pwrite");
  const ssize_t k = allowed(fd, n);
  return k < 0 ? -1 : f(fd, buf, (size_t)k, off);
}
ssize_t pwrite64(int fd, const void* buf, size_t n, off64_t off) {
  static ssize_t (*f)(int, const void*, size_t, off64_t) = 0;
  if (!f) f = (ssize_t(*)(int, const void*, size_t, off64_t))dlsym(RTLD_NEXT, "pwrite64");
  const ssize_t k = allowed(fd, n);
  return k < 0 ? -1 : f(fd, buf, (size_t)k, off);
}
ssize_t writev(int fd, const struct iovec* iov, int cnt) {
  static ssize_t (*f)(int, const struct iovec*, int) = 0;
  if (!f) f = (ssize_t(*)(int, const struct iovec*, int))dlsym(RTLD_NEXT, "writev");
  if (!g_init || fd < 0 || fd >= MAX_FD || g_budget[fd] < 0) return f(fd, iov, cnt);
  /* A chosen file written with writev: write the first buffer through write() (short). */
  return cnt > 0 ? write(fd, iov[0].iov_base, iov[0].iov_len) : 0;
}
