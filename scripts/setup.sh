#!/usr/bin/env bash
# Install every Debian package that building, testing, the demo and the
# benchmarks need.  Idempotent: a second run installs nothing and is quick.
set -euo pipefail

PKGS=(
	# build
	build-essential make gcc g++ cmake pkg-config bc bison flex libelf-dev
	libssl-dev dwarves kmod cpio rsync xz-utils zstd python3 sparse dkms
	ccache
	# kernels booted in the guest, their headers, the debug kernel's source
	linux-image-amd64 linux-headers-amd64
	linux-image-6.12-amd64 linux-headers-6.12-amd64
	linux-source-6.1
	# guest harness
	qemu-system-x86 busybox-static
	# user space libraries
	libnl-3-dev libnl-genl-3-dev libfmt-dev libcli11-dev nlohmann-json3-dev
	libgtest-dev libgmock-dev
	# tests, clients and the LIO baseline
	python3-pytest libiscsi-bin open-iscsi sg3-utils fio targetcli-fb linux-perf
	bash-completion
	dbus
)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "setup: all ${#PKGS[@]} packages present"
	exit 0
fi

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Keep services the packages bring (iscsid, targetclid...) from starting on
# the host: everything runs inside the guest.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
	$SUDO chmod +x /usr/sbin/policy-rc.d
	trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "setup: done"
