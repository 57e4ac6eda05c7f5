"""Lead conversion scoring backend."""
