"""Step Functions as the AWS console shows it: state machines, executions, and each
execution's graph, table and event history, derived from the public API alone."""
