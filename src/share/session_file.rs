//! The exported session file: a JSON object naming its format and version, holding the
//! session link. An imported file is untrusted: it is size-limited, and read strictly by
//! serde_json: a wrong type, a missing, repeated or unknown field is refused with serde's
//! message and the field it is at.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::sim::Refusal;

/// Files larger than this are refused before being read.
pub const MAX_BYTES: f64 = 1_000_000.0;
const FORMAT: &str = "replication-playground-session";
const VERSION: u64 = 1;

/// The file, as this version of the playground writes and reads it.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionFile {
    format: String,
    version: u64,
    link: String,
}

/// What a session file of any version has: read first, so that a file from another version
/// is named as such rather than refused for fields this version does not know.
#[derive(Deserialize)]
struct Header {
    format: String,
    version: u64,
}

pub fn to_json(link: &str) -> String {
    let file = SessionFile { format: FORMAT.to_string(), version: VERSION, link: link.to_string() };
    serde_json::to_string_pretty(&file).expect("strings and a number always serialize") + "\n"
}

/// The link a session file holds, or what is wrong with the file.
pub fn from_json(text: &str) -> Result<String, Refusal> {
    let header: Header = read(text)?;
    if header.format != FORMAT {
        return Err(Refusal::new(format!("this file's format is \"{}\", not a playground session", header.format)));
    }
    if header.version != VERSION {
        return Err(Refusal::new(format!(
            "this session file is version {}, made by another version of the playground (this one reads version {VERSION})",
            header.version
        )));
    }
    let file: SessionFile = read(text)?;
    Ok(file.link)
}

/// The whole text as one `T`, or serde's message with the field it stopped at.
fn read<T: DeserializeOwned>(text: &str) -> Result<T, Refusal> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let at = if path == "." { String::new() } else { format!(" (at \"{path}\")") };
        Refusal::new(format!("this is not a session file: {}{at}", error.into_inner()))
    })?;
    deserializer.end().map_err(|error| Refusal::new(format!("this is not a session file: {error}")))?;
    Ok(value)
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
    fn writes_the_format_version_one_files_have_always_had() {
        assert_eq!(
            to_json("a&b"),
            "{\n  \"format\": \"replication-playground-session\",\n  \"version\": 1,\n  \"link\": \"a&b\"\n}\n"
        );
    }

    #[test]
    fn reads_what_other_tools_write() {
        let compact = r#"{"version":1,"link":"a\u0026b\/c","format":"replication-playground-session"}"#;
        assert_eq!(from_json(compact).unwrap(), "a&b/c");
    }

    #[test]
    fn bad_files_say_what_is_wrong_and_where() {
        let error = |text: &str| from_json(text).unwrap_err().to_string();
        assert_eq!(error("not json"), "this is not a session file: expected ident at line 1 column 2");
        assert_eq!(error(""), "this is not a session file: EOF while parsing a value at line 1 column 0");
        assert_eq!(
            error("{\"format\": 3, \"version\": 1}"),
            "this is not a session file: invalid type: integer `3`, expected a string at line 1 column 12 (at \"format\")"
        );
        assert_eq!(
            error("{\"format\": \"replication-playground-session\", \"version\": \"1\", \"link\": \"x\"}"),
            "this is not a session file: invalid type: string \"1\", expected u64 at line 1 column 59 (at \"version\")"
        );
        assert_eq!(
            error("{\"format\": \"replication-playground-session\", \"version\": 1, \"link\": \"x\", \"link\": \"y\"}"),
            "this is not a session file: duplicate field `link` at line 1 column 78"
        );
        assert_eq!(
            error("{\"format\": \"replication-playground-session\", \"version\": 1, \"link\": \"x\"} trailing"),
            "this is not a session file: trailing characters at line 1 column 73"
        );
        assert_eq!(
            error("{\"format\": \"replication-playground-session\", \"version\": 1, \"link\": \"x\", \"note\": 1}"),
            "this is not a session file: unknown field `note`, expected one of `format`, `version`, `link` at line 1 column 78 (at \"note\")"
        );
        assert_eq!(
            error("{\"format\": \"spreadsheet\", \"version\": 1, \"link\": \"\"}"),
            "this file's format is \"spreadsheet\", not a playground session"
        );
        assert_eq!(
            error("{\"format\": \"replication-playground-session\", \"version\": 7, \"link\": \"\", \"later\": true}"),
            "this session file is version 7, made by another version of the playground (this one reads version 1)"
        );
        assert_eq!(
            error("{\"format\": \"replication-playground-session\", \"version\": 1}"),
            "this is not a session file: missing field `link` at line 1 column 58"
        );
    }
}
