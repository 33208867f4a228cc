#!/bin/sh
# shellcheck shell=dash
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 30
# expect: PASS
# Output that does not end with a newline (e.g. an interactive prompt)
# must not swallow the result record.
printf 'prompt>'
