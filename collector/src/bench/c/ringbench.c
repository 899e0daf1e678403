// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libbpf's side of the ring-buffer reader benchmark: the same BPF producer (ringbench.bpf.o) as the
 * Java side, consumed with ring_buffer__consume/ring_buffer__poll, reading the same fields of every
 * record. Prints one line of key=value pairs that RingBench (Java) puts next to its own numbers.
 *
 *   ringbench drain  SIZE ROUNDS RING     fill a ring until the producer drops, time the drain;
 *                                         RING: big (64 MiB, drains from DRAM) or small (4 MiB, in L3)
 *   ringbench stream SIZE SECONDS BURST   a producer thread triggers bursts, this thread polls
 *
 * Built by collector/bench/ring-bench.sh against libbpf-dev, with a skeleton from bpftool.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include "ringbench.h"
#include "ringbench.skel.h"

#define DRAIN_BURST 4096

struct consumer {
	__u64 count;
	__u64 expected;
	__u64 gaps;
	__u64 acc;
};

/* The work every consumer does per record, in C and in Java: four fields, a gap check. */
static int on_record(void *ctx, void *data, size_t len)
{
	struct consumer *c = ctx;
	const struct rb_fields *r = data;

	(void)len;
	if (r->seq != c->expected)
		c->gaps++;
	c->expected = r->seq + 1;
	c->acc += r->ktime ^ r->tgid ^ r->cpu;
	c->count++;
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void trigger(void)
{
	syscall(SYS_getpgid, 0);
}

static __u64 stat(struct ringbench_bpf *skel, __u32 key)
{
	__u64 v = 0;

	bpf_map_lookup_elem(bpf_map__fd(skel->maps.stats), &key, &v);
	return v;
}

static struct ringbench_bpf *open_bench(unsigned int size, unsigned int burst, int small_ring)
{
	struct ringbench_bpf *skel = ringbench_bpf__open();

	if (!skel) {
		fprintf(stderr, "ringbench: open failed: %s\n", strerror(errno));
		exit(1);
	}
	skel->rodata->target_tgid = getpid();
	skel->rodata->trigger_nr = SYS_getpgid;
	skel->rodata->burst = burst;
	skel->rodata->record_size = size;
	skel->rodata->stream_ring = small_ring;
	if (ringbench_bpf__load(skel) || ringbench_bpf__attach(skel)) {
		fprintf(stderr, "ringbench: load/attach failed: %s\n", strerror(errno));
		exit(1);
	}
	return skel;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int drain(unsigned int size, int rounds, int small_ring)
{
	double *round_rates = calloc(rounds, sizeof(double));
	struct ringbench_bpf *skel = open_bench(size, DRAIN_BURST, small_ring);
	struct consumer c = {0};
	struct bpf_map *ring = small_ring ? skel->maps.ring_stream : skel->maps.ring_drain;
	struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(ring), on_record, &c, NULL);
	double seconds = 0;
	__u64 records = 0;

	if (!rb) {
		fprintf(stderr, "ringbench: ring_buffer__new failed: %s\n", strerror(errno));
		return 1;
	}
	for (int i = 0; i < rounds; i++) {
		__u64 dropped = stat(skel, RB_STAT_DROPPED);

		while (stat(skel, RB_STAT_DROPPED) == dropped)
			trigger();
		__u64 before = c.count;
		double t0 = now_s();
		int n = ring_buffer__consume(rb);
		double t1 = now_s();

		if (n < 0) {
			fprintf(stderr, "ringbench: consume failed: %d\n", n);
			return 1;
		}
		seconds += t1 - t0;
		records += c.count - before;
		round_rates[i] = (c.count - before) / (t1 - t0);
	}
	/* the machine is shared: the median and best round say more than the total */
	qsort(round_rates, rounds, sizeof(double), cmp_double);
	printf("impl=libbpf mode=drain ring=%u size=%u records=%llu seconds=%.6f rate=%.0f median=%.0f best=%.0f produced=%llu dropped=%llu gaps=%llu acc=%llu\n",
	       bpf_map__max_entries(ring), size, (unsigned long long)records, seconds, records / seconds,
	       round_rates[rounds / 2], round_rates[rounds - 1],
	       (unsigned long long)(stat(skel, RB_STAT_EMITTED) + stat(skel, RB_STAT_DROPPED)),
	       (unsigned long long)stat(skel, RB_STAT_DROPPED), (unsigned long long)c.gaps,
	       (unsigned long long)c.acc);
	free(round_rates);
	ring_buffer__free(rb);
	ringbench_bpf__destroy(skel);
	return 0;
}

static atomic_int stop;

static void *produce(void *arg)
{
	(void)arg;
	while (!atomic_load_explicit(&stop, memory_order_relaxed))
		trigger();
	return NULL;
}

static int stream(unsigned int size, double duration, unsigned int burst)
{
	struct ringbench_bpf *skel = open_bench(size, burst, 1);
	struct consumer c = {0};
	struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(skel->maps.ring_stream), on_record, &c, NULL);
	pthread_t producer;

	if (!rb) {
		fprintf(stderr, "ringbench: ring_buffer__new failed: %s\n", strerror(errno));
		return 1;
	}
	double t0 = now_s();
	pthread_create(&producer, NULL, produce, NULL);
	while (now_s() - t0 < duration) {
		if (ring_buffer__poll(rb, 100) < 0) {
			fprintf(stderr, "ringbench: poll failed\n");
			return 1;
		}
	}
	atomic_store(&stop, 1);
	pthread_join(producer, NULL);
	ring_buffer__consume(rb);
	double seconds = now_s() - t0;
	__u64 emitted = stat(skel, RB_STAT_EMITTED);
	__u64 dropped = stat(skel, RB_STAT_DROPPED);

	printf("impl=libbpf mode=stream ring=%u size=%u records=%llu seconds=%.6f rate=%.0f produced=%llu dropped=%llu gaps=%llu acc=%llu\n",
	       bpf_map__max_entries(skel->maps.ring_stream), size, (unsigned long long)c.count, seconds, c.count / seconds,
	       (unsigned long long)(emitted + dropped), (unsigned long long)dropped,
	       (unsigned long long)c.gaps, (unsigned long long)c.acc);
	ring_buffer__free(rb);
	ringbench_bpf__destroy(skel);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 5 && !strcmp(argv[1], "drain"))
		return drain(atoi(argv[2]), atoi(argv[3]), !strcmp(argv[4], "small"));
	if (argc >= 5 && !strcmp(argv[1], "stream"))
		return stream(atoi(argv[2]), atof(argv[3]), atoi(argv[4]));
	fprintf(stderr, "usage: ringbench drain SIZE ROUNDS big|small | ringbench stream SIZE SECONDS BURST\n");
	return 2;
}
