/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The enforcer's kernel <-> Java contract: the allow-list maps the BPF LSM backends read and
 * dev.cgaudit.collector.enforce.BpfEnforceLayout writes. Fixed-width fields, explicit padding;
 * EnforceLayoutBtfTest checks the Java offsets against the BTF of the compiled objects.
 *
 * cga_enf_rules: key = (protected subtree's cgroup id, slot): one enforce rule on that subtree
 * per slot (a subtree can carry an allowlist and a containment rule at once). The value is the
 * rule's allow-list: the writer identities (uid, gid, comm, executable, writer cgroup) that may
 * move processes, each entry matching when every field it sets matches, as in the policy model.
 * User space expands lists (uid: [0, 1000]) into one entry per combination.
 */
#ifndef CGA_ENFORCE_H
#define CGA_ENFORCE_H

#define CGA_ENF_ABI_VERSION 1
#define CGA_ENF_MAX_ENTRIES 8
#define CGA_ENF_SLOTS 2
/* Levels walked up from a cgroup to find a protected ancestor (and the writer's cgroup's). */
#define CGA_ENF_MAX_DEPTH 16
#define CGA_ENF_RULE_ID_LEN 64
#define CGA_ENF_COMM_LEN 16

/* Which fields of an allow entry are set: the writer must match each of them. */
enum cga_enf_field {
	CGA_ENF_F_UID = 1 << 0,           /* effective uid */
	CGA_ENF_F_GID = 1 << 1,           /* effective gid */
	CGA_ENF_F_COMM = 1 << 2,
	CGA_ENF_F_EXE = 1 << 3,           /* the executable, by (kernel dev_t, inode) of mm->exe_file */
	CGA_ENF_F_WRITER_CGROUP = 1 << 4, /* the writer's cgroup lies under writer_cgroup_id */
};

/* Which migrations the rule judges. */
enum cga_enf_scope {
	CGA_ENF_INTO = 1 << 0,    /* destination in the subtree: the writer must be allowed */
	CGA_ENF_OUT_OF = 1 << 1,  /* source in the subtree: the writer must be allowed */
	CGA_ENF_CONTAIN = 1 << 2, /* source in the subtree: the destination must be too (containment) */
};

struct cga_enf_key {
	__u64 subtree_id;
	__u32 slot;
	__u32 pad0;
};

struct cga_enf_entry {
	__u32 fields;
	__u32 uid;
	__u32 gid;
	__u32 pad0;
	__u64 exe_dev;
	__u64 exe_ino;
	__u64 writer_cgroup_id;
	char comm[CGA_ENF_COMM_LEN];
};

struct cga_enf_rule {
	__u64 rule_version;
	__u32 scope;
	__u32 n_entries;
	char rule_id[CGA_ENF_RULE_ID_LEN];
	struct cga_enf_entry entries[CGA_ENF_MAX_ENTRIES];
};

/* The latest denial per writer thread (key: pid_tgid), for the collector to attribute the decision. */
struct cga_enf_denial {
	__u64 subtree_id;
	__u64 rule_version;
	__u64 ktime_ns;
	__u32 slot;
	__s32 err;
};

#endif /* CGA_ENFORCE_H */
