#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Compiles the collector's BPF programs (*.bpf.c next to this script) into classpath resources
# dev/cgaudit/collector/bpf/NAME.bpf.o. Run by Maven (exec-maven-plugin, generate-resources):
#
#   build.sh SRC_DIR CLASSES_DIR WORK_DIR
#
# Needs clang (BPF target), libbpf's headers (libbpf-dev) and a vmlinux.h. The vmlinux.h is
# generated from the build machine's kernel BTF with bpftool into WORK_DIR, never committed: CO-RE
# relocates every field access against the running kernel's BTF at load time, so the build kernel
# only has to be recent enough to know the types used (kernfs_node, clone_args, ...).
#
# The enforcer's programs (enforce_*.bpf.c, sharing enforce.h/enforce_common.h) are compiled here
# too. enforce_attach.bpf.c attaches to the cgroup_attach LSM hook proposed upstream, which most
# kernels (this build machine's included) lack: it still compiles, because it declares the hook's
# arguments itself in BPF_PROG() and every type it names is in vmlinux.h; whether the hook exists
# is decided at run time (BpfLsmCgroupAttachBackend looks for bpf_lsm_cgroup_attach in the running
# kernel's BTF and does not load the object without it).
#
# Missing tools are not a build failure: the script says what is missing, packages no object and
# exits 0; the Java loader then refuses with "BPF object not built: ...". A compile error of a
# program that *could* be built is a failure (exit 1), so a broken program never ships silently.
set -eu

SRC_DIR=$1
CLASSES_DIR=$2
WORK_DIR=$3
OUT_DIR=$CLASSES_DIR/dev/cgaudit/collector/bpf
BTF=${CGAUDIT_VMLINUX_BTF:-/sys/kernel/btf/vmlinux}

skip() {
	echo "cgaudit BPF build: SKIPPED, no BPF object packaged: $1" >&2
	echo "cgaudit BPF build: the collector will refuse to capture (install: apt-get install -y clang llvm libbpf-dev bpftool)" >&2
	rm -f "$OUT_DIR"/*.bpf.o
	# Tell the loader why, so its message can name the missing piece.
	mkdir -p "$OUT_DIR"
	echo "$1" > "$OUT_DIR/BUILD-SKIPPED.txt"
	exit 0
}

command -v clang >/dev/null 2>&1 || skip "clang was not available at build time"
[ -f /usr/include/bpf/bpf_helpers.h ] || skip "libbpf headers (bpf/bpf_helpers.h, package libbpf-dev) were not available at build time"
command -v bpftool >/dev/null 2>&1 || skip "bpftool was not available at build time (needed to generate vmlinux.h)"
[ -r "$BTF" ] || skip "kernel BTF $BTF was not readable at build time (needed to generate vmlinux.h)"

case "$(uname -m)" in
	x86_64) ARCH=x86 ;;
	aarch64) ARCH=arm64 ;;
	*) skip "unsupported build architecture $(uname -m)" ;;
esac

mkdir -p "$WORK_DIR" "$OUT_DIR"
rm -f "$OUT_DIR/BUILD-SKIPPED.txt"
if [ ! -s "$WORK_DIR/vmlinux.h" ] || [ "$BTF" -nt "$WORK_DIR/vmlinux.h" ]; then
	bpftool btf dump file "$BTF" format c > "$WORK_DIR/vmlinux.h.tmp"
	mv "$WORK_DIR/vmlinux.h.tmp" "$WORK_DIR/vmlinux.h"
fi

for src in "$SRC_DIR"/*.bpf.c; do
	name=$(basename "$src" .c)
	out="$OUT_DIR/$name.o"
	echo "cgaudit BPF build: clang -g -O2 -target bpf -D__TARGET_ARCH_$ARCH $src -> $out" >&2
	clang -g -O2 -Wall -Werror -target bpf -D__TARGET_ARCH_$ARCH \
		-I"$WORK_DIR" -I"$SRC_DIR" -c "$src" -o "$out.tmp"
	# Drop DWARF, keep BTF/.BTF.ext (what libbpf needs): smaller resource, same behaviour.
	if command -v llvm-strip >/dev/null 2>&1; then
		llvm-strip -g "$out.tmp"
	fi
	mv "$out.tmp" "$out"
done
