"""Make a producer's PDF byte-stable: fixed dates, a content-derived /ID (and LibreOffice's
/DocChecksum).

Every edit keeps the byte length, so the cross-reference table stays valid.
"""
import hashlib
import re

DATE_RE = re.compile(rb"(/(?:CreationDate|ModDate)\s*\(D:)(\d{4,14})")
XMP_DATE_RE = re.compile(rb"(<xmp:(?:CreateDate|ModifyDate|MetadataDate)>)(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)")
ID_RE = re.compile(rb"(/ID\s*\[\s*<)([0-9A-Fa-f]+)(>\s*<)([0-9A-Fa-f]+)(>)")
CHK_RE = re.compile(rb"(/DocChecksum\s*/)([0-9A-Fa-f]+)")     # LibreOffice
FIXED = b"20240101000000"


def normalize(path):
    with open(path, "rb") as f:
        data = f.read()
    data = DATE_RE.sub(lambda m: m.group(1) + FIXED[:len(m.group(2))], data)
    data = XMP_DATE_RE.sub(lambda m: m.group(1) + b"2024-01-01T00:00:00", data)
    blank = ID_RE.sub(lambda m: m.group(1) + b"0" * len(m.group(2)) + m.group(3)
                      + b"0" * len(m.group(4)) + m.group(5), data)
    blank = CHK_RE.sub(lambda m: m.group(1) + b"0" * len(m.group(2)), blank)
    digest = hashlib.md5(blank).hexdigest().upper().encode()

    def fix_id(m):
        a = (digest * 4)[:len(m.group(2))]
        b = (digest * 4)[:len(m.group(4))]
        return m.group(1) + a + m.group(3) + b + m.group(5)
    data = ID_RE.sub(fix_id, blank)
    data = CHK_RE.sub(lambda m: m.group(1) + (digest * 4)[:len(m.group(2))], data)
    with open(path, "wb") as f:
        f.write(data)
