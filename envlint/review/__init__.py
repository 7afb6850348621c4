"""Registry review: the registry itself against the conventions, and against its base.

The call-site rules (ENV001-ENV007) judge how code *reads* the environment.
This package supplies what the registry-review rules (ENV008-ENV019) need to
judge the registry and how it *changes*:

* ``snapshot``: a registry's reviewable state (keys, kinds, defaults,
  sections, aliases, deprecations) and its stable JSON form
  (``envlint registry snapshot``, ``check --registry-base``);
* ``base``: the base to compare with, from git (the merge-base of
  ``--diff-base``) or from a snapshot file;
* ``changes``: the comparison (added, removed, renamed, kind / default /
  section changed) and which removals leave users of the old name stranded;
* ``moves``: renames read from the diff (a removed key whose call sites now
  read an added one);
* ``cliflags``: the project's command-line flags, read statically.

Nothing here imports or runs the reviewed project's code.
"""
