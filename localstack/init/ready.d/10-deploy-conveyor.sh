#!/usr/bin/env bash
# LocalStack ready hook: build and deploy Conveyor's template.yaml with samlocal,
# the same template `make up` deploys on MiniStack and `sam deploy` on AWS.
set -euo pipefail

project_dir="${CONVEYOR_DIR:-/opt/conveyor}"
tools_dir=/var/lib/localstack/conveyor-tools
build_dir=/tmp/conveyor-build

if [ ! -x "${tools_dir}/bin/samlocal" ]; then
  echo "conveyor: installing the SAM CLI and samlocal (first start only)"
  python3 -m venv "${tools_dir}"
  "${tools_dir}/bin/pip" install --quiet aws-sam-cli aws-sam-cli-local
fi
export PATH="${tools_dir}/bin:${PATH}"

# The project is mounted read-only: build into /tmp. --use-container builds the
# layer with the python3.12 build image through the mounted Docker socket.
cd "${project_dir}"
samlocal build --use-container --template-file template.yaml --build-dir "${build_dir}" \
  --cache-dir "${build_dir}/cache"
samlocal deploy --config-file "${project_dir}/samconfig.toml" --config-env localstack \
  --template-file "${build_dir}/template.yaml" --no-fail-on-empty-changeset

awslocal cloudformation describe-stacks --stack-name conveyor \
  --query 'Stacks[0].Outputs' --output table
echo "conveyor: deployed; the REST API is at the ApiUrl above (LocalStack: http://localhost:4566/_aws/execute-api/<ApiId>/v1)"
