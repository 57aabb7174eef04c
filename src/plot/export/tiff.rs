//! Baseline TIFF 6.0 writer: 8-bit RGB, no alpha (no ExtraSamples), LZW compression
//! (Compression = 5, no predictor), the resolution in dots per inch (XResolution,
//! YResolution, ResolutionUnit = 2), strips of about 64 KiB. Little-endian ("II").
//!
//! What journals ask of a TIFF figure (PLOS: "TIFF with LZW compression, RGB 8 bit/channel,
//! no alpha channel, flattened"); written here by hand so the bytes depend on nothing but
//! the pixels and the resolution. The LZW coder is [`super::lzw`] (TIFF's variant: MSB bit
//! order, the code size switching one code early; the same bits as `weezl`'s).

/// An image of `width` × `height` pixels, `rgb` holding 3 bytes per pixel row by row, as TIFF
/// bytes stating `dpi` dots per inch.
pub fn encode(width: u32, height: u32, rgb: &[u8], dpi: u32) -> Result<Vec<u8>, String> {
    let row = width as usize * 3;
    if width == 0 || height == 0 || rgb.len() != row * height as usize {
        return Err("the image is empty or its pixels do not match its size".into());
    }
    encode_strips(width, height, dpi, |rows, buf| {
        buf.clear();
        buf.extend_from_slice(rgb.get(rows.start * row..rows.end * row)?);
        Some(())
    })
}

/// [`encode`] from opaque 8-bit RGBA pixels (the alpha bytes are left out strip by strip, so
/// no RGB copy of the whole image is made): the same bytes as [`encode`] of their RGB.
pub fn encode_rgba(width: u32, height: u32, rgba: &[u8], dpi: u32) -> Result<Vec<u8>, String> {
    let row = width as usize * 4;
    if width == 0 || height == 0 || rgba.len() != row * height as usize {
        return Err("the image is empty or its pixels do not match its size".into());
    }
    encode_strips(width, height, dpi, |rows, buf| {
        let src = rgba.get(rows.start * row..rows.end * row)?;
        super::rgb_into(src, buf);
        Some(())
    })
}

/// The rows of pixels per strip of an image `width` pixels wide and `height` tall: strips of
/// about 64 KiB of RGB.
pub(crate) fn rows_per_strip(width: u32, height: u32) -> usize {
    (65536 / (width as usize * 3)).clamp(1, height.max(1) as usize)
}

/// The TIFF of an image whose RGB rows `rows` `strip` writes into the buffer it is passed
/// (`None`: there are no such rows).
fn encode_strips(
    width: u32,
    height: u32,
    dpi: u32,
    mut strip: impl FnMut(std::ops::Range<usize>, &mut Vec<u8>) -> Option<()>,
) -> Result<Vec<u8>, String> {
    let row = width as usize * 3;
    let rows_per_strip = rows_per_strip(width, height);
    let mut lzw = super::lzw::Encoder::new();
    let mut chunk = Vec::with_capacity(row * rows_per_strip);
    let mut strips = Vec::new();
    let mut first = 0usize;
    while first < height as usize {
        let last = (first + rows_per_strip).min(height as usize);
        strip(first..last, &mut chunk).ok_or("the image's pixels do not match its size")?;
        first = last;
        let mut out = Vec::with_capacity(chunk.len() / 16);
        lzw.encode(&chunk, &mut out);
        strips.push(out);
    }
    Ok(assemble(width, height, dpi, &strips))
}

/// An LZW encoder and a buffer for compressing the strips of a band of rows
/// ([`super::banded`]): each strip is one LZW stream, so strips compressed apart, in any
/// order, are the same bytes.
pub(crate) struct StripCoder {
    lzw: super::lzw::Encoder,
    rgb: Vec<u8>,
    /// The RGB of the last strip compressed, and its LZW stream: a strip with the same pixels
    /// (a run of blank or ruled rows, a quarter of the strips of a forest plot at 500 dpi) is
    /// the same stream, copied instead of compressed again.
    last_rgb: Vec<u8>,
    last: Vec<u8>,
}

impl StripCoder {
    /// A coder for images `width` pixels wide.
    pub(crate) fn new() -> Self {
        StripCoder {
            lzw: super::lzw::Encoder::new(),
            rgb: Vec::new(),
            last_rgb: Vec::new(),
            last: Vec::new(),
        }
    }

    /// The LZW stream of one strip given as opaque RGBA rows (alpha left out).
    pub(crate) fn strip_from_rgba(&mut self, rgba: &[u8]) -> Vec<u8> {
        super::rgb_into(rgba, &mut self.rgb);
        // (An LZW stream is never empty: `last` is empty only before the first strip.)
        if self.last.is_empty() || self.rgb != self.last_rgb {
            self.last.clear();
            self.lzw.encode(&self.rgb, &mut self.last);
            std::mem::swap(&mut self.rgb, &mut self.last_rgb);
        }
        self.last.clone()
    }
}

/// The TIFF file of an image from its compressed strips ([`rows_per_strip`] rows each, the
/// last one fewer), in order.
pub(crate) fn assemble(width: u32, height: u32, dpi: u32, strips: &[Vec<u8>]) -> Vec<u8> {
    let rows_per_strip = rows_per_strip(width, height);
    // Layout: header (8) · strips · BitsPerSample (6) · XResolution (8) · YResolution (8) ·
    // StripOffsets (4n) · StripByteCounts (4n) · IFD.
    let total: usize = strips.iter().map(|s| s.len() + 1).sum();
    let mut out: Vec<u8> = Vec::with_capacity(total + 8 * strips.len() + 256);
    out.extend_from_slice(b"II");
    out.extend_from_slice(&42u16.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes()); // IFD offset, patched below
    let mut offsets = Vec::with_capacity(strips.len());
    let mut counts = Vec::with_capacity(strips.len());
    for s in strips {
        offsets.push(out.len() as u32);
        counts.push(s.len() as u32);
        out.extend_from_slice(s);
        if out.len() % 2 == 1 {
            out.push(0); // word alignment
        }
    }
    let bits_at = out.len() as u32;
    for _ in 0..3 {
        out.extend_from_slice(&8u16.to_le_bytes());
    }
    let xres_at = out.len() as u32;
    out.extend_from_slice(&dpi.to_le_bytes());
    out.extend_from_slice(&1u32.to_le_bytes());
    let yres_at = out.len() as u32;
    out.extend_from_slice(&dpi.to_le_bytes());
    out.extend_from_slice(&1u32.to_le_bytes());
    let n = offsets.len() as u32;
    let offsets_at = out.len() as u32;
    for o in &offsets {
        out.extend_from_slice(&o.to_le_bytes());
    }
    let counts_at = out.len() as u32;
    for c in &counts {
        out.extend_from_slice(&c.to_le_bytes());
    }
    let ifd_at = out.len() as u32;
    out[4..8].copy_from_slice(&ifd_at.to_le_bytes());
    const SHORT: u16 = 3;
    const LONG: u16 = 4;
    const RATIONAL: u16 = 5;
    // (tag, type, count, value or offset); tags in ascending order.
    let one_or_many = |count: u32, single: u32, at: u32| if count == 1 { single } else { at };
    let entries: Vec<(u16, u16, u32, u32)> = vec![
        (256, LONG, 1, width),                                  // ImageWidth
        (257, LONG, 1, height),                                 // ImageLength
        (258, SHORT, 3, bits_at),                               // BitsPerSample 8,8,8
        (259, SHORT, 1, 5),                                     // Compression: LZW
        (262, SHORT, 1, 2),                                     // PhotometricInterpretation: RGB
        (273, LONG, n, one_or_many(n, offsets[0], offsets_at)), // StripOffsets
        (277, SHORT, 1, 3),                                     // SamplesPerPixel
        (278, LONG, 1, rows_per_strip as u32),                  // RowsPerStrip
        (279, LONG, n, one_or_many(n, counts[0], counts_at)),   // StripByteCounts
        (282, RATIONAL, 1, xres_at),                            // XResolution
        (283, RATIONAL, 1, yres_at),                            // YResolution
        (284, SHORT, 1, 1),                                     // PlanarConfiguration: chunky
        (296, SHORT, 1, 2),                                     // ResolutionUnit: inch
    ];
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    for (tag, ty, count, value) in entries {
        out.extend_from_slice(&tag.to_le_bytes());
        out.extend_from_slice(&ty.to_le_bytes());
        out.extend_from_slice(&count.to_le_bytes());
        if ty == SHORT && count == 1 {
            out.extend_from_slice(&(value as u16).to_le_bytes());
            out.extend_from_slice(&[0, 0]);
        } else {
            out.extend_from_slice(&value.to_le_bytes());
        }
    }
    out.extend_from_slice(&0u32.to_le_bytes()); // no next IFD
    out
}

/// The fields of a TIFF that journals check, read back (for tests and `explain`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TiffInfo {
    pub width: u32,
    pub height: u32,
    pub compression: u16,
    pub bits_per_sample: Vec<u16>,
    pub samples_per_pixel: u16,
    pub photometric: u16,
    pub extra_samples: bool,
    pub x_resolution: Option<(u32, u32)>,
    pub y_resolution: Option<(u32, u32)>,
    pub resolution_unit: u16,
}

/// Reads the first IFD of a little-endian TIFF.
pub fn read_info(b: &[u8]) -> Result<TiffInfo, String> {
    let u16_at = |i: usize| -> Result<u16, String> {
        b.get(i..i + 2)
            .map(|s| u16::from_le_bytes([s[0], s[1]]))
            .ok_or_else(|| "truncated TIFF".to_string())
    };
    let u32_at = |i: usize| -> Result<u32, String> {
        b.get(i..i + 4)
            .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
            .ok_or_else(|| "truncated TIFF".to_string())
    };
    if b.get(0..4) != Some(b"II\x2a\x00") {
        return Err("not a little-endian TIFF".into());
    }
    let ifd = u32_at(4)? as usize;
    let n = u16_at(ifd)? as usize;
    let mut info = TiffInfo {
        resolution_unit: 2,
        ..Default::default()
    };
    for k in 0..n {
        let e = ifd + 2 + 12 * k;
        let (tag, ty, count) = (u16_at(e)?, u16_at(e + 2)?, u32_at(e + 4)?);
        let short = || u16_at(e + 8);
        let value = || -> Result<u32, String> {
            if ty == 3 {
                Ok(u32::from(u16_at(e + 8)?))
            } else {
                u32_at(e + 8)
            }
        };
        let rational = || -> Result<(u32, u32), String> {
            let at = u32_at(e + 8)? as usize;
            Ok((u32_at(at)?, u32_at(at + 4)?))
        };
        match tag {
            256 => info.width = value()?,
            257 => info.height = value()?,
            258 => {
                info.bits_per_sample = if count == 1 {
                    vec![short()?]
                } else {
                    let at = u32_at(e + 8)? as usize;
                    (0..count as usize)
                        .map(|i| u16_at(at + 2 * i))
                        .collect::<Result<_, _>>()?
                }
            }
            259 => info.compression = short()?,
            262 => info.photometric = short()?,
            277 => info.samples_per_pixel = short()?,
            282 => info.x_resolution = Some(rational()?),
            283 => info.y_resolution = Some(rational()?),
            296 => info.resolution_unit = short()?,
            338 => info.extra_samples = true,
            _ => {}
        }
    }
    Ok(info)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The RGB pixels of a TIFF written here, every strip decoded with weezl's TIFF decoder.
    pub(crate) fn decode(tif: &[u8]) -> Vec<u8> {
        let ifd = u32::from_le_bytes(tif[4..8].try_into().unwrap()) as usize;
        let n = u16::from_le_bytes(tif[ifd..ifd + 2].try_into().unwrap()) as usize;
        let mut offsets = Vec::new();
        let mut counts = Vec::new();
        for k in 0..n {
            let e = ifd + 2 + 12 * k;
            let tag = u16::from_le_bytes(tif[e..e + 2].try_into().unwrap());
            let count = u32::from_le_bytes(tif[e + 4..e + 8].try_into().unwrap()) as usize;
            let at = u32::from_le_bytes(tif[e + 8..e + 12].try_into().unwrap()) as usize;
            let read = |v: &mut Vec<usize>| {
                if count == 1 {
                    v.push(at);
                    return;
                }
                for i in 0..count {
                    v.push(
                        u32::from_le_bytes(tif[at + 4 * i..at + 4 * i + 4].try_into().unwrap())
                            as usize,
                    );
                }
            };
            if tag == 273 {
                read(&mut offsets);
            }
            if tag == 279 {
                read(&mut counts);
            }
        }
        let mut out = Vec::new();
        for (o, c) in offsets.iter().zip(&counts) {
            let mut d = weezl::decode::Decoder::with_tiff_size_switch(weezl::BitOrder::Msb, 8);
            out.extend(d.decode(&tif[*o..o + c]).unwrap());
        }
        out
    }

    #[test]
    fn round_trip_of_the_tags() {
        let (w, h) = (300u32, 500u32);
        let rgb: Vec<u8> = (0..w * h * 3).map(|i| (i % 251) as u8).collect();
        let tif = encode(w, h, &rgb, 600).unwrap();
        let info = read_info(&tif).unwrap();
        assert_eq!((info.width, info.height), (w, h));
        assert_eq!(info.compression, 5);
        assert_eq!(info.bits_per_sample, vec![8, 8, 8]);
        assert_eq!(info.samples_per_pixel, 3);
        assert!(!info.extra_samples);
        assert_eq!(info.x_resolution, Some((600, 1)));
        assert_eq!(info.resolution_unit, 2);
    }

    #[test]
    fn rgba_gives_the_bytes_of_its_rgb() {
        let (w, h) = (131u32, 777u32);
        let rgb: Vec<u8> = (0..w * h * 3).map(|i| ((i / 5) % 253) as u8).collect();
        let rgba: Vec<u8> = rgb
            .chunks_exact(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect();
        assert_eq!(
            encode_rgba(w, h, &rgba, 500).unwrap(),
            encode(w, h, &rgb, 500).unwrap()
        );
        assert!(encode_rgba(w, h, &rgba[4..], 500).is_err());
    }

    #[test]
    fn strips_decode_to_the_pixels() {
        let (w, h) = (97u32, 1003u32);
        let rgb: Vec<u8> = (0..w * h * 3).map(|i| ((i / 7) % 256) as u8).collect();
        let tif = encode(w, h, &rgb, 300).unwrap();
        assert_eq!(decode(&tif), rgb);
    }
}
