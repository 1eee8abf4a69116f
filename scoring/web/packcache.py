"""Each tender's base pack built once per process and content, not on every page.

Building a pack (reading, validating, loading its ruleset) takes tens of milliseconds inside the engine's
one-thread-at-a-time lock; every evaluator's page needs the tender's pack, so under a panel's load the lock,
not the database, set the pace. A pack is frozen and the pages only read it. The key is the tender's files
themselves (their sha256), so a pack changed by another instance, or re-uploaded, is built again here.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping

from ..pack import Pack

SIZE = 64  # tenders open at once on one instance, with room
_LOCK = threading.Lock()
_PACKS: OrderedDict[tuple[str, str], Pack] = OrderedDict()


def content_key(reference: str, files: Mapping[str, str]) -> tuple[str, str]:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode("utf-8") + b"\0" + files[name].encode("utf-8") + b"\0")
    return reference, digest.hexdigest()


def cached_pack(reference: str, files: Mapping[str, str], build: Callable[[], Pack]) -> Pack:
    key = content_key(reference, files)
    with _LOCK:
        found = _PACKS.get(key)
        if found is not None:
            _PACKS.move_to_end(key)
            return found
    pack = build()  # outside the lock: two threads may build the same pack once each, never wait on each other
    with _LOCK:
        _PACKS[key] = pack
        while len(_PACKS) > SIZE:
            _PACKS.popitem(last=False)
    return pack
