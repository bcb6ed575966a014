"""Fingerprints of plain data: equal values give equal fingerprints, in any process.

Plain `pickle.dumps` is not enough: it writes an object seen twice as a back-reference, so
two equal structures that share their strings differently (a note parsed again, a key made
in a worker process) would pickle to different bytes. Fast mode keeps no such memo; the data
is built in a deterministic order (dicts in sorted insertion order, no sets), so equal
values give equal bytes.
"""

from __future__ import annotations

import hashlib
import io
import pickle
from typing import Any


def fingerprint(label: str, data: Any) -> str:
    """A SHA-1 of `label` and `data` (tuples, lists, dicts, strings, numbers, None)."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True  # no memo: the bytes depend on the values only (data has no cycles)
    pickler.dump(data)
    return hashlib.sha1(label.encode() + b"\0" + buffer.getvalue()).hexdigest()
