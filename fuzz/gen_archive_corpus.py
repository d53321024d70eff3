#!/usr/bin/python3
"""Writes the seed corpus of fuzz_archive (fuzz/corpus/archive): tiny zips, jars, tars
(plain, gzip, bzip2, xz), a lone gzip stream, a nested zip, traversal and link entries, a
class file with a string constant and a few encoded blobs as plain text. Run from the
repository root; the files are committed, so this is only needed to change them."""
import base64
import bz2
import gzip
import io
import lzma
import os
import struct
import tarfile
import zipfile

OUT = "fuzz/corpus/archive"
KEY = "AKIAIOSFODNN7EXAMPLQ"


def zip_bytes(entries, method=zipfile.ZIP_DEFLATED):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", method) as z:
        for name, data in entries:
            z.writestr(name, data)
    return b.getvalue()


def tar_bytes(entries, mode="w"):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode=mode) as t:
        for name, data, kind in entries:
            ti = tarfile.TarInfo(name)
            if kind == "link":
                ti.type = tarfile.SYMTYPE
                ti.linkname = data
                t.addfile(ti)
            elif kind == "hard":
                ti.type = tarfile.LNKTYPE
                ti.linkname = data
                t.addfile(ti)
            else:
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
    return b.getvalue()


def class_file(strings):
    pool = b""
    for s in strings:
        e = s.encode()
        pool += b"\x01" + struct.pack(">H", len(e)) + e
    pool += b"\x08\x00\x02"  # String -> #2
    count = len(strings) + 2
    return b"\xca\xfe\xba\xbe\x00\x00\x00\x34" + struct.pack(">H", count) + pool + b"\x00\x21"


def main():
    os.makedirs(OUT, exist_ok=True)
    text = f"aws_access_key_id = {KEY}\npassword = \"hunter2hunter2\"\n".encode()
    inner = zip_bytes([("conf/app.properties", text)])
    files = {
        "plain.zip": zip_bytes([("a.txt", text)]),
        "stored.zip": zip_bytes([("a.txt", text)], zipfile.ZIP_STORED),
        "nested.zip": zip_bytes([("lib/inner.jar", inner), ("readme.txt", b"hello\n")]),
        "traversal.zip": zip_bytes([("../../etc/passwd", text), ("/abs/path.txt", text), ("a\\..\\..\\b.txt", text)]),
        "class.jar": zip_bytes([("com/x/Config.class", class_file(["Config", KEY]))]),
        "dex.apk": zip_bytes([("classes.dex", b"dex\n035\x00" + b"\x00" * 8 + KEY.encode() + b"\x00")]),
        "plain.tar": tar_bytes([("dir/a.txt", text, "file"), ("dir/link", "/etc/passwd", "link"),
                                ("dir/hard", "dir/a.txt", "hard")]),
        "plain.tar.gz": tar_bytes([("a.txt", text, "file")], "w:gz"),
        "plain.tar.bz2": tar_bytes([("a.txt", text, "file")], "w:bz2"),
        "plain.tar.xz": tar_bytes([("a.txt", text, "file")], "w:xz"),
        "lone.gz": gzip.compress(text),
        "lone.bz2": bz2.compress(text),
        "lone.xz": lzma.compress(text),
        "gz-in-zip.zip": zip_bytes([("logs/app.log.gz", gzip.compress(text))]),
        "encoded.txt": (b"b64: " + base64.b64encode(text) + b"\nhex: " + text.hex().encode() +
                        b"\npct: u%3D" + KEY.encode() + b"%26p%3Dx%20y\n"),
        "empty.zip": zip_bytes([]),
    }
    for name, data in files.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
