#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Assemble (devtools/assemble.sh) and build the DPDK tree with meson + ninja.
#
#   devtools/build.sh [--asan | --cross arm64] [--no-assemble] [ninja targets...]
#
#   (default)  $WC_BUILD/dpdk/build: dpdk-testpmd, dpdk-test, static libs,
#              minimal driver set, developer mode, warnings are errors
#   --asan     $WC_BUILD/dpdk/build-asan: same configuration with
#              AddressSanitizer + UndefinedBehaviorSanitizer; builds only
#              app/test/dpdk-test unless targets are given
#   --cross arm64
#              $WC_BUILD/dpdk/build-arm64: same configuration cross-built
#              for aarch64 (DPDK's generic armv8 cross file, Debian's
#              aarch64 gcc); builds dpdk-testpmd and dpdk-test unless
#              targets are given
#
# WC_MESON_OPTS adds meson options, WC_JOBS sets ninja's -j (default 2).
# ccache is used when installed (CCACHE_DIR from wc-common.sh).
set -euo pipefail
. "$(dirname "$0")/wc-common.sh"

# Drivers the project and its tests need; everything else stays out to keep
# the build small.
WC_DRIVERS=bus/pci,bus/vdev,mempool/ring,mempool/stack,net/virtio,net/e1000,net/ena,net/null,net/ring
# Optional libraries (22.11 builds every mandatory one) that neither
# testpmd nor the unit tests we run need.
WC_DISABLE_LIBS=bitratestats,cfgfile,flow_classify,gpudev,gro,gso,jobstats,kni,latencystats,metrics,node,pdump,pipeline,port,power,table,vhost

# Let builds of the same sources in other folders (a fresh clone, another
# WC_BUILD) share ccache results also when they carry debug info; only the
# compilation folder recorded in the debug info may then be another one.
export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}

WC_BUILD_PKGS=(gcc meson ninja-build pkg-config python3-pyelftools libnuma-dev ccache)
# Cross builds: the compiler and C library of the target (no foreign
# architecture is added to the host; NUMA support is left out there).
WC_CROSS_PKGS_arm64=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross)

usage() {
	sed -n '4,16s/^# \{0,1\}//p' "$0"
	exit "${1:-0}"
}

# shellcheck disable=SC2054 # commas are meson option syntax
meson_options() { # <asan: 0|1>
	local opts=(
		-Dplatform=generic
		-Ddefault_library=static
		-Dtests=true
		-Denable_docs=false
		-Denable_apps=test,test-pmd
		-Denable_drivers="$WC_DRIVERS"
		-Ddisable_libs="$WC_DISABLE_LIBS"
		-Ddeveloper_mode=enabled
		-Dwerror=true
	)
	if [ "$1" = 1 ]; then
		# gcc 12 reports false -Wstringop-overflow hits in DPDK 22.11's
		# own code (lib/bpf) once ASan instruments it; keep them visible
		# but not fatal, every other warning stays an error.
		# -O0: the sanitizers find the same bugs in unit tests, and
		# gcc needs minutes for some test files (test_memcpy_perf.c)
		# when it optimizes instrumented code.
		opts+=(-Dbuildtype=debug -Db_sanitize=address,undefined
			-Dc_args=-Wno-error=stringop-overflow)
	else
		opts+=(-Dbuildtype=release)
	fi
	# shellcheck disable=SC2206 # word splitting of user options is wanted
	opts+=(${WC_MESON_OPTS:-})
	printf '%s\n' "${opts[@]}"
}

# Configure once; when the wanted options change, reconfigure in place.
configure() { # <src> <builddir> <asan> [cross arch]
	local src=$1 dir=$2 opts stamp log=$WC_BUILD/logs/${2##*/} cross_file=()
	mapfile -t opts < <(meson_options "$3")
	# A build folder is for one target: the cross file is set up once.
	case ${4:-} in
	arm64) cross_file=(--cross-file "$src/config/arm/arm64_armv8_linux_gcc") ;;
	esac
	stamp=$dir/.wc-meson-options
	if [ ! -f "$dir/build.ninja" ]; then
		rm -rf "$dir"
		wc_log "configuring $dir"
		meson setup "${cross_file[@]}" "${opts[@]}" "$dir" "$src" >"$log.setup.log" 2>&1 || {
			tail -n 30 "$log.setup.log" >&2
			wc_die "meson setup failed (log: $log.setup.log)"
		}
	elif ! printf '%s\n' "${opts[@]}" | cmp -s - "$stamp"; then
		wc_log "options changed, reconfiguring $dir"
		meson configure "${opts[@]}" "$dir" >"$log.setup.log" 2>&1 || {
			tail -n 30 "$log.setup.log" >&2
			wc_die "meson configure failed (log: $log.setup.log)"
		}
	fi
	printf '%s\n' "${opts[@]}" >"$stamp"
}

main() {
	local asan=0 assemble=1 tree dir log targets=() start cross=''
	while [ $# -gt 0 ]; do
		case $1 in
		--asan) asan=1 ;;
		--cross)
			[ "${2:-}" = arm64 ] || wc_die "--cross: only arm64 is supported"
			cross=$2
			shift ;;
		--no-assemble) assemble=0 ;;
		-h | --help) usage ;;
		-*) usage 1 >&2 ;;
		*) targets+=("$1") ;;
		esac
		shift
	done
	[ "$asan" = 0 ] || [ -z "$cross" ] || wc_die "--asan and --cross exclude each other"
	wc_need_pkgs "${WC_BUILD_PKGS[@]}"
	[ -z "$cross" ] || wc_need_pkgs "${WC_CROSS_PKGS_arm64[@]}"
	if [ "$assemble" = 1 ]; then
		tree=$(bash "$WC_REPO/devtools/assemble.sh")
	else
		tree=$WC_BUILD/dpdk
		[ -f "$tree/meson.build" ] || wc_die "$tree is not assembled (run devtools/assemble.sh)"
	fi
	if [ "$asan" = 1 ]; then
		dir=$tree/build-asan
		[ ${#targets[@]} -gt 0 ] || targets=(app/test/dpdk-test)
	elif [ -n "$cross" ]; then
		dir=$tree/build-$cross
		[ ${#targets[@]} -gt 0 ] || targets=(app/dpdk-testpmd app/test/dpdk-test)
	else
		dir=$tree/build
	fi
	log=$WC_BUILD/logs/${dir##*/}
	wc_lock "$log.lock"
	configure "$tree" "$dir" "$asan" "$cross"
	start=$(date +%s)
	ninja -C "$dir" -j "${WC_JOBS:-2}" "${targets[@]}" >"$log.ninja.log" 2>&1 || {
		grep -E -B2 -A12 'error:|FAILED:' "$log.ninja.log" | head -n 80 >&2
		wc_die "build failed in $dir (log: $log.ninja.log)"
	}
	wc_log "$dir: $(grep -c '^\[' "$log.ninja.log" || true) build steps in $(($(date +%s) - start)) s"
	echo "$dir"
}

main "$@"
