"""Simulated scans: rasterize a printed sample, degrade it, optionally stamp a red round
seal, and pack one JPEG per page into an A4 PDF (written here, byte-stable).

Degradation per page (seeded, so a run is repeatable): paper tone, a small shift and a
rotation of 0.3-2 degrees, Gaussian blur, Gaussian noise and dark specks, JPEG compression.
Pages with a seal are colour (RGB); the others grayscale.

The held-out scans (gen-samples --heldout) set some of these by hand through `Knobs`:
a fixed rotation, heavier noise and more specks, more blur, uneven lighting (a shadow
falling across the page and darker corners), and where the seal goes.  Unset knobs keep
the drawings above, and the random numbers are drawn the same either way (the lighting's
are drawn after all the others, and only when it is set), so the scans of gen-samples and
the held-out scans without these knobs do not change.
"""
import io
import math
import subprocess
import tempfile
import os

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

A4_PT = (595.276, 841.89)


def _font_file(family):
    r = subprocess.run(["fc-match", "-f", "%{file}", family], capture_output=True, text=True)
    return r.stdout.strip()


def rasterize(pdf, dpi, workdir):
    stem = os.path.join(workdir, "pg")
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", pdf, stem], check=True)
    files = sorted(f for f in os.listdir(workdir) if f.startswith("pg") and f.endswith(".png"))
    return [Image.open(os.path.join(workdir, f)).convert("L") for f in files]


def label_boxes(pdf, page, label, dpi):
    """Pixel boxes of words equal to `label` on a page (pdftotext -bbox)."""
    r = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), pdf, "-"],
                       capture_output=True, text=True, check=True).stdout
    out = []
    import re
    for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', r):
        if label in m.group(5):
            s = dpi / 72.0
            out.append(tuple(float(m.group(k)) * s for k in range(1, 5)))
    return out


def make_seal(dpi, text, bottom, rng, font_file):
    """RGBA image of a red round seal: ring, org name on the upper arc, star, bottom line."""
    d = int(round(40 / 25.4 * dpi))
    img = Image.new("L", (d, d), 0)
    dr = ImageDraw.Draw(img)
    ring = max(3, int(d * 0.035))
    dr.ellipse([ring // 2, ring // 2, d - ring // 2 - 1, d - ring // 2 - 1], outline=255, width=ring)
    c = d / 2
    # star
    rs = d * 0.14
    pts = []
    for k in range(10):
        r = rs if k % 2 == 0 else rs * 0.4
        a = -math.pi / 2 + k * math.pi / 5
        pts.append((c + r * math.cos(a), c + r * math.sin(a)))
    dr.polygon(pts, fill=255)
    # name along the upper arc
    fs = int(d * 0.12)
    font = ImageFont.truetype(font_file, fs)
    n = len(text)
    span = min(250.0, 20.0 * n)          # degrees of arc used
    rad = c - ring - fs * 0.75
    for k, ch in enumerate(text):
        ang = -90 - span / 2 + span * (k + 0.5) / n        # degrees, 0 = right
        g = Image.new("L", (fs * 2, fs * 2), 0)
        ImageDraw.Draw(g).text((fs * 0.5, fs * 0.4), ch, fill=255, font=font)
        g = g.rotate(-(ang + 90), resample=Image.BICUBIC)
        x = c + rad * math.cos(math.radians(ang)) - fs
        y = c + rad * math.sin(math.radians(ang)) - fs
        img.paste(255, (int(x), int(y)), g)
    if bottom:
        bf = ImageFont.truetype(font_file, int(d * 0.085))
        w = dr.textlength(bottom, font=bf)
        dr.text((c - w / 2, c + d * 0.17), bottom, fill=255, font=bf)
    a = np.asarray(img, dtype=np.float32) / 255.0
    # uneven ink
    ink = 0.55 + 0.35 * rng.random(a.shape, dtype=np.float32)
    a = np.clip(a * ink, 0, 1)
    ang = rng.uniform(-25, 25)
    alpha = Image.fromarray((a * 255).astype(np.uint8)).rotate(ang, resample=Image.BICUBIC)
    return alpha


def stamp(rgb, alpha, cx, cy):
    """Multiply a red seal (alpha mask) into an RGB float array at centre (cx, cy)."""
    h, w = rgb.shape[:2]
    a = np.asarray(alpha, dtype=np.float32) / 255.0
    sh, sw = a.shape
    x0, y0 = int(cx - sw / 2), int(cy - sh / 2)
    xs, ys = max(0, x0), max(0, y0)
    xe, ye = min(w, x0 + sw), min(h, y0 + sh)
    if xe <= xs or ye <= ys:
        return
    aa = a[ys - y0:ye - y0, xs - x0:xe - x0][..., None]
    red = np.array([205, 32, 38], dtype=np.float32) / 255.0
    rgb[ys:ye, xs:xe] = rgb[ys:ye, xs:xe] * (1 - aa * (1 - red))


class Knobs:
    """Degradation settings a spec can fix (None: the seeded default draw).

    rotation_deg: the page's rotation in degrees (counter-clockwise positive),
    every page the same; noise_sigma: [lo, hi] of the Gaussian noise's sigma
    (default 4-7 gray levels); specks: [lo, hi] dark specks a page (default
    40-120); blur: [lo, hi] Gaussian blur radius at 200 dpi (default 0.45-0.8);
    lighting: [lo, hi] of how much darker the page's dark side is than its light side
    (0.3: 30 % darker; a linear shadow in a random direction, and corners darker by a
    third of that again), default none; seal_shift_mm: where the seal's centre is,
    in mm right of the default (22 mm right of the label it is put near), default 0."""

    def __init__(self, rotation_deg=None, noise_sigma=None, specks=None, blur=None,
                 lighting=None, seal_shift_mm=None):
        self.rotation_deg = rotation_deg
        self.noise_sigma = tuple(noise_sigma or (4.0, 7.0))
        self.specks = tuple(specks or (40, 120))
        self.blur = tuple(blur or (0.45, 0.8))
        self.lighting = tuple(lighting) if lighting else None
        self.seal_shift_mm = float(seal_shift_mm or 0.0)


def lighting_field(shape, rng, strength):
    """A multiplicative lighting field in (0, 1]: a linear shadow across the page in a
    random direction (1 on the light side, 1 - strength on the dark side) times a vignette
    that darkens the corners by strength / 3."""
    h, w = shape[:2]
    theta = rng.uniform(0, 2 * math.pi)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    xn, yn = x / w - 0.5, y / h - 0.5
    t = xn * math.cos(theta) + yn * math.sin(theta)
    t = (t - t.min()) / max(1e-6, float(t.max() - t.min()))
    r2 = (xn ** 2 + yn ** 2) / 0.5
    field = (1 - strength * t) * (1 - strength / 3 * r2)
    return field[..., None] if len(shape) == 3 else field


def degrade(img, dpi, rng, seal=None, knobs=None):
    """img: L image of a page. seal: None or (alpha, cx, cy). -> (PIL image, mode)."""
    knobs = knobs or Knobs()
    arr = np.asarray(img, dtype=np.float32)
    paper = rng.uniform(236, 246)
    arr = 22 + arr * (paper - 22) / 255.0
    if seal is not None:
        rgb = np.repeat(arr[..., None], 3, axis=2) / 255.0
        tint = np.array([1.0, 0.992, 0.975], dtype=np.float32)
        rgb *= tint
        stamp(rgb, *seal)
        im = Image.fromarray(np.clip(rgb * 255, 0, 255).astype(np.uint8), "RGB")
        fill = tuple(int(paper * t) for t in tint)
    else:
        im = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "L")
        fill = int(paper)
    angle = rng.uniform(0.3, 2.0) * rng.choice([-1.0, 1.0])
    if knobs.rotation_deg is not None:
        angle = float(knobs.rotation_deg)
    dx, dy = rng.uniform(-0.01, 0.01) * im.width, rng.uniform(-0.008, 0.008) * im.height
    im = im.rotate(angle, resample=Image.BICUBIC, translate=(dx, dy), fillcolor=fill)
    im = im.filter(ImageFilter.GaussianBlur(radius=rng.uniform(*knobs.blur) * dpi / 200))
    a = np.asarray(im, dtype=np.float32)
    a = a + rng.normal(0, rng.uniform(*knobs.noise_sigma), a.shape).astype(np.float32)
    # dust: a few dark specks
    n = int(rng.integers(knobs.specks[0], knobs.specks[1]))
    ys = rng.integers(0, a.shape[0], n)
    xs = rng.integers(0, a.shape[1], n)
    a[ys, xs] = a[ys, xs] * 0.3
    if knobs.lighting:
        a = a * lighting_field(a.shape, rng, rng.uniform(*knobs.lighting))
    im = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), im.mode)
    return im, angle


def dct_image(im, quality):
    """An image XObject's dictionary entries and its JPEG data."""
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=quality, optimize=True, dpi=(0, 0))
    cs = b"/DeviceRGB" if im.mode == "RGB" else b"/DeviceGray"
    return (b"/Width %d /Height %d /ColorSpace %s /BitsPerComponent 8 /Filter /DCTDecode"
            % (im.width, im.height, cs), buf.getvalue())


def write_pdf(images, out_path, quality, stamps=None, encode=None):
    """One image per page (DCT, or what `encode(im) -> (entries, data)` makes);
    no dates, so the bytes depend only on the images.

    `encode` may also be a list with one encoder per page (None there: DCT),
    for a volume whose pages were stored differently, as an archive's are when
    its form pages are grey JPEG and its tables 1-bit G4.  `images` may be
    any iterable (pages drawn one at a time) when `stamps` is None.

    A page is A4, portrait or landscape as its image is.  `stamps`, one list of
    text lines per page (or None), draws those lines in Helvetica over the
    image near the top: what an archive system prints on the scans it files."""
    def dct(im):
        return dct_image(im, quality)
    if isinstance(encode, (list, tuple)):
        encoders = [e or dct for e in encode]
    else:
        encoders = None
        encode = encode or dct
    objs = []

    def add(b):
        objs.append(b)
        return len(objs)
    add(b"")            # 1 catalog (filled later)
    add(b"")            # 2 pages
    kids = []
    font_id = None
    for k, im in enumerate(images):
        lines = (stamps[k] if stamps else None) or []
        if lines and font_id is None:
            font_id = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
                          b"/Encoding /WinAnsiEncoding >>")
        entries, data = (encoders[k] if encoders is not None else encode)(im)
        img_id = add(b"<< /Type /XObject /Subtype /Image %s /Length %d >>\nstream\n"
                     % (entries, len(data)) + data + b"\nendstream")
        size = A4_PT if im.height >= im.width else (A4_PT[1], A4_PT[0])
        content = b"q %.3f 0 0 %.3f 0 0 cm /Im0 Do Q" % size
        for n, line in enumerate(lines):
            text = line.encode("latin-1").replace(b"\\", b"\\\\").replace(b"(", b"\\(") \
                .replace(b")", b"\\)")
            content += b"\nBT /F1 9 Tf 36 %.1f Td (%s) Tj ET" % (size[1] - 24 - 12 * n, text)
        c_id = add(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        fonts = b" /Font << /F1 %d 0 R >>" % font_id if lines else b""
        p_id = add(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.3f %.3f] "
                   b"/Resources << /XObject << /Im0 %d 0 R >>%s >> /Contents %d 0 R >>"
                   % (size[0], size[1], img_id, fonts, c_id))
        kids.append(p_id)
    objs[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objs[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    info = add(b"<< /Producer (jxingest scripts/gen-samples scan simulation) >>")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offs = []
    for i, b in enumerate(objs, 1):
        offs.append(out.tell())
        out.write(b"%d 0 obj\n" % i + b + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for o in offs:
        out.write(b"%010d 00000 n \n" % o)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objs) + 1, info, xref))
    with open(out_path, "wb") as f:
        f.write(out.getvalue())


def make_scan(src_pdf, out_pdf, dpi, quality, seed, seal_pages=(), seal_text="", seal_bottom="",
              seal_near="实施单位", knobs=None):
    """-> list of (page, angle) applied.  seal_pages: 1-based pages that get a seal."""
    rng = np.random.default_rng(seed)
    font_file = _font_file("WenQuanYi Zen Hei")
    with tempfile.TemporaryDirectory(prefix="jx-scan-") as tmp:
        pages = rasterize(src_pdf, dpi, tmp)
    out, info = [], []
    for pno, img in enumerate(pages, 1):
        seal = None
        if pno in seal_pages:
            alpha = make_seal(dpi, seal_text, seal_bottom, rng, font_file)
            boxes = label_boxes(src_pdf, pno, seal_near, dpi)
            if boxes:
                x0, y0, x1, y1 = boxes[0]
                cx, cy = x1 + (40 / 25.4 * dpi) * 0.55, (y0 + y1) / 2 + rng.uniform(-30, 30)
                if knobs is not None:
                    cx += knobs.seal_shift_mm / 25.4 * dpi
            else:
                cx, cy = img.width * rng.uniform(0.55, 0.75), img.height * rng.uniform(0.3, 0.6)
            seal = (alpha, cx, cy)
        im, angle = degrade(img, dpi, rng, seal, knobs)
        out.append(im)
        info.append({"page": pno, "rotation_deg": round(angle, 2), "seal": seal is not None})
    write_pdf(out, out_pdf, quality)
    return info
