//! The exported session file: a JSON object naming its format and version, holding the
//! session link. An imported file is untrusted: it is size-limited, read strictly, and every
//! field is checked.
//!
//! The reader is a small one for exactly this flat object (strings and whole numbers), written
//! here rather than taken from serde_json, which adds about 15 KB gzip to a page with a 150 KB
//! budget.

use super::json;

/// Files larger than this are refused before being read.
pub const MAX_BYTES: f64 = 1_000_000.0;
const FORMAT: &str = "replication-playground-session";
const VERSION: u64 = 1;

pub fn to_json(link: &str) -> String {
    format!(
        "{{\n  \"format\": {},\n  \"version\": {VERSION},\n  \"link\": {}\n}}\n",
        json::string(FORMAT),
        json::string(link)
    )
}

/// The link a session file holds, or what is wrong with the file.
pub fn from_json(text: &str) -> Result<String, String> {
    let fields = read_object(text).map_err(|why| format!("this is not a session file: {why}"))?;
    let get = |name: &str| fields.iter().find(|(field, _)| field == name).map(|(_, value)| value);
    let text_field = |name: &str| match get(name) {
        Some(Field::Text(value)) => Ok(value.clone()),
        Some(Field::Number(_)) => Err(format!("its \"{name}\" should be text, not a number")),
        None => Err(format!("it has no \"{name}\"")),
    };
    let format = text_field("format")?;
    if format != FORMAT {
        return Err(format!("this file's format is \"{format}\", not a playground session"));
    }
    let version = match get("version") {
        Some(Field::Number(version)) => *version,
        _ => return Err("it has no version number".to_string()),
    };
    if version != VERSION {
        return Err(format!(
            "this session file is version {version}, made by another version of the playground (this one reads version {VERSION})"
        ));
    }
    text_field("link")
}

#[derive(Debug, PartialEq)]
enum Field {
    Text(String),
    Number(u64),
}

/// The fields a session file has; others (from a later version, say) are read and skipped.
const FIELDS: [&str; 3] = ["format", "version", "link"];

/// Reads `{ "name": "text" | number, ... }` and nothing else; keeps the fields it knows.
fn read_object(text: &str) -> Result<Vec<(String, Field)>, String> {
    let mut reader = Reader { chars: text.chars().collect(), position: 0 };
    let mut fields: Vec<(String, Field)> = Vec::new();
    reader.expect('{')?;
    if !reader.eat('}') {
        loop {
            let name = reader.string()?;
            reader.expect(':')?;
            let value = if reader.peek() == Some('"') {
                Field::Text(reader.string()?)
            } else {
                Field::Number(reader.number()?)
            };
            if fields.iter().any(|(field, _)| *field == name) {
                return Err(format!("\"{name}\" appears twice"));
            }
            if FIELDS.contains(&name.as_str()) {
                fields.push((name, value));
            }
            if reader.eat('}') {
                break;
            }
            reader.expect(',')?;
        }
    }
    match reader.peek() {
        None => Ok(fields),
        Some(c) => Err(format!("unexpected '{c}' after the object at character {}", reader.position + 1)),
    }
}

struct Reader {
    chars: Vec<char>,
    position: usize,
}

impl Reader {
    /// The next character that is not white space.
    fn peek(&mut self) -> Option<char> {
        while self.chars.get(self.position).is_some_and(|c| c.is_whitespace()) {
            self.position += 1;
        }
        self.chars.get(self.position).copied()
    }

    fn eat(&mut self, wanted: char) -> bool {
        let found = self.peek() == Some(wanted);
        if found {
            self.position += 1;
        }
        found
    }

    fn expect(&mut self, wanted: char) -> Result<(), String> {
        if self.eat(wanted) {
            return Ok(());
        }
        match self.peek() {
            Some(found) => Err(format!("expected '{wanted}' at character {}, found '{found}'", self.position + 1)),
            None => Err(format!("expected '{wanted}', found the end of the file")),
        }
    }

    fn string(&mut self) -> Result<String, String> {
        self.expect('"')?;
        let mut value = String::new();
        loop {
            let c = *self.chars.get(self.position).ok_or("a text never ends (missing \")")?;
            self.position += 1;
            match c {
                '"' => return Ok(value),
                '\\' => {
                    let escaped = *self.chars.get(self.position).ok_or("a text never ends (missing \")")?;
                    self.position += 1;
                    value.push(match escaped {
                        '"' => '"',
                        '\\' => '\\',
                        '/' => '/',
                        'n' => '\n',
                        't' => '\t',
                        'r' => '\r',
                        'b' => '\u{8}',
                        'f' => '\u{c}',
                        'u' => {
                            let hex: String = self.chars.iter().skip(self.position).take(4).collect();
                            self.position += 4;
                            u32::from_str_radix(&hex, 16)
                                .ok()
                                .and_then(char::from_u32)
                                .ok_or(format!("bad escape \\u{hex}"))?
                        }
                        other => return Err(format!("bad escape \\{other}")),
                    });
                }
                c if (c as u32) < 0x20 => return Err("a control character inside a text".to_string()),
                c => value.push(c),
            }
        }
    }

    fn number(&mut self) -> Result<u64, String> {
        self.peek();
        let digits: String = self.chars[self.position..].iter().take_while(|c| c.is_ascii_digit()).collect();
        self.position += digits.len();
        digits.parse().map_err(|_| format!("expected a text or a whole number at character {}", self.position + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_a_link() {
        let link = "replicas=2&mode=async&lag=1000&seed=1&v=1&act=5,w,0&sum=0011aabb";
        assert_eq!(from_json(&to_json(link)).unwrap(), link);
        assert_eq!(from_json(&to_json("quote \" back\\slash \u{1}")).unwrap(), "quote \" back\\slash \u{1}");
    }

    #[test]
    fn reads_what_other_tools_write() {
        let compact = r#"{"version":1,"link":"a\u0026b\/c","format":"replication-playground-session"}"#;
        assert_eq!(from_json(compact).unwrap(), "a&b/c");
        let with_more =
            r#"{"format":"replication-playground-session","note":"from a later version","version":1,"link":"x"}"#;
        assert_eq!(from_json(with_more).unwrap(), "x", "fields it does not know are skipped");
    }

    #[test]
    fn bad_files_say_what_is_wrong() {
        let error = |text: &str| from_json(text).unwrap_err();
        assert_eq!(error("not json"), "this is not a session file: expected '{' at character 1, found 'n'");
        assert_eq!(error(""), "this is not a session file: expected '{', found the end of the file");
        assert_eq!(error("{\"format\": 3}"), "its \"format\" should be text, not a number");
        assert_eq!(
            error("{\"format\": [1]}"),
            "this is not a session file: expected a text or a whole number at character 12"
        );
        assert_eq!(error("{\"link\": \"x\", \"link\": \"y\"}"), "this is not a session file: \"link\" appears twice");
        assert_eq!(
            error("{\"a\": \"x\"} trailing"),
            "this is not a session file: unexpected 't' after the object at character 12"
        );
        assert_eq!(error("{\"a\": \"\\q\"}"), "this is not a session file: bad escape \\q");
        assert_eq!(error("{\"a\": \"open"), "this is not a session file: a text never ends (missing \")");
        assert_eq!(
            error("{\"format\": \"spreadsheet\", \"version\": 1, \"link\": \"\"}"),
            "this file's format is \"spreadsheet\", not a playground session"
        );
        assert_eq!(
            error("{\"format\": \"replication-playground-session\", \"version\": 7, \"link\": \"\"}"),
            "this session file is version 7, made by another version of the playground (this one reads version 1)"
        );
        assert_eq!(error("{\"format\": \"replication-playground-session\", \"version\": 1}"), "it has no \"link\"");
    }
}
