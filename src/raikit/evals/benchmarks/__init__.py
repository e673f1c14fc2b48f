"""Built-in benchmarks, registered through the ``raikit.benchmarks`` entry points."""
