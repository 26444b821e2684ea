"""Evaluation runs: a run is a plan of jobs (its models × its sampled scenarios), its
progress counters, and its status, which people change (pause, resume, cancel) and jobs
move on (started, completed).

    status    RunStatus, RunPriority and the table of transitions
    records   a run as stored, and its progress
    plan      which job is which: index -> (model, scenario)
    store     runs in DynamoDB: created with their plan, moved by the transitions, counted
    tasks     finished tasks newest first, read back from the job records
"""
