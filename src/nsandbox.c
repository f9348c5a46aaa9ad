/*
 * nsandbox.c - the notifier's seccomp filter, a deny-list.
 *
 * The endpoint's filter (sandbox.c) allows only what its census saw; the
 * notifier cannot be held to a census: it resolves names (glibc's NSS
 * modules, curl's resolver threads), speaks TLS, keeps SQLite files and
 * follows the journal, and the calls behind those vary with every
 * library version.  What an attacker who took over the process (through
 * a bug in parsing an answer, say) would want is another matter, and
 * short: to run a program, to start a process, to look into or steer
 * another one, to gain privileges or to reach the kernel's rarer
 * surfaces.  Those kill the process; everything else passes.
 *
 * Threads stay possible: clone only with CLONE_THREAD (a new process
 * without it dies), and clone3, whose flags sit in memory the filter
 * cannot read, fails with ENOSYS so that glibc falls back to clone.
 * Signals go to ourselves only.  The process is also made non-dumpable:
 * no core file and no /proc/PID/mem holds the private signing key.
 *
 * Not entered under AddressSanitizer (its leak checker forks and
 * ptraces) or with ENDSESSION_SANDBOX=0; valgrind cannot load a filter.
 * systemd's unit adds its own (SystemCallFilter), as a second wall.
 */
#define _GNU_SOURCE
#include <sys/prctl.h>

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <seccomp.h>

#include "endsession.h"

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif

#define KILL	SCMP_ACT_KILL_PROCESS

static int
nfilter(const char **why)
{
	static const int fatal[] = {
		/* programs and processes */
		SCMP_SYS(execve), SCMP_SYS(execveat), SCMP_SYS(fork),
		SCMP_SYS(vfork), SCMP_SYS(uselib),
		/* other processes */
		SCMP_SYS(ptrace), SCMP_SYS(process_vm_readv),
		SCMP_SYS(process_vm_writev), SCMP_SYS(pidfd_getfd),
		SCMP_SYS(pidfd_send_signal), SCMP_SYS(kcmp),
		SCMP_SYS(tkill), SCMP_SYS(rt_sigqueueinfo),
		SCMP_SYS(rt_tgsigqueueinfo),
		/* privileges and identity */
		SCMP_SYS(setuid), SCMP_SYS(setgid), SCMP_SYS(setreuid),
		SCMP_SYS(setregid), SCMP_SYS(setresuid), SCMP_SYS(setresgid),
		SCMP_SYS(setgroups), SCMP_SYS(setfsuid), SCMP_SYS(setfsgid),
		SCMP_SYS(capset), SCMP_SYS(personality), SCMP_SYS(seccomp),
		/* namespaces, mounts, the file system's handles */
		SCMP_SYS(setns), SCMP_SYS(unshare), SCMP_SYS(mount),
		SCMP_SYS(umount2), SCMP_SYS(pivot_root), SCMP_SYS(chroot),
		SCMP_SYS(open_tree), SCMP_SYS(move_mount), SCMP_SYS(fsopen),
		SCMP_SYS(fsmount), SCMP_SYS(fsconfig), SCMP_SYS(fspick),
		SCMP_SYS(open_by_handle_at), SCMP_SYS(name_to_handle_at),
		/* the kernel's rarer surfaces */
		SCMP_SYS(bpf), SCMP_SYS(userfaultfd), SCMP_SYS(perf_event_open),
		SCMP_SYS(io_uring_setup), SCMP_SYS(io_uring_enter),
		SCMP_SYS(io_uring_register), SCMP_SYS(keyctl),
		SCMP_SYS(add_key), SCMP_SYS(request_key),
		SCMP_SYS(init_module), SCMP_SYS(finit_module),
		SCMP_SYS(delete_module), SCMP_SYS(kexec_load),
		SCMP_SYS(kexec_file_load), SCMP_SYS(reboot), SCMP_SYS(swapon),
		SCMP_SYS(swapoff), SCMP_SYS(acct), SCMP_SYS(quotactl),
		SCMP_SYS(iopl), SCMP_SYS(ioperm), SCMP_SYS(modify_ldt),
		SCMP_SYS(settimeofday), SCMP_SYS(clock_settime),
		SCMP_SYS(adjtimex), SCMP_SYS(sethostname),
		SCMP_SYS(setdomainname), SCMP_SYS(syslog),
		SCMP_SYS(lookup_dcookie), SCMP_SYS(vhangup),
		SCMP_SYS(landlock_create_ruleset), SCMP_SYS(landlock_add_rule),
		SCMP_SYS(landlock_restrict_self), SCMP_SYS(fanotify_init),
		SCMP_SYS(_sysctl), SCMP_SYS(nfsservctl),
	};
	scmp_filter_ctx	 ctx;
	pid_t		 pid = getpid();
	size_t		 i;
	int		 rc = 0;

	if ((ctx = seccomp_init(SCMP_ACT_ALLOW)) == NULL) {
		*why = "seccomp_init failed";
		return 0;
	}
	for (i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		if (fatal[i] >= 0 && seccomp_rule_add(ctx, KILL, fatal[i], 0)) {
			*why = "cannot make a system call fatal";
			goto out;
		}
	if (seccomp_rule_add(ctx, KILL, SCMP_SYS(clone), 1,
	    SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0)) ||
	    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3),
	    0) ||
	    seccomp_rule_add(ctx, KILL, SCMP_SYS(kill), 1,
	    SCMP_A0(SCMP_CMP_NE, (scmp_datum_t)pid)) ||
	    seccomp_rule_add(ctx, KILL, SCMP_SYS(tgkill), 1,
	    SCMP_A0(SCMP_CMP_NE, (scmp_datum_t)pid))) {
		*why = "cannot add the rules for clone and signals";
		goto out;
	}
	if (seccomp_load(ctx) != 0) {
		*why = "seccomp_load failed (valgrind?)";
		goto out;
	}
	rc = 1;
out:
	seccomp_release(ctx);
	return rc;
}

enum sandbox_res
nsandbox_enter(const char **why)
{
	const char	*env;

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
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		*why = "prctl failed";
		return SANDBOX_FAILED;
	}
	return nfilter(why) ? SANDBOX_ON : SANDBOX_FAILED;
}
