"""Library ingestion, Conveyor's third workload: a music library per organization whose
tracks are indexed in a Qdrant vector index.

Adding a track or an album to the library (GraphQL, `library_ingestion.graphql`) writes
it to DynamoDB (`library`), then schedules one ingestion per track (`scheduling`): ISRCs
validated and normalized, one existence check in the index per album, already-indexed
tracks skipped, fail-open when the index cannot answer, fire-and-forget so the library
write never fails for it. Each ingestion is a `track/ingestion.requested` message; the
intake (`intake`) turns it into a `track-ingestion` run on the durable-flow engine, one
per ISRC, whose steps (`steps`) fetch metadata and lyrics, embed them and upsert the point.
"""
