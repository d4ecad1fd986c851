#!/bin/bash
# Issue: unknown guests or keys on the command line are a clear error before
# any VM starts (and no hang).
. "$(dirname "$0")/lib.sh"
boot_bochs badguest 60 "vms=hello,nosuch" || true
expect "an unknown guest is named in the error" has '^hv ev=error what="unknown guest \\"nosuch\\" in vms=" cpu=[0-9][0-9]*$'
expect "no VM was created before the error" hasnt 'ev=create'
expect "the run ends with halt status=fail" has '^hv ev=halt status=fail cpu=[0-9][0-9]*$'
expect "svtrace check accepts the trace of the refused boot" build/tools/svtrace check "$TRACE"
boot_bochs badkey 60 "vms=hello colour=blue" || true
expect "an unknown key is named in the error" has '^hv ev=error what="unknown option \\"colour=blue\\"" cpu=[0-9][0-9]*$'
expect "no VM was created before the key error" hasnt 'ev=create'
expect "svtrace check accepts the trace of the second refused boot" build/tools/svtrace check "$TRACE"
