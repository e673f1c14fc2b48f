"""``python -m raikit.cli``: the same as the ``raikit`` command."""

from raikit.cli.main import main

if __name__ == "__main__":
    main()
