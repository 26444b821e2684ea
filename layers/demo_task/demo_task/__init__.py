"""The durable demo task, Conveyor's first workload: five steps that exercise retries,
a wait, failures on demand, replay and flow control (idempotency, throttle,
concurrency, priority), on the durable-flow engine (`conveyor.durable.flow`)."""
