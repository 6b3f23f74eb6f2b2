"""Site engines: turn rendered pages into a static site (MkDocs with Material)."""
