"""Root conftest: loaded for every pytest run in the repository, also `pytest --nbmake notebooks/`.

Its only job is to load plugins that must apply outside ``tests/`` — the notebooks:
``tests.nbmake_warnings`` fails a notebook whose output shows warning text;
``tests.nbmake_browser_split`` leaves to ``make test``'s browser stage the notebooks it runs.
"""

pytest_plugins = ["tests.nbmake_warnings", "tests.nbmake_browser_split"]
