//! The DOCX package: a zip of XML parts in a fixed order, every entry dated 1980-01-01, so the
//! same document gives the same bytes. XML is deflated; PNG pictures are stored (already
//! deflated: a second deflate costs time and gains under 1%).

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

/// Zips `(name, bytes)` parts in the order given.
pub fn package(parts: &[(String, Vec<u8>)]) -> Result<Vec<u8>, String> {
    let mut z = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644);
    let stored = options.compression_method(CompressionMethod::Stored);
    for (name, bytes) in parts {
        let options = if name.ends_with(".png") {
            stored
        } else {
            options
        };
        z.start_file(name.as_str(), options)
            .map_err(|e| format!("cannot write {name} into the Word file: {e}"))?;
        z.write_all(bytes)
            .map_err(|e| format!("cannot write {name} into the Word file: {e}"))?;
    }
    Ok(z.finish()
        .map_err(|e| format!("cannot finish the Word file: {e}"))?
        .into_inner())
}

/// The parts of a zip (for tests that read a Word file back): name and bytes, in order.
pub fn unpack(bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).map_err(|e| e.to_string())?;
        let mut b = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut b).map_err(|e| e.to_string())?;
        out.push((f.name().map_err(|e| e.to_string())?.to_string(), b));
    }
    Ok(out)
}
