"""ENV015: a new key dropped at the bottom of an unrelated section (Rule 1)."""

from __future__ import annotations

import re
from collections import Counter
from typing import Optional

from ..context import FileContext
from ..registry import Registry
from ..forwarding import owned_words
from ._review import PRELUDE, REGISTRY, key_span, own_changes
from .base import Invalid, Rule, Valid

# Words that say how a switch acts, not what it is about. LOG, TEST and DEBUG
# stay: they name what a key is for, and such keys belong with their workflow.
_SWITCH_WORDS = frozenset({"ENABLE", "DISABLE", "USE", "FORCE", "OPT"})
_TITLE_WORD = re.compile(r"[A-Za-z0-9]+")

_SECTIONS = (
    "class Envs:\n"
    "    # ===========\n    # Symmetric memory\n    # ===========\n"
    "    SGLANG_SYMM_MEM_PREALLOC_GB_SIZE = EnvInt(-1)\n"
    "    SGLANG_DEBUG_SYMM_MEM = EnvBool(False)\n\n"
    "    # ===========\n    # Debugging and invariant checks\n    # ===========\n"
    "    SGLANG_GDN_DECODE_FUSION_LOG_LAYER_HITS = EnvBool(False)\n"
    "    SGLANG_GDN_DECODE_FUSION_VERIFY = EnvBool(False)\n"
    "    SGLANG_INVARIANT_CHECK = EnvInt(0)\n"
)

_NO_BASE = PRELUDE + _SECTIONS.replace(
    "    SGLANG_DEBUG_SYMM_MEM = EnvBool(False)\n",
    "    SGLANG_DEBUG_SYMM_MEM = EnvBool(False)\n"
    "    SGLANG_ENABLE_GDN_DECODE_FUSED_PROJ_CONV = EnvBool(True)\n",
)


def topical_words(name: str, prefixes: tuple[str, ...]) -> list[str]:
    words = owned_words(name, prefixes)
    if words is None:
        words = name.split("_")
    return [w for w in words if w and w not in _SWITCH_WORDS]


class OutsideSection(Rule):
    """
    ## What it does
    Compared with the review base (`--diff-base REF` or `--registry-base FILE`),
    flags a *new* key (added, or the new name of a rename) that was dropped at
    the bottom of an unrelated section while another section holds its family:

    * the key is the last entry of its section;
    * none of its topical words (the words after the project prefix, without
      the switch verbs `ENABLE`, `DISABLE`, `USE`, `FORCE`, `OPT`) appears in
      the section's title or in the section's other keys;
    * at least two keys elsewhere share its first two topical words
      (`SGLANG_ENABLE_GDN_DECODE_X` and `SGLANG_GDN_DECODE_FUSION_Y` share
      `GDN_DECODE`); the message names the section holding most of them.

    Sections are the registry's section comments (a banner `# ====` / title /
    `# ====`, or a comment block after a blank line in registries without
    banners). Without a base the rule is silent.

    ## Why is this bad
    Rule 1: "Group the new entry under an existing section comment. Add a new
    section comment only when none fits — never drop a new entry at the bottom
    of an unrelated block." A key filed under the wrong section is missed by
    whoever looks for it, and the generated reference lists it there.

    ## Example
    ```python
    # ====
    # Symmetric memory
    # ====
    SGLANG_SYMM_MEM_PREALLOC_GB_SIZE = EnvInt(-1)
    SGLANG_ENABLE_GDN_DECODE_FUSED_PROJ_CONV = EnvBool(True)   # new
    ```
    while `SGLANG_GDN_DECODE_FUSION_*` keys live under "Debugging and invariant checks".

    ## Use instead
    Move the entry into the section of its family, or open a new section
    (three-line banner) for a new subject.

    ## Fix safety
    No automatic fix: where a key belongs is a judgement, and moving it may
    move its comments.
    """

    code = "ENV015"
    name = "entry-outside-section"
    summary = "New key dropped at the bottom of an unrelated section"
    about_change = True

    VALID = (
        Valid(
            # New, at the bottom of its family's section.
            PRELUDE + _SECTIONS + "    SGLANG_GDN_DECODE_FUSION_NEW = EnvBool(False)\n",
            path=REGISTRY,
            base=PRELUDE + _SECTIONS,
        ),
        # No base: a rule about a change has nothing to say.
        Valid(_NO_BASE, path=REGISTRY),
    )
    INVALID = (
        Invalid(
            _NO_BASE,
            findings=((10, 5),),
            path=REGISTRY,
            base=PRELUDE + _SECTIONS,
        ),
    )

    def begin(self, ctx: FileContext) -> None:
        found = own_changes(ctx)
        if found is None:
            return
        registry, changes = found
        prefixes = self.config.owned_prefixes
        by_section: dict[Optional[str], list[str]] = {}
        for name, field in sorted(registry.fields.items(), key=lambda item: item[1].line):
            by_section.setdefault(field.section, []).append(name)
        for name in sorted(changes.new_names, key=lambda n: registry.fields[n].line):
            home = _home(registry, by_section, name, prefixes)
            if home is None:
                continue
            section, family, count = home
            ctx.report(
                self.code,
                None,
                f"new key {name} was added at the bottom of section "
                f"'{registry.fields[name].section}', which holds nothing related; section "
                f"'{section}' holds its family ({count} keys like {family})",
                key=name,
                span=key_span(registry, name),
            )


def _home(registry: Registry, by_section: dict, name: str, prefixes: tuple[str, ...]):
    """(section that holds the key's family, an example member, family size there) or None."""
    section = registry.fields[name].section
    members = by_section.get(section, [])
    if section is None or members[-1] != name:
        return None
    words = topical_words(name, prefixes)
    if len(words) < 2:
        return None
    title = {w.upper() for w in _TITLE_WORD.findall(section)}
    neighbours = {w for other in members if other != name for w in topical_words(other, prefixes)}
    if set(words) & (title | neighbours):
        return None
    family = [
        other for other in registry.fields
        if other != name and topical_words(other, prefixes)[:2] == words[:2]
    ]
    counts = Counter(registry.fields[other].section for other in family)
    if not counts:
        return None
    home, count = counts.most_common(1)[0]
    if home == section or home is None or count < 2:
        return None
    example = next(other for other in family if registry.fields[other].section == home)
    return home, example, count
