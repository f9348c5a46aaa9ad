/*
 * sandbox.c - a seccomp filter (libseccomp) entered once everything is
 * loaded: from then on the process may read files, stat them, append to
 * the journal, accept FastCGI connections and talk on them, and little
 * else.  No exec, no new sockets, no fork, no executable memory, no file
 * opened for writing except with the journal's flags.  A system call
 * outside the list kills the process: a loud failure the tests would see,
 * never a silent one.
 *
 * Not entered under AddressSanitizer (its leak checker needs ptrace) or
 * when ENDSESSION_SANDBOX=0 (for debugging); valgrind refuses seccomp, and
 * then the process logs that it runs without the filter.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <termios.h>

#include <seccomp.h>

#include "endsession.h"

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif

/* The journal's open flags: append, create, nothing else (main.c). */
#define JOURNAL_FLAGS	(O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY)

int
sandbox_enter(const char **why)
{
	static const int allowed[] = {
		SCMP_SYS(read), SCMP_SYS(pread64), SCMP_SYS(readv),
		SCMP_SYS(write), SCMP_SYS(writev), SCMP_SYS(close),
		SCMP_SYS(lseek), SCMP_SYS(fstat), SCMP_SYS(newfstatat),
		SCMP_SYS(stat), SCMP_SYS(lstat), SCMP_SYS(statx),
		SCMP_SYS(access), SCMP_SYS(faccessat), SCMP_SYS(faccessat2),
		SCMP_SYS(accept), SCMP_SYS(accept4), SCMP_SYS(shutdown),
		SCMP_SYS(poll), SCMP_SYS(ppoll), SCMP_SYS(select),
		SCMP_SYS(pselect6), SCMP_SYS(fcntl), SCMP_SYS(getpeername),
		SCMP_SYS(getsockname), SCMP_SYS(getsockopt),
		SCMP_SYS(recvfrom), SCMP_SYS(sendto),
		SCMP_SYS(brk), SCMP_SYS(munmap), SCMP_SYS(mremap),
		SCMP_SYS(madvise), SCMP_SYS(futex), SCMP_SYS(getrandom),
		SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(clock_gettime),
		SCMP_SYS(gettimeofday), SCMP_SYS(time), SCMP_SYS(nanosleep),
		SCMP_SYS(clock_nanosleep), SCMP_SYS(rt_sigaction),
		SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigreturn),
		SCMP_SYS(restart_syscall), SCMP_SYS(sched_yield),
		SCMP_SYS(exit), SCMP_SYS(exit_group),
	};
	scmp_filter_ctx	 ctx;
	const char	*env;
	size_t		 i;
	int		 rc = 0;

	*why = NULL;
#ifdef SANITIZED
	*why = "not with AddressSanitizer";
	return 0;
#endif
	if ((env = getenv("ENDSESSION_SANDBOX")) != NULL &&
	    strcmp(env, "0") == 0) {
		*why = "ENDSESSION_SANDBOX=0";
		return 0;
	}
	if ((ctx = seccomp_init(SCMP_ACT_KILL_PROCESS)) == NULL) {
		*why = "seccomp_init failed";
		return 0;
	}
	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		if (allowed[i] >= 0 &&
		    seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allowed[i], 0) != 0)
			goto out;
	/* Files: read-only, or the journal's exact flags. */
	if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
	    SCMP_A2(SCMP_CMP_MASKED_EQ, O_ACCMODE | O_CREAT | O_TRUNC,
	    O_RDONLY)) != 0 ||
	    seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
	    SCMP_A2(SCMP_CMP_EQ, JOURNAL_FLAGS)) != 0 ||
	    seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(open), 1,
	    SCMP_A1(SCMP_CMP_MASKED_EQ, O_ACCMODE | O_CREAT | O_TRUNC,
	    O_RDONLY)) != 0)
		goto out;
	/* Memory, never executable. */
	if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
	    SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)) != 0 ||
	    seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
	    SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)) != 0)
		goto out;
	/* stdio asks whether stdout is a terminal. */
	if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
	    SCMP_A1(SCMP_CMP_EQ, TCGETS)) != 0)
		goto out;
	if (seccomp_load(ctx) != 0) {
		*why = "seccomp_load failed (valgrind?)";
		goto out;
	}
	rc = 1;
out:
	if (rc == 0 && *why == NULL)
		*why = "cannot build the seccomp filter";
	seccomp_release(ctx);
	return rc;
}
