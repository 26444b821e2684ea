"""The Conveyor console: a local web tool that shows Step Functions executions as the
AWS console does, every queue and DLQ of the stack, and Conveyor's own tasks and
jobs, with links between them.

It reads through the public AWS APIs (boto3) and Conveyor's HTTP API only, never
the tables, so the same console works against the local cloud, LocalStack and AWS.
Read-only unless started with `--actions`. `python -m console --help` lists options.
"""
