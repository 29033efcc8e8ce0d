"""Shared hypothesis profiles for the whole suite.

``autograd_lite`` (the default): no deadline -- timings on shared CI machines are noisy and a
slow example is not a wrong one.  ``fuzz``: twenty times more examples, for a long campaign:
``HYPOTHESIS_PROFILE=fuzz pytest``.  Tests that fix ``max_examples`` keep their own count.
"""

import os

from hypothesis import settings

settings.register_profile("autograd_lite", deadline=None, print_blob=True)
settings.register_profile("fuzz", deadline=None, print_blob=True, max_examples=2000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "autograd_lite"))
