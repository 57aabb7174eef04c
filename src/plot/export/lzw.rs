//! LZW compression in TIFF's variant (TIFF 6.0, section 13): 8-bit symbols, codes of 9 to 12
//! bits packed most significant bit first, Clear = 256 and EndOfInformation = 257, the code
//! size growing one code early ("early change"). The same bit stream as `weezl`'s encoder
//! built with `with_tiff_size_switch(Msb, 8)` (a test compares them byte for byte), about
//! four times faster on figures: the dictionary is a direct table (code × next byte → code)
//! instead of a tree searched per byte, and it is emptied by undoing only the entries made.

const CLEAR: u16 = 256;
const END: u16 = 257;
const FIRST: u16 = 258;
/// See [`Encoder::encode`]: the string made from a code that has made 16 already.
const WEEZL_UNRECORDED: u8 = 17;
/// After the entry with this code is made, the dictionary is full: a Clear code follows.
const LAST_ENTRY: usize = 4096;

/// A reusable encoder: the dictionary is allocated once (2 MB, zeroed lazily by the system)
/// and reused for every strip of an image.
pub struct Encoder {
    /// `next[code * 256 + byte]`: the code of the string `code` + `byte`, 0 when none (no
    /// entry has code 0: entries start at 258).
    next: Vec<u16>,
    /// The indices of `next` set since the last Clear, to empty it cheaply.
    made: Vec<u32>,
    /// How many strings have been made from each code since the last Clear.
    children: Vec<u8>,
    /// `run_len[code]` = n when `code` is the string of one byte repeated n times (then
    /// `run_byte[code]` is that byte), 0 otherwise.
    run_len: Vec<u16>,
    run_byte: Vec<u8>,
    /// `runs[b][n - 1]`: the code of b repeated n times, for every n the dictionary holds.
    runs: Vec<Vec<u16>>,
}

impl Default for Encoder {
    fn default() -> Self {
        Self::new()
    }
}

struct Bits<'a> {
    out: &'a mut Vec<u8>,
    acc: u64,
    n: u32,
    size: u32,
}

impl Bits<'_> {
    #[inline(always)]
    fn put(&mut self, code: u16) {
        self.acc |= u64::from(code) << (64 - self.n - self.size);
        self.n += self.size;
        if self.n >= 32 {
            self.out
                .extend_from_slice(&((self.acc >> 32) as u32).to_be_bytes());
            self.acc <<= 32;
            self.n -= 32;
        }
    }
    fn finish(self) {
        let bytes = self.n.div_ceil(8) as usize;
        self.out.extend_from_slice(&self.acc.to_be_bytes()[..bytes]);
    }
}

impl Encoder {
    /// A new encoder.
    pub fn new() -> Self {
        Encoder {
            next: vec![0; (LAST_ENTRY + 1) * 256],
            made: Vec::with_capacity(LAST_ENTRY),
            children: vec![0; LAST_ENTRY + 1],
            run_len: vec![0; LAST_ENTRY + 1],
            run_byte: vec![0; LAST_ENTRY + 1],
            runs: (0..=255u16).map(|b| vec![b]).collect(),
        }
    }

    fn clear(&mut self) {
        for &i in &self.made {
            self.next[i as usize] = 0;
        }
        self.made.clear();
        self.children.fill(0);
        self.run_len.fill(0);
        for b in 0..256 {
            self.run_len[b] = 1;
            self.run_byte[b] = b as u8;
            self.runs[b].truncate(1);
        }
    }

    /// `data` compressed as one LZW stream (Clear first, EndOfInformation last, padded to a
    /// byte), appended to `out`.
    pub fn encode(&mut self, data: &[u8], out: &mut Vec<u8>) {
        self.clear();
        let mut bits = Bits {
            out,
            acc: 0,
            n: 0,
            size: 9,
        };
        bits.put(CLEAR);
        let Some(&first) = data.first() else {
            bits.put(END);
            bits.finish();
            return;
        };
        let mut free = usize::from(FIRST);
        let mut current = u16::from(first);
        let mut i = 1;
        while i < data.len() {
            let byte = data[i];
            let run = self.run_len[usize::from(current)];
            if run != 0 && byte == self.run_byte[usize::from(current)] {
                // A run (most of a figure is white): the longest run string the dictionary
                // holds is found at once rather than byte by byte — the same codes.
                let chain = &self.runs[usize::from(byte)];
                let more = chain.len() - usize::from(run);
                if more > 0 {
                    let ahead = &data[i..(i + more).min(data.len())];
                    let r = run_length(ahead, byte);
                    current = chain[usize::from(run) + r - 1];
                    i += r;
                    continue;
                }
            }
            i += 1;
            let at = usize::from(current) * 256 + usize::from(byte);
            let child = self.next[at];
            if child != 0 {
                current = child;
                continue;
            }
            // A new string: record it, write the longest known prefix. As weezl does, the 17th
            // string made from one code takes a code but is not recorded (weezl's encoder
            // moves a code's successors from a short list to a full table then and leaves the
            // new one out); decoders define it all the same, so the stream stays valid and
            // the bytes stay those weezl wrote.
            let c = &mut self.children[usize::from(current)];
            *c = c.saturating_add(1);
            if *c != WEEZL_UNRECORDED {
                self.next[at] = free as u16;
                self.made.push(at as u32);
                if run != 0 && byte == self.run_byte[usize::from(current)] {
                    // The run one longer than any before (else it would have been found).
                    self.runs[usize::from(byte)].push(free as u16);
                    self.run_len[free] = run + 1;
                    self.run_byte[free] = byte;
                }
            }
            free += 1;
            bits.put(current);
            current = u16::from(byte);
            if free >= 1 << bits.size && bits.size < 12 {
                bits.size += 1;
            }
            if free > LAST_ENTRY {
                bits.put(CLEAR);
                self.clear();
                free = usize::from(FIRST);
                bits.size = 9;
            }
        }
        bits.put(current);
        // The decoder makes one more entry on reading that code before the end code.
        if free + 1 > (1 << bits.size) - 1 && bits.size < 12 {
            bits.size += 1;
        }
        bits.put(END);
        bits.finish();
    }
}

/// How many bytes at the start of `ahead` equal `byte`: compared eight at a time (32 per step
/// while they all match), since almost every byte an encoder of figures reads is in a run of
/// white (a 500-dpi forest plot: 97% of its bytes, in runs of 68 bytes on average).
#[inline(always)]
fn run_length(ahead: &[u8], byte: u8) -> usize {
    let pattern = u64::from_ne_bytes([byte; 8]);
    let word = |k: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&ahead[k..k + 8]);
        u64::from_le_bytes(w) ^ pattern
    };
    let mut k = 0;
    while k + 32 <= ahead.len() && (word(k) | word(k + 8) | word(k + 16) | word(k + 24)) == 0 {
        k += 32;
    }
    while k + 8 <= ahead.len() {
        let w = word(k);
        if w != 0 {
            // Little-endian: the first differing byte is the lowest non-zero one.
            return k + (w.trailing_zeros() / 8) as usize;
        }
        k += 8;
    }
    k + ahead[k..].iter().take_while(|&&x| x == byte).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weezl(data: &[u8]) -> Vec<u8> {
        weezl::encode::Encoder::with_tiff_size_switch(weezl::BitOrder::Msb, 8)
            .encode(data)
            .unwrap()
    }

    fn ours(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        Encoder::new().encode(data, &mut out);
        out
    }

    #[test]
    fn the_same_bits_as_weezl() {
        // Empty, one byte, runs (codes grow to 12 bits and the dictionary fills and clears),
        // pseudo-random bytes (many short strings), and a mix like a figure's rows.
        let mut cases: Vec<Vec<u8>> = vec![vec![], vec![7], vec![255; 3], vec![0; 200_000]];
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut random = Vec::new();
        for _ in 0..100_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            random.push((x >> 56) as u8);
        }
        cases.push(random.clone());
        let mut mixed = Vec::new();
        for row in 0..300usize {
            for col in 0..900usize {
                let v = if (col + row) % 97 < 3 {
                    (col % 5) as u8 * 40
                } else {
                    255
                };
                mixed.extend([v, v, 255 - v / 2]);
            }
        }
        cases.push(mixed);
        // Long runs of several bytes, interrupted: run strings grow, break and clear.
        let mut runs = Vec::new();
        for k in 0..4000usize {
            let b = [255u8, 0, 255, 7, 255][k % 5];
            runs.extend(std::iter::repeat_n(b, (k * 37) % 700 + 1));
            runs.push((k % 251) as u8);
        }
        cases.push(runs);
        for len in [1usize, 2, 257, 511, 512, 513, 4093, 4094, 4095, 4096, 4097] {
            cases.push(random[..len].to_vec());
        }
        // Lengths around each code-size switch and the Clear, with the end code just after.
        for n in [
            250usize, 253, 254, 255, 256, 510, 511, 1790, 1791, 3838, 3839, 3840,
        ] {
            cases.push(random[..n].iter().map(|b| b % 2).collect());
        }
        let mut enc = Encoder::new();
        for c in &cases {
            let mut out = Vec::new();
            enc.encode(c, &mut out);
            assert_eq!(out, weezl(c), "{} bytes", c.len());
            assert_eq!(ours(c), weezl(c));
        }
    }

    #[test]
    fn run_length_counts_the_leading_bytes() {
        for len in 0..80usize {
            for stop in 0..=len {
                let mut v = vec![9u8; len];
                if stop < len {
                    v[stop] = 8;
                }
                assert_eq!(run_length(&v, 9), stop, "{len} {stop}");
            }
        }
    }

    #[test]
    fn every_prefix_of_random_bytes_matches() {
        // Every length up to 6,000 of low-entropy bytes: each code-size switch and the first
        // Clear fall at the end of some input.
        let mut x: u32 = 12345;
        let data: Vec<u8> = (0..6000)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                ((x >> 16) % 3) as u8
            })
            .collect();
        let mut enc = Encoder::new();
        for n in (0..data.len()).step_by(7) {
            let mut out = Vec::new();
            enc.encode(&data[..n], &mut out);
            assert_eq!(out, weezl(&data[..n]), "{n} bytes");
        }
    }
}
