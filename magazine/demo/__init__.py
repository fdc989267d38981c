"""Demo content for `manage.py load_demo`: French articles, drawn illustrations, an editor."""
