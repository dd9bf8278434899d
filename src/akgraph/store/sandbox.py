"""The query workers' sandbox: no network, bounded memory (Linux).

:func:`isolate_network` moves the calling process into a new, empty network namespace (only a
loopback device that is down): every connect fails with "Network is unreachable", whatever the
address or port, so neither SERVICE nor anything else in a query can reach a host. It needs
root (CAP_SYS_ADMIN) or unprivileged user namespaces; :func:`network_isolation` probes it.
:func:`limit_memory` caps the process's address space (RLIMIT_AS).
"""

from __future__ import annotations

import ctypes
import os
import resource
import subprocess
import sys
from functools import cache

CLONE_NEWNET = 0x40000000
CLONE_NEWUSER = 0x10000000


def _unshare(flags: int) -> None:
    if hasattr(os, "unshare"):  # Python 3.12+
        os.unshare(flags)
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(ctypes.c_int(flags)) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, os.strerror(errno))


def isolate_network() -> str | None:
    """Cut this process off from every network; None on success, else the reason it failed."""
    if not sys.platform.startswith("linux"):
        return f"network namespaces need Linux, not {sys.platform}"
    reasons = []
    for flags in (CLONE_NEWNET, CLONE_NEWUSER | CLONE_NEWNET):
        try:
            _unshare(flags)
            return None
        except OSError as exc:
            reasons.append(str(exc))
    return "unshare(CLONE_NEWNET) failed: " + "; ".join(reasons)


_PROBE = "from akgraph.store.sandbox import isolate_network as i; import sys; sys.exit(i() or 0)"


@cache
def network_isolation() -> str | None:
    """Whether :func:`isolate_network` works here (tried in a child process): None if it
    does, else the reason."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", _PROBE], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return str(exc)
    return None if done.returncode == 0 else (done.stderr.strip() or "unshare failed")


def default_memory(workers: int) -> int:
    """A per-worker memory budget sized for this machine: a quarter of the physical memory
    shared by the workers (and the pages' own worker), between 256 MiB and 2 GiB."""
    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        physical = 4 << 30
    return max(256 << 20, min(2 << 30, physical // (4 * (workers + 1))))


def address_space() -> int:
    """Bytes of address space this process uses now (VmSize)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def limit_memory(budget: int) -> None:
    """Allow this process ``budget`` bytes of address space beyond what it uses now."""
    limit = address_space() + budget
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
