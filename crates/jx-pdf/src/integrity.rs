//! Is a file's cross-reference structure intact? hayro does not say: when the
//! table at `startxref` cannot be read it rebuilds one by scanning the file
//! for `N G obj`, and when an entry points at the wrong place it does the same
//! lazily, both silently (its `XRef::repaired` flag is private). A damaged
//! file read that way must be reported as such, so this module checks the
//! structure itself, on the bytes, cheaply (one pass over the xref entries,
//! a few bytes read at each object's offset):
//!
//! * the file ends with `%%EOF` (within its last kB) — else it was cut short;
//! * `startxref` points at a classic table (`xref`) or a cross-reference
//!   stream (`/Type /XRef`), and so does every `/Prev` and `/XRefStm`, with no
//!   loop;
//! * every in-use entry points at `N G obj` with its own number.
//!
//! [`xref_damage`] returns the first problem found, typed ([`XrefDamage`]).

use crate::PdfError;
use crate::guard::{find, rfind};
use flate2::bufread::{DeflateDecoder, ZlibDecoder};
use hayro_interpret::hayro_syntax::Filter;
use hayro_interpret::hayro_syntax::Pdf;
use hayro_interpret::hayro_syntax::object::{Array, Stream};
use hayro_interpret::hayro_syntax::page::Page;
use std::collections::HashSet;
use std::io::Read;

/// Whether a page's content streams are intact; see
/// [`crate::PdfFile::page_content_damage`].
pub(crate) fn page_content_damage(
    page: &Page<'_>,
    number: u32,
) -> Result<Option<&'static str>, PdfError> {
    let raw = page.raw();
    if !raw.contains_key(b"Contents") {
        return Ok(None);
    }
    let lost = |what| Err(PdfError::ContentUnreadable { page: number, what });
    let streams: Vec<Stream<'_>> = if let Some(s) = raw.get::<Stream<'_>>(b"Contents") {
        vec![s]
    } else if let Some(a) = raw.get::<Array<'_>>(b"Contents") {
        let streams: Vec<Stream<'_>> = a.iter::<Stream<'_>>().collect();
        let listed = a.raw_iter().count();
        if streams.is_empty() && listed > 0 {
            return lost("is missing");
        }
        if streams.len() < listed {
            return Ok(Some("is partly missing"));
        }
        streams
    } else {
        return lost("is missing");
    };
    if streams.is_empty() {
        return Ok(None);
    }
    let checks: Vec<StreamCheck> = streams.iter().map(check_stream).collect();
    let decodable = checks
        .iter()
        .filter(|c| **c != StreamCheck::Undecodable)
        .count();
    if decodable == 0 {
        return lost("could not be decoded");
    }
    if decodable < streams.len() {
        return Ok(Some("could be decoded only in part"));
    }
    let damaged = checks.contains(&StreamCheck::Damaged);
    Ok(damaged.then_some("is damaged and was read only as far as it goes"))
}

/// What [`check_stream`] found of one content stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StreamCheck {
    /// hayro decodes it whole.
    Intact,
    /// hayro decodes it, but only as far as a damaged Flate stream goes.
    Damaged,
    /// hayro cannot decode it.
    Undecodable,
}

/// Whether hayro can decode a content stream, and whether all of it.
///
/// hayro falls back to a lenient inflater that returns what it can of a
/// damaged Flate stream; a strict inflate says whether anything was lost.
/// A plain Flate stream (no decode parameters, no external file) that
/// inflates strictly is one hayro decodes too (its first attempt is the
/// same strict inflate), so it is not decoded a second time here, whole into
/// memory, only for the interpreter to decode it once more (inflating was
/// about 4 % of the CPU time of a printed page, measured with `perf`).
fn check_stream(s: &Stream<'_>) -> StreamCheck {
    let plain_flate = s.filters().as_slice() == [Filter::FlateDecode];
    let dict = s.dict();
    let plain = plain_flate
        && [&b"DecodeParms"[..], b"DP", b"F"]
            .iter()
            .all(|k| !dict.contains_key(*k));
    let clean = plain_flate.then(|| inflates_cleanly(&s.raw_data()));
    match clean {
        Some(true) if plain => StreamCheck::Intact,
        _ if s.decoded().is_err() => StreamCheck::Undecodable,
        Some(false) => StreamCheck::Damaged,
        _ => StreamCheck::Intact,
    }
}

fn inflates_cleanly(raw: &[u8]) -> bool {
    let mut sink = std::io::sink();
    let zlib = raw.len() >= 2
        && raw[0] & 0x0f == 8
        && (u16::from(raw[0]) << 8 | u16::from(raw[1])) % 31 == 0;
    if zlib {
        std::io::copy(&mut ZlibDecoder::new(raw), &mut sink).is_ok()
    } else {
        std::io::copy(&mut DeflateDecoder::new(raw), &mut sink).is_ok()
    }
}

/// Page-tree nodes walked before giving up (a tree this big is a bomb).
const MAX_TREE_NODES: usize = 200_000;

/// What is wrong with the page tree, if anything. hayro walks the tree
/// skipping any node it has already seen, so a `Pages` node listed among
/// its own (or a descendant's) `Kids` is silently cut off there — and a
/// file whose tree loops before its first page reads as empty. This walks
/// the tree from the catalog itself and says what was found: a cycle, a
/// kid that does not resolve, or fewer pages than `/Count` promises.
///
/// Kept as one function of 81 lines: one walk whose stack, seen-set and
/// three findings share their state; split, each part would take it all.
pub(crate) fn page_tree_damage(pdf: &Pdf, pages_read: usize) -> Option<String> {
    use hayro_interpret::hayro_syntax::object::{Dict, MaybeRef, Name, Object, ObjectIdentifier};
    let xref = pdf.xref();
    let root: Dict<'_> = xref.get(xref.root_id())?;
    let tree_ref = root.get_ref(b"Pages")?;
    let tree: Dict<'_> = xref.get(tree_ref.into())?;
    let promised = tree.get::<i64>(b"Count");
    let mut problems: Vec<String> = Vec::new();
    let mut leaves = 0usize;
    let mut seen: HashSet<ObjectIdentifier> = HashSet::new();
    // Depth-first, with the chain of ancestors to tell a cycle from a node
    // shared by two parents.
    let mut stack: Vec<(Dict<'_>, Vec<ObjectIdentifier>)> = vec![(tree, vec![tree_ref.into()])];
    seen.insert(tree_ref.into());
    while let Some((node, path)) = stack.pop() {
        if seen.len() > MAX_TREE_NODES {
            problems.push("the page tree is too large to walk".into());
            break;
        }
        let Some(kids) = node.get::<Array<'_>>(b"Kids") else {
            problems.push(format!(
                "page tree node {} has no /Kids",
                path.last().map_or(0, |i| i.obj_number)
            ));
            continue;
        };
        let mut children = Vec::new();
        for kid in kids.raw_iter() {
            let (dict, id): (Option<Dict<'_>>, Option<ObjectIdentifier>) = match kid {
                MaybeRef::Ref(r) => {
                    let id: ObjectIdentifier = r.into();
                    if path.contains(&id) {
                        problems.push(format!(
                            "the page tree has a cycle (node {} is listed among its own kids); the pages below it were read once",
                            id.obj_number
                        ));
                        continue;
                    }
                    if !seen.insert(id) {
                        problems.push(format!("page tree node {} is listed twice", id.obj_number));
                        continue;
                    }
                    (xref.get::<Dict<'_>>(id), Some(id))
                }
                MaybeRef::NotRef(o) => (Object::into_dict(o), None),
            };
            let Some(dict) = dict else {
                problems.push(format!(
                    "a page tree kid{} does not resolve to a page",
                    id.map_or(String::new(), |i| format!(" ({} 0 R)", i.obj_number))
                ));
                continue;
            };
            if dict.get::<Name<'_>>(b"Type").as_deref() == Some(b"Pages".as_slice()) {
                let mut p = path.clone();
                p.extend(id);
                children.push((dict, p));
            } else {
                leaves += 1;
            }
        }
        stack.extend(children.into_iter().rev());
    }
    if problems.is_empty() && promised.is_some_and(|c| c != leaves as i64) && pages_read < leaves {
        problems.push(format!(
            "the page tree holds {leaves} page(s) but /Count says {}",
            promised.unwrap_or(0)
        ));
    }
    if problems.is_empty() {
        return None;
    }
    problems.dedup();
    let lost = match promised {
        Some(c) if c > pages_read as i64 => {
            format!(" ({pages_read} of the {c} page(s) its /Count promises were read)")
        }
        _ => format!(" ({pages_read} page(s) read)"),
    };
    Some(format!("{}{lost}", problems.join("; ")))
}

/// Sections followed through `/Prev` before giving up.
const MAX_SECTIONS: usize = 256;
/// Largest decoded cross-reference stream looked at (bytes).
const MAX_XREF_STREAM: u64 = 64 << 20;

/// What is wrong with a file's cross-reference structure. hayro rebuilds a
/// broken table silently by scanning the file; this says what it had to
/// rebuild, for the manifest (`xref_damaged`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XrefDamage {
    #[error("the file is cut short (no %%EOF at its end)")]
    CutShort,
    #[error("no startxref: the cross-reference table cannot be found")]
    NoStartxref,
    #[error("startxref gives no valid offset")]
    BadStartxref,
    #[error("the chain of cross-reference sections loops")]
    SectionsLoop,
    #[error("the cross-reference table is not where the file says (byte {0})")]
    Misplaced(usize),
    #[error("the cross-reference table is malformed")]
    TableMalformed,
    #[error("the cross-reference stream is malformed")]
    StreamMalformed,
    #[error("the cross-reference stream is cut short")]
    StreamCutShort,
    #[error("object {0} is not where the cross-reference table says")]
    ObjectMisplaced(i64),
}

/// What is wrong with the file's cross-reference structure, if anything.
pub fn xref_damage(data: &[u8]) -> Option<XrefDamage> {
    let tail = &data[data.len().saturating_sub(1024)..];
    if find(tail, b"%%EOF", 0).is_none() {
        return Some(XrefDamage::CutShort);
    }
    let Some(sx) = rfind(data, b"startxref") else {
        return Some(XrefDamage::NoStartxref);
    };
    let Some(first) = int_at(data, sx + b"startxref".len()).and_then(|(v, _)| offset(v, data))
    else {
        return Some(XrefDamage::BadStartxref);
    };
    let mut seen = HashSet::new();
    let mut todo = vec![first];
    while let Some(off) = todo.pop() {
        if !seen.insert(off) || seen.len() > MAX_SECTIONS {
            return Some(XrefDamage::SectionsLoop);
        }
        match section(data, off) {
            Ok(next) => todo.extend(next),
            Err(e) => return Some(e),
        }
    }
    None
}

fn offset(v: i64, data: &[u8]) -> Option<usize> {
    usize::try_from(v).ok().filter(|o| *o < data.len())
}

/// Checks the section at `off`; returns the offsets of the sections it
/// refers to (`/Prev`, `/XRefStm`).
fn section(data: &[u8], off: usize) -> Result<Vec<usize>, XrefDamage> {
    let p = skip_ws(data, off);
    if data[p..].starts_with(b"xref") {
        return classic(data, p + 4);
    }
    if let Some((_, _, body)) = object_header(data, p) {
        let end = find(data, b"stream", body).unwrap_or(data.len());
        let dict = &data[body..end.min(body + 4096)];
        if has_key(dict, b"/XRef") {
            return xref_stream(data, dict, end);
        }
    }
    Err(XrefDamage::Misplaced(off))
}

/// A classic table: subsections of 20-byte entries, then `trailer`.
fn classic(data: &[u8], mut p: usize) -> Result<Vec<usize>, XrefDamage> {
    let malformed = || XrefDamage::TableMalformed;
    loop {
        p = skip_ws(data, p);
        if data[p..].starts_with(b"trailer") {
            let t = &data[p..(p + 4096).min(data.len())];
            let t = &t[..find(t, b"startxref", 0).unwrap_or(t.len())];
            let mut next = Vec::new();
            for key in [&b"/Prev"[..], b"/XRefStm"] {
                if let Some(v) = int_after(t, key) {
                    next.push(offset(v, data).ok_or_else(malformed)?);
                }
            }
            return Ok(next);
        }
        let (start, q) = int_at(data, p).ok_or_else(malformed)?;
        let (count, q) = int_at(data, q).ok_or_else(malformed)?;
        p = q;
        for i in 0..count.max(0) {
            let (off, q) = int_at(data, p).ok_or_else(malformed)?;
            let (_gen, q) = int_at(data, q).ok_or_else(malformed)?;
            let q = skip_ws(data, q);
            let kind = *data.get(q).ok_or_else(malformed)?;
            p = q + 1;
            let num = start + i;
            if kind == b'n' && num != 0 {
                check_object(data, off, num)?;
            } else if kind != b'n' && kind != b'f' {
                return Err(malformed());
            }
        }
    }
}

/// A cross-reference stream: `/W`, `/Index`, Flate with a PNG predictor.
fn xref_stream(data: &[u8], dict: &[u8], stream_kw: usize) -> Result<Vec<usize>, XrefDamage> {
    let malformed = || XrefDamage::StreamMalformed;
    let mut next = Vec::new();
    if let Some(v) = int_after(dict, b"/Prev") {
        next.push(offset(v, data).ok_or_else(malformed)?);
    }
    let w = ints_after(dict, b"/W").ok_or_else(malformed)?;
    if w.len() != 3 || w.iter().any(|x| !(0..=8).contains(x)) {
        return Err(malformed());
    }
    let (w0, w1, w2) = (w[0] as usize, w[1] as usize, w[2] as usize);
    let row = w0 + w1 + w2;
    if row == 0 {
        return Err(malformed());
    }
    let size = int_after(dict, b"/Size").ok_or_else(malformed)?;
    let index = ints_after(dict, b"/Index").unwrap_or_else(|| vec![0, size]);
    let Some(start) = stream_data_start(data, stream_kw) else {
        return Err(malformed());
    };
    let end = find(data, b"endstream", start).unwrap_or(data.len());
    let raw = &data[start..end];
    let flate = find(dict, b"/FlateDecode", 0).is_some() || find(dict, b"/Fl", 0).is_some();
    let mut decoded = Vec::new();
    if flate {
        // A stream cut short still gives its first rows: check those.
        let _ = ZlibDecoder::new(raw)
            .take(MAX_XREF_STREAM)
            .read_to_end(&mut decoded);
    } else {
        decoded.extend_from_slice(raw);
    }
    let predictor = int_after(dict, b"/Predictor").unwrap_or(1);
    let rows = if predictor >= 10 {
        let columns = int_after(dict, b"/Columns").unwrap_or(1).max(1) as usize;
        if columns != row {
            return Err(malformed());
        }
        unpredict_png(&decoded, columns)
    } else {
        decoded
    };
    let be = |b: &[u8]| b.iter().fold(0i64, |a, x| a << 8 | i64::from(*x));
    let mut entries = rows.chunks_exact(row);
    for pair in index.chunks(2) {
        let [first, count] = pair else {
            return Err(malformed());
        };
        for i in 0..(*count).max(0) {
            let Some(e) = entries.next() else {
                return Err(XrefDamage::StreamCutShort);
            };
            let kind = if w0 == 0 { 1 } else { be(&e[..w0]) };
            if kind == 1 && first + i != 0 {
                check_object(data, be(&e[w0..w0 + w1]), first + i)?;
            }
        }
    }
    Ok(next)
}

/// Reverses the PNG row predictors (each row starts with its filter byte).
fn unpredict_png(data: &[u8], columns: usize) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::with_capacity(data.len());
    let mut prev = vec![0u8; columns];
    for chunk in data.chunks_exact(columns + 1) {
        let (kind, row) = (chunk[0], &chunk[1..]);
        let mut cur = vec![0u8; columns];
        for i in 0..columns {
            let left = if i > 0 { cur[i - 1] } else { 0 };
            let up = prev[i];
            let up_left = if i > 0 { prev[i - 1] } else { 0 };
            cur[i] = match kind {
                1 => row[i].wrapping_add(left),
                2 => row[i].wrapping_add(up),
                3 => row[i].wrapping_add(((u16::from(left) + u16::from(up)) / 2) as u8),
                4 => row[i].wrapping_add(paeth(left, up, up_left)),
                _ => row[i],
            };
        }
        out.extend_from_slice(&cur);
        prev = cur;
    }
    out
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = i16::from(a) + i16::from(b) - i16::from(c);
    let (pa, pb, pc) = (
        (p - i16::from(a)).abs(),
        (p - i16::from(b)).abs(),
        (p - i16::from(c)).abs(),
    );
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

/// The object numbered `num` must start at `off`.
fn check_object(data: &[u8], off: i64, num: i64) -> Result<(), XrefDamage> {
    let ok = offset(off, data)
        .and_then(|o| object_header(data, o))
        .is_some_and(|(n, _, _)| n == num);
    if ok {
        Ok(())
    } else {
        Err(XrefDamage::ObjectMisplaced(num))
    }
}

/// `N G obj` at `p` (white space before it tolerated): number, generation
/// and where the object's body starts.
fn object_header(data: &[u8], p: usize) -> Option<(i64, i64, usize)> {
    let (n, q) = int_at(data, p)?;
    let (g, q) = int_at(data, q)?;
    let q = skip_ws(data, q);
    data[q..].starts_with(b"obj").then_some((n, g, q + 3))
}

fn stream_data_start(data: &[u8], kw: usize) -> Option<usize> {
    let p = kw + b"stream".len();
    match data.get(p) {
        Some(b'\r') if data.get(p + 1) == Some(&b'\n') => Some(p + 2),
        Some(b'\r' | b'\n') => Some(p + 1),
        _ => None,
    }
}

fn skip_ws(data: &[u8], mut p: usize) -> usize {
    while p < data.len() && (data[p].is_ascii_whitespace() || data[p] == 0) {
        p += 1;
    }
    p
}

/// An unsigned integer at `p` (after white space), and where it ends.
fn int_at(data: &[u8], p: usize) -> Option<(i64, usize)> {
    let p = skip_ws(data, p);
    let digits = data[p..].iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 18 {
        return None;
    }
    let v = std::str::from_utf8(&data[p..p + digits])
        .ok()?
        .parse()
        .ok()?;
    Some((v, p + digits))
}

/// Where `key` occurs as a whole name in `dict`.
fn key_pos(dict: &[u8], key: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(p) = find(dict, key, from) {
        let after = dict.get(p + key.len()).copied().unwrap_or(b' ');
        if after.is_ascii_whitespace() || b"[]<>()/%".contains(&after) {
            return Some(p + key.len());
        }
        from = p + 1;
    }
    None
}

fn has_key(dict: &[u8], key: &[u8]) -> bool {
    key_pos(dict, key).is_some()
}

fn int_after(dict: &[u8], key: &[u8]) -> Option<i64> {
    int_at(dict, key_pos(dict, key)?).map(|(v, _)| v)
}

fn ints_after(dict: &[u8], key: &[u8]) -> Option<Vec<i64>> {
    let mut p = skip_ws(dict, key_pos(dict, key)?);
    if dict.get(p) != Some(&b'[') {
        return None;
    }
    p += 1;
    let mut v = Vec::new();
    while let Some((x, q)) = int_at(dict, p) {
        v.push(x);
        p = q;
    }
    (dict.get(skip_ws(dict, p)) == Some(&b']')).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A classic-table PDF with the given objects.
    fn pdf(objects: &[&str]) -> Vec<u8> {
        let objects: Vec<String> = objects.iter().map(|o| o.to_string()).collect();
        crate::testing::build(&objects)
    }

    fn sample() -> Vec<u8> {
        pdf(&[
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        ])
    }

    #[test]
    fn an_intact_table_has_no_damage() {
        assert_eq!(xref_damage(&sample()), None);
    }

    #[test]
    fn a_cut_file_a_wrong_startxref_and_shifted_objects_are_damage() {
        let good = sample();
        let cut = &good[..good.len() - 30];
        assert_eq!(xref_damage(cut), Some(XrefDamage::CutShort));

        let text = String::from_utf8(good.clone()).unwrap();
        let wrong = text.replace(
            &format!("startxref\n{}", text.rfind("xref\n0").unwrap()),
            "startxref\n20",
        );
        assert_eq!(
            xref_damage(wrong.as_bytes()),
            Some(XrefDamage::Misplaced(20))
        );

        // Objects shifted by 9 bytes, startxref (to the table) kept right.
        let xref = text.rfind("xref\n0").unwrap();
        let shifted = text
            .replacen("%PDF-1.7\n", "%PDF-1.7\n%padding\n", 1)
            .replace(
                &format!("startxref\n{xref}"),
                &format!("startxref\n{}", xref + 9),
            );
        let d = xref_damage(shifted.as_bytes()).unwrap();
        assert_eq!(d, XrefDamage::ObjectMisplaced(1));
        assert!(d.to_string().contains("object 1 is not where"), "{d}");
    }

    #[test]
    fn a_prev_loop_is_damage() {
        let text = String::from_utf8(sample()).unwrap();
        let xref = text.rfind("xref\n0").unwrap();
        let looped = text.replace("/Root 1 0 R", &format!("/Root 1 0 R /Prev {xref}"));
        assert_eq!(
            xref_damage(looped.as_bytes()),
            Some(XrefDamage::SectionsLoop)
        );
    }

    #[test]
    fn png_up_rows_are_undone() {
        // Two rows of 3 columns, filter 2 (Up).
        let data = [2, 1, 2, 3, 2, 1, 1, 1];
        assert_eq!(unpredict_png(&data, 3), vec![1, 2, 3, 2, 3, 4]);
    }
}
