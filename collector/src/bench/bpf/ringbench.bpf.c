// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Producer for the ring-buffer reader benchmark and the MappedRing integration test. Shaped like
 * the kernel's own ringbuf benchmark (selftests/bpf/progs/ringbuf_bench.c): one trigger syscall
 * from one process makes the program emit a burst of records, here with bpf_loop, so the rate at
 * which records appear is set by the BPF side and not by syscall overhead.
 *
 * Why tp_btf/sys_enter: it loads and attaches as root on these machines (fentry does not), it sees
 * the syscall number, and the trigger (getpgid) is one nothing else in the process calls.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "ringbench.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Two rings because libbpf 1.1's binding here cannot resize a map before load. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, RB_DRAIN_RING_SIZE);
} ring_drain SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, RB_STREAM_RING_SIZE);
} ring_stream SEC(".maps");

/* Drops are data: every failed reservation is counted. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RB_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

const volatile __u32 target_tgid = 0;
const volatile __s64 trigger_nr = -1;
const volatile __u32 burst = 1;
const volatile __u32 record_size = 64;	/* 64 or 256 */
const volatile __u32 stream_ring = 0;	/* 0: ring_drain, 1: ring_stream */

__u64 next_seq = 0;
/*
 * Always 0. The loop counters start from it rather than from a literal 0: the verifier walks the
 * bpf_loop callback until its states repeat, and counters it knows exactly never repeat.
 */
__u64 counter_base = 0;

struct loop_ctx {
	__u64 base;
	__u64 ktime;
	__u64 emitted;
	__u64 dropped;
	__u32 tgid;
	__u32 cpu;
};

static __always_inline struct rb_fields *reserve(void)
{
	/* constant sizes at each call site; the verifier prunes the branches the globals rule out */
	if (stream_ring)
		return record_size == 256 ? bpf_ringbuf_reserve(&ring_stream, 256, 0)
					  : bpf_ringbuf_reserve(&ring_stream, 64, 0);
	return record_size == 256 ? bpf_ringbuf_reserve(&ring_drain, 256, 0)
				  : bpf_ringbuf_reserve(&ring_drain, 64, 0);
}

/*
 * One callback for every configuration: choosing among several callbacks by a const volatile left
 * the unused ones as dead subprograms, which this kernel's verifier rejects ("No program to jit").
 */
static long emit(__u32 index, void *data)
{
	struct loop_ctx *c = data;
	struct rb_fields *r = reserve();

	if (!r) {
		c->dropped++;
		return 0;
	}
	r->seq = c->base + index;
	r->ktime = c->ktime;
	r->tgid = c->tgid;
	r->cpu = c->cpu;
	bpf_ringbuf_submit(r, 0);
	c->emitted++;
	return 0;
}

static __always_inline void count(__u32 key, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &key);

	if (v && n)
		__sync_fetch_and_add(v, n);
}

SEC("tp_btf/sys_enter")
int BPF_PROG(ringbench_trigger, struct pt_regs *regs, long id)
{
	struct loop_ctx c = {};

	if (id != trigger_nr || (bpf_get_current_pid_tgid() >> 32) != target_tgid)
		return 0;
	c.tgid = target_tgid;
	c.cpu = bpf_get_smp_processor_id();
	c.ktime = bpf_ktime_get_ns();
	/* sequence numbers are handed out per burst; a dropped record leaves a gap */
	c.base = __sync_fetch_and_add(&next_seq, burst);
	c.emitted = counter_base;
	c.dropped = counter_base;
	bpf_loop(burst, emit, &c, 0);
	count(RB_STAT_EMITTED, c.emitted);
	count(RB_STAT_DROPPED, c.dropped);
	count(RB_STAT_TRIGGERS, 1);
	return 0;
}
