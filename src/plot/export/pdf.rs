//! One figure as a one-page vector PDF: the SVG placed on a page of exactly its printed size
//! by typst, which converts it to PDF vectors and embeds the figure font as a subset (the
//! same path the manuscript's figures take, so the PDF figure and the manuscript agree).

/// The PDF of an SVG `width_pt` × `height_pt` points; `ident` names the document stably.
/// `file` is the path the manuscript reads the same SVG from (`figures/forest-….svg`): typst
/// keys its parse of an SVG by its bytes and its path, so under the manuscript's path the
/// figure is parsed once for both within a build.
pub fn pdf(
    svg: &str,
    width_pt: f64,
    height_pt: f64,
    ident: &str,
    file: &str,
) -> Result<Vec<u8>, String> {
    let source = format!(
        "#set document(title: none, date: none)\n#set page(width: {w}pt, height: {h}pt, margin: 0pt)\n#place(top + left, image({file}, width: {w}pt, height: {h}pt))\n",
        w = super::fmt_num(width_pt),
        h = super::fmt_num(height_pt),
        file = crate::report::render::typst_string(file),
    );
    crate::report::compile::pdf(
        &source,
        vec![(file.to_string(), svg.as_bytes().to_vec())],
        ident,
    )
}

/// The MediaBox of the first page of a PDF, in points (for tests).
pub fn media_box(pdf: &[u8]) -> Option<[f64; 4]> {
    let text = String::from_utf8_lossy(pdf);
    let at = text.find("/MediaBox")?;
    let rest = &text[at + 9..];
    let open = rest.find('[')?;
    let close = rest.find(']')?;
    let nums: Vec<f64> = rest[open + 1..close]
        .split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect();
    (nums.len() == 4).then(|| [nums[0], nums[1], nums[2], nums[3]])
}
