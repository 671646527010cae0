//! Resource guard run on a file's raw bytes before hayro parses anything:
//! no stream may inflate beyond [`PdfOptions::max_stream_bytes`], nor all of
//! them together beyond [`PdfOptions::max_inflated_bytes`].
//!
//! hayro inflates a stream whole, into one `Vec`, whenever something needs
//! it (object streams while opening, content streams, fonts, images), and has
//! no size limit: a 5 kB file holding a stream Flate-compressed twice
//! inflates to gigabytes (measured: 3.2 GB of memory and 8 s for the
//! `bomb-flate-double` case of `tests/hostile/`). So the bytes are scanned
//! first, lexically, for `stream … endstream`, and the filter chain of each
//! is read from the dictionary before it:
//!
//! * a stream whose worst-case inflated size (raw length × the largest ratio
//!   of each filter: Flate 1032, LZW 3500, RunLength 64, ASCII85 4) is within
//!   the limit is skipped without decoding — nearly every stream of a normal
//!   file, so the guard costs a scan of the bytes;
//! * otherwise its Flate stages (after any ASCIIHex/ASCII85 stage) are
//!   inflated in a streaming fashion into a counter, never into memory,
//!   stopping as soon as the limit is passed.
//!
//! What is not measured is left to the process's memory cap (see the CLI):
//! streams of encrypted files (their bytes are ciphertext here), LZW and
//! RunLength stages whose bound exceeds the limit, and streams whose filter
//! is an indirect object and whose bytes do not start like zlib data.

use crate::PdfError;
use flate2::bufread::{DeflateDecoder, ZlibDecoder};
use std::io::Read;

/// Largest inflation ratios of each filter (output bytes per input byte).
const FLATE_RATIO: f64 = 1032.0;
const LZW_RATIO: f64 = 3500.0;
const RUN_LENGTH_RATIO: f64 = 64.0;
const ASCII85_RATIO: f64 = 4.0;
/// How far before `stream` the object header is looked for.
const DICT_LOOKBACK: usize = 8192;

/// A stage of a stream's filter chain, as far as the guard cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Flate,
    Lzw,
    RunLength,
    Ascii85,
    AsciiHex,
    /// Image codecs and Crypt: their output is not inflated here (image
    /// sizes are checked against the declared pixel count elsewhere).
    Other,
}

/// Checks every stream of `data`; see the module documentation.
pub(crate) fn check_streams(data: &[u8], max_stream: u64, max_total: u64) -> Result<(), PdfError> {
    let mut total: u64 = 0;
    let mut pos = 0;
    while let Some(k) = find(data, b"stream", pos) {
        pos = k + b"stream".len();
        if k >= 3 && &data[k - 3..k] == b"end" {
            continue;
        }
        let Some(start) = data_start(data, pos) else {
            continue;
        };
        let dict = dict_before(data, k);
        let (end, confirmed) = stream_end(data, start, dict.and_then(direct_length));
        // Skip the data only when its /Length is confirmed by `endstream`:
        // in a damaged file the next `endstream` may lie beyond other
        // streams (found by fuzzing: a bomb hidden that way).
        if confirmed {
            pos = end.max(pos);
        }
        let raw = &data[start..end];
        let chain = dict.and_then(filter_chain);
        let bound = match &chain {
            Some(stages) => stages.iter().fold(raw.len() as f64, |b, s| b * ratio(*s)),
            // Unknown filters: assume the worst a Flate stage can do.
            None => raw.len() as f64 * FLATE_RATIO,
        };
        if bound <= max_stream as f64 {
            continue;
        }
        let stages = match chain {
            Some(stages) => stages,
            None if looks_like_zlib(raw) => vec![Stage::Flate],
            None => continue,
        };
        match measure(raw, &stages, max_stream) {
            Measured::TooLarge => {
                return Err(PdfError::StreamTooLarge {
                    offset: start,
                    limit_mib: max_stream >> 20,
                });
            }
            Measured::Bytes(n) => {
                total = total.saturating_add(n);
                if total > max_total {
                    return Err(PdfError::InflatesTooMuch {
                        limit_mib: max_total >> 20,
                    });
                }
            }
            Measured::Unknown => {}
        }
    }
    Ok(())
}

fn ratio(s: Stage) -> f64 {
    match s {
        Stage::Flate => FLATE_RATIO,
        Stage::Lzw => LZW_RATIO,
        Stage::RunLength => RUN_LENGTH_RATIO,
        Stage::Ascii85 => ASCII85_RATIO,
        Stage::AsciiHex | Stage::Other => 1.0,
    }
}

enum Measured {
    Bytes(u64),
    TooLarge,
    /// The chain has a stage the guard does not decode.
    Unknown,
}

/// Inflates the leading ASCII and Flate stages of `stages`, counting the
/// bytes; only the output of a stage that feeds another is kept (at most
/// `cap` bytes).
///
/// hayro inflates strictly, and when that fails, with a lenient decoder that
/// goes on past damage (a wrong stored-block length, a bad code) where a
/// strict one stops — fuzzing found a damaged double-Flate stream that the
/// strict count put at a few MB and hayro inflated to gigabytes. So when a
/// stage stops on damage before the end of its input, the rest of the input
/// is counted at the lenient decoder's worst ratio ([`LENIENT_RATIO`]).
fn measure(raw: &[u8], stages: &[Stage], cap: u64) -> Measured {
    let mut bytes: std::borrow::Cow<'_, [u8]> = raw.into();
    let mut rest = stages;
    while let Some((first, tail)) = rest.split_first() {
        match first {
            Stage::AsciiHex => bytes = ascii_hex(&bytes).into(),
            Stage::Ascii85 => bytes = ascii85(&bytes).into(),
            _ => break,
        }
        rest = tail;
    }
    let flate = rest.iter().take_while(|s| **s == Stage::Flate).count();
    if flate == 0 {
        return Measured::Unknown;
    }
    for i in 0..flate {
        let last = i + 1 == flate;
        let (out, n, unread) = inflate_stage(&bytes, cap, !last);
        if n > cap {
            return Measured::TooLarge;
        }
        if unread > 0 {
            let lenient = n as f64 + unread as f64 * LENIENT_RATIO;
            let bound = lenient * FLATE_RATIO.powi((flate - i - 1) as i32);
            if bound > cap as f64 {
                return Measured::TooLarge;
            }
        }
        if last {
            return Measured::Bytes(n);
        }
        bytes = out.into();
    }
    Measured::Unknown
}

/// Largest output of hayro's lenient inflater per input byte: a length code
/// of 258 bytes can take as little as one bit.
const LENIENT_RATIO: f64 = 258.0 * 8.0;

/// Inflates one stage strictly (zlib when the data starts with a zlib
/// header, raw deflate otherwise, as hayro does): the output when `keep`,
/// the bytes produced (stops past `cap`), and the input bytes left unread
/// when the data was damaged before its end.
fn inflate_stage(input: &[u8], cap: u64, keep: bool) -> (Vec<u8>, u64, usize) {
    enum Dec<'a> {
        Zlib(ZlibDecoder<&'a [u8]>),
        Raw(DeflateDecoder<&'a [u8]>),
    }
    let mut dec = if looks_like_zlib(input) {
        Dec::Zlib(ZlibDecoder::new(input))
    } else {
        Dec::Raw(DeflateDecoder::new(input))
    };
    let mut out = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut n: u64 = 0;
    loop {
        let r = match &mut dec {
            Dec::Zlib(d) => d.read(&mut buf),
            Dec::Raw(d) => d.read(&mut buf),
        };
        match r {
            Ok(0) => return (out, n, 0),
            Ok(k) => {
                n += k as u64;
                if n > cap {
                    return (out, n, 0);
                }
                if keep {
                    out.extend_from_slice(&buf[..k]);
                }
            }
            Err(_) => {
                let consumed = match &dec {
                    Dec::Zlib(d) => d.total_in(),
                    Dec::Raw(d) => d.total_in(),
                } as usize;
                return (out, n, input.len().saturating_sub(consumed));
            }
        }
    }
}

fn looks_like_zlib(h: &[u8]) -> bool {
    h.len() >= 2 && h[0] & 0x0f == 8 && (u16::from(h[0]) << 8 | u16::from(h[1])) % 31 == 0
}

fn ascii_hex(data: &[u8]) -> Vec<u8> {
    let digits: Vec<u8> = data
        .iter()
        .take_while(|b| **b != b'>')
        .filter_map(|b| (*b as char).to_digit(16).map(|d| d as u8))
        .collect();
    digits
        .chunks(2)
        .map(|c| c[0] << 4 | c.get(1).copied().unwrap_or(0))
        .collect()
}

fn ascii85(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    let mut group: Vec<u32> = Vec::with_capacity(5);
    for &b in data {
        match b {
            b'~' => break,
            b'z' if group.is_empty() => out.extend_from_slice(&[0; 4]),
            b'!'..=b'u' => {
                group.push(u32::from(b - b'!'));
                if group.len() == 5 {
                    let v = group
                        .iter()
                        .fold(0u32, |a, d| a.wrapping_mul(85).wrapping_add(*d));
                    out.extend_from_slice(&v.to_be_bytes());
                    group.clear();
                }
            }
            _ => {}
        }
    }
    if group.len() > 1 {
        let n = group.len();
        group.resize(5, 84);
        let v = group
            .iter()
            .fold(0u32, |a, d| a.wrapping_mul(85).wrapping_add(*d));
        out.extend_from_slice(&v.to_be_bytes()[..n - 1]);
    }
    out
}

/// Where a stream's data starts: after the end of line that follows the
/// `stream` keyword (spaces before it tolerated). `None` when `stream` is not
/// the keyword (followed by something else).
fn data_start(data: &[u8], mut p: usize) -> Option<usize> {
    while p < data.len() && data[p] == b' ' {
        p += 1;
    }
    match data.get(p) {
        Some(b'\r') if data.get(p + 1) == Some(&b'\n') => Some(p + 2),
        Some(b'\r' | b'\n') => Some(p + 1),
        None => Some(p),
        _ => None,
    }
}

/// The text of the object from its `obj` keyword to `stream`, when found
/// within [`DICT_LOOKBACK`] bytes.
fn dict_before(data: &[u8], k: usize) -> Option<&[u8]> {
    let from = k.saturating_sub(DICT_LOOKBACK);
    let region = &data[from..k];
    let obj = rfind(region, b"obj")?;
    Some(&region[obj + 3..])
}

/// The `/Length` of a dictionary when it is a direct integer.
fn direct_length(dict: &[u8]) -> Option<usize> {
    let p = find(dict, b"/Length", 0)? + b"/Length".len();
    let mut t = Tokens::new(&dict[p..]);
    let n: usize = std::str::from_utf8(t.next()?).ok()?.parse().ok()?;
    // `/Length 12 0 R` is a reference, not a length.
    let mut look = t.clone();
    if let (Some(g), Some(r)) = (look.next(), look.next())
        && g.iter().all(u8::is_ascii_digit)
        && r == b"R"
    {
        return None;
    }
    Some(n)
}

/// The end of a stream's data: its direct `/Length` when `endstream`
/// follows there (confirmed: `true`), else the next `endstream`, else the
/// end of the file.
fn stream_end(data: &[u8], start: usize, length: Option<usize>) -> (usize, bool) {
    if let Some(len) = length
        && let Some(end) = start.checked_add(len)
        && end <= data.len()
    {
        let mut p = end;
        while p < data.len() && data[p].is_ascii_whitespace() {
            p += 1;
        }
        if data[p..].starts_with(b"endstream") {
            return (end, true);
        }
    }
    (find(data, b"endstream", start).unwrap_or(data.len()), false)
}

/// The filter chain of a stream: every filter name in its dictionary, in
/// order, wherever it stands — a damaged `/Filter [/A /B]` (a bracket lost,
/// found by fuzzing) still counts both stages, which hayro may apply.
/// `None` when `/Filter` is an indirect reference (unknown). No `/Filter`: no
/// stage.
fn filter_chain(dict: &[u8]) -> Option<Vec<Stage>> {
    let Some(p) = find(dict, b"/Filter", 0) else {
        return Some(Vec::new());
    };
    let mut after = Tokens::new(&dict[p + b"/Filter".len()..]);
    if after
        .next()
        .is_some_and(|t| t.first().is_some_and(u8::is_ascii_digit))
    {
        return None;
    }
    let mut t = Tokens::new(dict);
    let mut stages = Vec::new();
    while let Some(tok) = t.next() {
        let stage = match tok {
            b"/FlateDecode" | b"/Fl" => Stage::Flate,
            b"/LZWDecode" | b"/LZW" => Stage::Lzw,
            b"/RunLengthDecode" | b"/RL" => Stage::RunLength,
            b"/ASCII85Decode" | b"/A85" => Stage::Ascii85,
            b"/ASCIIHexDecode" | b"/AHx" => Stage::AsciiHex,
            b"/DCTDecode" | b"/DCT" | b"/JPXDecode" | b"/JBIG2Decode" | b"/CCITTFaxDecode"
            | b"/CCF" | b"/Crypt" => Stage::Other,
            _ => continue,
        };
        stages.push(stage);
    }
    Some(stages)
}

/// PDF tokens, enough for names, numbers and brackets.
#[derive(Clone)]
struct Tokens<'a> {
    s: &'a [u8],
    p: usize,
}

impl<'a> Tokens<'a> {
    fn new(s: &'a [u8]) -> Self {
        Tokens { s, p: 0 }
    }

    fn next(&mut self) -> Option<&'a [u8]> {
        let s = self.s;
        while self.p < s.len() && s[self.p].is_ascii_whitespace() {
            self.p += 1;
        }
        let start = self.p;
        match s.get(start)? {
            b'/' => self.p += 1,
            c if is_delimiter(*c) => {
                // Brackets and other delimiters are tokens of their own.
                self.p += 1;
                return Some(&s[start..self.p]);
            }
            _ => {}
        }
        while self.p < s.len() && !is_delimiter(s[self.p]) {
            self.p += 1;
        }
        Some(&s[start..self.p])
    }
}

fn is_delimiter(b: u8) -> bool {
    b.is_ascii_whitespace() || b"[]<>()/%{}".contains(&b)
}

/// The first `needle` in `hay` at or after `from`.
///
/// memchr's vectorized search: the guard and the cross-reference check look
/// for `stream`, `endstream` and `obj` through every byte of a file (through
/// a stream's data too when its `/Length` is a reference, as LibreOffice
/// writes them), and a byte-at-a-time search was 2 % of a printed page's
/// time (measured with `perf`).
pub(crate) fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if from >= hay.len() || needle.is_empty() {
        return None;
    }
    memchr::memmem::find(&hay[from..], needle).map(|k| from + k)
}

/// The last `needle` in `hay`.
pub(crate) fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::rfind(hay, needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::ZlibEncoder;
    use std::io::Write;

    fn zlib(data: &[u8]) -> Vec<u8> {
        let mut e = ZlibEncoder::new(Vec::new(), Compression::best());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn stream_obj(dict: &str, raw: &[u8]) -> Vec<u8> {
        let mut v = format!("%PDF-1.7\n4 0 obj\n<< {dict} >>\nstream\n").into_bytes();
        v.extend_from_slice(raw);
        v.extend_from_slice(b"\nendstream\nendobj\n");
        v
    }

    #[test]
    fn a_double_flate_bomb_is_refused_without_inflating_it_whole() {
        // 64 MiB of spaces, compressed twice: a few kB.
        let mut e = ZlibEncoder::new(Vec::new(), Compression::best());
        for _ in 0..64 {
            e.write_all(&[b' '; 1 << 20]).unwrap();
        }
        let once = e.finish().unwrap();
        let twice = zlib(&once);
        assert!(twice.len() < 10_000);
        let file = stream_obj(
            &format!(
                "/Length {} /Filter [/FlateDecode /FlateDecode]",
                twice.len()
            ),
            &twice,
        );
        let err = check_streams(&file, 16 << 20, 1 << 30).unwrap_err();
        assert!(
            err.to_string().contains("inflates to more than 16 MiB"),
            "{err}"
        );
        // Under a larger limit it passes.
        assert!(check_streams(&file, 128 << 20, 1 << 30).is_ok());
    }

    #[test]
    fn an_unnamed_filter_that_is_zlib_is_measured() {
        let mut e = ZlibEncoder::new(Vec::new(), Compression::best());
        for _ in 0..8 {
            e.write_all(&[0; 1 << 20]).unwrap();
        }
        let raw = e.finish().unwrap();
        let file = stream_obj("/Length 5 0 R /Filter 6 0 R", &raw);
        assert!(check_streams(&file, 1 << 20, 1 << 30).is_err());
    }

    #[test]
    fn small_streams_and_the_total_are_bounded() {
        // 4 MiB of 16 symbols: compresses about 2:1, so its bound is far
        // above the limit and it is measured.
        let mut x: u32 = 1;
        let data: Vec<u8> = (0..4 << 20)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                b'a' + (x >> 28) as u8
            })
            .collect();
        let raw = zlib(&data);
        let mut file = Vec::new();
        for _ in 0..3 {
            file.extend(stream_obj("/Filter /Fl", &raw));
        }
        // Each stream alone is fine; all three pass 8 MiB together.
        assert!(check_streams(&file, 5 << 20, 64 << 20).is_ok());
        let err = check_streams(&file, 5 << 20, 8 << 20).unwrap_err();
        assert!(matches!(err, PdfError::InflatesTooMuch { .. }), "{err}");
    }

    #[test]
    fn damage_inside_a_measured_stream_counts_the_rest_at_the_lenient_ratio() {
        use flate2::write::DeflateEncoder;
        // 64 MiB of zeros as raw deflate (about 64 kB), behind a stored block
        // whose NLEN is wrong: a strict inflater stops at once, hayro's
        // lenient one reads on and inflates the rest.
        let mut e = DeflateEncoder::new(Vec::new(), Compression::best());
        for _ in 0..64 {
            e.write_all(&[0; 1 << 20]).unwrap();
        }
        let bomb = e.finish().unwrap();
        let inner = |nlen: [u8; 2]| {
            let mut v = vec![0x78, 0x01, 0x00, 0x05, 0x00, nlen[0], nlen[1]];
            v.extend_from_slice(b"hello");
            v.extend_from_slice(&bomb);
            v
        };
        let damaged = stream_obj("/Filter [/Fl /Fl]", &zlib(&inner([0, 0])));
        let err = check_streams(&damaged, 100 << 20, 1 << 30).unwrap_err();
        assert!(matches!(err, PdfError::StreamTooLarge { .. }), "{err}");
        // With the right NLEN the stream is valid: 64 MiB, within the limit.
        let intact = stream_obj("/Filter [/Fl /Fl]", &zlib(&inner([0xfa, 0xff])));
        assert!(check_streams(&intact, 100 << 20, 1 << 30).is_ok());
    }

    #[test]
    fn a_stream_behind_a_wrong_length_is_still_seen() {
        let mut e = ZlibEncoder::new(Vec::new(), Compression::best());
        for _ in 0..8 {
            e.write_all(&[0; 1 << 20]).unwrap();
        }
        let bomb = zlib(&e.finish().unwrap());
        // The first stream's /Length is wrong and its `endstream` is lost:
        // the next `endstream` is the second stream's.
        let mut file = b"%PDF-1.7\n3 0 obj\n<< /Length 99 >>\nstream\nabc\n".to_vec();
        file.extend(stream_obj("/Filter [/FlateDecode /FlateDecode]", &bomb));
        assert!(check_streams(&file, 1 << 20, 1 << 30).is_err());
    }

    #[test]
    fn ordinary_streams_are_not_decoded() {
        // Garbage that claims to be Flate but is small: skipped by the bound.
        let file = stream_obj("/Length 3 /Filter /FlateDecode", b"xyz");
        assert!(check_streams(&file, 1 << 20, 1 << 20).is_ok());
    }

    #[test]
    fn filter_chains_and_lengths_are_read() {
        assert_eq!(
            filter_chain(b" /Length 3 0 R /Filter [/AHx /FlateDecode/DCTDecode] "),
            Some(vec![Stage::AsciiHex, Stage::Flate, Stage::Other])
        );
        assert_eq!(filter_chain(b"/Filter/Fl>>"), Some(vec![Stage::Flate]));
        assert_eq!(filter_chain(b"/Filter 7 0 R"), None);
        // A bracket lost to damage: both stages still count.
        assert_eq!(
            filter_chain(b"<< /Length 5107 /Filter /FlateDecode /FlateDecode] >>"),
            Some(vec![Stage::Flate, Stage::Flate])
        );
        assert_eq!(
            filter_chain(b"<< /Filter/FlateDecode/DecodeParms<</Predictor 12/Columns 5>> >>"),
            Some(vec![Stage::Flate])
        );
        assert_eq!(filter_chain(b"/Length 4"), Some(vec![]));
        assert_eq!(direct_length(b"<</Length 42/Filter/Fl>>"), Some(42));
        assert_eq!(direct_length(b"<</Length 3 0 R>>"), None);
        assert_eq!(ascii_hex(b"4869 7>"), b"Hip");
        assert_eq!(ascii85(b"87cURD]j7BEbo7~>"), b"Hello world");
    }
}
