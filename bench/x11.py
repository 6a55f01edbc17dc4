"""A private Xvfb server and a watcher for windows being mapped on it, for the start-up benchmark.

The watcher is an ordinary X client (libX11 through ctypes, no extra
package): it selects SubstructureNotify on the root window, so the server
tells it the moment a top-level window is mapped, which is when a user would
see it. No polling, so it costs the measured processes nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import secrets
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

_SUBSTRUCTURE_NOTIFY_MASK = 1 << 19
_MAP_NOTIFY = 19
_ANY_PROPERTY_TYPE = 0
SCREEN = ("-screen", "0", "1280x1024x24", "-nolisten", "tcp")


class _XMapEvent(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("serial", ctypes.c_ulong),
        ("send_event", ctypes.c_int),
        ("display", ctypes.c_void_p),
        ("event", ctypes.c_ulong),
        ("window", ctypes.c_ulong),
        ("override_redirect", ctypes.c_int),
    ]


class _XEvent(ctypes.Union):
    _fields_ = [("type", ctypes.c_int), ("xmap", _XMapEvent), ("pad", ctypes.c_long * 24)]


_ERROR_HANDLER = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(f"{name} is missing: apt-get install xvfb xauth")
    return path


class Xvfb:
    """``Xvfb`` on a free display number with its own cookie; ``env`` points clients at it."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="bench-x-")
        self.authority = str(Path(self._dir.name) / "Xauthority")
        Path(self.authority).touch(mode=0o600)
        read_fd, write_fd = os.pipe()
        self.proc = subprocess.Popen(
            [_tool("Xvfb"), "-displayfd", str(write_fd), *SCREEN, "-auth", self.authority],
            pass_fds=(write_fd,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(write_fd)
        number = b""
        while not number.endswith(b"\n"):
            chunk = os.read(read_fd, 16)
            if not chunk:
                raise RuntimeError("Xvfb did not start (is it installed? apt-get install xvfb xauth)")
            number += chunk
        os.close(read_fd)
        self.display = f":{int(number)}"
        cookie = secrets.token_hex(16)
        subprocess.run([_tool("xauth"), "-f", self.authority, "add", self.display, ".", cookie], check=True)
        self.env = {"DISPLAY": self.display, "XAUTHORITY": self.authority}

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)
        self._dir.cleanup()


class MapWatcher:
    """Reports the time a top-level window with a given title is mapped."""

    def __init__(self, xvfb: Xvfb) -> None:
        os.environ["XAUTHORITY"] = xvfb.authority
        self._x = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
        x = self._x
        x.XOpenDisplay.restype = ctypes.c_void_p
        x.XOpenDisplay.argtypes = [ctypes.c_char_p]
        x.XDefaultRootWindow.restype = ctypes.c_ulong
        x.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
        x.XSelectInput.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_long]
        x.XPending.argtypes = [ctypes.c_void_p]
        x.XNextEvent.argtypes = [ctypes.c_void_p, ctypes.POINTER(_XEvent)]
        x.XConnectionNumber.argtypes = [ctypes.c_void_p]
        x.XFlush.argtypes = [ctypes.c_void_p]
        x.XInternAtom.restype = ctypes.c_ulong
        x.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
        x.XGetWindowProperty.argtypes = [
            ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_long, ctypes.c_long, ctypes.c_int,
            ctypes.c_ulong, ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_int),
            ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_void_p),
        ]  # fmt: skip
        x.XFree.argtypes = [ctypes.c_void_p]
        # A window can vanish between its map and our query: ignore X errors instead of exiting.
        self._on_error = _ERROR_HANDLER(lambda _d, _e: 0)
        x.XSetErrorHandler(self._on_error)
        self._dpy = x.XOpenDisplay(xvfb.display.encode())
        if not self._dpy:
            raise RuntimeError(f"cannot open display {xvfb.display}")
        x.XSelectInput(self._dpy, x.XDefaultRootWindow(self._dpy), _SUBSTRUCTURE_NOTIFY_MASK)
        x.XFlush(self._dpy)
        self._fd = x.XConnectionNumber(self._dpy)
        self._net_wm_name = x.XInternAtom(self._dpy, b"_NET_WM_NAME", 0)
        self._wm_name = x.XInternAtom(self._dpy, b"WM_NAME", 0)

    def _title(self, window: int) -> str:
        for atom in (self._net_wm_name, self._wm_name):
            kind, fmt = ctypes.c_ulong(), ctypes.c_int()
            count, after, data = ctypes.c_ulong(), ctypes.c_ulong(), ctypes.c_void_p()
            status = self._x.XGetWindowProperty(
                self._dpy, window, atom, 0, 256, 0, _ANY_PROPERTY_TYPE,
                ctypes.byref(kind), ctypes.byref(fmt), ctypes.byref(count), ctypes.byref(after),
                ctypes.byref(data),
            )  # fmt: skip
            if status == 0 and data.value:
                text = ctypes.string_at(data.value, count.value).decode("utf-8", "replace")
                self._x.XFree(data)
                if text:
                    return text
        return ""

    def drain(self) -> None:
        """Forget events from earlier runs."""
        event = _XEvent()
        while self._x.XPending(self._dpy):
            self._x.XNextEvent(self._dpy, ctypes.byref(event))

    def wait_mapped(self, title: str, timeout: float = 60.0) -> float:
        """``time.time()`` at which a top-level window titled ``title`` was seen mapped."""
        deadline = time.monotonic() + timeout
        event = _XEvent()
        while True:
            while self._x.XPending(self._dpy):
                self._x.XNextEvent(self._dpy, ctypes.byref(event))
                if event.type == _MAP_NOTIFY and self._title(event.xmap.window) == title:
                    return time.time()
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no window titled {title!r} was mapped within {timeout:.0f} s")
            select.select([self._fd], [], [], left)
