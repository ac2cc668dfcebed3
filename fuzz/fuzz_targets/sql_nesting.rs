//! SQL nested far deeper than anyone types, which would overflow the page's stack if anything
//! recursed without a bound. The input is a small recipe, so the fuzzer reaches depths of
//! thousands without inputs of that length: a repeat count (two bytes), then three texts
//! separated by 0xFF: an opening repeated count times, a middle, a closing repeated count times,
//! after `SELECT * FROM users WHERE `. With `(`, `id = 1` and `)` that is 5,000 nested
//! parentheses; with `NOT ` and `TRUE`, a tower of NOTs; with `id = 1 OR `, a long chain.
#![no_main]

use libfuzzer_sys::fuzz_target;
use replication_playground::sim::sql::MAX_TEXT_CHARS;

fuzz_target!(|bytes: &[u8]| {
    let [high, low, recipe @ ..] = bytes else { return };
    let count = usize::from(u16::from_be_bytes([*high, *low]));
    let mut parts = recipe.split(|byte| *byte == 0xFF).map(String::from_utf8_lossy);
    let mut part = || parts.next().unwrap_or_default();
    let (opening, middle, closing) = (part(), part(), part());
    // Past the text limit the parser only measures the length: no need to build more.
    let count = count.min(2 * MAX_TEXT_CHARS / (opening.len() + closing.len()).max(1));
    let text = format!("SELECT * FROM users WHERE {}{middle}{}", opening.repeat(count), closing.repeat(count));
    replication_playground_fuzz::run_sql(&text);
});
