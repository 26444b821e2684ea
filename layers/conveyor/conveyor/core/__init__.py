"""What every engine and workload shares: the clock, the error vocabulary, settings
read from the environment, DynamoDB helpers, pagination tokens, API models and the
REST API's error responses."""
