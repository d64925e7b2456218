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

/// Native executables by their magic numbers, and scripts and markup by their beginning.
fn executable(head: &[u8]) -> Option<String> {
    binary_executable(head).or_else(|| markup(head))
}

/// Native executables and bytecode by their magic numbers.
fn binary_executable(head: &[u8]) -> Option<String> {
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
    MAGIC
        .iter()
        .find(|(magic, _)| head.starts_with(magic))
        .map(|(_, what)| (*what).to_string())
}

/// Markup a browser would run, or a script, judged as a browser sniffs: after a byte-order
/// mark, white space and any number of HTML comments, the first tag.
fn markup(head: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(&head[..head.len().min(HEAD_BYTES)]).to_ascii_lowercase();
    let mut start = text.trim_start_matches('\u{feff}').trim_start();
    while let Some(rest) = start.strip_prefix("<!--") {
        start = match rest.find("-->") {
            Some(end) => rest[end + 3..].trim_start(),
            // a comment that does not end within the head: a browser would still take it
            // for HTML
            None => return Some("HTML (starts with a comment)".into()),
        };
    }
    const SCRIPT: &[&str] = &[
        "<?php",
        "<?xml",
        "<!doctype html",
        "@echo off",
        "<job",
        "<hta:",
        "<package",
    ];
    if let Some(marker) = SCRIPT.iter().find(|marker| start.starts_with(*marker)) {
        return Some(format!("markup or a script (starts with {marker})"));
    }
    let tag = start.strip_prefix('<').map(tag_name).unwrap_or_default();
    if !tag.is_empty() && (HTML_TAGS.contains(&tag) || tag == "svg") {
        return Some(format!("markup or a script (starts with <{tag})"));
    }
    None
}

/// Tags that make a browser treat text as HTML (the WHATWG sniffing list, and the tags
/// that run or fetch something); found anywhere in a text upload, they make it markup.
const HTML_TAGS: &[&str] = &[
    "html", "head", "body", "script", "iframe", "frame", "frameset", "object", "embed", "applet",
    "svg", "math", "meta", "link", "style", "base", "form", "img", "template", "title", "table",
    "div", "font", "br", "p", "a", "b", "h1",
];

/// The tag name at the start of `after_lt` (the text after a `<`), when it is one: letters
/// and digits ended by white space, `>` or `/`.
fn tag_name(after_lt: &str) -> &str {
    let end = after_lt
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(after_lt.len());
    let (name, rest) = after_lt.split_at(end);
    let ended = rest.is_empty()
        || rest.starts_with(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/');
    if ended { name } else { "" }
}

/// The first tag a browser would run or render found anywhere in `text` (lower-cased),
/// e.g. `<script` after a first line of ordinary text.
fn markup_inside(text: &str) -> Option<String> {
    const ACTIVE: &[&str] = &[
        "html", "head", "body", "script", "iframe", "frame", "frameset", "object", "embed",
        "applet", "svg", "math", "meta", "link", "style", "base", "form", "img", "template",
    ];
    if text.contains("<!doctype html") || text.contains("<?php") {
        return Some("HTML or a script".into());
    }
    text.match_indices('<').find_map(|(at, _)| {
        let tag = tag_name(&text[at + 1..]);
        ACTIVE
            .contains(&tag)
            .then(|| format!("HTML (a <{tag}> tag at byte {at})"))
    })
}

/// Bounds of an office package, checked without unpacking it to disk.
pub mod limits {
    /// What all entries of one package may add up to, unpacked.
    pub const MAX_UNPACKED_BYTES: u64 = 100 * 1024 * 1024;
    /// Entries in one package (a large real workbook has a few hundred).
    pub const MAX_ENTRIES: usize = 10_000;
    /// Unpacked size over packed size of one entry, checked on entries of more than
    /// `RATIO_FLOOR_BYTES` unpacked: plain XML packs 5–20 times, a bomb 1,000 times.
    pub const MAX_RATIO: u64 = 100;
    pub const RATIO_FLOOR_BYTES: u64 = 1024 * 1024;
}

/// Entries never accepted inside a document, by their name's ending: programs, scripts,
/// installers and shortcuts.
const EXECUTABLE_ENDINGS: &[&str] = &[
    ".exe", ".dll", ".hta", ".msi", ".msp", ".js", ".jse", ".vbs", ".vbe", ".wsf", ".wsh", ".scr",
    ".bat", ".cmd", ".ps1", ".psm1", ".jar", ".sh", ".com", ".cpl", ".msc", ".lnk", ".pif", ".reg",
    ".app", ".apk", ".elf", ".so", ".dylib", ".class", ".py", ".pl",
];

/// Entries that are archives of their own, by their name's ending (and any entry whose bytes
/// start as a zip does, whatever its name).
const ARCHIVE_ENDINGS: &[&str] = &[
    ".zip", ".docx", ".docm", ".xlsx", ".xlsm", ".pptx", ".pptm", ".odt", ".ods", ".odp", ".7z",
    ".rar", ".gz", ".tgz", ".tar", ".bz2", ".xz", ".cab", ".iso", ".arj", ".lzh",
];

/// Why an entry's name alone makes a package hostile.
fn hostile_name(name: &str) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    let base = lower.rsplit('/').next().unwrap_or(&lower);
    if base.starts_with("vbaproject") || base == "vbadata.xml" || lower.contains("macrosheets/") {
        return Some(format!("an office document carrying macros ({name})"));
    }
    // OpenDocument keeps Basic and other scripts in these folders.
    if lower.starts_with("basic/") || lower.starts_with("scripts/") {
        return Some(format!(
            "an office document carrying macros or scripts ({name})"
        ));
    }
    // Binary parts hold macros, ActiveX controls and OLE objects; printer settings are the
    // one harmless kind that ordinary documents carry.
    if lower.ends_with(".bin") && !lower.contains("printersettings/") {
        return Some(format!(
            "an office document carrying a binary part that may hold macros ({name})"
        ));
    }
    if let Some(ending) = EXECUTABLE_ENDINGS.iter().find(|e| lower.ends_with(*e)) {
        return Some(format!(
            "an archive carrying an executable {ending} entry ({name})"
        ));
    }
    if let Some(ending) = ARCHIVE_ENDINGS.iter().find(|e| lower.ends_with(*e)) {
        return Some(format!(
            "an archive nested in the document ({name}, {ending})"
        ));
    }
    None
}

/// DOCX and XLSX are Office Open XML packages; ODT and ODS are OpenDocument packages whose
/// first entry `mimetype` names the format. Any other zip is refused. Before the format,
/// the package is inspected in memory: the central directory's declared sizes (total and
/// ratio), every entry's name (macros, executables, nested archives), and then every entry
/// inflated into a counting sink, so that an entry unpacking to more than it declares, or
/// starting as an executable or a zip, is caught too. Nothing is written anywhere.
fn office_package<F: Read + Seek>(file: F) -> Verdict {
    let Ok(mut archive) = zip::ZipArchive::new(file) else {
        return Verdict::Unsupported("a damaged zip archive".into());
    };
    if archive.len() > limits::MAX_ENTRIES {
        return Verdict::Dangerous(format!(
            "an archive of {} entries (at most {} are accepted)",
            archive.len(),
            limits::MAX_ENTRIES
        ));
    }
    let mut names = Vec::with_capacity(archive.len());
    let mut declared_total: u64 = 0;
    for i in 0..archive.len() {
        let Ok(entry) = archive.by_index_raw(i) else {
            return Verdict::Unsupported("a damaged zip archive".into());
        };
        let Ok(name) = entry.name().map(|n| n.into_owned()) else {
            return Verdict::Unsupported("a zip archive with an unreadable entry name".into());
        };
        if let Some(why) = hostile_name(&name) {
            return Verdict::Dangerous(why);
        }
        if entry.encrypted() {
            return Verdict::Dangerous(format!("an archive with an encrypted entry ({name})"));
        }
        let (packed, unpacked) = (entry.compressed_size(), entry.size());
        declared_total = declared_total.saturating_add(unpacked);
        if let Some(why) = too_big(&name, packed, unpacked, declared_total) {
            return Verdict::Dangerous(why);
        }
        names.push(name);
    }
    // What the entries really unpack to, counted and thrown away.
    let mut unpacked_total: u64 = 0;
    for i in 0..archive.len() {
        let Ok(mut entry) = archive.by_index(i) else {
            return Verdict::Unsupported(
                "a zip archive with an entry that cannot be read (damaged, or an unsupported compression)".into(),
            );
        };
        if entry.is_dir() {
            continue;
        }
        let (name, packed, declared) = (
            entry.name().map(|n| n.into_owned()).unwrap_or_default(),
            entry.compressed_size(),
            entry.size(),
        );
        let budget = declared
            .min(limits::MAX_UNPACKED_BYTES - unpacked_total.min(limits::MAX_UNPACKED_BYTES))
            + 1;
        let mut limited = (&mut entry).take(budget);
        let mut head = Vec::with_capacity(8);
        let mut sink = CountingSink::default();
        let read = (&mut limited)
            .take(8)
            .read_to_end(&mut head)
            .and_then(|_| std::io::copy(&mut limited, &mut sink));
        if read.is_err() {
            return Verdict::Unsupported(format!("a zip archive with a damaged entry ({name})"));
        }
        let n = head.len();
        let actual = sink.bytes + n as u64;
        if actual > declared {
            return Verdict::Dangerous(format!(
                "an archive whose entry {name} unpacks to more than the {declared} bytes it declares"
            ));
        }
        unpacked_total += actual;
        if let Some(why) = too_big(&name, packed, actual, unpacked_total) {
            return Verdict::Dangerous(why);
        }
        let head = head.as_slice();
        if head.starts_with(b"PK\x03\x04") {
            return Verdict::Dangerous(format!("an archive nested in the document ({name})"));
        }
        if let Some(what) = binary_executable(head).filter(|_| !head.starts_with(b"#!")) {
            return Verdict::Dangerous(format!("an archive carrying {what} ({name})"));
        }
    }
    let has = |n: &str| names.iter().any(|x| x == n);
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

/// Whether an entry, or the package so far, unpacks beyond the bounds of `limits`.
fn too_big(name: &str, packed: u64, unpacked: u64, total: u64) -> Option<String> {
    if total > limits::MAX_UNPACKED_BYTES {
        return Some(format!(
            "an archive that unpacks to more than {} MiB (a zip bomb?)",
            limits::MAX_UNPACKED_BYTES / (1024 * 1024)
        ));
    }
    if unpacked > limits::RATIO_FLOOR_BYTES && unpacked / packed.max(1) > limits::MAX_RATIO {
        return Some(format!(
            "an archive whose entry {name} is compressed {} to 1 (at most {} to 1 is accepted; a zip bomb?)",
            unpacked / packed.max(1),
            limits::MAX_RATIO
        ));
    }
    None
}

/// Counts what is written to it and keeps nothing.
#[derive(Default)]
struct CountingSink {
    bytes: u64,
}

impl std::io::Write for CountingSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.bytes += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
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
    if let Some(what) = markup_inside(&String::from_utf8_lossy(&all).to_ascii_lowercase()) {
        return Verdict::Dangerous(what);
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

    fn docx_with(extra: &[(&str, &[u8])]) -> Vec<u8> {
        let mut entries: Vec<(&str, &[u8])> = vec![
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", b"<w/>"),
        ];
        entries.extend_from_slice(extra);
        zip_with(&entries)
    }

    fn deflated(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut out);
            let opts = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            for (name, content) in entries {
                w.start_file(*name, opts).expect("entry");
                w.write_all(content).expect("write");
            }
            w.finish().expect("finish");
        }
        out.into_inner()
    }

    fn dangerous_because(bytes: &[u8], needle: &str) {
        match verdict(bytes, "p.docx") {
            Verdict::Dangerous(why) => assert!(why.contains(needle), "{why} lacks {needle}"),
            other => panic!("expected a refusal naming {needle}, got {other:?}"),
        }
    }

    #[test]
    fn office_packages_with_macros_executables_or_nested_archives_are_refused() {
        dangerous_because(
            &docx_with(&[("word/vbaProject.bin", b"\xd0\xcf\x11\xe0")]),
            "macros",
        );
        dangerous_because(
            &docx_with(&[("xl/activeX/activeX1.bin", b"x")]),
            "binary part",
        );
        dangerous_because(
            &docx_with(&[("xl/macrosheets/sheet1.xml", b"<x/>")]),
            "macros",
        );
        let odt_macro = zip_with(&[
            ("mimetype", b"application/vnd.oasis.opendocument.text"),
            ("content.xml", b"<x/>"),
            ("Basic/Standard/Module1.xml", b"<script/>"),
        ]);
        dangerous_because(&odt_macro, "Basic/");
        for name in [
            "word/media/run.hta",
            "setup.msi",
            "a/b.JS",
            "x.vbs",
            "x.scr",
            "x.bat",
            "x.cmd",
            "x.ps1",
            "lib.jar",
            "lib.dll",
            "x.exe",
        ] {
            dangerous_because(&docx_with(&[(name, b"x")]), "executable");
        }
        dangerous_because(&docx_with(&[("word/embeddings/inner.zip", b"x")]), "nested");
        dangerous_because(
            &docx_with(&[("word/embeddings/sheet.xlsx", b"x")]),
            "nested",
        );
        // an archive or a program under an innocent name is found by its bytes
        let inner = zip_with(&[("a.txt", b"a")]);
        dangerous_because(&docx_with(&[("word/media/image1.png", &inner)]), "nested");
        dangerous_because(
            &docx_with(&[("word/media/image2.png", b"MZ\x90\0\x03")]),
            "Windows",
        );
        // printer settings are the one binary part ordinary spreadsheets carry
        let xlsx = zip_with(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("xl/workbook.xml", b"<wb/>"),
            ("xl/printerSettings/printerSettings1.bin", b"\0\0"),
        ]);
        assert_eq!(verdict(&xlsx, "b.xlsx"), Verdict::Accept(XLSX));
    }

    #[test]
    fn zip_bombs_are_refused_by_ratio_and_by_total() {
        let zeros = vec![0u8; 4 * 1024 * 1024];
        let bomb = deflated(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", &zeros),
        ]);
        assert!(bomb.len() < 64 * 1024, "{}", bomb.len());
        dangerous_because(&bomb, "compressed");
        // many entries, each within the ratio (1 MiB is where the ratio starts to count),
        // that add up beyond the bound
        let mib = vec![0u8; 1024 * 1024];
        let names: Vec<String> = (0..101)
            .map(|i| format!("word/media/part{i}.xml"))
            .collect();
        let mut entries: Vec<(&str, &[u8])> = vec![
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", b"<w/>"),
        ];
        for name in &names {
            entries.push((name.as_str(), &mib));
        }
        dangerous_because(&deflated(&entries), "unpacks to more than");
        // an honest, deflated document passes
        let xml = "<w:p>Shelter and legal aid</w:p>".repeat(2000);
        let real = deflated(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", xml.as_bytes()),
        ]);
        assert_eq!(verdict(&real, "p.docx"), Verdict::Accept(DOCX));
    }

    #[test]
    fn html_is_html_however_it_begins() {
        for (bytes, name) in [
            (&b"\xef\xbb\xbf<html><body>x</body></html>"[..], "a.txt"),
            (b"\n\n   <!-- hello --> <script>alert(1)</script>", "a.txt"),
            (b"<!-- a --><!-- b --><div onclick=x>", "a.csv"),
            (b"<SVG xmlns='http://www.w3.org/2000/svg'>", "a.txt"),
            (b"<p>hello", "a.txt"),
            (
                b"Budget notes\nall fine\n<script src=//evil></script>\n",
                "notes.txt",
            ),
            (b"name,amount\nx,<img src=x onerror=alert(1)>\n", "a.csv"),
            (b"hello <iframe/src=x>", "a.txt"),
        ] {
            assert!(
                matches!(verdict(bytes, name), Verdict::Dangerous(_)),
                "{:?}",
                String::from_utf8_lossy(bytes)
            );
        }
        // small cells and comparisons are not markup
        assert_eq!(
            verdict(
                b"cell,count\nwomen,<5\nmen,<10\nratio a<b and b>c\n",
                "c.csv"
            ),
            Verdict::Accept(CSV)
        );
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
