"""The real functions and classes the kit relies on, taken when it is imported.

The grading kernel imports threads101.kernel before any cell runs (see
nbgrader_config.py), so these references are taken before a submission could
replace ``time.sleep``, ``threading.Thread.start``, ``queue.Queue.put`` and the
like: the kit keeps working with the real ones whatever a submission patches.
Every module of the kit takes them from here, never from the patched modules.
"""

from __future__ import annotations

import _thread
import os
import queue
import sys
import threading
import time

_monotonic = time.monotonic
_sleep = time.sleep
_allocate_lock = _thread.allocate_lock
_start_new_thread = _thread.start_new_thread
_get_ident = _thread.get_ident
_get_native_id = _thread.get_native_id
_current_frames = sys._current_frames
_getswitchinterval = sys.getswitchinterval
_setswitchinterval = sys.setswitchinterval
_sys_settrace = sys.settrace
_threading_settrace = threading.settrace
_threading_active = threading._active  # ident -> Thread, maintained by threading itself
_threading_active_lock = threading._active_limbo_lock
_DummyThread = threading._DummyThread
_thread_start = threading.Thread.start
_thread_is_alive = threading.Thread.is_alive
_excepthook = threading.excepthook
_queue_init = queue.Queue.__init__
_queue_put = queue.Queue.put
_environ_get = os.environ.get
_setpriority = getattr(os, "setpriority", None)
_FREE_THREADED = not getattr(sys, "_is_gil_enabled", lambda: True)()
