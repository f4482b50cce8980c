//! A small, strict JSON (RFC 8259) validator that finds the value at a path in one pass, without building a tree
//! and without copying: the result is a slice of the input. Hand-written because there is no crates registry here.
//!
//! The whole document is validated even after the value was found, so a malformed line is always reported.

use std::mem::MaybeUninit;

/// Deepest nesting of arrays/objects accepted (bounds the recursion, so hostile input cannot overflow the stack).
pub const MAX_DEPTH: usize = 256;

/// One step of a path: an object key, or an array index when the segment is a decimal number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    key: String,
    index: Option<usize>,
}

impl Segment {
    /// A segment from its text.
    pub fn new(text: &str) -> Segment {
        let index = if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) { text.parse().ok() } else { None };
        Segment { key: text.to_string(), index }
    }
}

/// Parses a dotted path (`user.address.city`, `items.0.id`). Empty segments are an error.
pub fn parse_path(path: &str) -> Result<Vec<Segment>, String> {
    if path.is_empty() {
        return Err("the path is empty".into());
    }
    path.split('.')
        .map(|s| if s.is_empty() { Err(format!("empty segment in path '{path}'")) } else { Ok(Segment::new(s)) })
        .collect()
}

/// The value found at the path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value<'a> {
    /// A string: the bytes between the quotes, still escaped if `escaped`.
    String { raw: &'a [u8], escaped: bool },
    /// A number, `true`, `false`, `null`, an object or an array: its exact source text.
    Other(&'a [u8]),
}

/// Why a document is not valid JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// Byte offset in the record.
    pub offset: usize,
    pub reason: &'static str,
}

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "malformed JSON at byte {}: {}", self.offset, self.reason)
    }
}

/// Validates `doc` as one JSON value (surrounded by optional whitespace) and returns the value at `path`.
pub fn find<'a>(doc: &'a [u8], path: &[Segment]) -> Result<Option<Value<'a>>, SyntaxError> {
    if let Err(e) = std::str::from_utf8(doc) {
        return Err(SyntaxError { offset: e.valid_up_to(), reason: "the record is not valid UTF-8" });
    }
    let mut parser = Parser { s: doc, pos: 0, depth: 0 };
    parser.ws();
    if parser.pos == doc.len() {
        return Err(SyntaxError { offset: 0, reason: "the record is empty, expected a JSON value" });
    }
    let found = parser.value(Some(path))?;
    parser.ws();
    if parser.pos != doc.len() {
        return Err(parser.error("unexpected data after the JSON value"));
    }
    Ok(found)
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
    depth: usize,
}

impl<'a> Parser<'a> {
    fn error(&self, reason: &'static str) -> SyntaxError {
        SyntaxError { offset: self.pos, reason }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// Parses one value. `target`: `None` = not on the path; `Some([])` = this value is the one wanted;
    /// `Some(rest)` = the wanted value is at `rest` inside this one.
    fn value(&mut self, target: Option<&[Segment]>) -> Result<Option<Value<'a>>, SyntaxError> {
        let wanted_here = matches!(target, Some([]));
        let inner = target.filter(|t| !t.is_empty());
        let start = self.pos;
        let found = match self.peek() {
            Some(b'{') => self.object(inner)?,
            Some(b'[') => self.array(inner)?,
            Some(b'"') => {
                let (raw, escaped) = self.string()?;
                return Ok(wanted_here.then_some(Value::String { raw, escaped }));
            }
            Some(b't') => self.literal(b"true")?,
            Some(b'f') => self.literal(b"false")?,
            Some(b'n') => self.literal(b"null")?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            None => return Err(self.error("unexpected end of the record, expected a JSON value")),
            Some(_) => return Err(self.error("expected a JSON value")),
        };
        Ok(if wanted_here { Some(Value::Other(&self.s[start..self.pos])) } else { found })
    }

    fn enter(&mut self) -> Result<(), SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error("nesting deeper than 256 levels"));
        }
        self.pos += 1;
        Ok(())
    }

    fn object(&mut self, target: Option<&[Segment]>) -> Result<Option<Value<'a>>, SyntaxError> {
        self.enter()?;
        let mut found = None;
        self.ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(None);
        }
        loop {
            self.ws();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a string key in an object"));
            }
            let (key, escaped) = self.string()?;
            self.ws();
            if self.peek() != Some(b':') {
                return Err(self.error("expected ':' after an object key"));
            }
            self.pos += 1;
            self.ws();
            // The first occurrence of a duplicated key wins.
            let sub = match target {
                Some([first, rest @ ..]) if found.is_none() && key_equals(key, escaped, &first.key) => Some(rest),
                _ => None,
            };
            let value = self.value(sub)?;
            if found.is_none() {
                found = value;
            }
            self.ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    break;
                }
                _ => return Err(self.error("expected ',' or '}' in an object")),
            }
        }
        self.depth -= 1;
        Ok(found)
    }

    fn array(&mut self, target: Option<&[Segment]>) -> Result<Option<Value<'a>>, SyntaxError> {
        self.enter()?;
        let mut found = None;
        self.ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(None);
        }
        let mut index = 0usize;
        loop {
            self.ws();
            let sub = match target {
                Some([first, rest @ ..]) if first.index == Some(index) => Some(rest),
                _ => None,
            };
            let value = self.value(sub)?;
            if found.is_none() {
                found = value;
            }
            index += 1;
            self.ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    break;
                }
                _ => return Err(self.error("expected ',' or ']' in an array")),
            }
        }
        self.depth -= 1;
        Ok(found)
    }

    /// A string; returns the bytes between the quotes and whether they contain escapes.
    fn string(&mut self) -> Result<(&'a [u8], bool), SyntaxError> {
        self.pos += 1; // opening quote
        let start = self.pos;
        let mut escaped = false;
        loop {
            match self.peek() {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    let raw = &self.s[start..self.pos];
                    self.pos += 1;
                    return Ok((raw, escaped));
                }
                Some(b'\\') => {
                    escaped = true;
                    self.pos += 1;
                    match self.peek() {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => self.pos += 1,
                        Some(b'u') => {
                            self.pos += 1;
                            let unit = self.hex4()?;
                            if (0xDC00..0xE000).contains(&unit) {
                                return Err(self.error("a \\u escape is a lone low surrogate"));
                            }
                            if (0xD800..0xDC00).contains(&unit) {
                                if self.s.get(self.pos..self.pos + 2) != Some(b"\\u") {
                                    return Err(self.error("a \\u high surrogate is not followed by a low surrogate"));
                                }
                                self.pos += 2;
                                let low = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&low) {
                                    return Err(self.error("a \\u high surrogate is not followed by a low surrogate"));
                                }
                            }
                        }
                        _ => return Err(self.error("invalid escape sequence in a string")),
                    }
                }
                Some(0x00..=0x1F) => return Err(self.error("unescaped control character in a string")),
                Some(_) => self.pos += 1,
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let Some(digits) = self.s.get(self.pos..self.pos + 4) else {
            return Err(self.error("a \\u escape needs four hex digits"));
        };
        let mut value = 0u32;
        for &d in digits {
            let v = (d as char).to_digit(16).ok_or_else(|| self.error("a \\u escape needs four hex digits"))?;
            value = value * 16 + v;
        }
        self.pos += 4;
        Ok(value)
    }

    fn literal(&mut self, word: &'static [u8]) -> Result<Option<Value<'a>>, SyntaxError> {
        if self.s.get(self.pos..self.pos + word.len()) != Some(word) {
            return Err(self.error("invalid literal (expected true, false or null)"));
        }
        self.pos += word.len();
        Ok(None)
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<Option<Value<'a>>, SyntaxError> {
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => {
                self.pos += 1;
                if let Some(b'0'..=b'9') = self.peek() {
                    return Err(self.error("a number has a leading zero"));
                }
            }
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.error("expected a digit in a number")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.error("expected a digit after the decimal point"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.error("expected a digit in the exponent"));
            }
        }
        Ok(None)
    }
}

fn key_equals(raw: &[u8], escaped: bool, key: &str) -> bool {
    if !escaped {
        return raw == key.as_bytes();
    }
    let mut decoded = Vec::with_capacity(raw.len());
    decoded.resize(raw.len(), MaybeUninit::uninit());
    let n = unescape(raw, &mut decoded);
    // SAFETY: unescape initialised the first n bytes.
    let decoded = unsafe { std::slice::from_raw_parts(decoded.as_ptr() as *const u8, n) };
    decoded == key.as_bytes()
}

/// Decodes the escapes of a string that [`find`] validated, into `out` (at least `raw.len()` long: decoding never
/// grows a string). Returns the number of bytes written.
pub fn unescape(raw: &[u8], out: &mut [MaybeUninit<u8>]) -> usize {
    assert!(out.len() >= raw.len(), "unescape needs room for raw.len() bytes");
    let mut w = 0;
    let mut put = |out: &mut [MaybeUninit<u8>], bytes: &[u8]| {
        for &b in bytes {
            out[w].write(b);
            w += 1;
        }
    };
    let hex = |d: &[u8]| d.iter().fold(0u32, |acc, &c| acc * 16 + (c as char).to_digit(16).unwrap_or(0));
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        if b != b'\\' {
            // Copy the run up to the next backslash in one go.
            let end = raw[i..].iter().position(|&c| c == b'\\').map_or(raw.len(), |p| i + p);
            put(out, &raw[i..end]);
            i = end;
            continue;
        }
        let e = raw[i + 1];
        i += 2;
        let simple = match e {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 0x08,
            b'f' => 0x0C,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            _ => 0,
        };
        if e != b'u' {
            put(out, &[simple]);
            continue;
        }
        let mut code = hex(&raw[i..i + 4]);
        i += 4;
        if (0xD800..0xDC00).contains(&code) {
            let low = hex(&raw[i + 2..i + 6]);
            i += 6;
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
        }
        let c = char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER);
        let mut buf = [0u8; 4];
        put(out, c.encode_utf8(&mut buf).as_bytes());
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(p: &str) -> Vec<Segment> {
        parse_path(p).unwrap()
    }

    fn text(doc: &str, p: &str) -> Option<String> {
        match find(doc.as_bytes(), &path(p)).unwrap()? {
            Value::String { raw, escaped } => {
                let mut out = vec![MaybeUninit::uninit(); raw.len()];
                let n = if escaped { unescape(raw, &mut out) } else { raw.len() };
                let bytes: Vec<u8> =
                    if escaped { out[..n].iter().map(|b| unsafe { b.assume_init() }).collect() } else { raw.to_vec() };
                Some(String::from_utf8(bytes).unwrap())
            }
            Value::Other(raw) => Some(String::from_utf8(raw.to_vec()).unwrap()),
        }
    }

    #[test]
    fn finds_top_level_and_nested_values() {
        let doc = r#" {"user": {"name": "ada", "id": 7, "tags": ["x", {"k": true}]}, "n": -1.5e3, "z": null} "#;
        assert_eq!(text(doc, "user.name").as_deref(), Some("ada"));
        assert_eq!(text(doc, "user.id").as_deref(), Some("7"));
        assert_eq!(text(doc, "n").as_deref(), Some("-1.5e3"));
        assert_eq!(text(doc, "z").as_deref(), Some("null"));
        assert_eq!(text(doc, "user.tags.0").as_deref(), Some("x"));
        assert_eq!(text(doc, "user.tags.1.k").as_deref(), Some("true"));
        assert_eq!(text(doc, "user.tags").as_deref(), Some(r#"["x", {"k": true}]"#));
        assert_eq!(text(doc, "user.tags.2"), None);
        assert_eq!(text(doc, "user.missing"), None);
        assert_eq!(text(doc, "n.deeper"), None);
        assert_eq!(text(doc, "user.name.x"), None);
    }

    #[test]
    fn decodes_escapes_including_surrogate_pairs() {
        let doc = r#"{"s": "a\"b\\c\/d\n\t\u00e9\u20ac\ud83d\ude00"}"#;
        assert_eq!(text(doc, "s").as_deref(), Some("a\"b\\c/d\n\té€😀"));
        // Escaped keys match their decoded form.
        assert_eq!(text(r#"{"us\u0065r": 1}"#, "user").as_deref(), Some("1"));
        // Non-ASCII passes through unchanged.
        assert_eq!(text(r#"{"ключ": "значение"}"#, "ключ").as_deref(), Some("значение"));
    }

    #[test]
    fn first_duplicate_key_wins() {
        assert_eq!(text(r#"{"a": 1, "a": 2}"#, "a").as_deref(), Some("1"));
    }

    #[test]
    fn rejects_malformed_documents_with_an_offset() {
        let cases: &[(&[u8], usize, &str)] = &[
            (b"", 0, "empty"),
            (b"   ", 0, "empty"),
            (b"{", 1, "expected a string key"),
            (b"{\"a\" 1}", 5, "expected ':'"),
            (b"{\"a\":1,}", 7, "expected a string key"),
            (b"[1,]", 3, "expected a JSON value"),
            (b"[1 2]", 3, "expected ',' or ']'"),
            (b"{\"a\":1} x", 8, "unexpected data"),
            (b"\"abc", 4, "unterminated"),
            (b"\"a\x01\"", 2, "control character"),
            (b"\"\\x\"", 2, "invalid escape"),
            (b"\"\\u12\"", 3, "four hex digits"),
            (b"\"\\udc00\"", 7, "lone low surrogate"),
            (b"\"\\ud800x\"", 7, "not followed by a low surrogate"),
            (b"01", 1, "leading zero"),
            (b"-", 1, "expected a digit"),
            (b"1.", 2, "after the decimal point"),
            (b"1e+", 3, "exponent"),
            (b"tru", 0, "invalid literal"),
            (b"{\"a\": \xFF}", 6, "not valid UTF-8"),
        ];
        for (doc, offset, needle) in cases {
            let err = find(doc, &path("a")).unwrap_err();
            assert_eq!(err.offset, *offset, "{:?}: {err}", String::from_utf8_lossy(doc));
            assert!(err.reason.contains(needle), "{:?}: {err}", String::from_utf8_lossy(doc));
        }
    }

    #[test]
    fn a_malformed_tail_is_reported_even_after_the_value_was_found() {
        let err = find(br#"{"a": 1, "b": [1, 2"#, &path("a")).unwrap_err();
        assert!(err.reason.contains("expected ',' or ']'"), "{err}");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = "[".repeat(100_000);
        let err = find(deep.as_bytes(), &path("a")).unwrap_err();
        assert!(err.reason.contains("nesting deeper than 256"), "{err}");
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(find(ok.as_bytes(), &path("a")).is_ok());
    }

    #[test]
    fn paths() {
        assert_eq!(parse_path("a.0.b").unwrap().len(), 3);
        assert!(parse_path("").is_err());
        assert!(parse_path("a..b").unwrap_err().contains("empty segment"));
        assert_eq!(Segment::new("12").index, Some(12));
        assert_eq!(Segment::new("1a").index, None);
    }
}
