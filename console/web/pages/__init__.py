"""One module per console section; each exposes `routes`."""
