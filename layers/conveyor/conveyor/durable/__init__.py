"""Durable multi-step tasks: task and step records, memoized steps, submission and
the start of admitted runs, and how a run ends. Free of any workload's names: a
workload gives its flow name, its request model and its steps."""
