#!/usr/bin/env bash
# make check: build everything, run the host tests, then the guest suite on
# Debian's stock 6.1 kernel and on the debug kernel (KUnit, KASAN, lockdep,
# kmemleak), and the smoke subset on 6.12.  Every stage runs even when an
# earlier one failed; the exit status is 0 only when all passed.
#
# Two lanes run side by side.  A TCG guest keeps about one host core busy
# (measured: 0.75 of a core over 30 minutes of the debug stage), so on two
# cores the lanes overlap instead of queueing.  The debug kernel's suite,
# the longest by far, is split in two guests, one per lane:
#   lane A: debug kernel (core, harness, kunit, vdisk, local), 6.12 smoke
#   lane B: host tests, 6.1, debug kernel (strixctl, iscsi)
# Lane A's output goes to build/check/lane-a.log and is shown when lane B
# is done.
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
	# a file, not a variable: the debug lane is a subshell
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

# The debug kernel's two halves (one guest each, one per lane).
DEBUG_A=(tests/core tests/harness tests/kunit tests/vdisk tests/local)
DEBUG_B=(tests/strixctl tests/iscsi)

debug_stage() {	# HALF(a|b) TIMEOUT PATHS...
	local half=$1 t=$2
	shift 2
	if [ -n "${STRIX_CHECK_FULL:-}" ]; then
		stage "guest debug kernel ($half)" guest "debug-$half" debug "$t" -- "$@"
	else
		# KASAN+lockdep under TCG is several times slower: everything
		# but the long fio verifications (heavy) and the repeats make
		# check-full runs (full).
		stage "guest debug kernel ($half)" guest "debug-$half" debug "$t" \
			-m "not heavy and not full" -- "$@"
	fi
}

guest_stage() {	# KERNEL: that kernel's guest stage
	local k=$1
	case $k in
	6.12) if [ -n "${STRIX_CHECK_FULL:-}" ]; then
			stage "guest 6.12" guest 6.12 6.12 1200
		else
			stage "guest 6.12 (smoke)" guest 6.12 6.12 1200 -m smoke
		fi ;;
	*) if [ -n "${STRIX_CHECK_FULL:-}" ]; then
			stage "guest $k" guest "$k" "$k" 3600
		else
			stage "guest $k" guest "$k" "$k" 3600 -m "not full"
		fi ;;
	esac
}

has() { [[ " $kernels " == *" $1 "* ]]; }

lane_a() {
	if has debug; then
		debug_stage a 4200 "${DEBUG_A[@]}"
	fi
	if has 6.12; then
		guest_stage 6.12
	fi
}

lane_b() {
	local k
	stage "host tests" "${pytest[@]}" --junitxml="$out/host.xml" tests/host
	for k in $kernels; do
		case $k in debug|6.12) ;; *) guest_stage "$k" ;; esac
	done
	if has debug; then
		debug_stage b 2400 "${DEBUG_B[@]}"
	fi
}

stage build build || { echo "check: build failed"; exit 1; }
stage "unit (host, gtest)" ctest --test-dir build/usr --output-on-failure \
	--output-junit "$out/ctest.xml"
lane_a >"$out/lane-a.log" 2>&1 &
lane=$!
echo "=== check: lane A (debug kernel: ${DEBUG_A[*]}; 6.12) runs beside" \
	"lane B below; its output follows"
lane_b
# the rest of lane A's output as it comes, until it ends
tail -n +1 --pid="$lane" -f "$out/lane-a.log"
wait "$lane"

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
