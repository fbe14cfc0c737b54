#!/usr/bin/env bash
# make check: build everything, run the host tests, then the guest suite on
# Debian's stock 6.1 kernel and on the debug kernel (KUnit, KASAN, lockdep,
# kmemleak), and the smoke subset on 6.12.  Every stage runs even when an
# earlier one failed; the exit status is 0 only when all passed.
#
# The stages run one after the other.  Side by side they do not go faster:
# each TCG guest has two vCPU threads on a two-core machine (measured in CI:
# guest 6.1 beside the debug kernel took over 3600 s, alone 2004 s).
#
# STRIX_CHECK_KERNELS overrides the guest kernels (e.g. "6.1" for a quick
# run); STRIX_CHECK_FULL=1 (make check-full) runs everything everywhere.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=$top/build/check
rm -rf "$out"
mkdir -p "$out"
kernels=${STRIX_CHECK_KERNELS:-6.1 debug 6.12}
py=/usr/bin/python3
pytest=($py -m pytest -p no:cacheprovider -q --durations=25)

stage() {	# NAME CMD...: run a stage, time it, remember failures
	local name=$1 start rc
	shift
	echo "=== check: $name"
	start=$(date +%s)
	"$@"
	rc=$?
	local took=$(($(date +%s) - start))
	echo "=== check: $name: $([ $rc = 0 ] && echo ok || echo "FAILED (exit $rc)") in ${took}s"
	# kept in a file: the summary at the end lists every stage
	printf '%-24s %-8s %5ss\n' "$name" "$([ $rc = 0 ] && echo ok || echo FAILED)" \
		"$took" >>"$out/stages"
	return $rc
}

build() {
	make -s usr || return 1
	local k
	for k in $kernels; do
		scripts/build-modules.sh "$k" >/dev/null || return 1
	done
}

guest() {	# TAG KERNEL TIMEOUT PYTEST-ARGS... [-- TEST-PATHS...]
	local tag=$1 k=$2 t=$3
	shift 3
	local args=() paths=(tests)
	while [ $# -gt 0 ]; do
		if [ "$1" = -- ]; then
			shift
			paths=("$@")
			break
		fi
		args+=("$1")
		shift
	done
	scripts/vm/run --kernel "$k" --timeout "$t" -- \
		"${pytest[@]}" --junitxml="$out/guest-$tag.xml" --ignore=tests/host \
		"${args[@]}" "${paths[@]}"
}

debug_stage() {
	if [ -n "${STRIX_CHECK_FULL:-}" ]; then
		stage "guest debug kernel" guest debug debug 3600
	else
		# KASAN+lockdep under TCG is several times slower: everything
		# but the long fio verifications (heavy) and the repeats make
		# check-full runs (full).
		stage "guest debug kernel" guest debug debug 4200 \
			-m "not heavy and not full"
	fi
}

guest_stage() {	# KERNEL: that kernel's guest stage
	local k=$1
	case $k in
	debug) debug_stage ;;
	6.12) if [ -n "${STRIX_CHECK_FULL:-}" ]; then
			stage "guest 6.12" guest 6.12 6.12 1200
		else
			stage "guest 6.12 (smoke)" guest 6.12 6.12 1200 -m smoke
		fi ;;
	*) if [ -n "${STRIX_CHECK_FULL:-}" ]; then
			stage "guest $k" guest "$k" "$k" 3600
		else
			stage "guest $k" guest "$k" "$k" 2400 -m "not full"
		fi ;;
	esac
}

stage build build || { echo "check: build failed"; exit 1; }
stage "unit (host, gtest)" ctest --test-dir build/usr --output-on-failure \
	--output-junit "$out/ctest.xml"
stage "host tests" "${pytest[@]}" --junitxml="$out/host.xml" tests/host
for k in $kernels; do
	guest_stage "$k"
done

echo
echo "=== check summary"
cat "$out/stages"
# One total over every JUnit report (ctest, host pytest, each guest run).
$py - "$out" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
tot = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
for p in sorted(glob.glob(sys.argv[1] + "/*.xml")):
    root = ET.parse(p).getroot()
    suites = [root] if root.tag == "testsuite" else root.iter("testsuite")
    n = {k: 0 for k in tot}
    for s in suites:
        for k in tot:
            n[k] += int(s.get(k, 0) or 0)
    for k in tot:
        tot[k] += n[k]
    print("%-28s %4d tests, %d failed, %d skipped" % (p.split("/")[-1][:-4], n["tests"],
          n["failures"] + n["errors"], n["skipped"]))
failed = tot["failures"] + tot["errors"]
print("check: %d passed, %d failed, %d skipped"
      % (tot["tests"] - failed - tot["skipped"], failed, tot["skipped"]))
PY
if grep -q ' FAILED ' "$out/stages"; then
	echo "check: FAILED: $(grep ' FAILED ' "$out/stages" | sed 's/  *FAILED.*//' |
		paste -sd, -)"
	exit 1
fi
echo "check: all stages passed"
