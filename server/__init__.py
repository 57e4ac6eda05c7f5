"""The wicked-data MCP server (stdio): `python -m server`."""
