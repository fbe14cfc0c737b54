#!/usr/bin/env bash
# make check: build everything, run the host tests, then the guest suite on
# Debian's stock 6.1 kernel and on the debug kernel (KUnit, KASAN, lockdep,
# kmemleak), and the smoke subset on 6.12.  Every stage runs even when an
# earlier one failed; the exit status is 0 only when all passed.
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
pytest=($py -m pytest -p no:cacheprovider -q --durations=15)
failed=()
summary=()

stage() {	# NAME CMD...: run a stage, time it, remember failures
	local name=$1 start rc
	shift
	echo "=== check: $name"
	start=$(date +%s)
	"$@"
	rc=$?
	local took=$(($(date +%s) - start))
	echo "=== check: $name: $([ $rc = 0 ] && echo ok || echo "FAILED (exit $rc)") in ${took}s"
	summary+=("$(printf '%-24s %-8s %5ss' "$name" "$([ $rc = 0 ] && echo ok || echo FAILED)" "$took")")
	[ $rc = 0 ] || failed+=("$name")
	return $rc
}

build() {
	make -s usr || return 1
	local k
	for k in $kernels; do
		scripts/build-modules.sh "$k" >/dev/null || return 1
	done
}

guest() {	# KERNEL TIMEOUT PYTEST-ARGS... [-- TEST-PATHS...]
	local k=$1 t=$2
	shift 2
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
		"${pytest[@]}" --junitxml="$out/guest-$k.xml" --ignore=tests/host \
		"${args[@]}" "${paths[@]}"
}

stage build build || { echo "check: build failed"; exit 1; }
stage "unit (host, gtest)" ctest --test-dir build/usr --output-on-failure \
	--output-junit "$out/ctest.xml"
stage "host tests" "${pytest[@]}" --junitxml="$out/host.xml" tests/host
for k in $kernels; do
	case $k in
	debug) if [ -n "${STRIX_CHECK_FULL:-}" ]; then
			stage "guest debug kernel" guest debug 3600
		else
			# KASAN+lockdep under TCG is ~10x slower: everything but
			# the long fio verifications and the blockio/nullio
			# repeats of the libiscsi suites (marked heavy); make
			# check-full runs those too.
			stage "guest debug kernel" guest debug 3300 -m "not heavy and not full" -- \
				tests/core tests/harness tests/kunit tests/vdisk tests/local \
				tests/strixctl tests/iscsi
		fi ;;
	6.12) if [ -n "${STRIX_CHECK_FULL:-}" ]; then
			stage "guest 6.12" guest 6.12 1200
		else
			stage "guest 6.12 (smoke)" guest 6.12 1200 -m smoke
		fi ;;
	*) if [ -n "${STRIX_CHECK_FULL:-}" ]; then
			stage "guest $k" guest "$k" 3600
		else
			stage "guest $k" guest "$k" 3000 -m "not full"
		fi ;;
	esac
done

echo
echo "=== check summary"
printf '%s\n' "${summary[@]}"
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
if [ ${#failed[@]} -ne 0 ]; then
	echo "check: FAILED: ${failed[*]}"
	exit 1
fi
echo "check: all stages passed"
