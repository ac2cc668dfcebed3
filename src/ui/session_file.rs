//! The exported session file: JSON naming its format and version, holding the session link.
//! An imported file is untrusted: it is size-limited, and every field is checked.

use serde::{Deserialize, Serialize};

/// Files larger than this are refused before being read.
pub const MAX_BYTES: f64 = 1_000_000.0;
const FORMAT: &str = "replication-playground-session";
const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct SessionFile {
    format: String,
    version: u32,
    /// The session link's fragment, as `link::session` writes it.
    link: String,
}

pub fn to_json(link: &str) -> String {
    let file = SessionFile { format: FORMAT.to_string(), version: VERSION, link: link.to_string() };
    serde_json::to_string_pretty(&file).expect("a struct of strings serializes")
}

/// The link a session file holds, or what is wrong with the file.
pub fn from_json(text: &str) -> Result<String, String> {
    let file: SessionFile =
        serde_json::from_str(text).map_err(|error| format!("this is not a session file: {error}"))?;
    if file.format != FORMAT {
        return Err(format!("this file's format is \"{}\", not a playground session", file.format));
    }
    if file.version != VERSION {
        return Err(format!(
            "this session file is version {}, made by another version of the playground (this one reads version {VERSION})",
            file.version
        ));
    }
    Ok(file.link)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_a_link() {
        let link = "replicas=2&mode=async&lag=1000&seed=1&v=1&act=5,w,0&sum=0011aabb";
        assert_eq!(from_json(&to_json(link)).unwrap(), link);
    }

    #[test]
    fn bad_files_say_what_is_wrong() {
        assert!(
            from_json("not json")
                .unwrap_err()
                .starts_with("this is not a session file: expected ident at line 1 column 2")
        );
        assert!(from_json("{\"format\": 3}").unwrap_err().starts_with("this is not a session file: invalid type"));
        assert_eq!(
            from_json("{\"format\": \"spreadsheet\", \"version\": 1, \"link\": \"\"}").unwrap_err(),
            "this file's format is \"spreadsheet\", not a playground session"
        );
        assert_eq!(
            from_json("{\"format\": \"replication-playground-session\", \"version\": 7, \"link\": \"\"}").unwrap_err(),
            "this session file is version 7, made by another version of the playground (this one reads version 1)"
        );
    }
}
