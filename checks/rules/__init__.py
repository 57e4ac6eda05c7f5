"""Every module in this package but `base` defines rules. `base.registry()` imports them all (and
so the whole analysis); importing the package alone does not, so the surfaces that only need the
result types (a review served from the cache, the output formats) start without it."""
