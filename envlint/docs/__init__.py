"""``envlint docs``: the environment-variable reference, generated from the registries.

Reference pages drift from the code that defines the variables. The registries
already hold everything a page says (name, type, default, the comment above the
field, the deprecated alias), so the page can be generated, and a hand-written
page can be checked against them.

One direction, one module per step::

    Registry --model--> Reference --render--> markdown | json
                                  --drift---> findings (ENV101-ENV103) <--page-- PAGE.md
                                  --write---> PAGE.md (only between the markers)

``command`` wires these steps to the CLI.
"""


class DocsError(Exception):
    """Input ``envlint docs`` cannot use (a page, a registry, the markers); one line, exit 2."""
