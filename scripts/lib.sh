# shellcheck shell=bash
# Shared by the scripts in this folder: the plain AWS CLI against the local cloud.
# Source it; it defines `awsl` and reads the stack's outputs.

ENDPOINT="${AWS_ENDPOINT_URL:-http://127.0.0.1:${LOCALCLOUD_PORT:-4566}}"
API_URL="${CONVEYOR_API_URL:-http://127.0.0.1:${LOCALCLOUD_API_PORT:-3000}}"
STACK="${LOCALCLOUD_STACK:-conveyor}"
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}" AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}"
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-us-east-1}"

awsl() { aws --endpoint-url "$ENDPOINT" "$@"; }

stack_output() {
  awsl cloudformation describe-stacks --stack-name "$STACK" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}

submit() {  # submit <json payload>: send demo/task.requested to the queue
  awsl sqs send-message --queue-url "$QUEUE_URL" --message-body "$1" --query MessageId --output text >/dev/null
}

api() {  # api <path> [curl options]: the REST API, as the developer user (CONVEYOR_TOKEN, or a fresh one)
  local path="$1"
  shift
  curl -s -H "Authorization: Bearer $CONVEYOR_TOKEN" "$@" "$API_URL$path"
}

task_field() {  # task_field <taskId> <field>: one field of GET /tasks/<taskId>
  api "/tasks/$1" | python3 -c "import json,sys; print(json.load(sys.stdin).get('$2'))"
}

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -z "${CONVEYOR_TOKEN:-}" ]; then
  CONVEYOR_TOKEN="$("$ROOT/.venv/bin/python" -m localcloud token | sed 's/^export CONVEYOR_TOKEN=//')"
fi

QUEUE_URL="$(stack_output DemoTaskQueueUrl)"
export STATE_MACHINE_ARN
STATE_MACHINE_ARN="$(stack_output DemoTaskStateMachineArn)"
if [ -z "$QUEUE_URL" ] || [ "$QUEUE_URL" = "None" ]; then
  echo "No stack '$STACK' at $ENDPOINT: start the local cloud with 'make up' first." >&2
  exit 1
fi
