#!/usr/bin/env bash
# Runs the offline plan of one stack (no cloud, no credentials) and writes the PR comment that
# shows it: the Mermaid topology from plan-out/topology.md and the plan's output.
#
#   .github/scripts/offline-plan.sh <stack> <comment-file>
#
# A failed plan does not fail this script: the comment must be posted first. The plan's exit
# code goes to $GITHUB_OUTPUT as `exit-code`; the workflow fails the job after commenting.
set -uo pipefail

stack="${1:?usage: offline-plan.sh <stack> <comment-file>}"
comment="${2:?usage: offline-plan.sh <stack> <comment-file>}"
out="plan-out"
log="$(mktemp)"
# GitHub refuses comments over 65536 characters: keep the output's tail, where errors are.
max_log_bytes=20000
max_topology_bytes=30000

rm -rf "$out"
# Not --silent: it would also hide npm's own errors (a missing script prints nothing).
npm run plan -- --stack "$stack" --out "$out" >"$log" 2>&1
code=$?
cat "$log"

{
  echo "### Offline plan of stack \`$stack\`"
  echo
  if [ "$code" -eq 0 ]; then
    echo "The plan succeeded: this is the mesh the program would build (no cloud was contacted)."
  else
    echo "**The plan failed (exit code $code)**: the stack config or the program has errors; see the output below."
  fi
  echo
  if [ -s "$out/topology.md" ]; then
    if grep -q '^```mermaid' "$out/topology.md"; then
      head -c "$max_topology_bytes" "$out/topology.md"
    else
      echo '```mermaid'
      head -c "$max_topology_bytes" "$out/topology.md"
      echo
      echo '```'
    fi
    echo
  fi
  echo "<details><summary>Plan output</summary>"
  echo
  echo '````text'
  if [ "$(wc -c <"$log")" -gt "$max_log_bytes" ]; then
    echo "[... first part cut; the whole output is in the job log ...]"
    tail -c "$max_log_bytes" "$log"
  else
    cat "$log"
  fi
  echo
  echo '````'
  echo
  echo "</details>"
} >"$comment"

rm -f "$log"
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  echo "exit-code=$code" >>"$GITHUB_OUTPUT"
fi
exit 0
