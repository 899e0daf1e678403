// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Test only: runs the enforcer's allow-list check (enforce_common.h, the code the lsm programs
 * run) in a program type this kernel accepts, so the verifier checks it and BPF_PROG_TEST_RUN
 * executes it where lsm programs are refused. SEC("syscall") runs in the calling thread's task:
 * the writer is the test thread, and the "destination" is the thread's own cgroup, judged as a
 * move into it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "../../main/bpf/enforce_common.h"

struct cga_enf_selftest {
	__u64 cgroup_id; /* out: the calling thread's cgroup */
	__u32 scope;     /* in: which scope bits to judge (CGA_ENF_INTO, CGA_ENF_OUT_OF) */
	__s32 result;    /* out: 0 allowed, -EPERM denied */
};

SEC("syscall")
int cga_enforce_selftest(struct cga_enf_selftest *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct kernfs_node *kn = BPF_CORE_READ(task, cgroups, dfl_cgrp, kn);
	struct enf_writer w;

	enf_writer_read(&w);
	ctx->cgroup_id = BPF_CORE_READ(kn, id);
	ctx->result = enf_judge(kn, ctx->scope, &w);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
