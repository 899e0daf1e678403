// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The floor of the kernel-overhead bench (KernelOverheadBench, probes "floor"): the collector's
 * capture program with the same hooks (tp_btf/sys_enter, sys_exit, cgroup_attach_task), maps and
 * load-time constants, whose programs return at once (sys_enter after its syscall-number check).
 * Attaching it costs a migration what the hooks cost before any capture work.
 */
#define CGA_FLOOR 1
#include "../../main/bpf/cgaudit.bpf.c"
