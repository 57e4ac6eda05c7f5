import sys

from wicked_data.checks.cli import main

sys.exit(main())
