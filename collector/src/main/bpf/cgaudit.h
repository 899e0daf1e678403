/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The kernel <-> Java contract of the collector: every record the BPF program writes into the
 * ring buffer. Fixed-width fields, explicit padding, a common header first (type, ABI version,
 * size, kernel time), so the Java decoder (dev.cgaudit.collector.decode.RecordLayout) can check
 * what it reads. A test compares these offsets with the BTF of the compiled object: change a
 * field here and RecordLayout together, and bump CGA_ABI_VERSION.
 */
#ifndef CGAUDIT_H
#define CGAUDIT_H

#define CGA_ABI_VERSION 1

#define CGA_COMM_LEN 16
#define CGA_PATH_LEN 256

/* Record types; also the index of the per-type lost counter. */
enum cga_record_type {
	CGA_REC_DECISION = 1,
	CGA_REC_TYPE_MAX = 2,
};

/*
 * Index 0 of the lost-counter map (cga_lost) is no record type: it counts decisions lost because
 * the per-thread pending map was full at sys_enter (the record could never be built).
 */
#define CGA_LOST_PENDING 0

/* Which kernel path asked for the migration (AttachDecision.operation). */
enum cga_op {
	CGA_OP_PROCS_WRITE = 0,
	CGA_OP_THREADS_WRITE = 1,
	CGA_OP_CLONE_INTO_CGROUP = 2,
};

/* Where the decision was observed. */
enum cga_stage {
	CGA_STAGE_WRITE = 0,	/* write/pwrite64/writev on cgroup.procs|threads; ret from sys_exit */
	CGA_STAGE_OPEN = 1,	/* open for writing of cgroup.procs|threads failed (DAC): path holds the name */
	CGA_STAGE_CLONE3 = 2,	/* clone3(CLONE_INTO_CGROUP); ret from sys_exit, child pid on success */
};

/* cga_decision.flags */
#define CGA_F_ATTACHED		(1u << 0)	/* tp cgroup_attach_task fired for this write */
#define CGA_F_TARGET_PARSED	(1u << 1)	/* target_pid holds the number written */
#define CGA_F_TARGET_FOUND	(1u << 2)	/* a task with that pid existed at sys_enter */
#define CGA_F_SRC_KNOWN		(1u << 3)	/* src_cgroup_id is valid */
#define CGA_F_PATH_IS_DST	(1u << 4)	/* path is the destination cgroup path (from the tracepoint) */
#define CGA_F_PATH_IS_FILE	(1u << 5)	/* path is the file name passed to open (stage OPEN) */
#define CGA_F_PATH_TRUNCATED	(1u << 6)	/* path did not fit CGA_PATH_LEN */

struct cga_header {
	__u8 type;		/* enum cga_record_type */
	__u8 version;		/* CGA_ABI_VERSION */
	__u16 flags;		/* CGA_F_* */
	__u32 size;		/* whole record, header included */
	__u64 ktime_ns;		/* bpf_ktime_get_ns() at sys_exit (CLOCK_MONOTONIC) */
};

struct cga_decision {
	struct cga_header hdr;			/*   0 */
	__u64 dst_cgroup_id;			/*  16: kernfs id of the destination; 0 when unknown (OPEN stage) */
	__u64 src_cgroup_id;			/*  24: target's cgroup before the move; valid with CGA_F_SRC_KNOWN */
	__u64 writer_cgroup_id;			/*  32: writer's own cgroup v2 id */
	__u32 writer_pid;			/*  40: thread id */
	__u32 writer_tgid;			/*  44: process id */
	__u32 writer_uid;			/*  48: effective uid */
	__u32 writer_gid;			/*  52: effective gid */
	__s32 target_pid;			/*  56: pid written (or child pid for clone3); -1 when none */
	__u32 target_tgid;			/*  60: target's tgid; 0 when unknown */
	__s32 ret;				/*  64: syscall result: >= 0 allowed, -errno denied */
	__u8 op;				/*  68: enum cga_op */
	__u8 stage;				/*  69: enum cga_stage */
	__u8 threadgroup;			/*  70: 1 when the whole thread group moved */
	__u8 pad0;				/*  71 */
	__s32 dirfd;				/*  72: OPEN stage: dirfd passed to openat (AT_FDCWD = -100) */
	__u32 pad1;				/*  76 */
	char writer_comm[CGA_COMM_LEN];		/*  80 */
	char target_comm[CGA_COMM_LEN];		/*  96 */
	char path[CGA_PATH_LEN];		/* 112: NUL-terminated, see CGA_F_PATH_* */
};						/* 368 */

#endif /* CGAUDIT_H */
