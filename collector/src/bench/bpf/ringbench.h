/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Records of the ring-buffer benchmark producer (ringbench.bpf.c), shared with the C harness
 * (ringbench.c). The Java side mirrors the offsets in dev.cgaudit.collector.ring.bench.RingBenchProgram.
 * Every consumer reads the same four fields of every record, whatever the record size.
 */
#ifndef RINGBENCH_H
#define RINGBENCH_H

#define RB_DRAIN_RING_SIZE (64u << 20)	/* scenario (a): fill once, time the drain */
#define RB_STREAM_RING_SIZE (4u << 20)	/* scenario (b) and the integration test */

struct rb_fields {
	__u64 seq;	/* 0: per object, gap-free unless reservations failed */
	__u64 ktime;	/* 8: bpf_ktime_get_ns() of the trigger */
	__u32 tgid;	/* 16 */
	__u32 cpu;	/* 20 */
};

enum rb_stat {
	RB_STAT_EMITTED = 0,
	RB_STAT_DROPPED = 1,	/* bpf_ringbuf_reserve failed: ring full */
	RB_STAT_TRIGGERS = 2,
	RB_STAT_MAX = 3,
};

#endif /* RINGBENCH_H */
