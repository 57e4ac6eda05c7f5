#!/usr/bin/env bash
# claude plugin eval (--scaffold): put the scenario's workspace into the run's working directory.
set -euo pipefail
cp -R "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/workspace" ./workspace
