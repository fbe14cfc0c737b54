#!/usr/bin/env bash
# make demo: boot Debian's 6.1 kernel in a QEMU guest, load Strix from the
# build tree, show the management tree, then export a disk over iSCSI with
# CHAP and let the guest's own kernel initiator (open-iscsi) use it: ext4
# made, a file written and read back, fsck clean.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
make -s usr
mods=$(scripts/build-modules.sh 6.1)

cat >build/demo.sh <<DEMO
set -e
T=iqn.2026-12.org.example:demo
step() { echo; echo "== \$*"; }
step "guest kernel: \$(uname -r)"
step "insmod strix.ko strix_vdisk.ko strix_iscsi.ko"
insmod $mods/core/strix.ko
insmod $mods/handlers/vdisk/strix_vdisk.ko
modprobe libcrc32c   # strix_iscsi uses crc32c()
insmod $mods/drivers/iscsi/strix_iscsi.ko
step "a malformed write is refused with its own errno and changes nothing"
if echo bogus > /sys/kernel/scst_tgt/setup_id; then exit 1; fi
cat /sys/kernel/scst_tgt/setup_id
step "export a 256 MiB file over iSCSI, CHAP user joe (as in the README)"
truncate -s 256M /tmp/demo.img
cd /sys/kernel/scst_tgt
echo "add_device disk1 filename=/tmp/demo.img" > handlers/vdisk_fileio/mgmt
echo "add_target \$T" > targets/iscsi/mgmt
echo "add_target_attribute \$T IncomingUser joe secret-of-joe" > targets/iscsi/mgmt
echo "add disk1 0" > targets/iscsi/\$T/luns/mgmt
echo 1 > targets/iscsi/\$T/enabled
cd $top
build/usr/iscsid/strix-iscsid --listen 127.0.0.1:3260 2>/tmp/strix-iscsid.log
build/usr/strixctl/strixctl tree
step "the guest's kernel initiator: discovery, CHAP, login"
modprobe -a iscsi_tcp sd_mod
mkdir -p /etc/iscsi/nodes /etc/iscsi/send_targets /run/lock/iscsi
iscsid
sleep 1
iscsiadm -m discovery -t sendtargets -p 127.0.0.1
iscsiadm -m node -T \$T -o update -n node.session.auth.authmethod -v CHAP
iscsiadm -m node -T \$T -o update -n node.session.auth.username -v joe
iscsiadm -m node -T \$T -o update -n node.session.auth.password -v secret-of-joe
iscsiadm -m node -T \$T --login
for i in \$(seq 100); do
	dev=\$(lsblk -S -n -o NAME,MODEL | awk '\$2 == "disk1" { print \$1 }')
	[ -n "\$dev" ] && [ -b /dev/\$dev ] && break
	sleep 0.2
done
lsblk -S -o NAME,VENDOR,MODEL,SIZE,TRAN
step "ext4 on /dev/\$dev, a file written and read back"
mkfs.ext4 -q /dev/\$dev
mkdir -p /mnt/demo
mount /dev/\$dev /mnt/demo
echo "written through Strix over iSCSI" > /mnt/demo/hello.txt
umount /mnt/demo
mount /dev/\$dev /mnt/demo
cat /mnt/demo/hello.txt
umount /mnt/demo
fsck.ext4 -f -n /dev/\$dev
step "the session as the target sees it"
build/usr/strixctl/strixctl list sessions
step "logout, tear down, unload"
iscsiadm -m node -T \$T --logout
pkill -x iscsid || true
pkill -x strix-iscsid || true
build/usr/strixctl/strixctl apply --prune /dev/null > /dev/null
rmmod strix_iscsi strix_vdisk strix
test ! -e /sys/kernel/scst_tgt && echo "sysfs root removed"
DEMO
exec scripts/vm/run --kernel 6.1 --timeout 900 -- bash build/demo.sh
