#!/usr/bin/env python3
"""Write a gzip-compressed cpio archive in the kernel's "newc" format
(the initramfs format, Linux's Documentation/driver-api/early-userspace/
buffer-format.rst) from a list of entries, without root: owners, modes
and device numbers come from the list, not from the file system.

Usage: tools/mkinitramfs.py OUT.cpio.gz LIST

Each line of LIST is one entry (blank lines and # comments are skipped):
    dir   PATH MODE
    file  PATH MODE SOURCE
    slink PATH MODE TARGET
    nod   PATH MODE c|b MAJOR MINOR
MODE is octal permission bits; every entry is owned by 0:0."""
import gzip, stat, sys

KINDS = {"dir": stat.S_IFDIR, "file": stat.S_IFREG, "slink": stat.S_IFLNK, "nod": 0}


def header(ino, mode, nlink, size, rmaj, rmin, name):
    """One newc header and its name, padded to 4 bytes: 13 fields of eight
    hex digits after the magic 070701 (the format's definition)."""
    fields = [ino, mode, 0, 0, nlink, 0, size, 0, 0, rmaj, rmin, len(name) + 1, 0]
    h = b"070701" + b"".join(b"%08X" % f for f in fields) + name + b"\0"
    return h + pad(len(h))


def pad(n):
    return b"\0" * (-n % 4)


def entry(ino, words):
    kind, path = words[0], words[1].lstrip("/").encode()
    if kind not in KINDS or len(words) < 3:
        raise ValueError(f"bad entry: {' '.join(words)}")
    perm = int(words[2], 8)
    data, rmaj, rmin, mode = b"", 0, 0, KINDS[kind] | perm
    if kind == "file":
        with open(words[3], "rb") as f:
            data = f.read()
    elif kind == "slink":
        data = words[3].encode()
    elif kind == "nod":
        mode = (stat.S_IFCHR if words[3] == "c" else stat.S_IFBLK) | perm
        rmaj, rmin = int(words[4]), int(words[5])
    nlink = 2 if kind == "dir" else 1
    return header(ino, mode, nlink, len(data), rmaj, rmin, path) + data + pad(len(data))


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        print("usage: tools/mkinitramfs.py OUT.cpio.gz LIST", file=sys.stderr)
        return 2
    out = []
    with open(sys.argv[2]) as f:
        lines = [l.split() for l in f if l.strip() and not l.lstrip().startswith("#")]
    for ino, words in enumerate(lines, start=1):
        out.append(entry(ino, words))
    out.append(header(0, 0, 1, 0, 0, 0, b"TRAILER!!!"))
    body = b"".join(out)
    body += pad(len(body))
    with gzip.open(sys.argv[1], "wb", compresslevel=9) as g:
        g.write(body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
