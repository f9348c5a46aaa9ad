/*
 * test_nsandbox.c - the notifier's filter (nsandbox.c): each test forks
 * a child that enters it, as endsession-notify does, and tries one
 * thing.  What the notifier needs (threads, sockets, name lookups, files)
 * must work; exec, a new process by any road, ptrace, signals to others,
 * privileges and namespaces must kill the child (SIGSYS).
 *
 * Under valgrind (cannot load a filter) or AddressSanitizer (off) the
 * child cannot enter it and the tests skip; the notifier's own suite
 * (tests/notify) checks that the running notifier has the filter.
 */
#define _GNU_SOURCE
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "endsession.h"
#include "unit.h"

#define NOSANDBOX	77

extern char	**environ;

static int
under_tool(void)
{
	const char	*p = getenv("LD_PRELOAD");

#if defined(__SANITIZE_ADDRESS__)
	return 1;
#endif
	return p != NULL && strstr(p, "vgpreload") != NULL;
}

/* fn's wait status in a sandboxed child, or -1 when it could not enter. */
static int
child(void (*fn)(void))
{
	const char	*why;
	pid_t		 pid;
	int		 status;

	fflush(NULL);
	if ((pid = fork()) == -1) {
		CU_FAIL("fork");
		return -1;
	}
	if (pid == 0) {
		if (nsandbox_enter(&why) != SANDBOX_ON)
			_exit(NOSANDBOX);
		fn();
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid) {
		CU_FAIL("waitpid");
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == NOSANDBOX) {
		CU_ASSERT(under_tool());
		return -1;
	}
	return status;
}

static void
expect_exit0(void (*fn)(void))
{
	int	 st;

	if ((st = child(fn)) == -1)
		return;
	CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
		fprintf(stderr, "nsandbox: child exited %d\n",
		    WEXITSTATUS(st));
	if (WIFSIGNALED(st))
		fprintf(stderr, "nsandbox: child died of signal %d\n",
		    WTERMSIG(st));
}

static void
expect_sigsys(void (*fn)(void))
{
	int	 st;

	if ((st = child(fn)) == -1)
		return;
	CU_ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS);
	if (WIFEXITED(st))
		fprintf(stderr, "nsandbox: child exited %d, not SIGSYS\n",
		    WEXITSTATUS(st));
}

/* What the notifier does. */

static void *
thread_fn(void *arg)
{
	return arg;
}

static void
c_needs(void)
{
	struct sockaddr_in	 sa;
	struct addrinfo		 hints, *ai = NULL;
	socklen_t		 sl = sizeof(sa);
	pthread_t		 t;
	void			*ret = NULL;
	struct flock		 lk;
	char			 buf[8], path[64], path2[80];
	int			 l, s, a, fd;

	/* A thread (glibc falls back from clone3 to clone). */
	if (pthread_create(&t, NULL, thread_fn, buf) != 0 ||
	    pthread_join(t, &ret) != 0 || ret != buf)
		_exit(1);
	/* A TCP connection over loopback, both ends. */
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((l = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(l, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(l, 1) == -1 ||
	    getsockname(l, (struct sockaddr *)&sa, &sl) == -1 ||
	    (s = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    connect(s, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    (a = accept(l, NULL, NULL)) == -1 ||
	    write(s, "x", 1) != 1 || read(a, buf, 1) != 1)
		_exit(2);
	close(a);
	close(s);
	close(l);
	/* A name lookup (NSS modules may be loaded now). */
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo("localhost", "80", &hints, &ai) != 0)
		_exit(3);
	freeaddrinfo(ai);
	/* Files, as SQLite and the metrics file use them. */
	snprintf(path, sizeof(path), "/tmp/es-nsandbox-XXXXXX");
	memset(&lk, 0, sizeof(lk));
	lk.l_type = F_WRLCK;
	lk.l_whence = SEEK_SET;
	if ((fd = mkstemp(path)) == -1)
		_exit(4);
	snprintf(path2, sizeof(path2), "%s.new", path);
	if (pwrite(fd, "abc", 3, 0) != 3 || fdatasync(fd) == -1 ||
	    fcntl(fd, F_SETLK, &lk) == -1 || ftruncate(fd, 1) == -1 ||
	    rename(path, path2) == -1 || unlink(path2) == -1)
		_exit(4);
	close(fd);
	/* Not dumpable; signals to ourselves. */
	if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
		_exit(5);
	if (kill(getpid(), 0) == -1 || raise(0) != 0)
		_exit(6);
}

/* What an attacker wants. */

static void
c_exec(void)
{
	char *const	 argv[] = { "true", NULL };

	execve("/bin/true", argv, environ);
	_exit(1);
}

static void
c_fork(void)
{
	if (fork() == 0)
		_exit(0);
	_exit(1);
}

static void
c_spawn(void)
{
	char *const	 argv[] = { "true", NULL };
	pid_t		 pid;

	/* clone3 fails, then clone with CLONE_VM | CLONE_VFORK: fatal. */
	posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ);
	_exit(1);
}

static void
c_clone_process(void)
{
	if (syscall(SYS_clone, (long)SIGCHLD, 0L, 0L, 0L, 0L) == 0)
		_exit(0);
	_exit(1);
}

static void
c_ptrace(void)
{
	ptrace(PTRACE_TRACEME, 0, NULL, NULL);
	_exit(1);
}

static void
c_kill_other(void)
{
	kill(getppid(), 0);
	_exit(1);
}

static void
c_setuid(void)
{
	if (setuid(getuid()) == -1)
		_exit(2);
	_exit(1);
}

static void
c_unshare(void)
{
	unshare(CLONE_NEWUSER);
	_exit(1);
}

static void
test_needs(void)
{
	expect_exit0(c_needs);
}

static void
test_fatal(void)
{
	expect_sigsys(c_exec);
	expect_sigsys(c_fork);
	expect_sigsys(c_spawn);
	expect_sigsys(c_clone_process);
	expect_sigsys(c_ptrace);
	expect_sigsys(c_kill_other);
	expect_sigsys(c_setuid);
	expect_sigsys(c_unshare);
}

UNIT_SUITE("nsandbox",
	{ "threads, sockets, lookups, files", test_needs },
	{ "exec, processes, ptrace, signals, privileges: fatal", test_fatal },
)
