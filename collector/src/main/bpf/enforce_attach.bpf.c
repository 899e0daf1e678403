// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Enforcer backend "bpf-lsm-cgroup-attach": the hook proposed upstream ("bpf: add a few hooks for
 * sandboxing", not merged as of this writing), called at the end of cgroup_attach_permissions()
 * after the DAC/delegation checks passed, on both the cgroup.procs/cgroup.threads write path (task
 * = the task being moved) and clone3(CLONE_INTO_CGROUP) (task = the child). It sees source and
 * destination, so it judges moves into, out of, and containment, and it applies to root.
 *
 * The hook's arguments are declared here, in the BPF_PROG below (task, src_cgrp, dst_cgrp, sb,
 * threadgroup, ns, then the previous LSM's ret); the types all exist in vmlinux.h, so the program
 * compiles on any kernel. Loading needs bpf_lsm_cgroup_attach in the running kernel's BTF: the
 * Java loader checks for it first and does not load this object where it is missing.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "enforce_common.h"

/* Whether kn is `ancestor` or lies below it. */
static __always_inline bool enf_under(struct kernfs_node *kn, __u64 ancestor)
{
	for (int level = 0; level < CGA_ENF_MAX_DEPTH && kn; level++) {
		if (BPF_CORE_READ(kn, id) == ancestor)
			return true;
		kn = enf_kn_parent(kn);
	}
	return false;
}

/* Containment: a source under a CONTAIN rule's subtree may only go to a destination under it too. */
static __always_inline int enf_contain(struct kernfs_node *src, struct kernfs_node *dst)
{
	struct kernfs_node *kn = src;

	for (int level = 0; level < CGA_ENF_MAX_DEPTH && kn; level++) {
		struct cga_enf_key key = { .subtree_id = BPF_CORE_READ(kn, id) };

		for (__u32 slot = 0; slot < CGA_ENF_SLOTS; slot++) {
			struct cga_enf_rule *rule;

			key.slot = slot;
			rule = bpf_map_lookup_elem(&cga_enf_rules, &key);
			if (rule && (rule->scope & CGA_ENF_CONTAIN) && !enf_under(dst, key.subtree_id))
				return enf_deny(key.subtree_id, slot, rule);
		}
		kn = enf_kn_parent(kn);
	}
	return 0;
}

SEC("lsm.s/cgroup_attach")
int BPF_PROG(cga_enforce_cgroup_attach, struct task_struct *task, struct cgroup *src_cgrp,
	     struct cgroup *dst_cgrp, struct super_block *sb, bool threadgroup,
	     struct cgroup_namespace *ns, int ret)
{
	struct kernfs_node *src = BPF_CORE_READ(src_cgrp, kn);
	struct kernfs_node *dst = BPF_CORE_READ(dst_cgrp, kn);
	struct enf_writer w;
	int err;

	if (ret)
		return ret;
	enf_writer_read(&w);
	err = enf_judge(dst, CGA_ENF_INTO, &w);
	if (err)
		return err;
	err = enf_judge(src, CGA_ENF_OUT_OF, &w);
	if (err)
		return err;
	return enf_contain(src, dst);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
