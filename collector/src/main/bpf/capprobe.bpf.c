// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Capability probe: the smallest programs of each kind the collector and enforcer rely on, so
 * KernelCapabilities can ask the kernel "would you load and attach this?" instead of guessing
 * from the version. Each program is loaded on its own (autoload), none does any work.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

/* tp_btf: what the collector's capture uses (sys_enter/sys_exit/cgroup_attach_task). */
SEC("tp_btf/sys_enter")
int BPF_PROG(cga_probe_tp_btf, struct pt_regs *regs, long id)
{
	return 0;
}

/* BPF LSM: what the enforcer's file-hook backend would use. Refused (EPERM) on some kernels. */
SEC("lsm/file_open")
int BPF_PROG(cga_probe_lsm, struct file *file)
{
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
