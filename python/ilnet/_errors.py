"""IlnetError: ilnet's one-line message (file:line and the element at fault) and its code."""
from . import _lib


class IlnetError(Exception):
    """An ilnet call failed. str(e) is ilnet's message; e.code the ILNET_E* code (-1 bad
    input, -2 out of memory, -3 file system or HDF5, -4 the solver, -5 internal, -6
    cancelled)."""

    def __init__(self, message, code=_lib.EINPUT):
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self):
        return self.message


class UnknownNameError(IlnetError, KeyError):
    """A name the model does not have (an IlnetError and a KeyError)."""


def last_error(code=None):
    """The calling thread's last error as an IlnetError (the message is thread-local)."""
    msg = _lib.lib.ilnet_error_last()
    return IlnetError(msg.decode("utf-8", "replace") if msg else "unknown error",
                      code if code is not None else _lib.lib.ilnet_error_code())


def check(rc):
    """Raises the thread's last error when rc is negative."""
    if rc < 0:
        raise last_error(rc)
    return rc


def encode(s, what="name"):
    if not isinstance(s, str):
        raise TypeError(f"{what} must be a str, not {type(s).__name__}")
    return s.encode("utf-8")


def call_interruptible(call, stop):
    """Runs call() (a library call returning a code) on a thread, so that the main thread
    can take Ctrl-C meanwhile: then stop() asks the library to stop, and once the call has
    returned KeyboardInterrupt is raised with its message. Returns (code, IlnetError or
    None, KeyboardInterrupt to raise after cleaning up or None); the error is read on the
    thread that made the call, where the library left it."""
    import threading
    box, finished = {}, threading.Event()

    def work():
        try:
            rc = call()
            box["rc"], box["err"] = rc, last_error(rc) if rc < 0 else None
        finally:
            finished.set()

    threading.Thread(target=work, daemon=True).start()
    interrupted = False
    # (an Event, not Thread.join: a KeyboardInterrupt inside join can leave is_alive()
    # saying False while the thread still runs)
    while not finished.is_set():
        try:
            finished.wait(0.2)
        except KeyboardInterrupt:
            stop()
            interrupted = True
    if interrupted:
        box["interrupted"] = KeyboardInterrupt(str(box.get("err") or "interrupted"))
    return box["rc"], box["err"], box.get("interrupted")
