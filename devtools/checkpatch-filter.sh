#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Match the findings of DPDK's devtools/checkpatches.sh against the
# reviewed exceptions.
#
#   devtools/checkpatch-filter.sh [EXCEPTIONS] < checkpatches.sh output
#
# EXCEPTIONS defaults to devtools/checkpatch-exceptions.txt (its header
# explains the format). Prints "exception: <finding> (<why>)" for every
# finding an exception covers and "finding: <finding>" for every other
# one; exits 0 only if every finding is covered.
set -euo pipefail

exceptions=${1:-$(dirname "$0")/checkpatch-exceptions.txt}
[ -f "$exceptions" ] || { echo "checkpatch-filter.sh: no $exceptions" >&2; exit 2; }

# Findings, one a line: file, line, message, offending line (separated by
# the unit separator: tabs would merge empty fields in "read").
# checkpatch.pl: "TYPE:NAME: text", "#N: FILE: path:line:", "+code", then
# context up to a blank line. Forbidden tokens: "Warning in path:" then
# the message. Any other line (symbol change, tags, release notes checks)
# is a finding of its own that names no file.
findings() {
	awk '
	function flush() {
		if (msg != "")
			printf "%s\037%s\037%s\037%s\n", file, line, msg, code
		msg = ""; file = ""; line = ""; code = ""
	}
	ctx == "cp" && /^$/ { flush(); ctx = ""; next }
	ctx == "cp" {
		if (match($0, /^#[0-9]+: FILE: /)) {
			rest = substr($0, RLENGTH + 1)
			n = split(rest, f, ":")
			file = f[1]; line = f[2]
		} else if (code == "" && file != "" && /^\+/) {
			code = substr($0, 2)
		}
		next
	}
	ctx == "fw" { msg = $0; code = "*"; flush(); ctx = ""; next }
	/^$/ || /^### / || /^total: [0-9]+ errors/ || /^[0-9]+\/[0-9]+ valid patch/ { next }
	/^(ERROR|WARNING|CHECK):/ { flush(); msg = $0; ctx = "cp"; next }
	/^Warning in .*:$/ {
		flush(); file = substr($0, 12, length($0) - 12); ctx = "fw"; next
	}
	{ msg = $0; code = "*"; flush() }
	END { flush() }'
}

# The "why" of the first exception matching a finding; fails if none.
exception_for() { # <file> <line> <message> <code>
	local efile emsg ecode why eline
	while IFS='|' read -r efile emsg ecode why; do
		efile=$(echo "$efile" | sed 's/^[[:space:]]*//;s/[[:space:]]*$//')
		case $efile in '' | '#'*) continue ;; esac
		emsg=$(echo "$emsg" | sed 's/^[[:space:]]*//;s/[[:space:]]*$//')
		ecode=$(echo "$ecode" | sed 's/^[[:space:]]*//;s/[[:space:]]*$//')
		eline=
		if [[ $efile =~ ^(.*):([0-9]+)$ ]]; then
			efile=${BASH_REMATCH[1]}
			eline=${BASH_REMATCH[2]}
		fi
		# shellcheck disable=SC2053 # efile is a glob
		[[ -n $1 && $1 == $efile ]] || continue
		[ -z "$eline" ] || [ "$eline" = "$2" ] || continue
		[ "$emsg" = "$3" ] || continue
		[ "$ecode" = "*" ] || [ "$ecode" = "$4" ] || continue
		echo "${why#"${why%%[![:space:]]*}"}"
		return 0
	done < "$exceptions"
	return 1
}

main() {
	local file line msg code why rc=0 where
	while IFS=$'\037' read -r file line msg code; do
		where=${file:+$file${line:+:$line}: }
		if why=$(exception_for "$file" "$line" "$msg" "$code"); then
			echo "exception: $where$msg ($why)"
		else
			echo "finding: $where$msg"
			rc=1
		fi
	done < <(findings)
	return $rc
}

main
