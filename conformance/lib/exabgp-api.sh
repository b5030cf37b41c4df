#!/usr/bin/env bash
# An ExaBGP API process (ExaBGP starts it): every line appended to CMDFILE is
# sent to ExaBGP as a command (e.g. "announce route 10.9.9.0/24 next-hop self"),
# and everything ExaBGP reports (JSON: updates, state changes) is appended to
# OUTFILE. Ends, with its tail, when ExaBGP closes the pipe or sends SIGTERM.
# Usage: exabgp-api.sh CMDFILE OUTFILE
cmd=$1 out=$2
touch "$cmd" "$out"
tail -n +1 -F "$cmd" 2>/dev/null &
tailpid=$!
echo $$ >"$(dirname "$cmd")/api.pid"
echo $tailpid >"$(dirname "$cmd")/api-tail.pid"
# A background job of a script reads /dev/null unless told otherwise.
exec 3<&0
cat <&3 >>"$out" &
catpid=$!
trap 'kill $tailpid $catpid 2>/dev/null; exit 0' TERM INT
wait $catpid
kill $tailpid 2>/dev/null
