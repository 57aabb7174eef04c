//! References and citations: `@label` of a figure or table becomes "Figure 2"; every other
//! `@key` is a citation, formatted by hayagriva — typst's own citation processor — with the
//! same CSL style and bibliography file the PDF uses, so numbers and reference text agree.
//! Citations next to each other (separated by spaces only) form one group, as in typst.

use hayagriva::archive::ArchivedStyle;
use hayagriva::citationberg::{IndependentStyle, Locale, LocaleCode, Style};
use hayagriva::{
    BibliographyDriver, BibliographyRequest, CitationItem, CitationRequest, ElemChild, ElemChildren,
};

use std::sync::{Arc, Mutex};

use super::doc::*;

/// The locale citations and the bibliography are written in.
const LOCALE: &str = "en-GB";

/// The CSL locale files hayagriva may consult for [`LOCALE`]: the locale itself and its
/// fallback `en-US` (hayagriva looks up the locale, then its language's default, then en-US).
/// Read once per process, and only those two: `hayagriva::archive::locales()` decodes all 63
/// of its locales (about 0.15 s of CPU) on every call; here only the archive's entries whose
/// bytes hold a wanted code are decoded (no perf sample in a cold build; ~14 ms decoding
/// every locale before en-GB and en-US).
static LOCALES: std::sync::LazyLock<Vec<Locale>> = std::sync::LazyLock::new(|| {
    let wanted = [LOCALE, "en-US"];
    let mut found = Vec::with_capacity(wanted.len());
    for bytes in hayagriva::archive::LOCALES {
        if found.len() == wanted.len() {
            break;
        }
        // A locale's code is a text string in its CBOR bytes: one without any wanted code
        // among its bytes is not decoded.
        let names_one = wanted
            .iter()
            .any(|w| bytes.windows(w.len()).any(|b| b == w.as_bytes()));
        if !names_one {
            continue;
        }
        // The archive's own bytes: they decode (hayagriva unwraps the same call).
        let Ok(l) = ciborium::de::from_reader::<Locale, _>(*bytes) else {
            continue;
        };
        if l.lang
            .as_ref()
            .is_some_and(|c| wanted.contains(&c.0.as_str()))
        {
            found.push(l);
        }
    }
    found
});

/// Turns references into text, groups and formats citations, and fills the bibliography;
/// `files` are the document's in-memory files (the bibliography and any CSL file).
pub fn resolve(doc: &mut Document, files: &[(String, Vec<u8>)]) {
    let labels: Vec<String> = doc.labels().into_iter().map(String::from).collect();
    // 1. References to figures and tables → text; the rest → citation groups.
    let refs: Vec<(String, String)> = labels
        .iter()
        .filter_map(|l| doc.reference(l).map(|r| (l.clone(), r)))
        .collect();
    let mut warnings = Vec::new();
    // Figures' numbers by label, and the order in which the text first cites them.
    let figure_numbers: Vec<(String, usize)> = doc
        .figures()
        .into_iter()
        .filter_map(|(n, l, _)| l.map(|l| (l.to_string(), n)))
        .collect();
    let mut cited: Vec<usize> = Vec::new();
    for_each_run_list(&mut doc.blocks, &mut |runs| {
        let mut out: Vec<Inline> = Vec::with_capacity(runs.len());
        for i in std::mem::take(runs) {
            match i {
                Inline::Ref(target, f) => {
                    if let Some((_, text)) = refs.iter().find(|(l, _)| *l == target) {
                        if let Some((_, n)) = figure_numbers.iter().find(|(l, _)| *l == target)
                            && !cited.contains(n)
                        {
                            cited.push(*n);
                        }
                        out.push(Inline::Text(text.clone(), f));
                    } else {
                        // A citation: join the previous group when only spaces lie between.
                        let space_between = matches!(out.last(), Some(Inline::Text(t, _)) if t.trim().is_empty())
                            && matches!(
                                out.len().checked_sub(2).and_then(|k| out.get(k)),
                                Some(Inline::Cite(..))
                            );
                        if space_between {
                            out.pop();
                        }
                        match out.last_mut() {
                            Some(Inline::Cite(keys, _)) => keys.push(target),
                            _ => out.push(Inline::Cite(vec![target], f)),
                        }
                    }
                }
                other => out.push(other),
            }
        }
        *runs = out;
    });
    if let Some(w) = cited.windows(2).find(|w| w[1] < w[0]) {
        warnings.push(format!(
            "figure {} is first cited after figure {}: journals number figures in the order they are first cited",
            w[1], w[0]
        ));
    }
    // 2. The bibliography and its style.
    let Some((style_name, path)) = doc.blocks.iter().find_map(|b| match b {
        Block::Bibliography { style, path, .. } => Some((style.clone(), path.clone())),
        _ => None,
    }) else {
        doc.warnings.append(&mut warnings);
        // No bibliography: typst would refuse citations; leave their keys.
        for_each_run_list(&mut doc.blocks, &mut |runs| {
            for i in runs.iter_mut() {
                if let Inline::Cite(keys, f) = i {
                    *i = Inline::Text(format!("[{}]", keys.join(", ")), *f);
                }
            }
        });
        return;
    };
    let library = files
        .iter()
        .find(|(p, _)| *p == path)
        .and_then(|(_, b)| std::str::from_utf8(b).ok())
        .map(library_of);
    let library = match library {
        Some(Ok(l)) => l,
        Some(Err(e)) => {
            doc.warnings.push(format!("{path}: {e}"));
            Arc::new(hayagriva::Library::new())
        }
        None => {
            doc.warnings.push(format!(
                "the bibliography {path} is not among the document's files"
            ));
            Arc::new(hayagriva::Library::new())
        }
    };
    let style = match style_of(&style_name, files) {
        Ok(s) => s,
        Err(e) => {
            doc.warnings.push(e);
            match ArchivedStyle::InstituteOfElectricalAndElectronicsEngineers.get() {
                Style::Independent(s) => Arc::new(s),
                _ => return,
            }
        }
    };
    let locales: &[Locale] = &LOCALES;
    let locale = LocaleCode(LOCALE.into());
    // 3. One citation request per group, in document order.
    let mut groups: Vec<Vec<String>> = Vec::new();
    for_each_run_list(&mut doc.blocks, &mut |runs| {
        for i in runs.iter() {
            if let Inline::Cite(keys, _) = i {
                groups.push(keys.clone());
            }
        }
    });
    let mut driver = BibliographyDriver::new();
    for g in &groups {
        let items: Vec<_> = g
            .iter()
            .filter_map(|k| library.get(k))
            .map(CitationItem::with_entry)
            .collect();
        for k in g {
            if library.get(k).is_none() {
                warnings.push(format!("the citation @{k} is not in {path}"));
            }
        }
        driver.citation(CitationRequest::new(
            items,
            &style,
            Some(locale.clone()),
            locales,
            None,
        ));
    }
    let rendered = driver.finish(BibliographyRequest {
        style: &style,
        locale: Some(locale.clone()),
        locale_files: locales,
    });
    let mut texts: Vec<Vec<Inline>> = rendered
        .citations
        .iter()
        .map(|c| runs(&c.citation, Fmt::default()))
        .collect();
    texts.reverse();
    for_each_run_list(&mut doc.blocks, &mut |list| {
        let mut out = Vec::with_capacity(list.len());
        for i in std::mem::take(list) {
            match i {
                Inline::Cite(_, f) => {
                    let mut r = texts.pop().unwrap_or_default();
                    for x in r.iter_mut() {
                        if let Inline::Text(_, rf) = x {
                            rf.size = f.size;
                            rf.grey |= f.grey;
                        }
                    }
                    out.extend(r);
                }
                other => out.push(other),
            }
        }
        *list = out;
    });
    let entries: Vec<Vec<Inline>> = rendered
        .bibliography
        .map(|b| {
            b.items
                .iter()
                .map(|item| {
                    let mut e = Vec::new();
                    if let Some(first) = &item.first_field {
                        e.extend(child(first, Fmt::default()));
                        e.push(Inline::Text("\t".into(), Fmt::default()));
                    }
                    e.extend(runs(&item.content, Fmt::default()));
                    no_stop_after_question_mark(&mut e);
                    e
                })
                .collect()
        })
        .unwrap_or_default();
    for b in &mut doc.blocks {
        if let Block::Bibliography { entries: e, .. } = b {
            *e = entries.clone();
        }
    }
    doc.warnings.extend(warnings);
}

/// A title that ends in "?" or "!" takes no full stop after it: hayagriva joins a title and
/// the "." that follows it in the style without looking ("interpreted?."), where CSL asks for
/// the punctuation once, and journals print "interpreted? Statistics in Medicine". The PDF
/// does the same with a show rule in `setup.typ.j2`.
fn no_stop_after_question_mark(entry: &mut [Inline]) {
    let mut before: Option<char> = None;
    for i in entry.iter_mut() {
        match i {
            Inline::Text(s, _) => {
                if matches!(before, Some('?' | '!')) && s.starts_with('.') {
                    s.remove(0);
                }
                *s = s.replace("?.", "?").replace("!.", "!");
                if let Some(c) = s.chars().last() {
                    before = Some(c);
                }
            }
            _ => before = None,
        }
    }
}

/// The style the document names: a CSL file among its files (`"x.csl"`), or one of
/// hayagriva's archived styles by name (`"vancouver"`), as typst resolves `style:`.
/// Bibliographies and styles read so far in this process, by their text (or the archived
/// style's name): the Word files of one build read the same ones (each review's two, the
/// combined report's).
type Read<T> = Mutex<Vec<(String, Arc<T>)>>;
static LIBRARIES: Read<hayagriva::Library> = Mutex::new(Vec::new());
static STYLES: Read<IndependentStyle> = Mutex::new(Vec::new());

/// At most this many of each are kept (a build names one or two).
const KEPT: usize = 8;

/// `make`'s value for `key`, read again only when not among the last [`KEPT`].
fn read_once<T, E>(
    cache: &Read<T>,
    key: &str,
    make: impl FnOnce() -> Result<T, E>,
) -> Result<Arc<T>, E> {
    let kept = |c: &Read<T>| {
        c.lock()
            .ok()
            .and_then(|v| v.iter().find(|(k, _)| k == key).map(|(_, t)| t.clone()))
    };
    if let Some(t) = kept(cache) {
        return Ok(t);
    }
    let t = Arc::new(make()?);
    if let Ok(mut v) = cache.lock() {
        if v.len() >= KEPT {
            v.remove(0);
        }
        v.push((key.to_string(), t.clone()));
    }
    Ok(t)
}

/// The bibliography of a YAML text (hayagriva's format).
fn library_of(yaml: &str) -> Result<Arc<hayagriva::Library>, String> {
    read_once(&LIBRARIES, yaml, || {
        hayagriva::io::from_yaml_str(yaml).map_err(|e| e.to_string())
    })
}

/// [`load_style`], read once per process for each style file's text or archived name.
fn style_of(name: &str, files: &[(String, Vec<u8>)]) -> Result<Arc<IndependentStyle>, String> {
    let key = match files.iter().find(|(p, _)| p == name) {
        Some((_, bytes)) if name.ends_with(".csl") => {
            format!("{name}\n{}", String::from_utf8_lossy(bytes))
        }
        _ => name.to_string(),
    };
    read_once(&STYLES, &key, || load_style(name, files))
}

fn load_style(name: &str, files: &[(String, Vec<u8>)]) -> Result<IndependentStyle, String> {
    if name.ends_with(".csl") {
        let (_, bytes) = files.iter().find(|(p, _)| p == name).ok_or_else(|| {
            format!("the citation style {name} is not among the document's files")
        })?;
        let text = std::str::from_utf8(bytes).map_err(|_| format!("{name} is not UTF-8"))?;
        return IndependentStyle::from_xml(text).map_err(|e| format!("{name}: {e}"));
    }
    match ArchivedStyle::by_name(name).map(|s| s.get()) {
        Some(Style::Independent(s)) => Ok(s),
        _ => Err(format!("unknown citation style `{name}`")),
    }
}

fn runs(children: &ElemChildren, fmt: Fmt) -> Vec<Inline> {
    children.0.iter().flat_map(|c| child(c, fmt)).collect()
}

fn child(c: &ElemChild, fmt: Fmt) -> Vec<Inline> {
    use hayagriva::citationberg::{
        FontStyle, FontVariant, FontWeight, TextDecoration, VerticalAlign,
    };
    let apply = |f: &hayagriva::Formatting| {
        let mut out = fmt;
        if f.font_style == FontStyle::Italic {
            out.italic = true;
        }
        if f.font_weight == FontWeight::Bold {
            out.bold = true;
        }
        if f.font_variant == FontVariant::SmallCaps {
            out.small_caps = true;
        }
        if f.text_decoration == TextDecoration::Underline {
            out.underline = true;
        }
        match f.vertical_align {
            VerticalAlign::Sup => out.superscript = true,
            VerticalAlign::Sub => out.subscript = true,
            _ => {}
        }
        out
    };
    match c {
        ElemChild::Text(t) => vec![Inline::Text(t.text.clone(), apply(&t.formatting))],
        ElemChild::Elem(e) => runs(&e.children, fmt),
        ElemChild::Markup(m) => vec![Inline::Text(m.clone(), fmt)],
        ElemChild::Link { text, .. } => {
            vec![Inline::Text(text.text.clone(), apply(&text.formatting))]
        }
        ElemChild::Transparent { .. } => Vec::new(),
    }
}

/// Calls `f` on every list of runs of the document (paragraphs, headings, captions, cells).
pub fn for_each_run_list(blocks: &mut [Block], f: &mut dyn FnMut(&mut Vec<Inline>)) {
    for b in blocks {
        match b {
            Block::Heading { content, .. }
            | Block::Paragraph { content, .. }
            | Block::Title(content) => f(content),
            Block::Figure { caption, body, .. } => {
                f(caption);
                if let FigureBody::Table(t) = body {
                    table_runs(t, f);
                }
            }
            Block::Table(t) => table_runs(t, f),
            Block::Bibliography { title: Some(t), .. } => f(t),
            Block::Outline { title } => f(title),
            _ => {}
        }
    }
}

fn table_runs(t: &mut Table, f: &mut dyn FnMut(&mut Vec<Inline>)) {
    for c in t.header.iter_mut().chain(t.rows.iter_mut()).flatten() {
        f(&mut c.content);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The locales read are hayagriva's own for the wanted codes, in the archive's order.
    #[test]
    fn the_locales_read_are_the_archives_wanted_ones() {
        let wanted = [LOCALE, "en-US"];
        let all: Vec<Locale> = hayagriva::archive::locales()
            .into_iter()
            .filter(|l| {
                l.lang
                    .as_ref()
                    .is_some_and(|c| wanted.contains(&c.0.as_str()))
            })
            .collect();
        assert_eq!(all.len(), 2);
        assert_eq!(*LOCALES, all);
    }
}
