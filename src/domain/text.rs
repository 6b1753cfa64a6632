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

/// Trimmed, not empty, at most `max` characters, no control characters.
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
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return fail(field, "out_of_range");
    }
    Ok(value.to_owned())
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
