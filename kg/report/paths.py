"""Where each page of the site lives: a path made from the IRI of what it is about.

A page's path follows its IRI, so it is stable across builds and readable: kg's own IRIs
keep their path under the base IRI (``programme/wipo-academy``, ``org/itc``,
``doc/cdip-32-3-zh/p/39``), the UN's goals and targets become ``sdg/4`` and ``sdg/4.4`` and its
places ``geo/152``. The site has one tree per interface language (``en/``, ``zh/``) with the
same paths in each, so switching language is a link to the same path in the other tree.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import quote

from kg.namespaces import GEOAREA, SDG

LANGUAGES = ("en", "zh")
_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def page_path(iri: str, base: str) -> str | None:
    """The page of ``iri`` relative to a language tree (``sdg/4.4.html``), or None if it has none."""
    if iri.startswith(str(GEOAREA)):
        rest = "geo/" + iri[len(str(GEOAREA)):]
    elif iri.startswith(str(SDG)):
        rest = "sdg/" + iri[len(str(SDG)):]
    elif iri.startswith(base):
        rest = iri[len(base):]
    else:
        return None
    segments = rest.split("/")
    if not rest or any(not s for s in segments):
        return None
    # A segment that is not a plain file name is percent-encoded, so no IRI can climb out of the site.
    return "/".join(s if _SEGMENT.match(s) else quote(s, safe="") for s in segments) + ".html"


def relative(source: str, target: str) -> str:
    """The link from page ``source`` to page ``target``, both relative to the site's root."""
    return posixpath.relpath(target, posixpath.dirname(source) or ".")


def root_of(path: str) -> str:
    """The link from page ``path`` to the site's root (``../../``; empty at the root)."""
    depth = path.count("/")
    return "../" * depth
