#!/usr/bin/env bash
# Build (or find in the cache) the Strix debug kernel: Debian's linux-source-6.1
# with x86_64_defconfig + strix-debug.config.  Prints the cache directory on
# stdout; everything else goes to stderr.
#
# Cache layout, keyed by source package version and fragment hash, outside the
# clone so CI reuses it:  $STRIX_CACHE/debug-kernel/<srcver>-<hash>/
#   src/       the configured, built tree (for building our modules: M=)
#   vmlinux    the kernel with symbols (for reading reports)
#   bzImage    what the harness boots (KASAN breaks PVH boot, see below)
#   modules/   INSTALL_MOD_PATH (lib/modules/<release>)
#   release    the kernel release string
#   stamp      written last: the entry is complete
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
frag=$here/strix-debug.config
cache=${STRIX_CACHE:-$HOME/.cache/strix}
tarball=/usr/src/linux-source-6.1.tar.xz

[ -r "$tarball" ] || { echo "debug-kernel: $tarball missing: run scripts/setup.sh" >&2; exit 1; }
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
# Bump layout when the cache layout (not the config) changes.
layout=2
hash=$( (cat "$frag"; echo "layout=$layout") | sha256sum | cut -c1-12)
dir=$cache/debug-kernel/$srcver-$hash

if [ -e "$dir/stamp" ]; then
	echo "$dir"
	exit 0
fi

mkdir -p "$cache/debug-kernel"
exec 9>"$cache/debug-kernel/.lock"
flock 9
if [ -e "$dir/stamp" ]; then	# built by whoever held the lock
	echo "$dir"
	exit 0
fi

start=$(date +%s)
rm -rf "$dir"
mkdir -p "$dir"
echo "debug-kernel: unpacking linux-source $srcver into $dir" >&2
tar -C "$dir" -xf "$tarball"
mv "$dir"/linux-source-6.1 "$dir/src"
cd "$dir/src"

# The PVH entry (xen_prepare_pvh) runs before KASAN's shadow memory exists;
# instrumented, it faults on the first shadow access and the guest resets
# before printing anything.  Building that directory without KASAN is not
# enough on 6.1: the next fault is in the instrumented memcmp() it calls.
# So the harness boots this kernel's bzImage (firmware path), not vmlinux;
# the line stays because the cached build has it (the cache key is the
# fragment's hash, so removing it would not rebuild).
echo 'KASAN_SANITIZE := n' >>arch/x86/platform/pvh/Makefile

{
	make -s x86_64_defconfig
	scripts/kconfig/merge_config.sh -m .config "$frag" >/dev/null
	make -s olddefconfig
	# merge_config warns about values that did not stick; fail on the ones
	# the tests depend on so a silently dropped option is caught here.
	for opt in KUNIT KASAN PROVE_LOCKING DEBUG_ATOMIC_SLEEP DEBUG_KMEMLEAK \
		PVH NET_9P_VIRTIO 9P_FS OVERLAY_FS DEBUG_FS INET_DIAG_DESTROY; do
		grep -q "^CONFIG_$opt=y" .config ||
			{ echo "debug-kernel: CONFIG_$opt did not stick" >&2; exit 1; }
	done
	echo "debug-kernel: building with $(nproc) jobs" >&2
	make -j"$(nproc)" -s vmlinux bzImage modules
	make -s modules_install INSTALL_MOD_PATH="$dir/modules" INSTALL_MOD_STRIP=1 >/dev/null
} >&2

make -s kernelrelease > "$dir/release"
cp vmlinux "$dir/vmlinux"
cp arch/x86/boot/bzImage "$dir/bzImage"
# Objects are not needed to build external modules; keep the tree lean.
find . -name '*.o' ! -name 'vmlinux.o' -delete 2>/dev/null || true
rm -f vmlinux.o
echo "$(( $(date +%s) - start ))" > "$dir/build-seconds"
touch "$dir/stamp"
# Older entries (another config or source version) are 2 GB each: drop them.
for old in "$cache"/debug-kernel/*/; do
	[ "${old%/}" = "$dir" ] || rm -rf "$old"
done
echo "debug-kernel: built in $(cat "$dir/build-seconds") s" >&2
echo "$dir"
