//! PostgreSQL's logical replication slot functions, as the console calls them:
//! `SELECT pg_create_logical_replication_slot('cdc', 'test_decoding')`,
//! `SELECT * FROM pg_logical_slot_peek_changes('cdc', NULL, NULL)`, ..._get_changes, and
//! `pg_drop_replication_slot('cdc')`. Arguments are values, as the functions' signatures take
//! them. It reads tokens after `SELECT` and says how many it took.

use super::lexer::{Token, TokenKind};
use super::{Name, Shape, SlotCall, SlotFunction, SqlError};
use crate::data::Value;

/// The functions the console knows, for the message about one it does not.
const FUNCTIONS: &str = "pg_create_logical_replication_slot, pg_drop_replication_slot, pg_logical_slot_peek_changes and pg_logical_slot_get_changes";

/// The call `tokens` start with (`f(...)`, `* FROM f(...)` or `a, b FROM f(...)`), and how many
/// tokens it took; none when they do not start with a call.
pub(super) fn slot_function(tokens: &[Token]) -> Option<Result<(SlotCall, usize), SqlError>> {
    let kind = |at: usize| tokens.get(at).map(|token| &token.kind);
    let is_word = |at: usize, word: &str| matches!(kind(at), Some(TokenKind::Word(w)) if w.eq_ignore_ascii_case(word));
    let is_name = |at: usize| matches!(kind(at), Some(TokenKind::Word(_))) && !is_word(at, "FROM");
    let mut columns: Option<Vec<Name>> = None;
    let name_at = match (kind(0), kind(1)) {
        (Some(TokenKind::Word(_)), Some(TokenKind::Symbol("("))) => 0,
        (Some(TokenKind::Symbol("*")), _) if is_word(1, "FROM") && kind(3) == Some(&TokenKind::Symbol("(")) => 2,
        _ if is_name(0) => {
            // `a, b FROM f(`: the column list of a call, or else an ordinary SELECT.
            let mut at = 1;
            while kind(at) == Some(&TokenKind::Symbol(",")) && is_name(at + 1) {
                at += 2;
            }
            if !(is_word(at, "FROM") && is_name(at + 1) && kind(at + 2) == Some(&TokenKind::Symbol("("))) {
                return None;
            }
            let names = tokens[..at].iter().step_by(2).map(|token| match &token.kind {
                TokenKind::Word(word) => {
                    Name { text: word.to_ascii_lowercase(), line: token.line, column: token.column }
                }
                _ => unreachable!("checked to be names"),
            });
            columns = Some(names.collect());
            at + 1
        }
        _ => return None,
    };
    let TokenKind::Word(name) = &tokens[name_at].kind else { return None };
    let function = &tokens[name_at];
    let error = |message: String| SqlError::at(function.line, function.column, message);
    let mut at = name_at + 2;
    let mut arguments = Vec::new();
    while kind(at) != Some(&TokenKind::Symbol(")")) {
        if !arguments.is_empty() {
            if kind(at) != Some(&TokenKind::Symbol(",")) {
                return Some(Err(expected(&tokens[at], ", or )")));
            }
            at += 1;
        }
        let value = match kind(at) {
            Some(TokenKind::Text(text)) => Value::Text(text.clone()),
            Some(TokenKind::Int(number)) => Value::Int(*number),
            Some(TokenKind::Word(word)) if word.eq_ignore_ascii_case("NULL") => Value::Null,
            _ => return Some(Err(expected(&tokens[at], "a value"))),
        };
        arguments.push(value);
        at += 1;
    }
    let function = match call(&name.to_ascii_lowercase(), &arguments) {
        Ok(function) => function,
        Err(message) => return Some(Err(error(message))),
    };
    // As PostgreSQL, an unknown column fails the statement before the function runs.
    if let Some(unknown) = columns.iter().flatten().find(|column| !function.columns().contains(&column.text.as_str())) {
        return Some(Err(unknown.error(format!("column \"{}\" does not exist", unknown.text))));
    }
    let shape = match columns {
        Some(columns) => Shape::Columns(columns.into_iter().map(|column| column.text).collect()),
        None if name_at == 0 => Shape::Record,
        None => Shape::All,
    };
    Some(Ok((SlotCall { function, shape }, at + 1)))
}

fn expected(token: &Token, what: &str) -> SqlError {
    SqlError::at(token.line, token.column, format!("expected {what}, found {}", token.describe()))
}

/// The call of `function` with `arguments`, checked as PostgreSQL checks them.
fn call(function: &str, arguments: &[Value]) -> Result<SlotFunction, String> {
    match function {
        "pg_create_logical_replication_slot" => match arguments {
            [Value::Text(slot), Value::Text(plugin)] if plugin == "test_decoding" => {
                Ok(SlotFunction::Create { slot: new_slot_name(slot)? })
            }
            [Value::Text(_), Value::Text(plugin)] => Err(format!(
                "the playground's slots decode with test_decoding, not {plugin}: pg_create_logical_replication_slot('cdc', 'test_decoding')"
            )),
            _ => {
                Err("expected a slot name and a plugin: pg_create_logical_replication_slot('cdc', 'test_decoding')"
                    .into())
            }
        },
        "pg_drop_replication_slot" => match arguments {
            [Value::Text(slot)] => Ok(SlotFunction::Drop { slot: slot.clone() }),
            _ => Err("expected a slot name: pg_drop_replication_slot('cdc')".into()),
        },
        "pg_logical_slot_peek_changes" | "pg_logical_slot_get_changes" => {
            let consume = function.ends_with("get_changes");
            match arguments {
                [Value::Text(slot), Value::Null, upto] => {
                    let upto_changes = match upto {
                        // 0, as NULL, is no limit.
                        Value::Null | Value::Int(0) => None,
                        Value::Int(count) if *count > 0 => Some(*count as u64),
                        _ => return Err("upto_nchanges must be NULL or a number of rows".into()),
                    };
                    Ok(SlotFunction::Changes { slot: slot.clone(), upto_changes, consume })
                }
                [Value::Text(_), _, _] => {
                    Err("upto_lsn must be NULL here: the playground reads up to the newest change".into())
                }
                [Value::Text(_), _, _, _, ..] => {
                    Err("test_decoding's options are not modelled: call it with three arguments".into())
                }
                _ => Err(format!("expected a slot name, upto_lsn and upto_nchanges: {function}('cdc', NULL, NULL)")),
            }
        }
        other => Err(format!("unknown function {other}: the console calls {FUNCTIONS}")),
    }
}

/// A new slot's name as PostgreSQL allows one (ReplicationSlotValidateName): lower-case
/// letters, digits and `_`, 1 to 63 of them; its messages.
fn new_slot_name(slot: &str) -> Result<String, String> {
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_';
    if slot.is_empty() {
        return Err(format!("replication slot name \"{slot}\" is too short"));
    }
    if slot.len() > 63 {
        return Err(format!("replication slot name \"{slot}\" is too long"));
    }
    if !slot.chars().all(allowed) {
        return Err(format!(
            "replication slot name \"{slot}\" contains invalid character (slot names may only contain lower case letters, numbers, and the underscore character)"
        ));
    }
    Ok(slot.to_string())
}
