"""The durable demo task: five steps that exercise retries, waits and failures."""
