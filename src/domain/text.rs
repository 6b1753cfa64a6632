//! Checks and normal forms of the text people type: names, e-mail, phone, IBAN, personal code.

/// A field that failed a check, with a stable reason code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub reason: &'static str,
}

fn fail<T>(field: &str, reason: &'static str) -> Result<T, FieldError> {
    Err(FieldError {
        field: field.to_owned(),
        reason,
    })
}

/// The characters that reorder the text around them (bidirectional embeddings, overrides and
/// isolates): a name holding one can show as another, or a file name as another type.
fn reorders(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Trimmed, not empty, at most `max` characters; line breaks and tabs allowed (a note, a
/// reason), no other control character and nothing that reorders the text.
pub fn text(field: &str, value: &str, max: usize) -> Result<String, FieldError> {
    let value = value.trim();
    if value.is_empty() {
        return fail(field, "empty");
    }
    if value.chars().count() > max {
        return fail(field, "too_long");
    }
    if value
        .chars()
        .any(|c| (c.is_control() && c != '\n' && c != '\t') || reorders(c))
    {
        return fail(field, "out_of_range");
    }
    Ok(value.to_owned())
}

/// As [`text`], for a single line (a name, a place, a number): no line break or tab either.
pub fn line(field: &str, value: &str, max: usize) -> Result<String, FieldError> {
    let value = text(field, value, max)?;
    if value.contains(['\n', '\t']) {
        return fail(field, "out_of_range");
    }
    Ok(value)
}

/// As [`text`], for an optional field; blank counts as absent.
pub fn opt_text(
    field: &str,
    value: Option<&str>,
    max: usize,
) -> Result<Option<String>, FieldError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => text(field, v, max).map(Some),
    }
}

pub fn email(field: &str, value: &str) -> Result<String, FieldError> {
    let value = value.trim();
    let ok = value.len() <= 254
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
        && matches!(value.split_once('@'), Some((local, domain))
            if !local.is_empty() && domain.contains('.') && !domain.contains('@')
                && !domain.starts_with('.') && !domain.ends_with('.'));
    if ok {
        Ok(value.to_owned())
    } else {
        fail(field, "not_an_email")
    }
}

pub fn phone(field: &str, value: &str) -> Result<String, FieldError> {
    let value = value.trim();
    let digits = value.chars().filter(char::is_ascii_digit).count();
    let ok = (5..=20).contains(&digits)
        && value
            .chars()
            .all(|c| c.is_ascii_digit() || " +-()".contains(c));
    if ok {
        Ok(value.to_owned())
    } else {
        fail(field, "not_a_phone")
    }
}

/// An IBAN, checked by its ISO 13616 mod-97 check digits; stored without spaces, upper case.
pub fn iban(field: &str, value: &str) -> Result<String, FieldError> {
    let compact: String = value
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    let well_formed = (15..=34).contains(&compact.len())
        && compact.chars().all(|c| c.is_ascii_alphanumeric())
        && compact[..2].chars().all(|c| c.is_ascii_alphabetic())
        && compact[2..4].chars().all(|c| c.is_ascii_digit());
    if !well_formed {
        return fail(field, "not_an_iban");
    }
    let rearranged = compact[4..].chars().chain(compact[..4].chars());
    let mut remainder: u32 = 0;
    for c in rearranged {
        let n = c.to_digit(36).unwrap_or(0);
        remainder = if n >= 10 {
            (remainder * 100 + n) % 97
        } else {
            (remainder * 10 + n) % 97
        };
    }
    if remainder == 1 {
        Ok(compact)
    } else {
        fail(field, "not_an_iban")
    }
}

/// A Latvian personal code: 11 digits, written `DDMMYY-NNNNN`.
pub fn personal_code(field: &str, value: &str) -> Result<String, FieldError> {
    let digits: String = value
        .chars()
        .filter(|c| *c != '-' && !c.is_whitespace())
        .collect();
    if digits.len() != 11 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return fail(field, "not_a_personal_code");
    }
    Ok(format!("{}-{}", &digits[..6], &digits[6..]))
}

/// The form names are searched in: lower case, Latvian diacritics folded, so that "berzins"
/// finds "Bērziņš".
pub fn search_fold(value: &str) -> String {
    value
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'ā' => 'a',
            'č' => 'c',
            'ē' => 'e',
            'ģ' => 'g',
            'ī' => 'i',
            'ķ' => 'k',
            'ļ' => 'l',
            'ņ' => 'n',
            'š' => 's',
            'ū' => 'u',
            'ž' => 'z',
            other => other,
        })
        .collect()
}

/// A name as a safe part of a file name: Latvian letters folded, then only `a`–`z`, digits and
/// single hyphens (Cyrillic and other letters pass as they are, lower-cased); never empty.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in search_fold(name).chars() {
        if c.is_alphanumeric() && !c.is_control() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_owned();
    if out.is_empty() { "x".to_owned() } else { out }
}

/// `Content-Disposition` for a download named `name`, whatever it holds: an ASCII fallback
/// (letters, digits, `.`, `-`, `_`; anything else `_`) and the exact name as `filename*` (RFC
/// 6266, percent-encoded UTF-8), so a stored name with a quote, a line break or a character that
/// reorders text can neither break the header nor pass for another file.
pub fn attachment(name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut exact = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            exact.push(char::from(b));
        } else {
            exact.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{exact}")
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn a_slug_is_a_safe_file_name_part() {
        assert_eq!(slug("Ņina Žūriņa-Ķēniņa"), "nina-zurina-kenina");
        assert_eq!(
            slug("=HYPERLINK(\"http://x.lv\",\"klikšķini\")"),
            "hyperlink-http-x-lv-klikskini"
        );
        assert_eq!(slug("a\nb\u{202e}c"), "a-b-c");
        assert_eq!(slug("Иван Петров"), "иван-петров");
        assert_eq!(slug("../"), "x");
    }
}
