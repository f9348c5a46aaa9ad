/*
 * crashat.c - an LD_PRELOAD shim for the notifier's crash matrix
 * (tests/notify/crash.sh).  CRASHAT="FN:N" kills the process with
 * SIGKILL at the N-th call of FN, counted over all threads, before the
 * call is made; "FN:N:after" right after it returns.  FN is one of the
 * calls through which a delivery's steps reach the world: read (the
 * journal, and the signer's eventfd), pwrite64 and fdatasync/fsync
 * (SQLite's commits), send/recv (the POST and its answer; libcurl),
 * write (the delivery log).  The production binary runs unchanged: no
 * hook in src/.
 *
 * When the process exits without having reached call N, the shim writes
 * "crashat: FN reached M times" to CRASHAT_OUT, so that the matrix knows
 * it has walked every call.  Not for sanitizer builds (their runtime
 * must come first) nor valgrind.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/types.h>

#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char		 fn[32];
static long		 target;
static int		 after;
static atomic_long	 calls;

__attribute__((constructor)) static void
crashat_init(void)
{
	const char	*s = getenv("CRASHAT");
	char		*c, *e;

	if (s == NULL || strlen(s) >= sizeof(fn) + 24)
		return;
	snprintf(fn, sizeof(fn), "%.*s", (int)strcspn(s, ":"), s);
	if ((c = strchr(s, ':')) == NULL)
		return;
	target = strtol(c + 1, &e, 10);
	after = strcmp(e, ":after") == 0;
}

__attribute__((destructor)) static void
crashat_fini(void)
{
	const char	*out = getenv("CRASHAT_OUT");
	char		 line[96];
	int		 fd, n;

	if (out == NULL || fn[0] == '\0')
		return;
	if ((fd = open(out, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
	    0600)) == -1)
		return;
	n = snprintf(line, sizeof(line), "crashat: %s reached %ld times\n",
	    fn, atomic_load(&calls));
	if (n > 0 && write(fd, line, (size_t)n) == -1)
		n = 0;
	close(fd);
}

/* Counts a call of `name`; the SIGKILL when this one is the N-th. */
static int
hit(const char *name)
{
	if (target <= 0 || strcmp(name, fn) != 0)
		return 0;
	return atomic_fetch_add(&calls, 1) + 1 == target;
}

static void
die(void)
{
	raise(SIGKILL);
	_exit(137);
}

#define REAL(name) \
	static __typeof__(name) *real; \
	if (real == NULL) \
		real = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

#define AROUND(name, call) do { \
	int k = hit(#name); \
	__typeof__(call) r_; \
	if (k && !after) \
		die(); \
	r_ = call; \
	if (k) \
		die(); \
	return r_; \
} while (0)

ssize_t
read(int fd, void *p, size_t n)
{
	REAL(read);
	AROUND(read, real(fd, p, n));
}

ssize_t
write(int fd, const void *p, size_t n)
{
	REAL(write);
	AROUND(write, real(fd, p, n));
}

ssize_t
pwrite64(int fd, const void *p, size_t n, off_t off)
{
	REAL(pwrite64);
	AROUND(pwrite64, real(fd, p, n, off));
}

int
fdatasync(int fd)
{
	REAL(fdatasync);
	AROUND(fdatasync, real(fd));
}

int
fsync(int fd)
{
	REAL(fsync);
	AROUND(fsync, real(fd));
}

ssize_t
send(int fd, const void *p, size_t n, int flags)
{
	REAL(send);
	AROUND(send, real(fd, p, n, flags));
}

ssize_t
recv(int fd, void *p, size_t n, int flags)
{
	REAL(recv);
	AROUND(recv, real(fd, p, n, flags));
}
