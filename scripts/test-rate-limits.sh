#!/usr/bin/env bash
# 30 rapid submissions against a throttle of LIMIT run starts per PERIOD seconds
# (default 10 per 20 s), watched as they queue and start; the throttle goes back
# to what it was when the script ends.
#   LIMIT=5 PERIOD=10 COUNT=30 scripts/test-rate-limits.sh
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

limit="${LIMIT:-10}" period="${PERIOD:-20}" count="${COUNT:-30}"
dispatcher="$(stack_output DemoTaskDispatcherFunctionName)"
original="$(awsl lambda get-function-configuration --function-name "$dispatcher" --query Environment --output json)"
restore() { awsl lambda update-function-configuration --function-name "$dispatcher" --environment "$original" >/dev/null; }
trap restore EXIT

throttled="$(python3 -c "
import json, sys
env = json.loads(sys.argv[1])
env['Variables'].update(FLOW_GLOBAL_THROTTLE_LIMIT='$limit', FLOW_GLOBAL_THROTTLE_PERIOD_SECONDS='$period')
print(json.dumps(env))" "$original")"
awsl lambda update-function-configuration --function-name "$dispatcher" --environment "$throttled" >/dev/null
echo "Throttle: at most $limit run starts per ${period} s (dispatcher $dispatcher)"

run="rate-$(date +%s)"
for first in $(seq 1 10 "$count"); do  # SendMessageBatch: ten at a time, as fast as the CLI goes
  entries="$(python3 -c "
import json
print(json.dumps([{'Id': str(i), 'MessageBody': json.dumps({'taskId': f'$run-{i}'})}
                  for i in range($first, min($first + 10, $count + 1))]))")"
  awsl sqs send-message-batch --queue-url "$QUEUE_URL" --entries "$entries" >/dev/null
done
SECONDS=0
echo "Submitted $count tasks ($run-1 .. $run-$count). Runs that started, over time:"

started_now() {  # how many of this script's tasks have started (running or finished)
  for status in RUNNING SUCCEEDED FAILED; do api "/tasks?status=$status&limit=100"; echo; done |
    python3 -c "
import json, sys
# A run can finish between two of the requests: count each task once.
print(len({task['taskId'] for line in sys.stdin if line.strip()
           for task in json.loads(line)['tasks'] if task['taskId'].startswith('$run-')}))"
}

started=0
deadline=$((SECONDS + (count / limit + 2) * period + 30))
while [ "$started" -lt "$count" ] && [ "$SECONDS" -lt "$deadline" ]; do
  started=$(started_now)
  printf '  after %3d s: %2d of %d started\n' "$SECONDS" "$started" "$count"
  sleep 1
done

cat <<TEXT

Starts arrive in steps of $limit every ${period} s: none is dropped, the rest wait.
Look at the start times:
  curl -s -H "Authorization: Bearer \$CONVEYOR_TOKEN" "$API_URL/tasks?status=SUCCEEDED&limit=$count"
  aws --endpoint-url $ENDPOINT stepfunctions list-executions --state-machine-arn $STATE_MACHINE_ARN \\
      --query 'executions[].[name,startDate]' --output text
TEXT
