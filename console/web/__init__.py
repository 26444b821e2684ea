"""The console's web front: server-rendered pages (Starlette, Jinja2), one module per
section in `pages/`, a stylesheet and a small script; no build step."""
