"""Durable multi-step tasks: task and step records, memoized steps, submission."""
