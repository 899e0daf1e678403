// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Test helper for KernelCaptureIT: clone3(CLONE_INTO_CGROUP) into the cgroup directory argv[1].
 * Prints "pid=N" (the child's pid, allowed) or "errno=E" (denied) and exits 0 either way; exit 2
 * for a usage or setup error. The child exits at once. glibc has no clone3 wrapper: raw syscall.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

int main(int argc, char **argv)
{
	struct clone_args args;
	long pid;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: %s CGROUP_DIR\n", argv[0]);
		return 2;
	}
	fd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "open %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	memset(&args, 0, sizeof(args));
	args.flags = CLONE_INTO_CGROUP;
	args.exit_signal = SIGCHLD;
	args.cgroup = (uint64_t)fd;
	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid == 0)
		_exit(0);
	if (pid < 0) {
		printf("errno=%d\n", errno);
		return 0;
	}
	waitpid((pid_t)pid, NULL, 0);
	printf("pid=%ld\n", pid);
	return 0;
}
