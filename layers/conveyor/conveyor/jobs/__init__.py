"""Typed job queues: job records, queues with backoff and DLQs, per-organization
limits, schedules and the processors of each job type."""
