"""Invoice headers and charge lines."""
