#!/usr/bin/env bash
# Build every Strix kernel module for one kernel, out of the source tree:
#
#   scripts/build-modules.sh [6.1|6.12|debug|RELEASE|running] [--strict]
#
# The sources are copied to build/kernel/<release>/ and built there, so the
# modules for several kernels live side by side (the guest tests load the
# ones matching `uname -r`).  --strict builds with W=1 and sparse (C=1) and
# fails on any warning.  Prints the output directory last, on stdout.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
spec=${1:-6.1}
strict=0
[ "${2:-}" = --strict ] && strict=1

newest() {	# newest installed headers of a Debian kernel series
	ls -d /usr/src/linux-headers-"$1".*-amd64 2>/dev/null |
		sed 's|/usr/src/linux-headers-||' | grep -E "^$1\.[0-9]" | sort -V | tail -n 1
}

case "$spec" in
debug)
	dk=$("$top/scripts/debug-kernel/build.sh")
	release=$(cat "$dk/release")
	kdir=$dk/src
	;;
running)
	release=$(uname -r)
	kdir=/lib/modules/$release/build
	;;
6.1 | 6.12)
	release=$(newest "$spec")
	[ -n "$release" ] || { echo "build-modules: no $spec headers: run scripts/setup.sh" >&2; exit 1; }
	kdir=/usr/src/linux-headers-$release
	;;
*)
	release=$spec
	kdir=/lib/modules/$release/build
	;;
esac
[ -d "$kdir" ] || { echo "build-modules: $kdir: no kernel build tree" >&2; exit 1; }

out=$top/build/kernel/$release
mkdir -p "$out"
rsync -a --delete --exclude '*.o' --exclude '*.ko' --exclude '*.mod*' \
	--exclude '.*.cmd' --exclude 'Module.symvers' --exclude 'modules.order' \
	"$top/kernel/" "$out/"

flags=()
if [ $strict = 1 ]; then
	# Every file must be compiled (and checked) again to see its warnings.
	make -C "$kdir" M="$out" clean >/dev/null 2>&1
	flags=(W=1 C=1)
fi
log=$out/build.log
# Debian's headers have no vmlinux for BTF of modules; skip that step
# rather than have every build print that it skipped it.
if ! make -C "$kdir" M="$out" "${flags[@]}" CONFIG_DEBUG_INFO_BTF_MODULES= \
	-j"$(nproc)" modules >"$log" 2>&1; then
	cat "$log" >&2
	echo "build-modules: $release: build failed" >&2
	exit 1
fi
if [ $strict = 1 ] && grep -E -i 'warning|error:' "$log" >&2; then
	echo "build-modules: $release: warnings (log: $log)" >&2
	exit 1
fi
echo "build-modules: $release: $(find "$out" -name '*.ko' | wc -l) modules" >&2
echo "$out"
