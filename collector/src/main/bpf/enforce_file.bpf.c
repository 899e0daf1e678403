// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Enforcer backend "bpf-lsm-file": refuses opening (and writing through an fd opened earlier) a
 * cgroup.procs or cgroup.threads file of a protected subtree by a writer the rule does not allow.
 *
 * Why these hooks: file_open is where most migrations are refused today (DAC at open, KERNEL.md),
 * so refusing there looks the same to the writer; file_permission(MAY_WRITE) covers an fd opened
 * before the rule was enforced or passed from an allowed process. Unlike dac, an LSM hook applies
 * to root as well and can judge comm, executable and the writer's cgroup.
 *
 * What these hooks cannot see (reported as capability, so the processor raises
 * ENFORCEMENT_DEGRADED): the pid written, hence the source cgroup (no out-of, no containment);
 * clone3(CLONE_INTO_CGROUP), which opens the cgroup directory, not cgroup.procs; io_uring opens
 * do pass file_open, but writes submitted through io_uring are judged at open only.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "enforce_common.h"

#define CGROUP2_SUPER_MAGIC 0x63677270
#define FMODE_WRITE 0x2
#define MAY_WRITE 0x2

/* Which file of which cgroup: 0 when not a cgroup.procs/cgroup.threads of the cgroup2 mount. */
static __always_inline struct kernfs_node *enf_migration_file(struct file *file)
{
	struct kernfs_node *kn;
	char name[16] = {};

	if (BPF_CORE_READ(file, f_inode, i_sb, s_magic) != CGROUP2_SUPER_MAGIC)
		return 0;
	kn = BPF_CORE_READ(file, f_inode, i_private);
	if (!kn)
		return 0;
	bpf_probe_read_kernel_str(name, sizeof(name), BPF_CORE_READ(kn, name));
	/* "cgroup.procs" / "cgroup.threads": compare after the common "cgroup." prefix */
	if (name[0] != 'c' || name[6] != '.')
		return 0;
	if (!(name[7] == 'p' && name[8] == 'r' && name[9] == 'o' && name[10] == 'c' && name[11] == 's' && name[12] == 0) &&
	    !(name[7] == 't' && name[8] == 'h' && name[9] == 'r' && name[13] == 's' && name[14] == 0))
		return 0;
	return enf_kn_parent(kn); /* the destination cgroup */
}

static __always_inline int enf_check_write(struct file *file)
{
	struct kernfs_node *dst = enf_migration_file(file);
	struct enf_writer w;

	if (!dst)
		return 0;
	enf_writer_read(&w);
	return enf_judge(dst, CGA_ENF_INTO, &w);
}

SEC("lsm/file_open")
int BPF_PROG(cga_enforce_file_open, struct file *file, int ret)
{
	if (ret)
		return ret;
	if (!(BPF_CORE_READ(file, f_mode) & FMODE_WRITE))
		return 0;
	return enf_check_write(file);
}

SEC("lsm/file_permission")
int BPF_PROG(cga_enforce_file_permission, struct file *file, int mask, int ret)
{
	if (ret)
		return ret;
	if (!(mask & MAY_WRITE))
		return 0;
	return enf_check_write(file);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
