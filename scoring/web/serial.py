"""One thread at a time in the rules engine.

durable-rules' C core is unsafe across threads (scoring/batch parallelises with processes for that reason), and
the server answers requests on several threads. Everything here that reaches the engine (building a pack, which
registers its ruleset; scoring; replaying a record) holds this lock; pages that only read stored data do not.
"""

from __future__ import annotations

import threading

ENGINE = threading.RLock()
