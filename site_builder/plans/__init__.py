"""Input stage: the plans folder (YAML and Markdown in git) read safely into the model."""
