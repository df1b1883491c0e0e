"""Suite-wide settings."""

from __future__ import annotations

import os

from hypothesis import settings

# In CI every property test runs the same examples each time: a red build always
# means a real regression, never an unlucky draw. Locally, exploration stays random.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
