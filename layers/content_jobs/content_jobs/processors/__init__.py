"""What each content job type does. A processor is built with the providers and stores it
uses, and called with its typed payload and the job's context; it returns the job's
result (JSON-able). `content_jobs.worker` builds one of each."""
