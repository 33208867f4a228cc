#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Stage: static checks that need no build, run first (a few seconds):
#   lint/checkpatch/*  checkpatch.pl --strict (devtools/get-linux-tools.sh)
#                      on the kernel code: the vfio-pci-wc module, its
#                      selftests and the guest's ptecheck module
#   lint/shellcheck    shellcheck on every script with a shell directive
#                      (a shebang or "# shellcheck shell="); every *.sh
#                      file must have one
#   lint/readme/*      what the READMEs say about the tree: every stage is
#                      in the README's stage table, every path they name
#                      exists, the guest tests' example payload is the
#                      file it names
# Any finding fails its test.
# parallel: yes
set -uo pipefail
. "$(dirname "$0")/../wc-common.sh"

mod=kernel/linux/vfio_pci_wc

# The selftests are user space: the README of the module names the only
# checkpatch findings they may have (C99 integer types, volatile on the
# guarded device accesses).
SELFTEST_IGNORE=PREFER_KERNEL_TYPES,VOLATILE
# Guest tests source /opt/wc/*.sh, which exists only in the guest image;
# ShellCheck cannot follow a sourced file named through a variable.
SHELLCHECK_OPTS=(--exclude=SC1091)

# checkpatch <test name> [checkpatch options] -- <files...>
checkpatch() {
	local name=$1 opts=() out
	shift
	while [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	shift
	# Run outside the repo: in a git tree checkpatch leaves a cache file
	# (.checkpatch-camelcase.git.*) in the current folder.
	if out=$(cd "$WC_BUILD" && perl "$tools/checkpatch.pl" --strict --no-tree \
		--terse --show-types "${opts[@]}" -f "${@/#/$WC_REPO/}" 2>&1 |
		sed "s|^$WC_REPO/||") &&
	   ! printf '%s\n' "$out" | grep -q -E '^[^ ]+:[0-9]+: (ERROR|WARNING|CHECK):'; then
		wc_pass "lint/checkpatch/$name"
	else
		printf '%s\n' "$out" | grep -v -E '^total: 0 errors, 0 warnings, 0 checks' | wc_indent
		wc_fail "lint/checkpatch/$name" \
			"$(printf '%s\n' "$out" | grep -c -E ':[0-9]+: (ERROR|WARNING|CHECK):') finding(s)"
	fi
}

lint_checkpatch() {
	if ! tools=$(bash "$WC_REPO/devtools/get-linux-tools.sh" 2>&1 | tail -n1) ||
	   [ ! -f "$tools/checkpatch.pl" ]; then
		wc_fail lint/checkpatch "cannot get checkpatch.pl (devtools/get-linux-tools.sh): $tools"
		return
	fi
	checkpatch module -- "$mod"/*.[ch] "$mod"/Kbuild "$mod"/Makefile
	checkpatch selftests --ignore "$SELFTEST_IGNORE" -- \
		"$mod"/selftests/*.[ch] "$mod"/selftests/Makefile
	checkpatch ptecheck -- devtools/guest/ptecheck/*.[ch] devtools/guest/ptecheck/Kbuild
}

# Tracked scripts: files with a shell shebang or a shellcheck shell
# directive; *.sh files without either are listed as errors.
shell_scripts() {
	local f
	while IFS= read -r -d '' f; do
		[ -f "$f" ] || continue
		if head -n1 "$f" | grep -q -E '^#!.*\b(ba|da|)sh\b' ||
		   grep -q '^# shellcheck shell=' "$f"; then
			printf '%s\n' "$f"
		elif [ "${f%.sh}" != "$f" ]; then
			printf 'NODIRECTIVE %s\n' "$f"
		fi
	done < <(git ls-files -z)
}

lint_shellcheck() {
	local files=() f out nodir=()
	wc_need_pkgs shellcheck
	while IFS= read -r f; do
		case $f in
		'NODIRECTIVE '*) nodir+=("${f#NODIRECTIVE }") ;;
		*) files+=("$f") ;;
		esac
	done < <(shell_scripts)
	if [ ${#nodir[@]} -gt 0 ]; then
		wc_fail lint/shell-directive "no shebang or shellcheck shell= directive: ${nodir[*]}"
	else
		wc_pass lint/shell-directive
	fi
	if out=$(shellcheck "${SHELLCHECK_OPTS[@]}" -f gcc "${files[@]}" 2>&1); then
		echo "  shellcheck: ${#files[@]} scripts"
		wc_pass lint/shellcheck
	else
		printf '%s\n' "$out" | wc_indent
		wc_fail lint/shellcheck "$(printf '%s\n' "$out" | grep -c -E ':[0-9]+:[0-9]+: ') finding(s) in ${#files[@]} scripts"
	fi
}

# Every stage of devtools/tests.d has a row `NN-name` in the README's
# stage table, and every row is a stage.
# shellcheck disable=SC2016 # the backquotes are Markdown, not expansions
lint_readme_stages() {
	local stages rows missing extra
	stages=$(cd devtools/tests.d && for s in [0-9]*.sh; do echo "${s%.sh}"; done | sort)
	rows=$(sed -n 's/^| `\([0-9][0-9]-[a-z0-9.-]*\)` |.*/\1/p' README.md | sort)
	missing=$(comm -23 <(echo "$stages") <(echo "$rows") | tr '\n' ' ')
	extra=$(comm -13 <(echo "$stages") <(echo "$rows") | tr '\n' ' ')
	if [ -z "$missing$extra" ]; then
		wc_pass lint/readme/stage-table
	else
		wc_fail lint/readme/stage-table \
			"${missing:+not in README.md: $missing}${extra:+no such stage: $extra}"
	fi
}

# Paths of the project's own files named in the READMEs, in the text and
# in the commands, exist (other paths name DPDK or Linux files; globs and
# placeholders such as NN-name are not paths).
lint_readme_paths() {
	local doc p bad=()
	for doc in README.md "$mod"/README.md devtools/guest/tests/README.md \
		devtools/guest/ptecheck/README.md; do
		while IFS= read -r p; do
			case $p in *'*'* | *'<'* | *'['* | *'$'* | *NN*) continue ;; esac
			[ -e "$p" ] || [ -e "$(dirname "$doc")/$p" ] || bad+=("$doc: $p")
		done < <(grep -o -E '(devtools|patches|kernel/linux/vfio_pci_wc|kernel/linux/uapi|doc/guides)/[^]`"'"'"' (){}|,;:]*' "$doc" |
			sed 's/[.]$//' | sort -u)
	done
	if [ ${#bad[@]} -eq 0 ]; then
		wc_pass lint/readme/paths
	else
		printf '%s\n' "${bad[@]}" | wc_indent
		wc_fail lint/readme/paths "${#bad[@]} path(s) named in a README do not exist"
	fi
}

# The example payload of the guest tests' README is the file it names:
# the bash block after the line "`<payload file>`:".
# shellcheck disable=SC2016 # the backquotes are Markdown, not expansions
lint_readme_example() {
	local doc=devtools/guest/tests/README.md file
	file=$(sed -n 's|^`\(devtools/guest/payload\.d/[^`]*\)`:$|\1|p' "$doc")
	if [ -n "$file" ] && awk -v f="\`$file\`:" '
		$0 == f { want = 1; next }
		want && /^```/ { if (on) exit; on = 1; next }
		on' "$doc" | diff - "$file" >/dev/null; then
		wc_pass lint/readme/payload-example
	else
		wc_fail lint/readme/payload-example "the example in $doc is not ${file:-a payload file}"
	fi
}

cd "$WC_REPO" || exit 1
mkdir -p "$WC_BUILD"
lint_checkpatch
lint_shellcheck
lint_readme_stages
lint_readme_paths
lint_readme_example
