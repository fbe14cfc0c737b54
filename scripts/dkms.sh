#!/usr/bin/env bash
# Install or remove the Strix modules with DKMS.
#
#   scripts/dkms.sh install [KVER]   add, build and install (default: running)
#   scripts/dkms.sh remove  [KVER]   uninstall and remove from DKMS
#   scripts/dkms.sh build KVER DIR   build only, in a private DKMS tree DIR
#                                    (used by the tests; touches nothing else)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
name=strix
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")

# The DKMS source tree: what dkms.conf's MAKE needs, nothing built.
stage_source() {	# DEST
	mkdir -p "$1"
	rsync -a --delete --exclude '*.o' --exclude '*.ko' --exclude '*.mod*' \
		--exclude '.*.cmd' --exclude 'Module.symvers' --exclude 'modules.order' \
		"$top/kernel" "$top/dkms.conf" "$1/"
}

cmd=${1:-}
kver=${2:-$(uname -r)}
case "$cmd" in
install)
	stage_source "/usr/src/$name-$version"
	dkms status -m "$name" -v "$version" | grep -q . || dkms add -m "$name" -v "$version"
	dkms build -m "$name" -v "$version" -k "$kver" --force
	dkms install -m "$name" -v "$version" -k "$kver" --force
	;;
remove)
	dkms remove -m "$name" -v "$version" -k "$kver" || true
	dkms status -m "$name" -v "$version" | grep -q . || rm -rf "/usr/src/$name-$version"
	;;
build)
	dir=${3:?usage: dkms.sh build KVER DIR}
	mkdir -p "$dir/source" "$dir/tree"
	stage_source "$dir/source/$name-$version"
	dkms add -m "$name" -v "$version" --sourcetree "$dir/source" --dkmstree "$dir/tree" >/dev/null
	dkms build -m "$name" -v "$version" -k "$kver" --sourcetree "$dir/source" \
		--dkmstree "$dir/tree"
	find "$dir/tree/$name/$version/$kver" -name '*.ko*' -path '*module*'
	;;
*)
	echo "usage: dkms.sh install|remove [KVER] | build KVER DIR" >&2
	exit 2
	;;
esac
