"""What changed between two revisions of the plans, and telling people about it."""
