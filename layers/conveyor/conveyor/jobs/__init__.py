"""The job engine: typed job queues on SQS with job records in DynamoDB.

Free of any workload's names: a workload gives its job types and queues
(`registry.JobRegistry`), a processor per type, and the queues themselves (its stack
names them `<prefix>-<queue>` and `<prefix>-<queue>-dlq`). The engine gives:

    records      a job as stored and as shown; status    its statuses and their phases
    transitions  the status machine: (from, to) -> counter deltas and attributes cleared
    store        job records and their status changes; counters  per queue and organization
    listing      newest-first lists by the narrowest index, paged by nextToken
    queues       send, delay, the DLQ, depths;  messages  what travels on a queue
    service      create, read, cancel, retry (the API and schedules use it)
    worker       the rule for one delivery;  backoff  attempts and waits
    stalled      RUNNING jobs whose worker died;  schedules  jobs from schedule firings
    stats        /jobs/stats and /health;  routes  the job API, over one workload's types
    settings     what the job functions read from the environment
    bulk         many jobs created (or withdrawn) in one transaction, sent in batches
    backlog      work held back and released in priority order as a queue's capacity frees
    consumers    a workload's queues paused and resumed through their event source mappings
"""
