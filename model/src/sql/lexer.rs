//! Splits SQL text into tokens, each with the line and column where it starts.

use super::SqlError;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// A keyword or a name, as written.
    Word(String),
    Int(i64),
    Text(String),
    /// `( ) , ; * = < > <= >= <> != -`
    Symbol(&'static str),
    /// A `/* ... */` comment's inside, trimmed: where a routing hint lives.
    Comment(String),
    End,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub line: usize,
    pub column: usize,
    /// Index of its first character in the text.
    pub offset: usize,
}

impl Token {
    /// How the token reads in a message: `VALUES`, `'abc'`, `(`, the end of the input.
    pub fn describe(&self) -> String {
        match &self.kind {
            TokenKind::Word(word) => word.clone(),
            TokenKind::Int(value) => value.to_string(),
            TokenKind::Text(text) => format!("'{text}'"),
            TokenKind::Symbol(symbol) => symbol.to_string(),
            TokenKind::Comment(_) => "a comment".to_string(),
            TokenKind::End => "the end of the input".to_string(),
        }
    }
}

pub const SYMBOLS: [&str; 13] = ["<=", ">=", "<>", "!=", "(", ")", ",", ";", "*", "=", "<", ">", "-"];

pub fn tokenize(text: &str) -> Result<Vec<Token>, SqlError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let (mut index, mut line, mut column) = (0, 1, 1);
    let advance = |index: &mut usize, line: &mut usize, column: &mut usize, count: usize| {
        for _ in 0..count {
            if chars.get(*index) == Some(&'\n') {
                *line += 1;
                *column = 1;
            } else {
                *column += 1;
            }
            *index += 1;
        }
    };
    while index < chars.len() {
        let c = chars[index];
        let (start_line, start_column, start) = (line, column, index);
        let at = |kind| Token { kind, line: start_line, column: start_column, offset: start };
        if c.is_whitespace() {
            advance(&mut index, &mut line, &mut column, 1);
        } else if c == '-' && chars.get(index + 1) == Some(&'-') {
            // A line comment runs to the end of the line.
            while index < chars.len() && chars[index] != '\n' {
                advance(&mut index, &mut line, &mut column, 1);
            }
        } else if c == '/' && chars.get(index + 1) == Some(&'*') {
            let body_start = index + 2;
            let Some(length) = chars[body_start..].windows(2).position(|pair| pair == ['*', '/']) else {
                return Err(SqlError::at(
                    start_line,
                    start_column,
                    "a comment that starts here never ends (missing */)",
                ));
            };
            let body: String = chars[body_start..body_start + length].iter().collect();
            tokens.push(at(TokenKind::Comment(body.trim().to_string())));
            advance(&mut index, &mut line, &mut column, length + 4);
        } else if c == '\'' {
            let mut value = String::new();
            advance(&mut index, &mut line, &mut column, 1);
            loop {
                match chars.get(index) {
                    None => {
                        return Err(SqlError::at(
                            start_line,
                            start_column,
                            "a string that starts here never ends (missing ')",
                        ));
                    }
                    Some('\'') if chars.get(index + 1) == Some(&'\'') => {
                        value.push('\'');
                        advance(&mut index, &mut line, &mut column, 2);
                    }
                    Some('\'') => {
                        advance(&mut index, &mut line, &mut column, 1);
                        break;
                    }
                    Some(&other) => {
                        value.push(other);
                        advance(&mut index, &mut line, &mut column, 1);
                    }
                }
            }
            tokens.push(at(TokenKind::Text(value)));
        } else if c.is_ascii_digit() {
            let digits: String = chars[index..].iter().take_while(|c| c.is_ascii_digit()).collect();
            let value = digits.parse::<i64>().map_err(|_| {
                SqlError::at(start_line, start_column, format!("the number {digits} is too large for an INT"))
            })?;
            advance(&mut index, &mut line, &mut column, digits.len());
            tokens.push(at(TokenKind::Int(value)));
        } else if c.is_alphabetic() || c == '_' {
            let word: String = chars[index..].iter().take_while(|c| c.is_alphanumeric() || **c == '_').collect();
            advance(&mut index, &mut line, &mut column, word.chars().count());
            tokens.push(at(TokenKind::Word(word)));
        } else if let Some(symbol) =
            SYMBOLS.iter().find(|symbol| chars[index..].starts_with(&symbol.chars().collect::<Vec<_>>()))
        {
            advance(&mut index, &mut line, &mut column, symbol.len());
            tokens.push(at(TokenKind::Symbol(symbol)));
        } else {
            return Err(SqlError::at(start_line, start_column, format!("unexpected character '{c}'")));
        }
    }
    tokens.push(Token { kind: TokenKind::End, line, column, offset: chars.len() });
    Ok(tokens)
}
