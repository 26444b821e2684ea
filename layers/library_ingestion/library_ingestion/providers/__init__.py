"""What library ingestion reads from outside: the catalog (album listings, ISRCs, track
metadata), lyrics, and embeddings. Each is an interface with a local implementation that
needs no network (the fixture catalog, wordllama) and one reached over HTTP by URL."""
