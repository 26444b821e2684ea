"""Content jobs: the background jobs of a content product (content generation, website
and RSS scraping, analytics sync, token refresh, documents, publishing, images) on the
job engine (`conveyor.jobs`).

    catalog      job types, queues, and the registry the engine reads
    payloads     one model per job type
    processors/  what each job type does, given only the providers it uses
    providers/   outbound HTTP, readable text, content, images, the platforms' APIs
    data/        what the processors read and write (the workload's data table)
    schedules    what the scraping and analytics schedules fire for
    settings     what each function reads from the environment
    api, worker, scheduler, sweeper
                 the composition roots: one object per function, built at cold start
"""
