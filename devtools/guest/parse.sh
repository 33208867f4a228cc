# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=dash # busybox ash, like dash, has local
# Parsers shared by the host scripts (bash) and the guest (busybox sh; in
# the image as /opt/wc/parse.sh, sourced by init and lib.sh): guest test
# headers, testpmd counters, the x86 PAT memtype list. Functions only.

# test_header <test file> <key>: the value of its first "# <key>: " line.
test_header() {
	sed -n "s/^# $2: *//p" "$1" | head -n1
}

# test_timeout <test file>: the seconds of its "# timeout:" line, else 60.
test_timeout() {
	local t
	t=$(test_header "$1" timeout | sed -n 's/^\([0-9][0-9]*\).*/\1/p')
	echo "${t:-60}"
}

# testpmd_stat <testpmd output> <port> <RX|TX> <packets|dropped>: the
# counter from the final "Forward statistics for port N" block (0 when
# absent).
testpmd_stat() {
	awk -v p="$2" -v k="$3-$4:" '
		/Forward statistics for port/ { cur = ($6 == p) }
		/Accumulated forward statistics/ { cur = 0 }
		cur { for (i = 1; i < NF; i++) if ($i == k) v = $(i + 1) }
		END { print v + 0 }' "$1"
}

# pat_list <start> <end>: the lines of the x86 PAT memtype list whose
# range overlaps [start, end], as "<range start> <range end> <line>".
pat_list() {
	local s=$(($1)) e=$(($2)) lo hi line
	sed -n 's/.*\[mem \(0x[0-9a-f]*\)-\(0x[0-9a-f]*\)\].*/\1 \2 &/p' \
		/sys/kernel/debug/x86/pat_memtype_list 2>/dev/null |
	while read -r lo hi line; do
		[ $((lo)) -le $e ] && [ $((hi)) -gt $s ] && echo "$lo $hi $line"
	done
	return 0
}

# ktap_results <output file>: read the KTAP (TAP 13) output of a kselftest
# program: the version line, the plan "1..N" and one "ok|not ok <n>
# <name> [# SKIP reason]" line per case, in order (diagnostics "# ..."
# and indented subtest lines aside). Prints "N cases: P passed, S
# skipped, F failed[: names]" and fails unless every planned case ran
# (a crash ends the output early) and none failed.
ktap_results() {
	awk '
	/^(KTAP|TAP) version / { version = 1; next }
	/^1\.\.[0-9]+$/ && plan == "" { plan = substr($0, 4) + 0; next }
	/^(not )?ok [0-9]+/ {
		neg = /^not /
		n = $(neg ? 3 : 2) + 0
		if (n != ++count)
			order = order " " n
		name = $0
		sub(/^(not )?ok [0-9]+ */, "", name)
		if (name ~ /# *[Ss][Kk][Ii][Pp]/)
			skip++
		else if (neg) {
			fail++
			sub(/ *#.*/, "", name)
			failed = failed (failed == "" ? "" : "; ") name
		} else
			pass++
	}
	END {
		printf "%d cases: %d passed, %d skipped, %d failed%s", count,
			pass, skip, fail, failed == "" ? "" : ": " failed
		if (!version) { printf "; no KTAP version line\n"; exit 1 }
		if (plan == "") { printf "; no plan line\n"; exit 1 }
		if (count != plan) { printf "; %d planned\n", plan; exit 1 }
		if (order != "") { printf "; out of order:%s\n", order; exit 1 }
		printf "\n"
		exit (fail > 0)
	}' "$1"
}
