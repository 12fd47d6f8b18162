//! A tiny, valid OGG/Opus voice note, generated deterministically: an `OpusHead` page, an
//! `OpusTags` page and audio pages of 20 ms silent Opus frames (48 kHz, mono), with correct page
//! CRCs and granule positions, so decoders and duration probes accept it.

/// Opus decoders skip this many samples at the start (the usual encoder delay).
const PRE_SKIP: u16 = 312;
/// Samples per 20 ms frame at 48 kHz.
const SAMPLES_PER_FRAME: u64 = 960;
/// A 20 ms CELT silence frame: TOC byte 0xF8 (config 31, mono, one frame) and a silent payload.
const SILENT_FRAME: [u8; 3] = [0xf8, 0xff, 0xfe];
const STREAM_SERIAL: u32 = 0x5749_4d31;

/// An OGG/Opus file of `duration_secs` seconds of silence (at least one frame).
pub fn silent_voice_note(duration_secs: u32) -> Vec<u8> {
    let frames = (u64::from(duration_secs) * 50).max(1);
    let mut out = Vec::new();
    let mut sequence = 0;

    let mut head = b"OpusHead".to_vec();
    head.push(1); // version
    head.push(1); // channels
    head.extend_from_slice(&PRE_SKIP.to_le_bytes());
    head.extend_from_slice(&48_000u32.to_le_bytes());
    head.extend_from_slice(&0i16.to_le_bytes()); // output gain
    head.push(0); // channel mapping family
    write_page(&mut out, 0x02, 0, &mut sequence, &[&head]);

    let vendor = b"wellness-sim";
    let mut tags = b"OpusTags".to_vec();
    tags.extend_from_slice(&u32::try_from(vendor.len()).unwrap_or(0).to_le_bytes());
    tags.extend_from_slice(vendor);
    tags.extend_from_slice(&0u32.to_le_bytes()); // no user comments
    write_page(&mut out, 0x00, 0, &mut sequence, &[&tags]);

    // Up to 50 frames (one second) per page.
    let mut written = 0;
    while written < frames {
        let count = (frames - written).min(50);
        written += count;
        let packets: Vec<&[u8]> = (0..count).map(|_| &SILENT_FRAME[..]).collect();
        let granule = u64::from(PRE_SKIP) + written * SAMPLES_PER_FRAME;
        let header_type = if written == frames { 0x04 } else { 0x00 };
        write_page(&mut out, header_type, granule, &mut sequence, &packets);
    }
    out
}

fn write_page(
    out: &mut Vec<u8>,
    header_type: u8,
    granule: u64,
    sequence: &mut u32,
    packets: &[&[u8]],
) {
    let mut segments = Vec::new();
    for packet in packets {
        let mut left = packet.len();
        while left >= 255 {
            segments.push(255u8);
            left -= 255;
        }
        segments.push(u8::try_from(left).unwrap_or(0));
    }
    let start = out.len();
    out.extend_from_slice(b"OggS");
    out.push(0); // version
    out.push(header_type);
    out.extend_from_slice(&granule.to_le_bytes());
    out.extend_from_slice(&STREAM_SERIAL.to_le_bytes());
    out.extend_from_slice(&sequence.to_le_bytes());
    out.extend_from_slice(&[0; 4]); // CRC, filled in below
    out.push(u8::try_from(segments.len()).unwrap_or(u8::MAX));
    out.extend_from_slice(&segments);
    for packet in packets {
        out.extend_from_slice(packet);
    }
    let crc = ogg_crc(&out[start..]);
    out[start + 22..start + 26].copy_from_slice(&crc.to_le_bytes());
    *sequence += 1;
}

/// The CRC-32 of OGG pages: polynomial 0x04C11DB7, not reflected, initial value 0.
pub fn ogg_crc(data: &[u8]) -> u32 {
    let mut crc: u32 = 0;
    for &byte in data {
        crc ^= u32::from(byte) << 24;
        for _ in 0..8 {
            crc = if crc & 0x8000_0000 != 0 {
                (crc << 1) ^ 0x04c1_1db7
            } else {
                crc << 1
            };
        }
    }
    crc
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Splits a stream into pages, checking each page's CRC.
    fn pages(data: &[u8]) -> Vec<(u8, u64, Vec<u8>)> {
        let mut pages = Vec::new();
        let mut pos = 0;
        while pos < data.len() {
            assert_eq!(&data[pos..pos + 4], b"OggS");
            let header_type = data[pos + 5];
            let granule = u64::from_le_bytes(data[pos + 6..pos + 14].try_into().unwrap());
            let stored_crc = u32::from_le_bytes(data[pos + 22..pos + 26].try_into().unwrap());
            let segment_count = data[pos + 26] as usize;
            let body_len: usize = data[pos + 27..pos + 27 + segment_count]
                .iter()
                .map(|&s| s as usize)
                .sum();
            let end = pos + 27 + segment_count + body_len;
            let mut page = data[pos..end].to_vec();
            page[22..26].copy_from_slice(&[0; 4]);
            assert_eq!(ogg_crc(&page), stored_crc);
            pages.push((header_type, granule, data[end - body_len..end].to_vec()));
            pos = end;
        }
        pages
    }

    #[test]
    fn voice_note_is_a_well_formed_ogg_opus_stream() {
        let note = silent_voice_note(3);
        let pages = pages(&note);
        assert_eq!(pages[0].0, 0x02);
        assert!(pages[0].2.starts_with(b"OpusHead"));
        assert!(pages[1].2.starts_with(b"OpusTags"));
        let last = pages.last().unwrap();
        assert_eq!(last.0, 0x04);
        assert_eq!(last.1, u64::from(PRE_SKIP) + 3 * 50 * SAMPLES_PER_FRAME);
    }

    #[test]
    fn crc_matches_the_ogg_reference_value() {
        // CRC-32/MPEG-2 without the final inversion and initial 0 ("OggS" check value).
        assert_eq!(ogg_crc(b"123456789"), 0x89a1_897f);
    }
}
