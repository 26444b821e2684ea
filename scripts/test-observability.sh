#!/usr/bin/env bash
# Five demo tasks to look at: one that succeeds, failures at different steps
# (transient, then permanent), and three priorities. Then prints where to look.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

run="obs-$(date +%s)"
echo "Submitting five demo tasks (prefix $run) to $QUEUE_URL"
submit "{\"taskId\": \"$run-ok\", \"delayMs\": 1000}"
submit "{\"taskId\": \"$run-flaky-step2\", \"simulateFailure\": true, \"failAtStep\": 2, \"failTimes\": 2}"
submit "{\"taskId\": \"$run-broken-step4\", \"simulateFailure\": true, \"failAtStep\": 4}"
submit "{\"taskId\": \"$run-urgent\", \"priority\": 300}"
submit "{\"taskId\": \"$run-low\", \"priority\": -300}"

echo "Waiting for them to finish ..."
for task in ok flaky-step2 broken-step4 urgent low; do
  for _ in $(seq 1 120); do
    status="$(task_field "$run-$task" status)"
    case "$status" in SUCCEEDED|FAILED) break ;; esac
    sleep 0.5
  done
  printf '  %-28s %s\n' "$run-$task" "$status"
done

cat <<TEXT

What to look at:
  - $run-ok: all five steps SUCCEEDED, one attempt each.
  - $run-flaky-step2: 'process' took 3 attempts (2 TransientError, then success); no other step ran twice.
  - $run-broken-step4: FAILED at simulate-api-call with PermanentError, not retried; demo/task.failed published.
  - $run-urgent / $run-low: priorities 300 and -300 (they order runs that wait for a slot).

Inspect them (with the token of the ready banner, or from \`make token\`):
  curl -s -H "Authorization: Bearer \$CONVEYOR_TOKEN" $API_URL/tasks/$run-flaky-step2   # each step's attempts, result
  curl -s -H "Authorization: Bearer \$CONVEYOR_TOKEN" "$API_URL/tasks?status=FAILED"     # failed tasks, newest first
  curl -s -H "Authorization: Bearer \$CONVEYOR_TOKEN" -X POST $API_URL/tasks/$run-broken-step4/retry   # replay
  aws --endpoint-url $ENDPOINT stepfunctions list-executions --state-machine-arn $STATE_MACHINE_ARN
  aws --endpoint-url $ENDPOINT stepfunctions get-execution-history \\
      --execution-arn ${STATE_MACHINE_ARN/:stateMachine:/:execution:}:$run-flaky-step2
TEXT
