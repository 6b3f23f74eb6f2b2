"""Who may see a site: access modes, password protection and publishing for a web server."""
