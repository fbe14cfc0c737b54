# Strix top-level build.
#
#   make                 modules (for KVER) and user space
#   make KVER=<release>  modules against an installed kernel's headers
#   make check           everything, host unit tests, guest suites (README)
#   make demo            boot a guest, export a disk over iSCSI, use it from its initiator
#   make bench           fio and config apply: Strix against LIO in one guest (not in check;
#                        Documentation/performance.md)
#   make dkms-install    add, build and install with DKMS (KVER or running)
#
# Kernel objects are built out of the source tree, in build/kernel/<release>/
# (scripts/build-modules.sh); user space in build/usr/ (CMake).

KVER ?= $(shell if [ -d /lib/modules/$$(uname -r)/build ]; then uname -r; \
	else ls -d /usr/src/linux-headers-6.1.*-amd64 2>/dev/null | sort -V | \
	tail -n 1 | sed 's|/usr/src/linux-headers-||'; fi)
BUILD := $(CURDIR)/build
VERSION := $(shell sed -n 's/^\#define STRIX_VERSION "\(.*\)"/\1/p' kernel/include/strix/version.h)

all: modules usr

modules:
	@test -n "$(KVER)" || { echo "make: no kernel headers found: run scripts/setup.sh"; exit 1; }
	scripts/build-modules.sh $(KVER)

# ccache (scripts/setup.sh installs it) keeps compiled objects outside the
# tree, shared by every clone: with the paths below the tree made relative,
# a fresh clone (CI's) builds from it in seconds instead of minutes.
CCACHE := $(shell command -v ccache 2>/dev/null)
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1

usr:
	cmake -S usr -B $(BUILD)/usr -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		$(if $(CCACHE),-DCMAKE_CXX_COMPILER_LAUNCHER=$(CCACHE)) >/dev/null
	cmake --build $(BUILD)/usr -j$$(nproc)

setup:
	scripts/setup.sh

check: setup
	scripts/check.sh

check-full: setup
	STRIX_CHECK_FULL=1 scripts/check.sh

demo: setup
	scripts/demo.sh

bench: setup
	scripts/bench/run

debug-kernel: setup
	scripts/debug-kernel/build.sh

dkms-install:
	scripts/dkms.sh install $(KVER)

dkms-uninstall:
	scripts/dkms.sh remove $(KVER)

clean:
	rm -rf $(BUILD)

.PHONY: all modules usr setup check check-full demo bench debug-kernel \
	dkms-install dkms-uninstall clean
