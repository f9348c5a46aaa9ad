/*
 * sandbox.c - what the process may still do once everything is loaded:
 * Landlock (paths, as unveil(2) on OpenBSD) and a seccomp filter
 * (libseccomp, system calls).
 *
 * Landlock: read beneath the folders of the configuration file, the
 * clients, keys and secret files and the templates folder; write and
 * create files only beneath the journal's folder; nothing else.  Rules are
 * on folders because those files are replaced by rename.  Best effort: a
 * kernel without Landlock leaves seccomp alone in force, and says so.
 *
 * seccomp, in three classes (the README's section "Sandbox" says why):
 *   - allowed: the calls the test census (tests/sandbox/census.txt) saw
 *     after the filter was loaded, some only with safe arguments;
 *   - fatal: what an attacker wants (exec, fork, new sockets, executable
 *     memory, opening for writing anything but the journal's way, signals
 *     to other processes, ptrace, bpf, ...) kills the process;
 *   - anything else returns ENOSYS instead of killing (SIGSYS handler);
 *     the number is kept and sandbox_report names it in the error log.
 *     One request must never take the service down because a library
 *     started to use a harmless call (glibc's qsort calls sysinfo).
 *
 * Not entered under AddressSanitizer (its leak checker forks and ptraces)
 * or when ENDSESSION_SANDBOX=0 (debugging); valgrind cannot load the
 * filter, and then the process logs that it runs without it.
 */
#define _GNU_SOURCE
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include <linux/landlock.h>
#include <seccomp.h>

#include "endsession.h"

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif

#ifndef SYS_SECCOMP
#define SYS_SECCOMP	1	/* si_code of a seccomp SIGSYS */
#endif

/* The SIGSYS handler can set the return value on these. */
#if defined(__x86_64__) || defined(__aarch64__)
#define CAN_TRAP 1
#endif

/* Landlock access rights newer than Debian 12's <linux/landlock.h>. */
#define LL_FS_TRUNCATE		(1ULL << 14)	/* ABI 3 */
#define LL_FS_IOCTL_DEV		(1ULL << 15)	/* ABI 5 */
#define LL_NET_BIND_TCP		(1ULL << 0)	/* ABI 4 */
#define LL_NET_CONNECT_TCP	(1ULL << 1)
#define LL_SCOPE_ABSTRACT_UNIX	(1ULL << 0)	/* ABI 6 */
#define LL_SCOPE_SIGNAL		(1ULL << 1)

/* struct landlock_ruleset_attr as of ABI 6; the size says how much. */
struct ll_attr {
	uint64_t	 fs;
	uint64_t	 net;
	uint64_t	 scoped;
};

#define LL_READ		(LANDLOCK_ACCESS_FS_READ_FILE | \
			 LANDLOCK_ACCESS_FS_READ_DIR)
#define LL_JOURNAL	(LANDLOCK_ACCESS_FS_WRITE_FILE | \
			 LANDLOCK_ACCESS_FS_MAKE_REG)

/* open(2) flags that write or create: kernel's __O_TMPFILE bit alone. */
#define O_TMPFILE_BIT	020000000
#define O_WRITING	(O_ACCMODE | O_CREAT | O_TRUNC | O_TMPFILE_BIT)

/* Refused system calls, by number, set by the SIGSYS handler. */
#define NSYS		1024
static volatile sig_atomic_t	 refused[NSYS];
static volatile sig_atomic_t	 refused_any;
static time_t			 reported;	/* when last logged */

#ifdef CAN_TRAP
static void
on_sigsys(int sig, siginfo_t *si, void *arg)
{
	ucontext_t	*uc = arg;
	int		 nr;

	(void)sig;
	if (si->si_code != SYS_SECCOMP)
		return;
	nr = si->si_syscall;
	refused[nr >= 0 && nr < NSYS ? nr : NSYS - 1] = 1;
	refused_any = 1;
#if defined(__x86_64__)
	uc->uc_mcontext.gregs[REG_RAX] = -ENOSYS;
#else
	uc->uc_mcontext.regs[0] = (unsigned long long)-ENOSYS;
#endif
}
#endif

static int
ll_abi(void)
{
	long	 abi;

	abi = syscall(__NR_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	return abi < 0 ? 0 : (int)abi;
}

/* Allows access beneath the folder path (or path's folder if !isdir). */
static int
ll_rule(int rs, const char *path, int isdir, uint64_t access)
{
	struct landlock_path_beneath_attr	 pb;
	char					*dir = NULL, *slash;
	int					 fd = -1, rc = 0;

	if (path == NULL)
		return 1;
	if (isdir)
		fd = open(path, O_PATH | O_CLOEXEC | O_DIRECTORY);
	else {
		if ((dir = strdup(path)) == NULL)
			goto out;
		if ((slash = strrchr(dir, '/')) == NULL)
			fd = open(".", O_PATH | O_CLOEXEC | O_DIRECTORY);
		else {
			if (slash == dir)
				slash++;
			*slash = '\0';
			fd = open(dir, O_PATH | O_CLOEXEC | O_DIRECTORY);
		}
	}
	if (fd == -1)
		goto out;
	memset(&pb, 0, sizeof(pb));
	pb.allowed_access = access;
	pb.parent_fd = fd;
	if (syscall(__NR_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH,
	    &pb, 0) != 0)
		goto out;
	rc = 1;
out:
	if (fd != -1)
		close(fd);
	free(dir);
	return rc;
}

/*
 * Restricts paths as the comment on top says.  Returns 1 when in force,
 * 0 with *why set when the kernel has no Landlock, -1 on failure.
 */
static int
landlock(const struct conf *c, const char **why)
{
	struct ll_attr	 a;
	size_t		 asz = sizeof(a.fs);
	int		 abi, rs = -1, rc = -1;

	if ((abi = ll_abi()) < 1) {
		*why = "no Landlock in this kernel: paths not restricted";
		return 0;
	}
	memset(&a, 0, sizeof(a));
	a.fs = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |
	    LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR |
	    LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |
	    LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR |
	    LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK |
	    LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |
	    LANDLOCK_ACCESS_FS_MAKE_SYM;
	if (abi >= 2)
		a.fs |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		a.fs |= LL_FS_TRUNCATE;
	if (abi >= 5)
		a.fs |= LL_FS_IOCTL_DEV;
	if (abi >= 4) {
		a.net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
		asz = offsetof(struct ll_attr, scoped);
	}
	if (abi >= 6) {
		a.scoped = LL_SCOPE_ABSTRACT_UNIX | LL_SCOPE_SIGNAL;
		asz = sizeof(a);
	}
	if ((rs = (int)syscall(__NR_landlock_create_ruleset, &a, asz, 0)) < 0)
		goto out;
	if (!ll_rule(rs, c->path, 0, LL_READ) ||
	    !ll_rule(rs, c->clients, 0, LL_READ) ||
	    !ll_rule(rs, c->jwks, 0, LL_READ) ||
	    !ll_rule(rs, c->secret, 0, LL_READ) ||
	    !ll_rule(rs, c->templates, 1, LL_READ) ||
	    !ll_rule(rs, c->journal, 0, LL_JOURNAL))
		goto out;
	if (syscall(__NR_landlock_restrict_self, rs, 0) != 0)
		goto out;
	rc = 1;
out:
	if (rc == -1)
		*why = "cannot set up Landlock";
	if (rs >= 0)
		close(rs);
	return rc;
}

/* Adds rules; each is (action, syscall, argument count, arguments). */
#define RULE(act, sys, ...) \
	if (seccomp_rule_add(ctx, (act), SCMP_SYS(sys), __VA_ARGS__) != 0) { \
		*why = "cannot add a rule for " #sys; \
		goto out; \
	}
#define KILL	SCMP_ACT_KILL_PROCESS
#define ALLOW	SCMP_ACT_ALLOW

/* Kills the opens for writing that are not the journal's. */
static int
open_fatal(scmp_filter_ctx ctx, int sys, unsigned int arg)
{
	static const struct {
		scmp_datum_t	 mask, val;
	} bad[] = {
		{ O_ACCMODE, O_RDWR },
		{ O_ACCMODE, O_ACCMODE },
		{ O_TRUNC, O_TRUNC },
		{ O_TMPFILE_BIT, O_TMPFILE_BIT },
		{ O_ACCMODE | O_APPEND, O_WRONLY },
		{ O_ACCMODE | O_CREAT, O_WRONLY },
		{ O_ACCMODE | O_CREAT, O_CREAT },
	};
	struct scmp_arg_cmp	 cmp;
	size_t			 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cmp.arg = arg;
		cmp.op = SCMP_CMP_MASKED_EQ;
		cmp.datum_a = bad[i].mask;
		cmp.datum_b = bad[i].val;
		if (seccomp_rule_add_array(ctx, KILL, sys, 1, &cmp) != 0)
			return 0;
	}
	return 1;
}

static int
filter(const char **why)
{
	/*
	 * The census's calls (tests/sandbox/census.txt), allowed with any
	 * arguments; openat and mmap only with the arguments
	 * below.  Then a few the tests do not reach but libc takes on
	 * rarer paths: memory (mremap, madvise, mprotect without
	 * PROT_EXEC), abort (rt_sigprocmask, rt_sigaction, tgkill to
	 * ourselves), clocks without the vDSO, I/O variants.
	 */
	static const int allowed[] = {
		SCMP_SYS(accept), SCMP_SYS(brk), SCMP_SYS(close),
		SCMP_SYS(exit_group), SCMP_SYS(futex), SCMP_SYS(getpid),
		SCMP_SYS(getrandom), SCMP_SYS(munmap), SCMP_SYS(newfstatat),
		SCMP_SYS(poll), SCMP_SYS(read), SCMP_SYS(rt_sigreturn),
		SCMP_SYS(shutdown), SCMP_SYS(write),
		/* not in the census */
		SCMP_SYS(accept4), SCMP_SYS(readv), SCMP_SYS(writev),
		SCMP_SYS(lseek), SCMP_SYS(fstat), SCMP_SYS(mremap),
		SCMP_SYS(madvise), SCMP_SYS(rt_sigprocmask),
		SCMP_SYS(rt_sigaction), SCMP_SYS(clock_gettime),
		SCMP_SYS(gettimeofday), SCMP_SYS(time),
		SCMP_SYS(restart_syscall), SCMP_SYS(exit),
	};
	/* What an attacker wants: the process dies at once. */
	static const int fatal[] = {
		SCMP_SYS(execve), SCMP_SYS(execveat), SCMP_SYS(fork),
		SCMP_SYS(vfork), SCMP_SYS(clone), SCMP_SYS(clone3),
		SCMP_SYS(socket), SCMP_SYS(socketpair), SCMP_SYS(connect),
		SCMP_SYS(bind), SCMP_SYS(listen), SCMP_SYS(sendmsg),
		SCMP_SYS(sendmmsg), SCMP_SYS(ptrace),
		SCMP_SYS(process_vm_readv), SCMP_SYS(process_vm_writev),
		SCMP_SYS(memfd_create), SCMP_SYS(memfd_secret),
		SCMP_SYS(bpf), SCMP_SYS(userfaultfd), SCMP_SYS(seccomp),
		SCMP_SYS(prctl), SCMP_SYS(personality), SCMP_SYS(tkill),
		SCMP_SYS(rt_sigqueueinfo), SCMP_SYS(rt_tgsigqueueinfo),
		SCMP_SYS(pidfd_open), SCMP_SYS(pidfd_getfd),
		SCMP_SYS(pidfd_send_signal), SCMP_SYS(io_uring_setup),
		SCMP_SYS(io_uring_enter), SCMP_SYS(io_uring_register),
		SCMP_SYS(openat2), SCMP_SYS(creat), SCMP_SYS(open_by_handle_at),
		SCMP_SYS(name_to_handle_at), SCMP_SYS(truncate),
		SCMP_SYS(ftruncate), SCMP_SYS(unlink), SCMP_SYS(unlinkat),
		SCMP_SYS(rename), SCMP_SYS(renameat), SCMP_SYS(renameat2),
		SCMP_SYS(link), SCMP_SYS(linkat), SCMP_SYS(symlink),
		SCMP_SYS(symlinkat), SCMP_SYS(mkdir), SCMP_SYS(mkdirat),
		SCMP_SYS(rmdir), SCMP_SYS(mknod), SCMP_SYS(mknodat),
		SCMP_SYS(chmod), SCMP_SYS(fchmod), SCMP_SYS(fchmodat),
		SCMP_SYS(chown), SCMP_SYS(fchown), SCMP_SYS(lchown),
		SCMP_SYS(fchownat), SCMP_SYS(setuid), SCMP_SYS(setgid),
		SCMP_SYS(setreuid), SCMP_SYS(setregid), SCMP_SYS(setresuid),
		SCMP_SYS(setresgid), SCMP_SYS(setgroups), SCMP_SYS(setfsuid),
		SCMP_SYS(setfsgid), SCMP_SYS(capset), SCMP_SYS(mount),
		SCMP_SYS(umount2), SCMP_SYS(pivot_root), SCMP_SYS(chroot),
		SCMP_SYS(setns), SCMP_SYS(unshare), SCMP_SYS(init_module),
		SCMP_SYS(finit_module), SCMP_SYS(delete_module),
		SCMP_SYS(kexec_load), SCMP_SYS(kexec_file_load),
		SCMP_SYS(reboot), SCMP_SYS(swapon), SCMP_SYS(swapoff),
		SCMP_SYS(keyctl), SCMP_SYS(add_key), SCMP_SYS(request_key),
		SCMP_SYS(perf_event_open), SCMP_SYS(ioperm), SCMP_SYS(iopl),
		SCMP_SYS(modify_ldt), SCMP_SYS(landlock_create_ruleset),
		SCMP_SYS(landlock_add_rule), SCMP_SYS(landlock_restrict_self),
		SCMP_SYS(fanotify_init), SCMP_SYS(open_tree),
		SCMP_SYS(move_mount), SCMP_SYS(fsopen), SCMP_SYS(fsmount),
		SCMP_SYS(fsconfig), SCMP_SYS(fspick), SCMP_SYS(acct),
		SCMP_SYS(quotactl), SCMP_SYS(settimeofday),
		SCMP_SYS(clock_settime), SCMP_SYS(adjtimex),
		SCMP_SYS(sethostname), SCMP_SYS(setdomainname),
		SCMP_SYS(vmsplice), SCMP_SYS(mbind), SCMP_SYS(migrate_pages),
		SCMP_SYS(move_pages), SCMP_SYS(set_mempolicy),
		SCMP_SYS(kcmp), SCMP_SYS(lookup_dcookie), SCMP_SYS(syslog),
		SCMP_SYS(uselib), SCMP_SYS(ustat), SCMP_SYS(sysfs),
		SCMP_SYS(_sysctl), SCMP_SYS(nfsservctl), SCMP_SYS(vhangup),
	};
	scmp_filter_ctx	 ctx;
	uint32_t	 dflt;
	pid_t		 pid = getpid();
	size_t		 i;
	int		 rc = 0;

#ifdef CAN_TRAP
	dflt = SCMP_ACT_TRAP;
#else
	dflt = SCMP_ACT_ERRNO(ENOSYS);
#endif
	if ((ctx = seccomp_init(dflt)) == NULL) {
		*why = "seccomp_init failed";
		return 0;
	}
	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		if (allowed[i] >= 0 &&
		    seccomp_rule_add(ctx, ALLOW, allowed[i], 0) != 0) {
			*why = "cannot allow a system call";
			goto out;
		}
	for (i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		if (fatal[i] >= 0 &&
		    seccomp_rule_add(ctx, KILL, fatal[i], 0) != 0) {
			*why = "cannot make a system call fatal";
			goto out;
		}

	/*
	 * Files: read-only, or the journal's exact flags.  Opening for
	 * writing otherwise is fatal (libseccomp takes one comparison per
	 * argument, hence the disjoint masks); a write-append-create open
	 * with other extra flags gets ENOSYS.  open's flags are A1.
	 */
	RULE(ALLOW, openat, 1, SCMP_A2(SCMP_CMP_MASKED_EQ, O_WRITING, 0));
	RULE(ALLOW, openat, 1, SCMP_A2(SCMP_CMP_EQ, JOURNAL_OFLAGS));
	if (!open_fatal(ctx, SCMP_SYS(openat), 2))
		goto out;
	if (SCMP_SYS(open) >= 0) {
		RULE(ALLOW, open, 1, SCMP_A1(SCMP_CMP_MASKED_EQ, O_WRITING, 0));
		if (!open_fatal(ctx, SCMP_SYS(open), 1))
			goto out;
	}

	/* Memory, never executable. */
	RULE(ALLOW, mmap, 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	RULE(KILL, mmap, 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, PROT_EXEC));
	RULE(ALLOW, mprotect, 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	RULE(KILL, mprotect, 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC,
	    PROT_EXEC));
	RULE(KILL, pkey_mprotect, 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC,
	    PROT_EXEC));

	/*
	 * fcntl: the census saw none after the filter (libfcgi and libc
	 * need none); reading flags is harmless, F_SETFL could clear the
	 * journal's O_APPEND, any other command gets ENOSYS.
	 */
	RULE(ALLOW, fcntl, 1, SCMP_A1(SCMP_CMP_EQ, F_GETFD));
	RULE(ALLOW, fcntl, 1, SCMP_A1(SCMP_CMP_EQ, F_GETFL));
	RULE(KILL, fcntl, 1, SCMP_A1(SCMP_CMP_EQ, F_SETFL));

	/* Signals: to ourselves only (abort, raise). */
	RULE(ALLOW, kill, 1, SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)pid));
	RULE(KILL, kill, 1, SCMP_A0(SCMP_CMP_NE, (scmp_datum_t)pid));
	RULE(ALLOW, tgkill, 1, SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)pid));
	RULE(KILL, tgkill, 1, SCMP_A0(SCMP_CMP_NE, (scmp_datum_t)pid));

	/* stdio may ask whether stdout is a terminal; never push input. */
	RULE(ALLOW, ioctl, 1, SCMP_A1(SCMP_CMP_EQ, TCGETS));
	RULE(KILL, ioctl, 1, SCMP_A1(SCMP_CMP_EQ, TIOCSTI));
	RULE(KILL, ioctl, 1, SCMP_A1(SCMP_CMP_EQ, TIOCLINUX));

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

enum sandbox_res
sandbox_enter(const struct conf *c, const char **why)
{
	const char		*env, *llwhy = NULL;
#ifdef CAN_TRAP
	struct sigaction	 sa;
	sigset_t		 set;
#endif
	int			 ll;

	*why = NULL;
#ifdef SANITIZED
	*why = "not with AddressSanitizer";
	return SANDBOX_OFF;
#endif
	if ((env = getenv("ENDSESSION_SANDBOX")) != NULL &&
	    strcmp(env, "0") == 0) {
		*why = "ENDSESSION_SANDBOX=0";
		return SANDBOX_OFF;
	}
#ifdef CAN_TRAP
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&set);
	sigaddset(&set, SIGSYS);
	if (sigaction(SIGSYS, &sa, NULL) != 0 ||
	    sigprocmask(SIG_UNBLOCK, &set, NULL) != 0) {
		*why = "cannot catch SIGSYS";
		return SANDBOX_FAILED;
	}
#endif
	/*
	 * Not dumpable: /proc/self/ then belongs to root, so a process
	 * that is not root cannot open /proc/self/mem at all.  Both
	 * Landlock and seccomp need no_new_privs.
	 */
	tzset();	/* strftime reads /etc/localtime, outside the rules */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		*why = "prctl failed";
		return SANDBOX_FAILED;
	}
	if ((ll = landlock(c, &llwhy)) < 0) {
		*why = llwhy;
		return SANDBOX_FAILED;
	}
	if (!filter(why))
		return SANDBOX_FAILED;
	*why = llwhy;	/* a note when Landlock is missing */
	return SANDBOX_ON;
}

int
sandbox_report(time_t now, char *msg, size_t sz)
{
	char	*name;
	size_t	 len;
	int	 nr, n = 0;

	if (!refused_any || (reported != 0 && now - reported <
	    SANDBOX_REPORT_SEC) || sz == 0)
		return 0;
	refused_any = 0;
	reported = now;
	len = (size_t)snprintf(msg, sz, "sandbox refused (ENOSYS):");
	for (nr = 0; nr < NSYS; nr++) {
		if (!refused[nr])
			continue;
		refused[nr] = 0;
		name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
		if (len < sz)
			len += (size_t)snprintf(msg + len, sz - len,
			    "%s %s(%d)", n++ ? "," : "",
			    name != NULL ? name : "?", nr);
		free(name);
	}
	return 1;
}
