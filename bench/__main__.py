"""``python -m bench``: the whole benchmark suite (``--quick`` for a short run, ``--help``)."""

from bench.run import main

main()
