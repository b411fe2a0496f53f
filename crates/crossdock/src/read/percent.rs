//! Percentages written as strings in targets.toml (`size-warn = "10%"`): a string, so
//! that the unit is on the page and `10` is not mistaken for a fraction or a byte count.

/// `"10%"`, `"2.5%"`, `" 0 %"` → the number; `None` for anything else (no `%`, negative,
/// not a finite number).
pub fn parse(text: &str) -> Option<f64> {
    let number = text.trim().strip_suffix('%')?.trim();
    if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    number.parse::<f64>().ok().filter(|n| n.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_need_the_percent_sign_and_a_plain_non_negative_number() {
        assert_eq!(parse("10%"), Some(10.0));
        assert_eq!(parse("2.5%"), Some(2.5));
        assert_eq!(parse(" 0 %"), Some(0.0));
        assert_eq!(parse("150%"), Some(150.0));
        for bad in [
            "10", "%", "-5%", "1e3%", "ten%", "10%%", "", "5.%.", "inf%", "NaN%",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }
}
