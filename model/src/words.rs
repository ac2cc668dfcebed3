//! How the model and the page put a count into words: one home, so every message agrees.

/// `1 write`, `3 writes`: the count and the word that agrees with it.
pub fn plural(count: u64, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_the_count() {
        assert_eq!(plural(1, "write was", "writes were"), "1 write was");
        assert_eq!(plural(0, "write was", "writes were"), "0 writes were");
        assert_eq!(plural(3, "replica", "replicas"), "3 replicas");
    }
}
