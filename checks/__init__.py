"""wicked-data: a static reviewer of machine-learning code. `review(paths, config)` is the one entry point."""

__version__ = "0.1.0"

from checks.config import Config  # noqa: E402
from checks.engine import review  # noqa: E402
from checks.models import Finding, Review, Severity  # noqa: E402

__all__ = ["Config", "Finding", "Review", "Severity", "review", "__version__"]
