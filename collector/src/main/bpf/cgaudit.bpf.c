// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cgaudit capture: one struct cga_decision (cgaudit.h) per cgroup attach decision, allowed or
 * denied, into the ring buffer cga_events.
 *
 * Why these hooks (see KERNEL.md "How a migration is decided"):
 *  - Denials are only visible at the syscall boundary: the kernel returns -errno from
 *    write()/openat()/clone3() and fires no cgroup tracepoint. So tp_btf/sys_enter records what
 *    is being asked (which file, which pid, which cgroup fd) in a per-thread pending entry, and
 *    tp_btf/sys_exit emits the decision with the syscall's result. tp_btf (not raw_tp) gives typed
 *    arguments; fentry/kprobes are not available on every node (refused/not configured here).
 *  - tp_btf/cgroup_attach_task fires only when a write actually migrated a thread group or
 *    thread; it adds what the syscall boundary cannot see: the destination path and the migrated
 *    task as the kernel resolved it.
 *
 * Kernel paths covered:
 *  - write(2)/pwrite64(2)/writev(2) on cgroup.procs|cgroup.threads of the cgroup2 mount:
 *    cgroup_procs_write/cgroup_threads_write -> __cgroup_procs_write (stage WRITE).
 *  - openat(2)/openat2(2) for writing of a file named cgroup.procs|cgroup.threads that failed:
 *    the DAC check at open, where most unprivileged denials end (stage OPEN).
 *  - clone3(2) with CLONE_INTO_CGROUP: cgroup_can_fork -> cgroup_css_set_fork (stage CLONE3).
 *
 * Blind spots (also in collector/README.md):
 *  - io_uring: IORING_OP_WRITE/OPENAT run in the kernel without sys_enter/sys_exit, so writes
 *    and opens submitted through io_uring are not captured.
 *  - Kernel-internal migrations without a writer (cgroup v1 transfers, kthreads) are not writes.
 *  - An open whose name is 256 bytes or longer cannot be matched by suffix and is not recorded.
 *  - The target pid is looked up in the initial pid namespace; a writer inside a child pid
 *    namespace gets no target tgid/comm/source (the number it wrote is still recorded).
 *
 * The syscall numbers are const volatile globals set by the loader per architecture (x86-64:
 * write 1, pwrite64 18, writev 20, openat 257, openat2 437, clone3 435; arm64 differs: write 64,
 * pwrite64 68, writev 66, openat 56, openat2 437, clone3 435). -1 disables a hook.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "cgaudit.h"

#define CGROUP2_SUPER_MAGIC 0x63677270
#define CLONE_INTO_CGROUP 0x200000000ULL
#define CLONE_THREAD 0x00010000ULL
#define O_ACCMODE 3
#define O_WRONLY 1
#define O_RDWR 2
/* sizeof(struct clone_args) up to .cgroup (CLONE_ARGS_SIZE_VER2): older layouts cannot carry it. */
#define CLONE_ARGS_SIZE_VER2 88
/* Longest text a pid can be written as, with surrounding whitespace ("4194304\n"). */
#define PID_TEXT_LEN 24

/* ---- configuration, set by the loader before load ---- */
const volatile long nr_write = -1;
const volatile long nr_pwrite64 = -1;
const volatile long nr_writev = -1;
const volatile long nr_openat = -1;
const volatile long nr_openat2 = -1;
const volatile long nr_clone3 = -1;
/*
 * Consumer wakeups. 0 (default): every commit may wake the reader (the kernel wakes it when the
 * record lands at the consumer position, i.e. the reader had caught up) - lowest latency, but on a
 * busy node one wakeup per decision. N > 0: commit without a wakeup until at least N bytes are
 * waiting; the reader must then poll with a timeout to pick up a quiet tail.
 */
const volatile __u32 wakeup_batch_bytes = 0;

/* ---- maps ---- */

/* The decisions. 4 MiB holds ~11k records: minutes of a busy node's migrations. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} cga_events SEC(".maps");

/*
 * Drops, per CPU, indexed by enum cga_record_type: [CGA_REC_DECISION] counts failed ring
 * reservations (bpf_ringbuf_output), [CGA_LOST_PENDING] (0, no record type uses it) counts
 * decisions lost because the thread's pending entry could not be created (no memory).
 * User space sums over CPUs.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CGA_REC_TYPE_MAX);
	__type(key, __u32);
	__type(value, __u64);
} cga_lost SEC(".maps");

/* A decision between sys_enter and sys_exit, with the syscall it belongs to. */
struct cga_pending {
	struct cga_decision rec;
	long nr;
	bool live;	/* between a watched sys_enter and its sys_exit */
};

/*
 * Per thread, in the thread's own storage: created the first time a thread touches a cgroup
 * interface file (or clone3 into a cgroup), freed with the thread, built in place. A hash map
 * keyed by pid_tgid cost an insert (lock, element copy) at sys_enter and a lookup and delete at
 * sys_exit on every migration; task storage is a cached per-task pointer.
 */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct cga_pending);
} cga_pending SEC(".maps");

/* The name given to openat, read before we know it is ours (most opens are not). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[CGA_PATH_LEN]);
} cga_open_name SEC(".maps");

/* ---- kernel struct flavours for CO-RE ---- */

/* kernfs_node::parent was renamed __parent in 6.15 (it became RCU-protected). */
struct kernfs_node___pre615 {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

struct kernfs_node___615 {
	struct kernfs_node *__parent;
} __attribute__((preserve_access_index));

/* arm64 keeps the syscall number in pt_regs::syscallno, x86-64 in orig_ax. */
struct pt_regs___cga_arm64 {
	int syscallno;
} __attribute__((preserve_access_index));

/* kfuncs (kernel >= 6.2): find the target task of a write to read its tgid, comm and cgroup. */
extern struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
/*
 * kfunc (kernel >= 6.2): types a pointer that was read as a plain value (an fd table slot,
 * inode->i_private), so that its fields are read by direct loads like every other pointer here.
 *
 * Why direct loads: tp_btf arguments and bpf_get_current_task_btf() are BTF-typed, and a field
 * load through them is one instruction (a fault reads 0), where BPF_CORE_READ is one
 * bpf_probe_read_kernel helper call per hop. The write path took ~30 such calls per write on the
 * node: most of the probes' cost per migration (BENCHMARKS.md "Kernel overhead").
 */
extern void *bpf_rdonly_cast(const void *obj__ign, __u32 btf_id__k) __ksym;

/* ---- helpers ---- */

static __always_inline void count_lost(__u32 index)
{
	__u64 *n = bpf_map_lookup_elem(&cga_lost, &index);

	if (n)
		*n += 1;
}

static __always_inline bool watched_nr(long id)
{
	return id == nr_write || id == nr_pwrite64 || id == nr_writev || id == nr_openat ||
	       id == nr_openat2 || id == nr_clone3;
}

/* The syscall number at sys_exit (sys_exit has only regs and ret). */
static __always_inline long exit_nr(struct pt_regs *regs)
{
	if (bpf_core_field_exists(regs->orig_ax))
		return regs->orig_ax;
	return ((struct pt_regs___cga_arm64 *)regs)->syscallno;
}

static __always_inline struct kernfs_node *kn_parent(struct kernfs_node *kn)
{
	struct kernfs_node___615 *n615 = (void *)kn;
	struct kernfs_node___pre615 *old = (void *)kn;

	if (bpf_core_field_exists(n615->__parent))
		return n615->__parent;
	return old->parent;
}

/* fd of the current task -> struct file, as fdget would find it (NULL when not open). */
static __always_inline struct file *fd_file(struct task_struct *task, long fd)
{
	struct fdtable *fdt = task->files->fdt;
	struct file *file = NULL;

	if (!fdt || fd < 0 || fd >= fdt->max_fds)
		return NULL;
	/* a slot at a variable index cannot be a direct load: one helper call */
	bpf_probe_read_kernel(&file, sizeof(file), &fdt->fd[fd]);
	if (!file)
		return NULL;
	return bpf_rdonly_cast(file, bpf_core_type_id_kernel(struct file));
}

/* The kernfs node behind a file on the cgroup2 mount, NULL for any other file. */
static __always_inline struct kernfs_node *cgroup2_kn(struct file *file)
{
	if (!file)
		return NULL;
	if (file->f_inode->i_sb->s_magic != CGROUP2_SUPER_MAGIC)
		return NULL;
	return bpf_rdonly_cast(file->f_inode->i_private, bpf_core_type_id_kernel(struct kernfs_node));
}

static __always_inline bool name_eq(const char *a, const char *b, int n)
{
	for (int i = 0; i < n; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

/* kernfs_type(): the low bits of kernfs_node::flags (KERNFS_TYPE_MASK, not in BTF). */
#define CGA_KERNFS_TYPE_MASK 0x000f

/*
 * Which interface file: CGA_OP_PROCS_WRITE, CGA_OP_THREADS_WRITE, or -1 for any other name.
 * A cgroup2 file's kernfs node carries its struct cftype in ->priv (cgroup_add_file), and the base
 * files' kernfs names are their cftype names: so the name is compared by direct loads, with no
 * string copy helper on every write to a cgroup file. Compares with the terminating NUL, so
 * "cgroup.procs2" does not match.
 */
static __always_inline int op_of_kn_name(struct kernfs_node *kn)
{
	struct cftype *cft;

	if ((kn->flags & CGA_KERNFS_TYPE_MASK) != KERNFS_FILE)
		return -1;
	cft = bpf_rdonly_cast(kn->priv, bpf_core_type_id_kernel(struct cftype));
	if (name_eq(cft->name, "cgroup.procs", 13))
		return CGA_OP_PROCS_WRITE;
	if (name_eq(cft->name, "cgroup.threads", 15))
		return CGA_OP_THREADS_WRITE;
	return -1;
}

/* Does path[0..len) (len without NUL) end with suffix, or equal it without its leading '/'? */
static __always_inline bool path_ends_with(const char *path, int len, const char *suffix, int slen)
{
	int start = len - slen;

	if (start == -1) {		/* "cgroup.procs" given relative to dirfd */
		for (int i = 1; i < slen; i++)
			if (path[(i - 1) & (CGA_PATH_LEN - 1)] != suffix[i])
				return false;
		return true;
	}
	if (start < 0 || start >= CGA_PATH_LEN)
		return false;
	for (int i = 0; i < slen; i++)
		if (path[(start + i) & (CGA_PATH_LEN - 1)] != suffix[i])
			return false;
	return true;
}

/*
 * Parses the text written as the kernel does (kstrtoint after strstrip): optional whitespace,
 * decimal digits, optional whitespace. Returns false for anything else (the kernel says EINVAL,
 * or accepts a form we do not parse, such as "0x1f"; then the target is simply unknown).
 */
static __always_inline bool parse_pid(const char *text, int len, __s32 *pid)
{
	__s64 v = 0;
	int state = 0;	/* 0 leading space, 1 digits, 2 trailing space */

	for (int i = 0; i < PID_TEXT_LEN; i++) {
		char c;

		if (i >= len)
			break;
		c = text[i];
		if (c == '\0')
			break;
		if (c >= '0' && c <= '9') {
			if (state == 2)
				return false;
			state = 1;
			v = v * 10 + (c - '0');
			if (v > 0x7fffffff)
				return false;
		} else if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\v' || c == '\f') {
			if (state == 1)
				state = 2;
		} else {
			return false;
		}
	}
	if (state == 0)
		return false;
	*pid = (__s32)v;
	return true;
}

/* This thread's pending entry, zeroed, live, with the writer's identity filled in. */
static __always_inline struct cga_pending *new_pending(struct task_struct *task, long nr)
{
	struct cga_pending *p = bpf_task_storage_get(&cga_pending, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	if (!p) {
		count_lost(CGA_LOST_PENDING);
		return NULL;
	}
	__builtin_memset(p, 0, sizeof(*p));
	p->nr = nr;
	p->live = true;
	p->rec.hdr.type = CGA_REC_DECISION;
	p->rec.hdr.version = CGA_ABI_VERSION;
	p->rec.hdr.size = sizeof(struct cga_decision);
	p->rec.writer_pid = (__u32)pid_tgid;
	p->rec.writer_tgid = pid_tgid >> 32;
	p->rec.writer_uid = task->cred->euid.val;
	p->rec.writer_gid = task->cred->egid.val;
	p->rec.writer_cgroup_id = bpf_get_current_cgroup_id();
	/* bumped by every execve: lets user space cache /proc/PID/exe per (tgid, exec) */
	p->rec.writer_exec_id = task->group_leader->self_exec_id;
	p->rec.target_pid = -1;
	bpf_get_current_comm(p->rec.writer_comm, sizeof(p->rec.writer_comm));
	return p;
}

/* This thread's entry if a watched syscall is in flight on it. */
static __always_inline struct cga_pending *live_pending(void)
{
	struct cga_pending *p = bpf_task_storage_get(&cga_pending, bpf_get_current_task_btf(), 0, 0);

	return p && p->live ? p : NULL;
}

/*
 * The target of a write, looked up at sys_enter (before the kernel moves it): its tgid, comm and
 * current cgroup v2 id. Only in the initial pid namespace, where bpf_task_from_pid looks.
 */
static __always_inline void fill_target(struct cga_decision *rec, struct task_struct *writer)
{
	struct task_struct *t;
	struct task_struct *src;

	if (writer->thread_pid->level != 0)
		return;
	t = bpf_task_from_pid(rec->target_pid);
	if (!t)
		return;
	rec->target_tgid = t->tgid;
	bpf_probe_read_kernel_str(rec->target_comm, sizeof(rec->target_comm), t->comm);
	/* cgroup.procs moves the whole thread group: the leader's cgroup is the source. */
	src = rec->op == CGA_OP_PROCS_WRITE ? t->group_leader : t;
	rec->src_cgroup_id = src->cgroups->dfl_cgrp->kn->id;
	if (rec->src_cgroup_id)
		rec->hdr.flags |= CGA_F_SRC_KNOWN;
	rec->hdr.flags |= CGA_F_TARGET_FOUND;
	bpf_task_release(t);
}

/* write/pwrite64/writev: is it cgroup.procs|threads on cgroup2? Then remember what is asked. */
static __always_inline void enter_write(struct pt_regs *regs, long nr)
{
	struct task_struct *task = bpf_get_current_task_btf();
	long fd = PT_REGS_PARM1_CORE_SYSCALL(regs);
	const void *ubuf = (const void *)PT_REGS_PARM2_CORE_SYSCALL(regs);
	__u64 count = PT_REGS_PARM3_CORE_SYSCALL(regs);
	struct kernfs_node *kn = cgroup2_kn(fd_file(task, fd));
	char text[PID_TEXT_LEN] = {};
	struct cga_pending *p;
	int op;

	if (!kn)
		return;
	op = op_of_kn_name(kn);
	if (op < 0)
		return;
	p = new_pending(task, nr);
	if (!p)
		return;
	p->rec.op = op;
	p->rec.stage = CGA_STAGE_WRITE;
	p->rec.dst_cgroup_id = kn_parent(kn)->id;

	if (nr == nr_writev) {
		/* The first iovec carries the start of the text (echo and shells write one). */
		struct iovec iov = {};

		if (count < 1 || bpf_probe_read_user(&iov, sizeof(iov), ubuf))
			return;	/* the entry stays: a decision without a parsed target */
		ubuf = iov.iov_base;
		count = iov.iov_len;
	}
	if (count > PID_TEXT_LEN - 1)
		count = PID_TEXT_LEN - 1;
	if (bpf_probe_read_user(text, count, ubuf) == 0 &&
	    parse_pid(text, count, &p->rec.target_pid)) {
		p->rec.hdr.flags |= CGA_F_TARGET_PARSED;
		/* "0" means the writer itself: its thread group for procs, the thread for threads. */
		if (p->rec.target_pid == 0)
			p->rec.target_pid = op == CGA_OP_PROCS_WRITE ? p->rec.writer_tgid : p->rec.writer_pid;
		fill_target(&p->rec, task);
	}
}

/* openat/openat2 for writing of .../cgroup.procs|threads: remember it, emit only if it fails. */
static __always_inline void enter_open(struct pt_regs *regs, long nr)
{
	long dirfd = PT_REGS_PARM1_CORE_SYSCALL(regs);
	const char *uname = (const char *)PT_REGS_PARM2_CORE_SYSCALL(regs);
	__u64 flags = PT_REGS_PARM3_CORE_SYSCALL(regs);
	struct cga_pending *p;
	__u32 zero = 0;
	char *name;
	int len;
	int op;

	if (nr == nr_openat2) {
		struct open_how how = {};

		/* openat2(dirfd, name, struct open_how *how, size): flags are how->flags. */
		if (bpf_probe_read_user(&how, sizeof(how.flags), (void *)flags))
			return;
		flags = how.flags;
	}
	if ((flags & O_ACCMODE) != O_WRONLY && (flags & O_ACCMODE) != O_RDWR)
		return;
	name = bpf_map_lookup_elem(&cga_open_name, &zero);
	if (!name)
		return;
	len = bpf_probe_read_user_str(name, CGA_PATH_LEN, uname);
	if (len <= 1 || len >= CGA_PATH_LEN)
		return;		/* empty, unreadable, or too long to see its end */
	len -= 1;
	if (path_ends_with(name, len, "/cgroup.procs", 13))
		op = CGA_OP_PROCS_WRITE;
	else if (path_ends_with(name, len, "/cgroup.threads", 15))
		op = CGA_OP_THREADS_WRITE;
	else
		return;
	p = new_pending(bpf_get_current_task_btf(), nr);
	if (!p)
		return;
	__builtin_memcpy(p->rec.path, name, CGA_PATH_LEN);
	p->rec.op = op;
	p->rec.stage = CGA_STAGE_OPEN;
	p->rec.dirfd = dirfd;
	p->rec.hdr.flags |= CGA_F_PATH_IS_FILE;
}

/* clone3 with CLONE_INTO_CGROUP: the cgroup is a directory fd on cgroup2, its own id is the dst. */
static __always_inline void enter_clone3(struct pt_regs *regs, long nr)
{
	struct task_struct *task = bpf_get_current_task_btf();
	const void *uargs = (const void *)PT_REGS_PARM1_CORE_SYSCALL(regs);
	__u64 size = PT_REGS_PARM2_CORE_SYSCALL(regs);
	struct clone_args args = {};
	struct kernfs_node *kn;
	struct cga_pending *p;

	if (size < CLONE_ARGS_SIZE_VER2 ||
	    bpf_probe_read_user(&args, CLONE_ARGS_SIZE_VER2, uargs) ||
	    !(args.flags & CLONE_INTO_CGROUP))
		return;
	p = new_pending(task, nr);
	if (!p)
		return;
	p->rec.op = CGA_OP_CLONE_INTO_CGROUP;
	p->rec.stage = CGA_STAGE_CLONE3;
	p->rec.threadgroup = !(args.flags & CLONE_THREAD);
	/* A bad fd or a non-cgroup2 fd leaves dst 0; the kernel answers EBADF. */
	kn = cgroup2_kn(fd_file(task, (long)args.cgroup));
	if (kn)
		p->rec.dst_cgroup_id = kn->id;
	/* Without the flag the child would start in the parent's cgroup; the kernel's permission
	 * check (cgroup_css_set_fork) uses it as the source, so do we. */
	p->rec.src_cgroup_id = p->rec.writer_cgroup_id;
	p->rec.hdr.flags |= CGA_F_SRC_KNOWN;
	if (args.flags & CLONE_THREAD)
		p->rec.target_tgid = p->rec.writer_tgid;
}

static __always_inline __u64 submit_flags(void)
{
	if (!wakeup_batch_bytes)
		return 0;
	/* AVAIL_DATA = producer - consumer position, before this record is added. */
	if (bpf_ringbuf_query(&cga_events, BPF_RB_AVAIL_DATA) + sizeof(struct cga_decision) + 8 >= wakeup_batch_bytes)
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

/* sys_exit: emit the pending decision of this thread with the syscall's result. */
static __always_inline void exit_syscall(struct pt_regs *regs, long ret)
{
	long nr = exit_nr(regs);
	struct cga_pending *p;

	/* Filter by syscall number before touching the storage: most exits are not ours. */
	if (!watched_nr(nr))
		return;
	p = live_pending();
	if (!p)
		return;
	if (p->nr != nr)
		goto done;	/* stale: its sys_exit was missed (attached mid-syscall) */
	/* A successful open is no decision yet: the write that follows will be one. */
	if (p->rec.stage == CGA_STAGE_OPEN && ret >= 0)
		goto done;
	/* clone3 returns twice; only the parent (ret != 0) reports. The child has its own (empty)
	 * storage anyway; this guards against anything that would leave it a live entry. */
	if (p->rec.stage == CGA_STAGE_CLONE3) {
		if (ret == 0)
			goto done;
		if (ret > 0) {
			p->rec.target_pid = ret;
			if (!p->rec.target_tgid)
				p->rec.target_tgid = ret;
			/* The child is a copy of the caller: same comm. */
			__builtin_memcpy(p->rec.target_comm, p->rec.writer_comm, CGA_COMM_LEN);
			p->rec.hdr.flags |= CGA_F_TARGET_FOUND;
		}
	}
	p->rec.ret = ret;
	p->rec.hdr.ktime_ns = bpf_ktime_get_ns();
	/* one helper: reserve, copy and commit (the copy in C beats ~90 BPF loads and stores) */
	if (bpf_ringbuf_output(&cga_events, &p->rec, sizeof(p->rec), submit_flags()))
		count_lost(CGA_REC_DECISION);
done:
	p->live = false;
}

/* cgroup_attach_task: the write in flight on this thread migrated `task` into `dst`. */
static __always_inline void on_attach(struct cgroup *dst, const char *path, struct task_struct *task,
				      bool threadgroup)
{
	struct cga_pending *p = live_pending();
	long n;

	/* Not a write we watch (e.g. a cgroup v1 transfer): nothing to add to. */
	if (!p || p->rec.stage != CGA_STAGE_WRITE)
		return;
	p->rec.hdr.flags |= CGA_F_ATTACHED | CGA_F_TARGET_FOUND | CGA_F_PATH_IS_DST;
	p->rec.threadgroup = threadgroup;
	p->rec.target_pid = task->pid;
	p->rec.target_tgid = task->tgid;
	bpf_probe_read_kernel_str(p->rec.target_comm, sizeof(p->rec.target_comm), task->comm);
	if (!p->rec.dst_cgroup_id)
		p->rec.dst_cgroup_id = dst->kn->id;
	/* path lives only during this call: copy it now. */
	n = bpf_probe_read_kernel_str(p->rec.path, sizeof(p->rec.path), path);
	if (n == CGA_PATH_LEN) {
		char next = 0;

		bpf_probe_read_kernel(&next, 1, path + CGA_PATH_LEN - 1);
		if (next)
			p->rec.hdr.flags |= CGA_F_PATH_TRUNCATED;
	}
}

/* ---- programs ---- */

/*
 * The kernel-overhead bench's floor (src/bench/bpf/cgaudit_floor.bpf.c) compiles this file with
 * CGA_FLOOR 1: the same hooks and maps, programs that return at once. What the floor costs a
 * migration is what attaching to these hooks costs before any capture work. The collector's own
 * object is always built with CGA_FLOOR 0, where the checks below compile away.
 */
#ifndef CGA_FLOOR
#define CGA_FLOOR 0
#endif

/* Every syscall entry on the node passes here: the syscall number is checked first. */
SEC("tp_btf/sys_enter")
int BPF_PROG(cga_sys_enter, struct pt_regs *regs, long id)
{
	if (!watched_nr(id) || CGA_FLOOR)
		return 0;
	if (id == nr_write || id == nr_pwrite64 || id == nr_writev)
		enter_write(regs, id);
	else if (id == nr_openat || id == nr_openat2)
		enter_open(regs, id);
	else
		enter_clone3(regs, id);
	return 0;
}

/* Every syscall exit: only threads with a pending entry (one of ours in flight) do work. */
SEC("tp_btf/sys_exit")
int BPF_PROG(cga_sys_exit, struct pt_regs *regs, long ret)
{
	if (CGA_FLOOR)
		return 0;
	exit_syscall(regs, ret);
	return 0;
}

/* Fires from cgroup_attach_task() on success of a procs/threads write, once per call. */
SEC("tp_btf/cgroup_attach_task")
int BPF_PROG(cga_attach_task, struct cgroup *dst_cgrp, const char *path, struct task_struct *task,
	     bool threadgroup)
{
	if (CGA_FLOOR)
		return 0;
	on_attach(dst_cgrp, path, task, threadgroup);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
