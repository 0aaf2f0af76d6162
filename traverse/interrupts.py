"""Ctrl-C at the few moments it must wait: while a set of outputs is renamed, while workers are forked.

A Ctrl-C (SIGINT) that lands inside a file rename sequence, inside
``shutil.rmtree`` of a staging folder, or inside the fork of a worker process
(where Python's at-fork hooks can only print it as "Exception ignored") would
leave a half-written state or a traceback; :func:`sigint_held` blocks it for
the duration and delivers it after.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

__all__ = ["sigint_held"]


@contextlib.contextmanager
def sigint_held(*, consume: bool = False) -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) off in the main thread while the block runs.

    A Ctrl-C that came meanwhile is delivered when the block ends, unless
    ``consume`` and the block ended normally: then the work it guarded (the
    final renames and clean-up of an output set) is complete, and the
    interrupt came too late to stop it.
    """
    main = threading.current_thread() is threading.main_thread() and hasattr(signal, "pthread_sigmask")
    if not main:
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    ok = False
    try:
        yield
        ok = True
    finally:
        if ok and consume and signal.SIGINT in signal.sigpending():
            signal.sigwait({signal.SIGINT})
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
