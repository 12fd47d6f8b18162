//! Just enough knowledge of file formats to answer like Telegram: photo dimensions from PNG, JPEG,
//! GIF and WebP headers, and MIME types of documents.

/// The image format's usual extension, when the bytes are an image the simulator can read.
pub(crate) fn image_format(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("png")
    } else if bytes.starts_with(&[0xff, 0xd8]) {
        Some("jpg")
    } else if bytes.starts_with(b"GIF8") {
        Some("gif")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("webp")
    } else {
        None
    }
}

fn be16(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from(u16::from_be_bytes([
        *bytes.get(at)?,
        *bytes.get(at + 1)?,
    ])))
}

fn le16(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from(u16::from_le_bytes([
        *bytes.get(at)?,
        *bytes.get(at + 1)?,
    ])))
}

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

/// Width and height of a PNG, JPEG, GIF or WebP image.
pub(crate) fn image_dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    let dimensions = match image_format(bytes)? {
        "png" => (be32(bytes, 16)?, be32(bytes, 20)?),
        "gif" => (le16(bytes, 6)?, le16(bytes, 8)?),
        "webp" => webp_dimensions(bytes)?,
        _ => jpeg_dimensions(bytes)?,
    };
    (dimensions.0 > 0 && dimensions.1 > 0).then_some(dimensions)
}

fn jpeg_dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    let mut pos = 2;
    loop {
        while *bytes.get(pos)? != 0xff {
            pos += 1;
        }
        while *bytes.get(pos)? == 0xff {
            pos += 1;
        }
        let marker = *bytes.get(pos)?;
        pos += 1;
        if matches!(marker, 0xd8 | 0x01 | 0xd0..=0xd7) {
            continue;
        }
        let length = be16(bytes, pos)? as usize;
        // Start-of-frame markers, except DHT (C4), JPG (C8) and DAC (CC).
        if matches!(marker, 0xc0..=0xcf) && !matches!(marker, 0xc4 | 0xc8 | 0xcc) {
            return Some((be16(bytes, pos + 5)?, be16(bytes, pos + 3)?));
        }
        pos += length;
    }
}

fn webp_dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    let chunk = bytes.get(12..16)?;
    let le24 = |at: usize| -> Option<u32> {
        Some(u32::from_le_bytes([
            *bytes.get(at)?,
            *bytes.get(at + 1)?,
            *bytes.get(at + 2)?,
            0,
        ]))
    };
    match chunk {
        b"VP8X" => Some((le24(24)? + 1, le24(27)? + 1)),
        b"VP8 " => Some((le16(bytes, 26)? & 0x3fff, le16(bytes, 28)? & 0x3fff)),
        b"VP8L" => {
            let bits = u32::from_le_bytes(bytes.get(21..25)?.try_into().ok()?);
            Some(((bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1))
        }
        _ => None,
    }
}

/// The MIME type Telegram reports for a document, from the uploaded part's content type or the
/// file name's extension.
pub(crate) fn document_mime_type(file_name: Option<&str>, content_type: Option<&str>) -> String {
    if let Some(content_type) = content_type
        && !content_type.is_empty()
        && !content_type.eq_ignore_ascii_case("application/octet-stream")
    {
        return content_type
            .split(';')
            .next()
            .unwrap_or(content_type)
            .trim()
            .to_owned();
    }
    let extension = file_name
        .and_then(|name| name.rsplit_once('.'))
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "txt" | "log" => "text/plain",
        "csv" => "text/csv",
        "json" => "application/json",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "xml" => "application/xml",
        "html" | "htm" => "text/html",
        "md" => "text/markdown",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ogg" | "oga" | "opus" => "audio/ogg",
        "mp3" => "audio/mpeg",
        "mp4" => "video/mp4",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _ => "application/octet-stream",
    }
    .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_png_and_gif_dimensions() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend_from_slice(&640u32.to_be_bytes());
        png.extend_from_slice(&480u32.to_be_bytes());
        assert_eq!(image_dimensions(&png), Some((640, 480)));
        let gif = b"GIF89a\x20\x00\x10\x00";
        assert_eq!(image_dimensions(gif), Some((32, 16)));
        assert_eq!(image_dimensions(b"not an image"), None);
    }

    #[test]
    fn reads_jpeg_dimensions_from_the_frame_header() {
        let jpeg = [
            0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00, 0xff, 0xc0, 0x00, 0x0b, 0x08, 0x00,
            0x20, 0x00, 0x40, 0x01, 0x01, 0x11, 0x00,
        ];
        assert_eq!(image_dimensions(&jpeg), Some((64, 32)));
    }
}
