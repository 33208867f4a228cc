#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Stage: the documentation of the assembled tree builds without warnings.
#
#   docs/guides     sphinx-build -W of doc/guides (HTML), as DPDK's
#                   "ninja doc" does with werror; incremental between runs
#                   (the output is kept in $WC_BUILD/docs, and dropped after
#                   a failure so that the next run rebuilds everything)
#   docs/pages      the project's pages were built and are reachable from
#                   their guide's index (toctree entries)
#   docs/doxygen    Doxygen of rte_bus_pci_wc.h with DPDK's API settings,
#                   every warning an error, every parameter documented
#   docs/api        DPDK's whole API reference (doc/api flow, a few
#                   seconds) without warnings, its index linking the
#                   new header
# parallel: yes
set -uo pipefail
. "$(dirname "$0")/../wc-common.sh"

wc_build_lock docs
out=$WC_BUILD/docs
log=$WC_BUILD/logs/docs.log
mkdir -p "$WC_BUILD/logs" "$out"

# The project's pages: <guide>/<page>, each listed in <guide>/index.rst.
WC_DOC_PAGES='linux_gsg/linux_vfio_wc prog_guide/pci_wc'
WC_API_HEADER=drivers/bus/pci/rte_bus_pci_wc.h

show_log() { tail -n "${2:-20}" "$1" | wc_indent; }

guides() { # <tree>
	local tree=$1 start
	start=$SECONDS
	if DPDK_VERSION=$(cat "$tree/VERSION") sphinx-build -W -q -b html -j 2 \
			-d "$out/doctrees" "$tree/doc/guides" "$out/html" >"$log" 2>&1; then
		echo "  sphinx-build -W: 0 warnings, $(find "$out/html" -name '*.html' | wc -l) pages, $((SECONDS - start)) s"
		wc_pass docs/guides
		return 0
	fi
	show_log "$log"
	rm -rf "$out/html" "$out/doctrees"
	wc_fail docs/guides "sphinx-build reports $(grep -c -i -E 'warning|error' "$log") warning(s)/error(s) (log: $log)"
	return 1
}

pages() {
	local p guide page missing=
	for p in $WC_DOC_PAGES; do
		guide=${p%/*} page=${p#*/}
		[ -s "$out/html/$p.html" ] || { missing+=" $p.html"; continue; }
		grep -q "href=\"$page.html\"" "$out/html/$guide/index.html" ||
			missing+=" $guide/index.html->$page.html"
	done
	if [ -n "$missing" ]; then
		wc_fail docs/pages "not built or not linked from their index:$missing"
	else
		wc_pass docs/pages
	fi
}

# DPDK's API settings (doc/api/doxy-api.conf.in) on the one header.
doxygen_conf() { # <tree> <out dir>
	local tree=$1 dir=$2
	sed -e "s|@VERSION@|$(cat "$tree/VERSION")|g" -e "s|@TOPDIR@|$tree|g" \
		-e "s|@OUTPUT@|$dir|g" -e "s|@HTML_OUTPUT@|html|g" \
		-e "s|@STRIP_FROM_PATH@|$tree|g" -e "s|@WARN_AS_ERROR@|NO|g" \
		-e '/@API_EXAMPLES@/d' "$tree/doc/api/doxy-api.conf.in"
	cat <<-EOF
		INPUT = $tree/$WC_API_HEADER
		USE_MDFILE_AS_MAINPAGE =
		EXAMPLE_PATH =
		WARN_IF_UNDOCUMENTED = YES
		WARN_IF_DOC_ERROR = YES
		WARN_NO_PARAMDOC = YES
		WARN_LOGFILE = $dir/warnings.log
		QUIET = YES
	EOF
}

api_doc() { # <tree>
	local tree=$1 dir=$out/api
	rm -rf "$dir"
	mkdir -p "$dir"
	doxygen_conf "$tree" "$dir" >"$dir/doxy.conf"
	if ! doxygen "$dir/doxy.conf" >"$log" 2>&1; then
		show_log "$log"
		wc_fail docs/doxygen "doxygen failed (log: $log)"
	elif [ -s "$dir/warnings.log" ]; then
		show_log "$dir/warnings.log"
		wc_fail docs/doxygen "$(wc -l <"$dir/warnings.log") warning(s) in $WC_API_HEADER"
	elif ! grep -q 'rte_pci_wc_request' "$dir/html/rte__bus__pci__wc_8h.html" 2>/dev/null; then
		wc_fail docs/doxygen "no page documents $WC_API_HEADER"
	else
		echo "  doxygen $(doxygen --version) on $WC_API_HEADER: 0 warnings"
		wc_pass docs/doxygen
	fi
}

# DPDK's doc/api flow (doc/api/meson.build) on the assembled tree.
api_reference() { # <tree>
	local tree=$1 dir=$out/api-full
	rm -rf "$dir"
	mkdir -p "$dir"
	if ! /usr/bin/python3 "$tree/doc/api/generate_examples.py" \
			"$tree/examples" "$dir/examples.dox" >"$log" 2>&1; then
		show_log "$log"
		wc_fail docs/api "generate_examples.py failed (log: $log)"
		return
	fi
	sed -e "s|@VERSION@|$(cat "$tree/VERSION")|g" -e "s|@TOPDIR@|$tree|g" \
		-e "s|@OUTPUT@|$dir|g" -e "s|@HTML_OUTPUT@|html|g" \
		-e "s|@STRIP_FROM_PATH@|$tree $dir|g" -e "s|@WARN_AS_ERROR@|NO|g" \
		-e "s|@API_EXAMPLES@|$dir/examples.dox|g" \
		"$tree/doc/api/doxy-api.conf.in" >"$dir/doxy.conf"
	printf 'WARN_LOGFILE = %s\nQUIET = YES\n' "$dir/warnings.log" >>"$dir/doxy.conf"
	if ! doxygen "$dir/doxy.conf" >"$log" 2>&1; then
		show_log "$log"
		wc_fail docs/api "doxygen failed (log: $log)"
	elif [ -s "$dir/warnings.log" ]; then
		show_log "$dir/warnings.log"
		wc_fail docs/api "$(wc -l <"$dir/warnings.log") warning(s) in the API reference"
	elif ! grep -q 'href="rte__bus__pci__wc_8h.html"' "$dir/html/index.html"; then
		wc_fail docs/api "the API index does not link $WC_API_HEADER"
	else
		echo "  API reference: $(find "$dir/html" -maxdepth 1 -name '*_8h.html' | wc -l) headers, 0 warnings"
		wc_pass docs/api
	fi
}

main() {
	local tree
	wc_need_pkgs python3-sphinx python3-sphinx-rtd-theme doxygen >>"$log" 2>&1 ||
		{ show_log "$log"; wc_fail docs/guides "cannot install sphinx and doxygen"; exit 0; }
	tree=$(bash "$WC_REPO/devtools/assemble.sh" 2>"$log") ||
		{ show_log "$log"; wc_fail docs/guides "assemble.sh failed"; exit 0; }
	guides "$tree" && pages
	api_doc "$tree"
	api_reference "$tree"
}

main
