"""Flow control AWS does not offer at this granularity, built on DynamoDB:
a priority-ordered waiting list, concurrency slots with leases, and sliding-window
throttles, applied by one serialized dispatcher per flow."""
