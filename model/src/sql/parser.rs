//! A recursive-descent parser for the console's SQL subset.

use super::functions;
use super::lexer::{Token, TokenKind, tokenize};
use super::{CompareOp, Expr, Name, Parsed, Select, SqlError, Statement};
use crate::data::{Column, ColumnType, Schema, Value};

/// How deeply expressions may nest (parentheses and NOTs): the parser, the evaluator and every
/// other walk over an expression recurse once per level, and the page's stack is small (1 MB in
/// wasm). Hand-written SQL stays far below it.
pub const MAX_DEPTH: usize = 100;
/// The longest text run at once: everything done with it (parsing, the console, the link that
/// carries it) is bounded by its length.
pub const MAX_TEXT_CHARS: usize = 20_000;

/// Parses a batch of statements separated by `;`. Any error rejects the whole batch.
pub fn parse(text: &str) -> Result<Vec<Parsed>, SqlError> {
    let length = text.chars().count();
    if length > MAX_TEXT_CHARS {
        return Err(SqlError::new(format!(
            "the SQL is {length} characters long; the console runs at most {MAX_TEXT_CHARS} at once"
        )));
    }
    if let Some(find) = super::find::parse_find(text) {
        let text = text.trim().to_string();
        return find.map(|statement| vec![Parsed { statement, text, master_hint: false, find: true }]);
    }
    let tokens = tokenize(text)?;
    let mut parser = Parser { tokens, position: 0, depth: 0 };
    let mut statements = Vec::new();
    loop {
        while parser.eat_symbol(";") {}
        // The statement's text starts at its hint, so the console shows the hint too.
        let start = parser.peek().offset;
        let master_hint = parser.eat_hint();
        if parser.peek().kind == TokenKind::End {
            break;
        }
        let statement = parser.statement()?;
        let end = parser.peek().offset;
        if !parser.eat_symbol(";") && parser.peek().kind != TokenKind::End {
            return Err(parser.expected("; or the end of the statement"));
        }
        let text: String = text.chars().skip(start).take(end - start).collect();
        statements.push(Parsed { statement, text: text.trim().to_string(), master_hint, find: false });
    }
    if statements.is_empty() {
        return Err(SqlError::new("there is no statement to run"));
    }
    Ok(statements)
}

struct Parser {
    tokens: Vec<Token>,
    position: usize,
    /// How many parentheses and NOTs the expression being parsed is inside.
    depth: usize,
}

impl Parser {
    fn peek(&self) -> &Token {
        &self.tokens[self.position]
    }

    fn next(&mut self) -> Token {
        let token = self.tokens[self.position].clone();
        if token.kind != TokenKind::End {
            self.position += 1;
        }
        token
    }

    fn expected(&self, what: &str) -> SqlError {
        let token = self.peek();
        SqlError::at(token.line, token.column, format!("expected {what}, found {}", token.describe()))
    }

    fn is_keyword(&self, keyword: &str) -> bool {
        matches!(&self.peek().kind, TokenKind::Word(word) if word.eq_ignore_ascii_case(keyword))
    }

    fn eat_keyword(&mut self, keyword: &str) -> bool {
        let found = self.is_keyword(keyword);
        if found {
            self.next();
        }
        found
    }

    fn keyword(&mut self, keyword: &str) -> Result<(), SqlError> {
        if self.eat_keyword(keyword) { Ok(()) } else { Err(self.expected(keyword)) }
    }

    fn eat_symbol(&mut self, symbol: &str) -> bool {
        let found = self.peek().kind == TokenKind::Symbol(symbol_of(symbol));
        if found {
            self.next();
        }
        found
    }

    fn symbol(&mut self, symbol: &str) -> Result<(), SqlError> {
        if self.eat_symbol(symbol) { Ok(()) } else { Err(self.expected(symbol)) }
    }

    /// Skips comments before a statement, saying whether one was the `master` hint.
    fn eat_hint(&mut self) -> bool {
        let mut hint = false;
        while let TokenKind::Comment(body) = &self.peek().kind {
            hint |= body.eq_ignore_ascii_case("master");
            self.next();
        }
        hint
    }

    fn name(&mut self, what: &str) -> Result<Name, SqlError> {
        match &self.peek().kind {
            TokenKind::Word(word) if !RESERVED.iter().any(|reserved| reserved.eq_ignore_ascii_case(word)) => {
                let token = self.next();
                let TokenKind::Word(text) = token.kind else { unreachable!("matched a word") };
                Ok(Name { text: text.to_ascii_lowercase(), line: token.line, column: token.column })
            }
            _ => Err(self.expected(what)),
        }
    }

    fn list<T>(&mut self, mut item: impl FnMut(&mut Parser) -> Result<T, SqlError>) -> Result<Vec<T>, SqlError> {
        let mut items = vec![item(self)?];
        while self.eat_symbol(",") {
            items.push(item(self)?);
        }
        Ok(items)
    }

    fn statement(&mut self) -> Result<Statement, SqlError> {
        if self.eat_keyword("CREATE") {
            self.create()
        } else if self.eat_keyword("INSERT") {
            self.insert()
        } else if self.eat_keyword("UPDATE") {
            self.update()
        } else if self.eat_keyword("DELETE") {
            self.delete()
        } else if self.eat_keyword("SELECT") {
            match functions::slot_function(&self.tokens[self.position..]) {
                Some(call) => {
                    let (call, taken) = call?;
                    self.position += taken;
                    Ok(Statement::SlotFunction(call))
                }
                None => self.select().map(Statement::Select),
            }
        } else {
            Err(self.expected("SELECT, INSERT, UPDATE, DELETE or CREATE"))
        }
    }

    fn create(&mut self) -> Result<Statement, SqlError> {
        self.keyword("TABLE")?;
        let table = self.name("a table name")?;
        self.symbol("(")?;
        let mut keys = Vec::new();
        let definitions = self.list(|parser| {
            let name = parser.name("a column name")?;
            let ty = parser.column_type()?;
            if parser.eat_keyword("PRIMARY") {
                parser.keyword("KEY")?;
                keys.push(name.clone());
            }
            Ok((name, ty))
        })?;
        self.symbol(")")?;
        let primary_key = match keys.as_slice() {
            [key] => definitions.iter().position(|(name, _)| name.text == key.text).expect("the key is a column"),
            [] => return Err(table.error(format!("table {} needs one PRIMARY KEY column", table.text))),
            [_, second, ..] => return Err(second.error("only one column can be the PRIMARY KEY")),
        };
        for (index, (name, _)) in definitions.iter().enumerate() {
            if definitions[..index].iter().any(|(earlier, _)| earlier.text == name.text) {
                return Err(name.error(format!("column {} is defined twice", name.text)));
            }
        }
        let columns = definitions.into_iter().map(|(name, ty)| Column { name: name.text, ty }).collect();
        Ok(Statement::CreateTable { table, schema: Schema { columns, primary_key } })
    }

    fn column_type(&mut self) -> Result<ColumnType, SqlError> {
        let ty = match &self.peek().kind {
            TokenKind::Word(word) => match word.to_ascii_uppercase().as_str() {
                "INT" | "INTEGER" | "BIGINT" => ColumnType::Int,
                "TEXT" | "VARCHAR" => ColumnType::Text,
                "BOOL" | "BOOLEAN" => ColumnType::Bool,
                _ => return Err(self.expected("a type (INT, TEXT or BOOL)")),
            },
            _ => return Err(self.expected("a type (INT, TEXT or BOOL)")),
        };
        self.next();
        // VARCHAR(n): the length is accepted and not enforced.
        if self.eat_symbol("(") {
            self.literal()?;
            self.symbol(")")?;
        }
        Ok(ty)
    }

    fn insert(&mut self) -> Result<Statement, SqlError> {
        self.keyword("INTO")?;
        let table = self.name("a table name")?;
        let columns = if self.eat_symbol("(") {
            let names = self.list(|parser| parser.name("a column name"))?;
            self.symbol(")")?;
            Some(names)
        } else {
            None
        };
        self.keyword("VALUES")?;
        let rows = self.list(|parser| {
            parser.symbol("(")?;
            let values = parser.list(|parser| parser.expr())?;
            parser.symbol(")")?;
            Ok(values)
        })?;
        Ok(Statement::Insert { table, columns, rows })
    }

    fn update(&mut self) -> Result<Statement, SqlError> {
        let table = self.name("a table name")?;
        self.keyword("SET")?;
        let assignments = self.list(|parser| {
            let column = parser.name("a column name")?;
            parser.symbol("=")?;
            Ok((column, parser.expr()?))
        })?;
        let filter = self.filter()?;
        Ok(Statement::Update { table, assignments, filter })
    }

    fn delete(&mut self) -> Result<Statement, SqlError> {
        self.keyword("FROM")?;
        let table = self.name("a table name")?;
        let filter = self.filter()?;
        Ok(Statement::Delete { table, filter })
    }

    fn select(&mut self) -> Result<Select, SqlError> {
        let columns =
            if self.eat_symbol("*") { None } else { Some(self.list(|parser| parser.name("* or a column name"))?) };
        self.keyword("FROM")?;
        let table = self.name("a table name")?;
        let filter = self.filter()?;
        let order_by = if self.eat_keyword("ORDER") {
            self.keyword("BY")?;
            let column = self.name("a column name")?;
            let descending = if self.eat_keyword("DESC") {
                true
            } else {
                self.eat_keyword("ASC");
                false
            };
            Some((column, descending))
        } else {
            None
        };
        let limit = if self.eat_keyword("LIMIT") {
            match self.next().kind {
                TokenKind::Int(n) => Some(n as u64),
                _ => {
                    self.position -= 1;
                    return Err(self.expected("a number of rows"));
                }
            }
        } else {
            None
        };
        let for_update = if self.eat_keyword("FOR") {
            self.keyword("UPDATE")?;
            true
        } else {
            false
        };
        Ok(Select { columns, table, filter, order_by, limit, for_update })
    }

    fn filter(&mut self) -> Result<Option<Expr>, SqlError> {
        if self.eat_keyword("WHERE") { self.expr().map(Some) } else { Ok(None) }
    }

    /// A condition one level deeper than the current one, refused past `MAX_DEPTH` at the token
    /// that opens it.
    fn nested<T>(&mut self, parse: impl FnOnce(&mut Parser) -> Result<T, SqlError>) -> Result<T, SqlError> {
        if self.depth == MAX_DEPTH {
            let token = self.peek();
            return Err(SqlError::at(
                token.line,
                token.column,
                format!("the expression is nested deeper than {MAX_DEPTH} levels"),
            ));
        }
        self.depth += 1;
        let result = parse(self);
        self.depth -= 1;
        result
    }

    fn expr(&mut self) -> Result<Expr, SqlError> {
        let terms = self.chain("OR", Parser::and)?;
        Ok(if terms.len() == 1 { terms.into_iter().next().expect("one term") } else { Expr::Or(terms) })
    }

    fn and(&mut self) -> Result<Expr, SqlError> {
        let terms = self.chain("AND", Parser::not)?;
        Ok(if terms.len() == 1 { terms.into_iter().next().expect("one term") } else { Expr::And(terms) })
    }

    /// Terms joined by `keyword`, read in a loop.
    fn chain(&mut self, keyword: &str, term: fn(&mut Parser) -> Result<Expr, SqlError>) -> Result<Vec<Expr>, SqlError> {
        let mut terms = vec![term(self)?];
        while self.eat_keyword(keyword) {
            terms.push(term(self)?);
        }
        Ok(terms)
    }

    fn not(&mut self) -> Result<Expr, SqlError> {
        if self.is_keyword("NOT") {
            self.nested(|parser| {
                parser.next();
                Ok(Expr::Not(Box::new(parser.not()?)))
            })
        } else {
            self.comparison()
        }
    }

    fn comparison(&mut self) -> Result<Expr, SqlError> {
        let left = self.primary()?;
        for (symbol, op) in COMPARISONS {
            if self.eat_symbol(symbol) {
                return Ok(Expr::Compare(op, Box::new(left), Box::new(self.primary()?)));
            }
        }
        if self.eat_keyword("IS") {
            let negated = self.eat_keyword("NOT");
            self.keyword("NULL")?;
            return Ok(Expr::IsNull { expr: Box::new(left), negated });
        }
        let negated = self.is_keyword("NOT") && {
            let after = &self.tokens[self.position + 1].kind;
            matches!(after, TokenKind::Word(word) if word.eq_ignore_ascii_case("IN"))
        };
        if negated {
            self.next();
        }
        if self.eat_keyword("IN") {
            self.symbol("(")?;
            let list = self.list(|parser| parser.primary())?;
            self.symbol(")")?;
            return Ok(Expr::In { expr: Box::new(left), list, negated });
        }
        Ok(left)
    }

    fn primary(&mut self) -> Result<Expr, SqlError> {
        if self.peek().kind == TokenKind::Symbol("(") {
            return self.nested(|parser| {
                parser.next();
                let inner = parser.expr()?;
                parser.symbol(")")?;
                Ok(inner)
            });
        }
        if let TokenKind::Word(word) = &self.peek().kind
            && !LITERAL_WORDS.iter().any(|literal| literal.eq_ignore_ascii_case(word))
        {
            return self.name("a value or a column name").map(Expr::Column);
        }
        self.literal().map(Expr::Value)
    }

    fn literal(&mut self) -> Result<Value, SqlError> {
        let negative = self.eat_symbol("-");
        let value = match &self.peek().kind {
            TokenKind::Int(n) => Value::Int(if negative { -n } else { *n }),
            TokenKind::Text(text) if !negative => Value::Text(text.clone()),
            TokenKind::Word(word) if !negative => match word.to_ascii_uppercase().as_str() {
                "NULL" => Value::Null,
                "TRUE" => Value::Bool(true),
                "FALSE" => Value::Bool(false),
                _ => return Err(self.expected("a value")),
            },
            _ => return Err(self.expected(if negative { "a number" } else { "a value" })),
        };
        self.next();
        Ok(value)
    }
}

const COMPARISONS: [(&str, CompareOp); 7] = [
    ("=", CompareOp::Eq),
    ("<>", CompareOp::NotEq),
    ("!=", CompareOp::NotEq),
    ("<=", CompareOp::LessEq),
    (">=", CompareOp::GreaterEq),
    ("<", CompareOp::Less),
    (">", CompareOp::Greater),
];

const LITERAL_WORDS: [&str; 3] = ["NULL", "TRUE", "FALSE"];

/// Words that cannot name a table or column.
const RESERVED: [&str; 27] = [
    "SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "TABLE", "FROM", "WHERE", "INTO", "VALUES", "SET", "AND", "OR",
    "NOT", "IN", "IS", "NULL", "TRUE", "FALSE", "ORDER", "BY", "LIMIT", "FOR", "PRIMARY", "KEY", "ASC", "DESC",
];

/// The lexer's `&'static str` for a symbol.
fn symbol_of(symbol: &str) -> &'static str {
    super::lexer::SYMBOLS
        .into_iter()
        .find(|known| *known == symbol)
        .expect("the parser asks only for symbols the lexer makes")
}
