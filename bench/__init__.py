"""realtalk's benchmark suite: realtalk vs google-genai vs raw floors, one flood source.

Run ``python -m bench`` (about 3.5-4 minutes on 2 CPUs) or ``python -m bench --quick``;
results and analysis are in ``bench/RESULTS.md``. Modules:

* :mod:`bench.run`: the driver (sources, worker processes, interleaved rounds, search);
* :mod:`bench.server`: the source process
  (:class:`realtalk.emulator.flood.FloodEmulator`, or :mod:`bench.lean`);
* :mod:`bench.lean`: the lean paced source of the real-time capacity test;
* :mod:`bench.worker`: one measuring process per client, driven over stdin/stdout;
* :mod:`bench.measures`: the measurements themselves;
* :mod:`bench.clients`: the four clients behind one interface;
* :mod:`bench.report`: the Markdown report.
"""
