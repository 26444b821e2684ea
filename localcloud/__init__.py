"""The Docker-free local cloud: MiniStack started on loopback, the SAM template
deployed to it, and small named fixes where MiniStack differs from AWS."""
