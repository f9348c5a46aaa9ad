/*
 * test_sandbox.c - the sandbox itself: each test forks a child that
 * enters it (sandbox_enter, as the server does) and then tries one
 * thing.  A harmless unknown call must fail with ENOSYS and leave the
 * child alive and reported; exec, fork, sockets, executable memory,
 * opening for writing and signals to others must kill it (SIGSYS) or
 * fail; Landlock must refuse paths outside the configured folders.
 *
 * Under valgrind (cannot load a filter) or AddressSanitizer (the sandbox
 * is off) the child cannot enter it: those runs skip, and
 * tests/sandbox/census.sh covers the sandbox instead.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "endsession.h"
#include "unit.h"

#define NOSANDBOX	77	/* the child could not enter the sandbox */

static char	 dir[64];
static char	 confdir[128], logdir[128], otherdir[128];
static char	 confpath[160], journal[160], other[160], readable[160];

/* A folder with conf/ (read), log/ (journal) and other/ (neither). */
static void
setup(void)
{
	int	 fd;

	if (dir[0] != '\0')
		return;
	snprintf(dir, sizeof(dir), "%s/es-sandbox.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	snprintf(confdir, sizeof(confdir), "%s/conf", dir);
	snprintf(logdir, sizeof(logdir), "%s/log", dir);
	snprintf(otherdir, sizeof(otherdir), "%s/other", dir);
	CU_ASSERT_FATAL(mkdir(confdir, 0700) == 0 && mkdir(logdir, 0700) == 0 &&
	    mkdir(otherdir, 0700) == 0);
	snprintf(confpath, sizeof(confpath), "%s/endsession.conf", confdir);
	snprintf(readable, sizeof(readable), "%s/clients.json", confdir);
	snprintf(journal, sizeof(journal), "%s/journal.log", logdir);
	snprintf(other, sizeof(other), "%s/x", otherdir);
	CU_ASSERT_FATAL((fd = open(readable, O_WRONLY | O_CREAT, 0600)) != -1);
	CU_ASSERT(write(fd, "{}", 2) == 2);
	close(fd);
	CU_ASSERT_FATAL((fd = open(other, O_WRONLY | O_CREAT, 0600)) != -1);
	close(fd);
}

static void
teardown(void)
{
	unlink(readable);
	unlink(journal);
	unlink(other);
	rmdir(confdir);
	rmdir(logdir);
	rmdir(otherdir);
	rmdir(dir);
}

static int
under_tool(void)
{
	const char	*p = getenv("LD_PRELOAD");

#if defined(__SANITIZE_ADDRESS__)
	return 1;
#endif
	return p != NULL && strstr(p, "vgpreload") != NULL;
}

/*
 * Runs fn in a sandboxed child; returns its wait status, or -1 when it
 * could not enter the sandbox (only allowed under valgrind or ASan).
 */
static int
child(void (*fn)(void))
{
	struct conf	 c;
	const char	*why;
	pid_t		 pid;
	int		 status;

	setup();
	memset(&c, 0, sizeof(c));
	c.path = confpath;
	c.clients = readable;
	c.jwks = readable;
	c.secret = readable;
	c.templates = confdir;
	c.journal = journal;
	fflush(NULL);
	if ((pid = fork()) == -1) {
		CU_FAIL("fork");
		return -1;
	}
	if (pid == 0) {
		if (sandbox_enter(&c, &why) != SANDBOX_ON)
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
		fprintf(stderr, "sandbox: child exited %d\n",
		    WEXITSTATUS(st));
	if (!WIFEXITED(st))
		fprintf(stderr, "sandbox: child died of signal %d\n",
		    WTERMSIG(st));
}

static void
expect_sigsys(void (*fn)(void))
{
	int	 st;

	if ((st = child(fn)) == -1)
		return;
	CU_ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS);
	if (!WIFSIGNALED(st))
		fprintf(stderr, "sandbox: child exited %d, not SIGSYS\n",
		    WEXITSTATUS(st));
}

/* Children: exit 0 when all is as expected, else a distinct code. */

static int
cmpint(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static void
c_sysinfo(void)
{
	struct sysinfo	 si;
	char		 msg[256];
	int		 a[3] = { 3, 1, 2 };

	if (sysinfo(&si) != -1 || errno != ENOSYS)
		_exit(1);
	/* A second one in the same minute is not logged again. */
	if (!sandbox_report(1000, msg, sizeof(msg)) ||
	    strstr(msg, "sysinfo") == NULL)
		_exit(2);
	if (sysinfo(&si) != -1 || errno != ENOSYS)
		_exit(3);
	if (sandbox_report(1000 + SANDBOX_REPORT_SEC - 1, msg, sizeof(msg)))
		_exit(4);
	if (!sandbox_report(1000 + SANDBOX_REPORT_SEC, msg, sizeof(msg)))
		_exit(5);
	if (sandbox_report(5000, msg, sizeof(msg)))
		_exit(6);	/* nothing new refused */
	/* glibc 2.36's qsort asks sysinfo: it must still sort. */
	qsort(a, 3, sizeof(int), cmpint);
	if (a[0] != 1 || a[1] != 2 || a[2] != 3)
		_exit(7);
}

static void
c_execve(void)
{
	char	*argv[] = { "/bin/true", NULL };

	execve(argv[0], argv, NULL);
	_exit(1);
}

static void
c_fork(void)
{
	pid_t	 p = fork();

	if (p == 0)
		_exit(0);
	_exit(1);
}

static void
c_socket(void)
{
	(void)socket(AF_INET, SOCK_STREAM, 0);
	_exit(1);
}

static void
c_procmem(void)
{
	(void)open("/proc/self/mem", O_RDWR);
	_exit(1);
}

static void
c_procmem_journal_flags(void)
{
	/* The journal's flags pass seccomp; Landlock must refuse. */
	if (open("/proc/self/mem", JOURNAL_OFLAGS, JOURNAL_MODE) != -1)
		_exit(1);
}

static void
c_mprotect_exec(void)
{
	void	*p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		_exit(2);
	(void)mprotect(p, 4096, PROT_READ | PROT_EXEC);
	_exit(1);
}

static void
c_mmap_exec(void)
{
	(void)mmap(NULL, 4096, PROT_READ | PROT_EXEC,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	_exit(1);
}

static void
c_setfl(void)
{
	int	 fd;

	if ((fd = open(journal, JOURNAL_OFLAGS, JOURNAL_MODE)) == -1)
		_exit(2);
	(void)fcntl(fd, F_SETFL, 0);	/* would clear O_APPEND */
	_exit(1);
}

static void
c_kill_other(void)
{
	(void)kill(getppid(), 0);
	_exit(1);
}

static void
c_open_write_other(void)
{
	(void)open(other, O_WRONLY | O_TRUNC);
	_exit(1);
}

static void
c_landlock(void)
{
	int	 fd;

	/* The journal: create, append. */
	if ((fd = open(journal, JOURNAL_OFLAGS, JOURNAL_MODE)) == -1)
		_exit(1);
	if (write(fd, "x\n", 2) != 2)
		_exit(2);
	close(fd);
	/* The journal's flags outside its folder. */
	if (open(other, JOURNAL_OFLAGS, JOURNAL_MODE) != -1 || errno != EACCES)
		_exit(3);
	/* Reading: the configured folders only. */
	if ((fd = open(readable, O_RDONLY | O_CLOEXEC)) == -1)
		_exit(4);
	close(fd);
	if (open(other, O_RDONLY | O_CLOEXEC) != -1 || errno != EACCES)
		_exit(5);
	if (open("/etc/passwd", O_RDONLY | O_CLOEXEC) != -1)
		_exit(6);
}

static void
test_sandbox_unknown(void)
{
	expect_exit0(c_sysinfo);
}

static void
test_sandbox_fatal(void)
{
	expect_sigsys(c_execve);
	expect_sigsys(c_fork);
	expect_sigsys(c_socket);
	expect_sigsys(c_procmem);
	expect_sigsys(c_mprotect_exec);
	expect_sigsys(c_mmap_exec);
	expect_sigsys(c_setfl);
	expect_sigsys(c_kill_other);
	expect_sigsys(c_open_write_other);
}

static void
test_sandbox_landlock(void)
{
	expect_exit0(c_landlock);
	expect_exit0(c_procmem_journal_flags);
	teardown();
	dir[0] = '\0';
}

UNIT_SUITE("sandbox",
    { "unknown call: ENOSYS, reported", test_sandbox_unknown },
    { "dangerous calls kill", test_sandbox_fatal },
    { "landlock paths", test_sandbox_landlock })
