//! The one Rust reader of the shared test vectors (interop/vectors/README.md, section Format): one record a line,
//! TAB-separated fields, `#` comments, `""` for the empty field, escapes `\t \n \r \\ \xHH`. Any other escape is an
//! error of the file (the test panics naming the line), so that a typo cannot silently become a different vector.

use std::collections::HashMap;
use std::path::PathBuf;

/// One record: its kind (the first field) and the other fields, unescaped to bytes.
pub struct VectorLine {
    pub file: String,
    pub line: usize,
    pub kind: String,
    pub fields: Vec<Vec<u8>>,
}

impl VectorLine {
    /// `config.tsv:12`, for messages.
    pub fn at(&self) -> String {
        format!("{}:{}", self.file, self.line)
    }

    /// Field `i` as text (the vector files are UTF-8 except where `\xHH` says otherwise).
    pub fn text(&self, i: usize) -> &str {
        std::str::from_utf8(&self.fields[i]).unwrap_or_else(|_| panic!("{}: field {i} is not UTF-8", self.at()))
    }
}

/// Every record of `interop/vectors/<name>`, in file order.
pub fn read_vectors(name: &str) -> Vec<VectorLine> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../interop/vectors").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        if raw.is_empty() || raw.starts_with('#') {
            continue;
        }
        let mut parts = raw.split('\t');
        let kind = parts.next().unwrap_or_default().to_string();
        let at = format!("{name}:{}", index + 1);
        let fields = parts.map(|f| unescape(f, &at)).collect();
        lines.push(VectorLine { file: name.to_string(), line: index + 1, kind, fields });
    }
    assert!(!lines.is_empty(), "{}: no vectors", path.display());
    lines
}

fn unescape(field: &str, at: &str) -> Vec<u8> {
    if field == "\"\"" {
        return Vec::new();
    }
    let b = field.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            out.push(b[i]);
            i += 1;
            continue;
        }
        match b.get(i + 1) {
            Some(b't') => out.push(b'\t'),
            Some(b'n') => out.push(b'\n'),
            Some(b'r') => out.push(b'\r'),
            Some(b'\\') => out.push(b'\\'),
            Some(b'x') => {
                let hex = field.get(i + 2..i + 4).and_then(|h| u8::from_str_radix(h, 16).ok());
                out.push(hex.unwrap_or_else(|| panic!("{at}: malformed \\x escape in {field:?}")));
                i += 2;
            }
            _ => panic!("{at}: unknown escape in {field:?}"),
        }
        i += 2;
    }
    out
}

/// A number as the vector files write it: decimal, or a symbol with an optional `+N`/`-N`.
pub fn number(text: &str, symbols: &HashMap<&str, i64>) -> i64 {
    let split = text[1..].find(['+', '-']).map(|p| p + 1);
    let (head, offset) = match split {
        Some(p) => (&text[..p], text[p..].parse::<i64>().unwrap_or_else(|e| panic!("{text:?}: {e}"))),
        None => (text, 0),
    };
    let value = symbols
        .get(head)
        .copied()
        .or_else(|| head.parse::<i64>().ok())
        .unwrap_or_else(|| panic!("{text:?}: unknown symbol {head:?}"));
    value + offset
}

/// A status by its header name or as a decimal number.
pub fn status(text: &str) -> i32 {
    use nplug_abi::*;
    match text {
        "NP_OK" => NP_OK,
        "NP_ERR_INVALID_ARGUMENT" => NP_ERR_INVALID_ARGUMENT,
        "NP_ERR_CONFIG" => NP_ERR_CONFIG,
        "NP_ERR_UNSUPPORTED" => NP_ERR_UNSUPPORTED,
        "NP_ERR_VERSION" => NP_ERR_VERSION,
        "NP_ERR_OUT_OF_MEMORY" => NP_ERR_OUT_OF_MEMORY,
        "NP_ERR_STATE" => NP_ERR_STATE,
        "NP_ERR_INPUT" => NP_ERR_INPUT,
        "NP_ERR_PLUGIN" => NP_ERR_PLUGIN,
        "NP_ERR_PANIC" => NP_ERR_PANIC,
        other => other.parse().unwrap_or_else(|_| panic!("{other:?} is not a status")),
    }
}
