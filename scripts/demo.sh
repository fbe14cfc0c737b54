#!/usr/bin/env bash
# make demo: boot Debian's 6.1 kernel in a QEMU guest, load the Strix core
# module from the build tree, and show the management tree it creates.
# Grows into the full demo as drivers land (a disk exported and used by a
# real initiator).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
make -s usr
mods=$(scripts/build-modules.sh 6.1)

cat >build/demo.sh <<DEMO
set -e
echo "== guest kernel: \$(uname -r)"
echo "== insmod strix.ko"
insmod $mods/core/strix.ko
echo "== the management tree: find /sys/kernel/scst_tgt"
find /sys/kernel/scst_tgt | sort
echo "== strixctl version"
build/usr/strixctl/strixctl version
echo "== set setup_id (a [key] attribute) and show the tree with strixctl"
echo 0x2a > /sys/kernel/scst_tgt/setup_id
build/usr/strixctl/strixctl tree
echo "== a malformed write is refused with its own errno and changes nothing"
if echo bogus > /sys/kernel/scst_tgt/setup_id; then exit 1; fi
cat /sys/kernel/scst_tgt/setup_id
echo "== rmmod strix"
rmmod strix
test ! -e /sys/kernel/scst_tgt && echo "sysfs root removed"
DEMO
exec scripts/vm/run --kernel 6.1 --timeout 600 -- bash build/demo.sh
