//! What a file really is, judged from its bytes and never from its name. Executables and
//! scripts are refused whatever they are called; office documents must be the zip
//! packages of a real office format, not any zip.

use std::io::{Read, Seek};

/// A type the service may accept (whether it does is the `documents.allowed_types`
/// setting), with its short name, MIME type and usual extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    pub name: &'static str,
    pub mime: &'static str,
    pub extension: &'static str,
}

pub const PDF: Kind = Kind {
    name: "pdf",
    mime: "application/pdf",
    extension: "pdf",
};
pub const PNG: Kind = Kind {
    name: "png",
    mime: "image/png",
    extension: "png",
};
pub const JPEG: Kind = Kind {
    name: "jpeg",
    mime: "image/jpeg",
    extension: "jpg",
};
pub const DOCX: Kind = Kind {
    name: "docx",
    mime: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    extension: "docx",
};
pub const XLSX: Kind = Kind {
    name: "xlsx",
    mime: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    extension: "xlsx",
};
pub const ODT: Kind = Kind {
    name: "odt",
    mime: "application/vnd.oasis.opendocument.text",
    extension: "odt",
};
pub const ODS: Kind = Kind {
    name: "ods",
    mime: "application/vnd.oasis.opendocument.spreadsheet",
    extension: "ods",
};
pub const TEXT: Kind = Kind {
    name: "txt",
    mime: "text/plain; charset=utf-8",
    extension: "txt",
};
pub const CSV: Kind = Kind {
    name: "csv",
    mime: "text/csv; charset=utf-8",
    extension: "csv",
};

/// Every type the detector recognises as acceptable content.
pub const KNOWN: &[Kind] = &[PDF, PNG, JPEG, DOCX, XLSX, ODT, ODS, TEXT, CSV];

/// The verdict on a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Accept(Kind),
    /// Never accepted: an executable or a script, whatever its name says.
    Dangerous(String),
    /// Not a type the service takes.
    Unsupported(String),
}

/// How many leading bytes `detect` needs to see.
pub const HEAD_BYTES: usize = 8192;

/// Judges a file from its first bytes (`head`, up to `HEAD_BYTES`) and, for zip packages
/// and text, the whole content through `file`. `name` (the client's) only tells CSV from
/// plain text, both of which are text either way.
pub fn detect<F: Read + Seek>(head: &[u8], file: F, name: &str) -> Verdict {
    if let Some(what) = executable(head) {
        return Verdict::Dangerous(what);
    }
    if head.starts_with(b"%PDF-") {
        return Verdict::Accept(PDF);
    }
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Verdict::Accept(PNG);
    }
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Verdict::Accept(JPEG);
    }
    if head.starts_with(b"PK\x03\x04") {
        return office_package(file);
    }
    if looks_like_text(head) {
        return text(file, name);
    }
    match infer::get(head) {
        Some(t) if t.matcher_type() == infer::MatcherType::App => {
            Verdict::Dangerous(format!("an executable ({})", t.mime_type()))
        }
        Some(t) => Verdict::Unsupported(format!("{} is not an accepted type", t.mime_type())),
        None => Verdict::Unsupported("the content is of no accepted type".into()),
    }
}

/// Native executables by their magic numbers, and scripts by their first line.
fn executable(head: &[u8]) -> Option<String> {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"MZ", "a Windows executable (PE)"),
        (b"\x7fELF", "an ELF executable"),
        (&[0xFE, 0xED, 0xFA, 0xCE], "a Mach-O executable"),
        (&[0xFE, 0xED, 0xFA, 0xCF], "a Mach-O executable"),
        (&[0xCE, 0xFA, 0xED, 0xFE], "a Mach-O executable"),
        (&[0xCF, 0xFA, 0xED, 0xFE], "a Mach-O executable"),
        (
            &[0xCA, 0xFE, 0xBA, 0xBE],
            "a Mach-O universal binary or Java class",
        ),
        (b"\0asm", "a WebAssembly module"),
        (b"#!", "a script"),
    ];
    if let Some((_, what)) = MAGIC.iter().find(|(magic, _)| head.starts_with(magic)) {
        return Some((*what).to_string());
    }
    let start = String::from_utf8_lossy(&head[..head.len().min(512)])
        .trim_start_matches('\u{feff}')
        .trim_start()
        .to_ascii_lowercase();
    const SCRIPT: &[&str] = &[
        "<?php",
        "<script",
        "<html",
        "<!doctype html",
        "<svg",
        "<?xml",
        "@echo off",
        "<job",
        "<hta:",
        "<package",
    ];
    SCRIPT
        .iter()
        .find(|marker| start.starts_with(*marker))
        .map(|marker| format!("markup or a script (starts with {marker})"))
}

/// DOCX and XLSX are Office Open XML packages; ODT and ODS are OpenDocument packages
/// whose first entry `mimetype` names the format. Any other zip is refused.
fn office_package<F: Read + Seek>(file: F) -> Verdict {
    let Ok(mut archive) = zip::ZipArchive::new(file) else {
        return Verdict::Unsupported("a damaged zip archive".into());
    };
    let names: Vec<String> = archive
        .file_names()
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .collect();
    let has = |n: &str| names.iter().any(|x| x == n);
    let executable_inside = names.iter().any(|n| {
        let lower = n.to_ascii_lowercase();
        [
            ".exe", ".dll", ".scr", ".bat", ".cmd", ".ps1", ".vbs", ".js", ".jar", ".sh",
        ]
        .iter()
        .any(|ext| lower.ends_with(ext))
    });
    if executable_inside {
        return Verdict::Dangerous("an archive carrying executables".into());
    }
    if has("[Content_Types].xml") && has("word/document.xml") {
        return Verdict::Accept(DOCX);
    }
    if has("[Content_Types].xml") && has("xl/workbook.xml") {
        return Verdict::Accept(XLSX);
    }
    if has("mimetype") && has("content.xml") {
        let mut declared = String::new();
        if let Ok(mut entry) = archive.by_name("mimetype") {
            let _ = entry.by_ref().take(200).read_to_string(&mut declared);
        }
        match declared.trim() {
            "application/vnd.oasis.opendocument.text" => return Verdict::Accept(ODT),
            "application/vnd.oasis.opendocument.spreadsheet" => return Verdict::Accept(ODS),
            _ => {}
        }
    }
    Verdict::Unsupported("a zip archive that is not a DOCX, XLSX, ODT or ODS document".into())
}

/// Printable UTF-8 (a multi-byte character cut by the end of `head` is fine).
fn looks_like_text(bytes: &[u8]) -> bool {
    let valid = match std::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) if e.error_len().is_none() => {
            std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => return false,
    };
    !valid.is_empty()
        && valid
            .chars()
            .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t' | '\u{c}'))
}

/// Text all the way through, not only at the start.
fn text<F: Read>(mut file: F, name: &str) -> Verdict {
    let mut all = Vec::new();
    if file.read_to_end(&mut all).is_err()
        || !looks_like_text(&all)
        || std::str::from_utf8(&all).is_err()
    {
        return Verdict::Unsupported("binary content after a text beginning".into());
    }
    if name.to_ascii_lowercase().ends_with(".csv") {
        Verdict::Accept(CSV)
    } else {
        Verdict::Accept(TEXT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write};

    fn verdict(bytes: &[u8], name: &str) -> Verdict {
        detect(
            &bytes[..bytes.len().min(HEAD_BYTES)],
            Cursor::new(bytes),
            name,
        )
    }

    fn zip_with(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut out);
            let opts = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Stored);
            for (name, content) in entries {
                w.start_file(*name, opts).expect("entry");
                w.write_all(content).expect("write");
            }
            w.finish().expect("finish");
        }
        out.into_inner()
    }

    #[test]
    fn accepted_types_are_known_by_their_bytes() {
        assert_eq!(verdict(b"%PDF-1.7\n...", "x.bin"), Verdict::Accept(PDF));
        assert_eq!(
            verdict(b"\x89PNG\r\n\x1a\n\0\0", "a.pdf"),
            Verdict::Accept(PNG)
        );
        assert_eq!(
            verdict(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10], "a"),
            Verdict::Accept(JPEG)
        );
        assert_eq!(
            verdict("Budget notes, Lagos – 2026\n".as_bytes(), "notes"),
            Verdict::Accept(TEXT)
        );
        assert_eq!(
            verdict(b"category,amount\nrent,100\n", "Budget.CSV"),
            Verdict::Accept(CSV)
        );
    }

    #[test]
    fn office_documents_must_be_real_packages() {
        let docx = zip_with(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", b"<w/>"),
        ]);
        assert_eq!(verdict(&docx, "p.docx"), Verdict::Accept(DOCX));
        let xlsx = zip_with(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("xl/workbook.xml", b"<wb/>"),
        ]);
        assert_eq!(verdict(&xlsx, "b.xlsx"), Verdict::Accept(XLSX));
        let odt = zip_with(&[
            ("mimetype", b"application/vnd.oasis.opendocument.text"),
            ("content.xml", b"<x/>"),
        ]);
        assert_eq!(verdict(&odt, "p.odt"), Verdict::Accept(ODT));
        let plain_zip = zip_with(&[("readme.txt", b"hello")]);
        assert!(matches!(
            verdict(&plain_zip, "p.docx"),
            Verdict::Unsupported(_)
        ));
        let fake_odt = zip_with(&[
            ("mimetype", b"application/x-evil"),
            ("content.xml", b"<x/>"),
        ]);
        assert!(matches!(
            verdict(&fake_odt, "p.odt"),
            Verdict::Unsupported(_)
        ));
        let smuggler = zip_with(&[
            ("[Content_Types].xml", b"<T/>"),
            ("word/document.xml", b"<w/>"),
            ("run.exe", b"MZ"),
        ]);
        assert!(matches!(
            verdict(&smuggler, "p.docx"),
            Verdict::Dangerous(_)
        ));
        assert!(matches!(
            verdict(b"PK\x03\x04broken", "p.docx"),
            Verdict::Unsupported(_)
        ));
    }

    #[test]
    fn executables_are_dangerous_whatever_their_name() {
        let mut pe = b"MZ\x90\0\x03\0\0\0".to_vec();
        pe.extend_from_slice(&[0; 120]);
        for (bytes, name) in [
            (pe.as_slice(), "proposal.pdf"),
            (b"\x7fELF\x02\x01\x01\0\0\0\0\0".as_slice(), "budget.docx"),
            (&[0xCF, 0xFA, 0xED, 0xFE, 7, 0, 0, 1], "photo.png"),
            (b"#!/bin/sh\nrm -rf /\n", "notes.txt"),
            (b"<?php system($_GET['c']); ?>", "notes.txt"),
            (b"  <script>alert(1)</script>", "a.csv"),
            (b"<svg onload=alert(1)>", "a.txt"),
        ] {
            assert!(
                matches!(verdict(bytes, name), Verdict::Dangerous(_)),
                "{name}"
            );
        }
    }

    #[test]
    fn other_content_is_unsupported() {
        assert!(matches!(
            verdict(b"GIF89a\x01\0\x01\0", "a.gif"),
            Verdict::Unsupported(_)
        ));
        assert!(matches!(
            verdict(&[0, 1, 2, 3, 4, 5], "a.txt"),
            Verdict::Unsupported(_)
        ));
        // text at the start, binary later
        let mut sneaky = b"hello\n".to_vec();
        sneaky.resize(HEAD_BYTES + 10, b'a');
        sneaky.push(0);
        assert!(matches!(verdict(&sneaky, "a.txt"), Verdict::Unsupported(_)));
    }
}
