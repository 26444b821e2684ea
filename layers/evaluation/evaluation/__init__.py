"""Evaluation runs: models × scenarios on the job engine (`conveyor.jobs`), with atomic
progress, pause / resume / cancel, queue control, priorities and a GraphQL API.

    scenarios, definitions, samples   what a run probes: immutable definitions of scenarios
    sampling                          which scenarios a run takes (deterministic by seed)
    runs/                             a run: its plan, status, counters, tasks (runs/__init__)
    start                             startRun: checks, sampling, the run with its plan
    catalog, payloads                 the job types and their queues and payloads
    providers/, retries               the models a probe calls, and how their failures retry
    analysis/, processors             what each job type does
    release                           a dispatcher pass: jobs released by priority as room frees
    delivery                          one delivery: the run's gate, the engine's rule, the count
    queue_status                      jobs by type and state (pg-boss's names); queue pause
    graphql/                          the SDL and its resolvers
    settings, wakeups                 environment; asking the dispatcher for a pass
    api, worker, dispatcher           composition roots: one object per function
"""
