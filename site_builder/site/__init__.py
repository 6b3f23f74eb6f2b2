"""Pages: the derived state of a client rendered as Markdown, HTML, feeds and badges."""
