"""wicked-data: a static reviewer of machine-learning code. `review(paths, config)` is the one entry point."""

__version__ = "0.1.0"

from wicked_data.checks.config import Config  # noqa: E402
from wicked_data.checks.engine import review  # noqa: E402
from wicked_data.checks.models import Finding, Review, Severity  # noqa: E402

__all__ = ["Config", "Finding", "Review", "Severity", "review", "__version__"]
