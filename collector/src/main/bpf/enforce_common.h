/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What both enforcer programs share: the maps and the allow-list check. Header-only, static
 * __always_inline: each program object gets its own copy of the maps (one backend runs at a time).
 */
#ifndef CGA_ENFORCE_COMMON_H
#define CGA_ENFORCE_COMMON_H

#include "enforce.h"

#define CGA_ENF_DENY_ERRNO 1 /* EPERM: an LSM refusal, told apart from DAC's EACCES */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct cga_enf_key);
	__type(value, struct cga_enf_rule);
} cga_enf_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct cga_enf_denial);
} cga_enf_denials SEC(".maps");

/* kernfs_node::parent was renamed __parent in 6.15 (as in cgaudit.bpf.c). */
struct kernfs_node___enf_pre615 {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

struct kernfs_node___enf_615 {
	struct kernfs_node *__parent;
} __attribute__((preserve_access_index));

static __always_inline struct kernfs_node *enf_kn_parent(struct kernfs_node *kn)
{
	struct kernfs_node___enf_615 *n615 = (void *)kn;
	struct kernfs_node___enf_pre615 *old = (void *)kn;

	if (bpf_core_field_exists(n615->__parent))
		return BPF_CORE_READ(n615, __parent);
	return BPF_CORE_READ(old, parent);
}

/* Who is asking, read once per hook call. */
struct enf_writer {
	__u32 uid;
	__u32 gid;
	__u64 comm[2];
	__u64 exe_dev;
	__u64 exe_ino;
	__u64 cgroups[CGA_ENF_MAX_DEPTH]; /* the writer's cgroup and its ancestors, 0-terminated */
};

static __always_inline void enf_writer_read(struct enf_writer *w)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct kernfs_node *kn;
	struct file *exe;

	w->uid = BPF_CORE_READ(task, cred, euid.val);
	w->gid = BPF_CORE_READ(task, cred, egid.val);
	__builtin_memset(w->comm, 0, sizeof(w->comm));
	bpf_get_current_comm(w->comm, sizeof(w->comm));
	exe = BPF_CORE_READ(task, mm, exe_file);
	w->exe_dev = exe ? BPF_CORE_READ(exe, f_inode, i_sb, s_dev) : 0;
	w->exe_ino = exe ? BPF_CORE_READ(exe, f_inode, i_ino) : 0;
	kn = BPF_CORE_READ(task, cgroups, dfl_cgrp, kn);
	for (int i = 0; i < CGA_ENF_MAX_DEPTH; i++) {
		w->cgroups[i] = kn ? BPF_CORE_READ(kn, id) : 0;
		if (kn)
			kn = enf_kn_parent(kn);
	}
}

static __always_inline bool enf_entry_matches(const struct cga_enf_entry *e, const struct enf_writer *w)
{
	__u32 f = e->fields;

	if ((f & CGA_ENF_F_UID) && e->uid != w->uid)
		return false;
	if ((f & CGA_ENF_F_GID) && e->gid != w->gid)
		return false;
	if (f & CGA_ENF_F_COMM) {
		const __u64 *c = (const __u64 *)e->comm;
		if (c[0] != w->comm[0] || c[1] != w->comm[1])
			return false;
	}
	if ((f & CGA_ENF_F_EXE) && (e->exe_dev != w->exe_dev || e->exe_ino != w->exe_ino))
		return false;
	if (f & CGA_ENF_F_WRITER_CGROUP) {
		bool under = false;
		for (int i = 0; i < CGA_ENF_MAX_DEPTH; i++) {
			if (w->cgroups[i] == e->writer_cgroup_id) {
				under = true;
				break;
			}
		}
		if (!under)
			return false;
	}
	return true;
}

static __always_inline bool enf_writer_allowed(const struct cga_enf_rule *rule, const struct enf_writer *w)
{
	for (int i = 0; i < CGA_ENF_MAX_ENTRIES; i++) {
		if (i >= rule->n_entries)
			break;
		if (enf_entry_matches(&rule->entries[i], w))
			return true;
	}
	return false;
}

static __always_inline int enf_deny(__u64 subtree_id, __u32 slot, const struct cga_enf_rule *rule)
{
	__u64 key = bpf_get_current_pid_tgid();
	struct cga_enf_denial d = {
		.subtree_id = subtree_id,
		.rule_version = rule->rule_version,
		.ktime_ns = bpf_ktime_get_ns(),
		.slot = slot,
		.err = -CGA_ENF_DENY_ERRNO,
	};

	bpf_map_update_elem(&cga_enf_denials, &key, &d, BPF_ANY);
	return -CGA_ENF_DENY_ERRNO;
}

/*
 * Walks from kn up to the root (bounded) and judges the writer against every rule on a protected
 * ancestor whose scope is in scope_mask. Returns 0 or the denial's negative errno (recorded).
 */
static __always_inline int enf_judge(struct kernfs_node *kn, __u32 scope_mask, const struct enf_writer *w)
{
	for (int level = 0; level < CGA_ENF_MAX_DEPTH && kn; level++) {
		struct cga_enf_key key = { .subtree_id = BPF_CORE_READ(kn, id) };

		for (__u32 slot = 0; slot < CGA_ENF_SLOTS; slot++) {
			struct cga_enf_rule *rule;

			key.slot = slot;
			rule = bpf_map_lookup_elem(&cga_enf_rules, &key);
			if (rule && (rule->scope & scope_mask) && !enf_writer_allowed(rule, w))
				return enf_deny(key.subtree_id, slot, rule);
		}
		kn = enf_kn_parent(kn);
	}
	return 0;
}

#endif /* CGA_ENFORCE_COMMON_H */
