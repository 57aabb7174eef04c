//! The XML of a RevMan 5 file: bytes decoded by the encoding its prolog declares, the small
//! faults of real files repaired, and a tree of elements with the byte offset of each.
//!
//! Real `.rm5` files are not always well-formed (R meta's pull requests 27 and 75): files that
//! declare ISO-8859-1 but hold Windows-1252 punctuation, files that declare UTF-8 but hold
//! Latin-1 bytes, and `&` or `<` written unescaped in text. They are read as RevMan reads them;
//! each repair is counted and reported, never silent.

use quick_xml::events::Event;

use crate::diag::Diagnostic;

/// Files larger than this are refused (the largest Cochrane reviews are a few megabytes).
pub const MAX_XML_BYTES: usize = 64 * 1024 * 1024;
/// Elements nested deeper than this are refused (RevMan nests about ten levels).
const MAX_DEPTH: usize = 256;

/// A child of an element.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Element(Element),
    Text(String),
}

/// An element with its attributes (unescaped) and children.
#[derive(Debug, Clone, PartialEq)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
    /// Byte offset of its `<` in the decoded text.
    pub offset: usize,
}

impl Element {
    /// An attribute's value.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The child elements.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// The child elements of a name.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.elements().filter(move |e| e.name == name)
    }

    /// The first child element of a name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.elements().find(|e| e.name == name)
    }

    /// All text inside, in document order, with runs of white space folded to one space.
    pub fn text(&self) -> String {
        let mut out = String::new();
        self.collect_text(&mut out);
        out.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    fn collect_text(&self, out: &mut String) {
        for n in &self.children {
            match n {
                Node::Text(t) => out.push_str(t),
                Node::Element(e) => {
                    // Paragraph-like children are separated by a space.
                    out.push(' ');
                    e.collect_text(out);
                    out.push(' ');
                }
            }
        }
    }

    /// The text of the first child of a name, if it is not empty.
    pub fn child_text(&self, name: &str) -> Option<String> {
        self.child(name)
            .map(Element::text)
            .filter(|t| !t.is_empty())
    }

    /// Every descendant element of a name, in document order (iterative: no recursion).
    pub fn descendants<'a>(&'a self, name: &'a str) -> Vec<&'a Element> {
        let mut out = Vec::new();
        let mut stack: Vec<&Element> = vec![self];
        while let Some(e) = stack.pop() {
            if e.name == name && !std::ptr::eq(e, self) {
                out.push(e);
            }
            let kids: Vec<&Element> = e.elements().collect();
            stack.extend(kids.into_iter().rev());
        }
        out
    }
}

/// A parsed document: its root element and where each offset lies.
#[derive(Debug)]
pub struct Document {
    pub root: Element,
    /// The encoding the text was decoded from.
    pub encoding: &'static str,
    /// Repairs made to read the file (unescaped `&` and `<`, bytes that were not the declared
    /// encoding), for the console.
    pub repairs: Vec<String>,
    line_starts: Vec<usize>,
    text: String,
}

impl Document {
    /// The 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        line_col(&self.text, &self.line_starts, offset)
    }
}

fn line_col(text: &str, starts: &[usize], offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let line = starts.partition_point(|&s| s <= offset).max(1);
    let start = starts[line - 1];
    let col = text
        .get(start..offset)
        .map_or(offset - start, |s| s.chars().count())
        + 1;
    (line, col)
}

fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

/// Windows-1252's characters for the bytes 0x80–0x9F (Latin-1's C1 controls, which never
/// occur in review text; RevMan wrote Windows-1252 punctuation into files it labelled
/// ISO-8859-1). Undefined positions keep their Latin-1 code point.
const CP1252_HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
];

/// Decodes single-byte text: ISO-8859-1 maps byte b to U+00b, with Windows-1252's characters
/// at 0x80–0x9F.
pub fn decode_latin1(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9F => CP1252_HIGH[(b - 0x80) as usize],
            _ => b as char,
        })
        .collect()
}

/// The encoding named in an XML prolog (`<?xml version="1.0" encoding="ISO-8859-1"?>`).
fn declared_encoding(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(200)];
    if !head.starts_with(b"<?xml") {
        return None;
    }
    let end = head.windows(2).position(|w| w == b"?>")?;
    let decl = String::from_utf8_lossy(&head[..end]).into_owned();
    let i = decl.find("encoding")?;
    let rest = decl[i + "encoding".len()..]
        .trim_start()
        .strip_prefix('=')?;
    let rest = rest.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &rest[1..];
    Some(value[..value.find(quote)?].trim().to_ascii_lowercase())
}

/// Decodes a file's bytes by its byte-order mark or declared encoding. A file declared (or
/// assumed) UTF-8 that is not valid UTF-8 is read as Latin-1, with a note in `repairs`.
pub fn decode(
    source: &str,
    bytes: &[u8],
) -> Result<(String, &'static str, Vec<String>), Diagnostic> {
    let mut repairs = Vec::new();
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return match std::str::from_utf8(rest) {
            Ok(s) => Ok((s.to_string(), "UTF-8", repairs)),
            Err(e) => Err(not_utf8(source, rest, e.valid_up_to())),
        };
    }
    for (bom, le) in [(b"\xFF\xFE", true), (b"\xFE\xFF", false)] {
        if let Some(rest) = bytes.strip_prefix(bom) {
            let units = rest.chunks_exact(2).map(|c| {
                if le {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            });
            let text: String = char::decode_utf16(units)
                .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
                .collect();
            return Ok((text, "UTF-16", repairs));
        }
    }
    let declared = declared_encoding(bytes);
    match declared.as_deref() {
        None | Some("utf-8") | Some("utf8") => match std::str::from_utf8(bytes) {
            Ok(s) => Ok((s.to_string(), "UTF-8", repairs)),
            Err(e) => {
                let (line, _) = {
                    let text = String::from_utf8_lossy(&bytes[..e.valid_up_to()]);
                    (text.matches('\n').count() + 1, 0)
                };
                repairs.push(format!(
                    "the file {} UTF-8 but is not (first bad byte on line {line}); it was read as ISO-8859-1",
                    if declared.is_some() { "declares" } else { "has no encoding declaration, so is read as" }
                ));
                Ok((decode_latin1(bytes), "ISO-8859-1", repairs))
            }
        },
        Some(
            "iso-8859-1" | "iso8859-1" | "latin1" | "latin-1" | "l1" | "windows-1252" | "cp1252"
            | "us-ascii" | "ascii",
        ) => Ok((decode_latin1(bytes), "ISO-8859-1", repairs)),
        Some(other) => Err(Diagnostic::file(
            source,
            format!(
                "the file declares the encoding \"{other}\"; RevMan files are ISO-8859-1 or UTF-8"
            ),
        )
        .at(1, 1)),
    }
}

fn not_utf8(source: &str, bytes: &[u8], valid: usize) -> Diagnostic {
    let line = bytes[..valid].iter().filter(|&&b| b == b'\n').count() + 1;
    Diagnostic::file(
        source,
        "the file starts with a UTF-8 byte-order mark but is not UTF-8 text",
    )
    .at(line, 1)
}

/// Escapes what real files leave unescaped: an `&` that starts no character or entity
/// reference, and a `<` that starts no tag. Returns the repaired text and the count.
fn repair(text: &str) -> (String, usize) {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut count = 0;
    let mut last = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let fix = match b {
            b'&' => (!starts_reference(&bytes[i + 1..])).then_some("&amp;"),
            b'<' => {
                let next = bytes.get(i + 1).copied().unwrap_or(b' ');
                (!(next.is_ascii_alphabetic() || matches!(next, b'_' | b':' | b'/' | b'!' | b'?')))
                    .then_some("&lt;")
            }
            _ => None,
        };
        if let Some(f) = fix {
            out.push_str(&text[last..i]);
            out.push_str(f);
            last = i + 1;
            count += 1;
        }
    }
    out.push_str(&text[last..]);
    (out, count)
}

fn starts_reference(rest: &[u8]) -> bool {
    let end = match rest.iter().take(32).position(|&b| b == b';') {
        Some(e) if e > 0 => e,
        _ => return false,
    };
    let name = &rest[..end];
    if let Some(num) = name.strip_prefix(b"#") {
        return match num.strip_prefix(b"x") {
            Some(hex) => !hex.is_empty() && hex.iter().all(u8::is_ascii_hexdigit),
            None => !num.is_empty() && num.iter().all(u8::is_ascii_digit),
        };
    }
    name[0].is_ascii_alphabetic()
        && name
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

/// Resolves the references in text or an attribute value: the five predefined entities and
/// character references; an unknown entity is kept as written.
pub fn unescape(raw: &str) -> String {
    if !raw.contains('&') {
        return raw.to_string();
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        match after.find(';').filter(|&e| e > 0 && e <= 32) {
            Some(e) => {
                let name = &after[..e];
                match resolve(name) {
                    Some(c) => out.push(c),
                    None => {
                        out.push('&');
                        out.push_str(name);
                        out.push(';');
                    }
                }
                rest = &after[e + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn resolve(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => {
            let num = name.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
}

/// Decodes, repairs and parses a file into a tree.
pub fn parse(source: &str, bytes: &[u8]) -> Result<Document, Diagnostic> {
    if bytes.len() > MAX_XML_BYTES {
        return Err(Diagnostic::file(
            source,
            format!(
                "the file is {:.1} MB; RevMan files larger than {} MB are not read",
                bytes.len() as f64 / 1e6,
                MAX_XML_BYTES / (1024 * 1024)
            ),
        ));
    }
    let (decoded, encoding, mut repairs) = decode(source, bytes)?;
    let (text, fixed) = repair(&decoded);
    if fixed > 0 {
        repairs.push(format!(
            "{fixed} unescaped `&` or `<` character(s) in the text were read as written"
        ));
    }
    let starts = line_starts(&text);
    let located = |offset: u64, message: String| {
        let (l, c) = line_col(&text, &starts, offset as usize);
        Diagnostic::file(source, message).at(l, c)
    };
    let mut reader = quick_xml::Reader::from_str(&text);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let before = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| located(reader.error_position(), format!("malformed XML: {e}")))?;
        let after = reader.buffer_position() as usize;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                let offset = after.saturating_sub(e.len() + if empty { 3 } else { 2 });
                let name = e.name().as_ref().to_string();
                let mut attrs = Vec::new();
                for a in e.attributes().with_checks(false) {
                    let a = a.map_err(|err| {
                        located(
                            offset as u64,
                            format!("malformed attribute in <{name}>: {err}"),
                        )
                    })?;
                    let key = a.key.as_ref().to_string();
                    let value = unescape(&a.value);
                    attrs.push((key, value));
                }
                let el = Element {
                    name,
                    attrs,
                    children: Vec::new(),
                    offset,
                };
                if empty {
                    attach(&mut stack, &mut root, el);
                } else {
                    if stack.len() >= MAX_DEPTH {
                        return Err(located(
                            offset as u64,
                            format!(
                                "elements nested more than {MAX_DEPTH} deep: this is not a RevMan file"
                            ),
                        ));
                    }
                    stack.push(el);
                }
            }
            Event::End(_) => {
                if let Some(el) = stack.pop() {
                    attach(&mut stack, &mut root, el);
                }
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    push_text(top, &unescape(&t));
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    push_text(top, &t);
                }
            }
            Event::GeneralRef(r) => {
                if let Some(top) = stack.last_mut() {
                    let name = r.to_string();
                    let s = match resolve(&name) {
                        Some(c) => c.to_string(),
                        None => format!("&{name};"),
                    };
                    push_text(top, &s);
                }
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
        let _ = before;
    }
    if let Some(open) = stack.last() {
        return Err(located(
            open.offset as u64,
            format!("malformed XML: <{}> is never closed", open.name),
        ));
    }
    let root = root.ok_or_else(|| Diagnostic::file(source, "the file holds no XML element"))?;
    Ok(Document {
        root,
        encoding,
        repairs,
        line_starts: starts,
        text,
    })
}

fn push_text(el: &mut Element, s: &str) {
    if let Some(Node::Text(t)) = el.children.last_mut() {
        t.push_str(s);
    } else {
        el.children.push(Node::Text(s.to_string()));
    }
}

fn attach(stack: &mut [Element], root: &mut Option<Element>, el: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(Node::Element(el)),
        None => {
            if root.is_none() {
                *root = Some(el);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_and_windows_1252_bytes_decode() {
        assert_eq!(decode_latin1(b"M\xfcller \x93x\x94"), "Müller “x”");
    }

    #[test]
    fn bare_ampersands_and_less_than_signs_are_repaired() {
        let (t, n) = repair("<A N=\"x & y\">a < b &amp; c &#233;</A>");
        assert_eq!(n, 2);
        let doc = parse("t", t.as_bytes()).unwrap();
        assert_eq!(doc.root.attr("N"), Some("x & y"));
        assert_eq!(doc.root.text(), "a < b & c é");
    }

    #[test]
    fn declared_encodings_are_honoured() {
        let bytes = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<R N=\"G\xf6tz\"/>";
        let doc = parse("t", bytes).unwrap();
        assert_eq!(doc.root.attr("N"), Some("Götz"));
        assert_eq!(doc.encoding, "ISO-8859-1");
        let bad = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<R N=\"G\xf6tz\"/>";
        let doc = parse("t", bad).unwrap();
        assert_eq!(doc.root.attr("N"), Some("Götz"));
        assert_eq!(doc.repairs.len(), 1);
    }

    #[test]
    fn malformed_xml_is_located() {
        let e = parse("f.rm5", b"<A>\n  <B>\n</A>").unwrap_err();
        assert_eq!(e.file, "f.rm5");
        assert_eq!(e.line, Some(3));
        let e = parse("f.rm5", b"<A>\n  <B>").unwrap_err();
        assert!(
            e.message.contains("never closed") || e.message.contains("malformed"),
            "{e}"
        );
    }
}
