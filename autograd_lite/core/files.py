"""The package's file writes and reads: atomic replacement and bounded reads of regular files.

:func:`write_atomically` is how every file the package writes (model files, drawings, step
pages) reaches the disk: the bytes go to a new file with a unique random name in the
target's directory, created exclusively (``O_CREAT | O_EXCL``: a symlink or file planted at
that name is never followed or overwritten), flushed and ``fsync``-ed, then renamed over the
target with ``os.replace``.  A reader sees the old file or the new one, never a mixture;
concurrent writers each publish a complete file (the last rename wins); on any error the
temporary file is removed.  A symlink *at the target* is replaced, not followed.

:func:`read_bounded` reads a user-given path only if it is a regular file (not a device such
as ``/dev/zero``, a FIFO or a directory, even behind a symlink), and never more than
``limit + 1`` bytes, whatever ``stat`` claims.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from pathlib import Path

_WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
_NAME_ATTEMPTS = 100


class NotRegularFileError(OSError):
    """A path names something other than a regular file (a device, FIFO, socket, directory)."""


def temporary_name(target: Path) -> Path:
    """A fresh name beside ``target``: ``.<name>.<16 random hex digits>.tmp``.

    Examples:
        >>> from pathlib import Path
        >>> name = temporary_name(Path("models/net.json"))
        >>> name.parent == Path("models"), name.name.startswith(".net.json."), len(name.name)
        (True, True, 30)
    """
    return target.with_name(f".{target.name}.{secrets.token_hex(8)}.tmp")


def write_atomically(target: Path, data: bytes) -> None:
    """Replace ``target`` by a file holding ``data``, all at once (see the module docstring).

    The new file has the permissions a plain ``open(target, "wb")`` would create
    (``0o666`` less the umask).

    Raises:
        OSError: the directory is missing or not writable, the disk is full, ...; its
            ``filename`` is ``target`` (not the temporary name), the target is unchanged
            and no temporary file is left.

    Examples:
        >>> import os, tempfile
        >>> from pathlib import Path
        >>> directory = Path(tempfile.mkdtemp())
        >>> write_atomically(directory / "a.txt", b"one")
        >>> write_atomically(directory / "a.txt", b"two")
        >>> (directory / "a.txt").read_bytes(), os.listdir(directory)
        (b'two', ['a.txt'])
    """
    try:
        fd, temporary = _create_exclusively(target)
    except OSError as e:
        raise _naming(e, target) from None
    try:
        with open(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(e, OSError):
            raise _naming(e, target) from None
        raise


def _naming(error: OSError, target: Path) -> OSError:
    """``error`` again, of its type and errno, naming ``target`` alone."""
    return type(error)(error.errno, error.strerror or str(error), str(target))


def _create_exclusively(target: Path) -> tuple[int, Path]:
    """A new file beside ``target``, opened for writing; ``O_EXCL`` never reuses a name."""
    for _ in range(_NAME_ATTEMPTS - 1):
        temporary = temporary_name(target)
        try:
            return os.open(temporary, _WRITE_FLAGS, 0o666), temporary
        except FileExistsError:  # planted (a clash by chance is 2**-64): take another name
            continue
    temporary = temporary_name(target)
    return os.open(temporary, _WRITE_FLAGS, 0o666), temporary


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of the regular file ``path``: at most ``limit + 1`` of them are read.

    A caller refuses the file when the result is longer than ``limit`` (it grew past the
    limit, or ``stat`` under-reports it).  Opening never blocks (``O_NONBLOCK``, so a FIFO
    is refused instead of waited on).

    Raises:
        IsADirectoryError: ``path`` is a directory.
        NotRegularFileError: ``path`` (after symlinks) is a device, FIFO or socket; its
            ``strerror`` says which.
        OSError: it cannot be opened or read.

    Examples:
        >>> import os, tempfile
        >>> from pathlib import Path
        >>> path = Path(tempfile.mkdtemp(), "big.txt")
        >>> _ = path.write_bytes(b"x" * 100)
        >>> len(read_bounded(path, 10))           # 11: one byte past the limit, no more
        11
        >>> try:
        ...     read_bounded(Path(os.devnull), 10)
        ... except NotRegularFileError as error:
        ...     print(error.strerror)
        not a regular file (a character device)
    """
    fd = os.open(path, _READ_FLAGS)
    with open(fd, "rb") as file:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        kind = _kind(mode)
        if kind is not None:
            raise NotRegularFileError(0, f"not a regular file ({kind})", str(path))
        return file.read(limit + 1)


def _kind(mode: int) -> str | None:
    """What a non-regular file is, in words (``None`` for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    kinds = [(stat.S_ISCHR, "a character device"),
             (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a FIFO"),
             (stat.S_ISSOCK, "a socket")]
    return next((word for test, word in kinds if test(mode)), "an unusual file")


__all__ = ["NotRegularFileError", "read_bounded", "temporary_name", "write_atomically"]
