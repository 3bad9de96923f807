//! Passwords: argon2id hashing and the rules a new password must meet, and
//! the rules for usernames and email addresses.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::collections::HashSet;
use std::sync::LazyLock;

/// argon2id parameters: OWASP's recommended minimum (19 MiB, 2 passes, 1 lane).
pub const ARGON2_MEMORY_KIB: u32 = 19_456;
pub const ARGON2_ITERATIONS: u32 = 2;
pub const ARGON2_LANES: u32 = 1;
/// Longer passwords are refused: hashing cost must not be the attacker's choice.
pub const MAX_PASSWORD_CHARS: usize = 256;

/// The 11,611 most common passwords of 8 characters or more (from zxcvbn's
/// frequency list of leaked passwords, MIT licence).
static COMMON: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| include_str!("common_passwords.txt").lines().collect());

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

fn argon() -> Result<Argon2<'static>, HashError> {
    let params = Params::new(ARGON2_MEMORY_KIB, ARGON2_ITERATIONS, ARGON2_LANES, None)
        .map_err(|e| HashError(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hash a password into a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`).
/// Slow on purpose (tens of milliseconds): call it off the async threads.
pub fn hash_password(password: &str) -> Result<String, HashError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| HashError(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| HashError(e.to_string()))?;
    Ok(argon()?
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| HashError(e.to_string()))?
        .to_string())
}

/// Check a password against a stored PHC string. A malformed hash is a
/// mismatch, never a panic. The stored parameters are used, so old hashes
/// keep working if the defaults change.
pub fn verify_password(password: &str, phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let Ok(a) = argon() else { return false };
    a.verify_password(password.as_bytes(), &parsed).is_ok()
}

/// Why a new password is refused, as a key into the UI strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordProblem {
    TooShort,
    TooLong,
    Common,
    LikeUsername,
    Mismatch,
}

/// The rules for a new password: long enough, not absurdly long, not one of
/// the common leaked passwords, not the username, not one repeated character.
pub fn check_new_password(
    password: &str,
    repeat: &str,
    username: &str,
    min_chars: usize,
) -> Result<(), PasswordProblem> {
    let n = password.chars().count();
    if n < min_chars {
        return Err(PasswordProblem::TooShort);
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(PasswordProblem::TooLong);
    }
    let lower = password.to_lowercase();
    let distinct: HashSet<char> = lower.chars().collect();
    if COMMON.contains(lower.as_str()) || distinct.len() < 3 {
        return Err(PasswordProblem::Common);
    }
    // Without the username, what is left must still be long enough.
    let name = username.to_lowercase();
    if !name.is_empty() && lower.replace(&name, "").chars().count() < min_chars {
        return Err(PasswordProblem::LikeUsername);
    }
    if password != repeat {
        return Err(PasswordProblem::Mismatch);
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsernameProblem {
    Length,
    Characters,
    Reserved,
}

/// Names people can tell apart and type: 3 to 32 of `A-Z a-z 0-9 _ - .`,
/// starting with a letter or digit. `allow_reserved` is for operators (CLI).
pub fn check_username(name: &str, allow_reserved: bool) -> Result<(), UsernameProblem> {
    let n = name.chars().count();
    if !(3..=32).contains(&n) {
        return Err(UsernameProblem::Length);
    }
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !ok_chars
        || !name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
    {
        return Err(UsernameProblem::Characters);
    }
    const RESERVED: &[&str] = &[
        "admin",
        "administrator",
        "moderator",
        "mod",
        "root",
        "system",
        "tidings",
        "deleted",
        "removed",
        "anonymous",
        "staff",
        "support",
    ];
    if !allow_reserved && RESERVED.contains(&name.to_ascii_lowercase().as_str()) {
        return Err(UsernameProblem::Reserved);
    }
    Ok(())
}

/// A plausible email address (the only real check is sending mail, which
/// Tidings does not do): one `@`, something on both sides, no spaces.
pub fn check_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    email.len() <= 254
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
        && !domain.contains('@')
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn hash_and_verify() {
        let h = hash_password("correct horse battery staple").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify_password("correct horse battery staple", &h));
        assert!(!verify_password("correct horse battery stapl", &h));
        assert!(!verify_password("x", "not a hash"));
        assert!(!verify_password("x", ""));
        let h2 = hash_password("correct horse battery staple").unwrap();
        assert_ne!(h, h2, "salted");
    }

    #[test]
    fn password_rules() {
        use PasswordProblem::*;
        let ok = |p: &str| check_new_password(p, p, "alice", 10);
        assert_eq!(ok("short"), Err(TooShort));
        assert_eq!(ok("password1234"), Err(Common));
        assert_eq!(ok("PASSWORD1234"), Err(Common), "case does not help");
        assert_eq!(ok("1234567890"), Err(Common));
        assert_eq!(ok("aaaaaaaaaaaa"), Err(Common));
        assert_eq!(ok("alice12345"), Err(LikeUsername));
        assert_eq!(ok("Alice-alice-1"), Err(LikeUsername));
        assert_eq!(ok("alice likes tall giraffes"), Ok(()));
        assert_eq!(ok(&"x1".repeat(200)), Err(TooLong));
        assert_eq!(
            check_new_password("tall giraffe 42", "tall giraffe 43", "alice", 10),
            Err(Mismatch)
        );
        assert_eq!(ok("tall giraffe 42"), Ok(()));
        assert_eq!(ok("zweiundvierzig Äpfel"), Ok(()));
    }

    #[test]
    fn username_rules() {
        use UsernameProblem::*;
        assert_eq!(check_username("al", false), Err(Length));
        assert_eq!(check_username(&"a".repeat(33), false), Err(Length));
        assert_eq!(check_username("<script>", false), Err(Characters));
        assert_eq!(check_username("_lead", false), Err(Characters));
        assert_eq!(check_username("with space", false), Err(Characters));
        assert_eq!(check_username("Admin", false), Err(Reserved));
        assert_eq!(check_username("Admin", true), Ok(()));
        assert_eq!(check_username("ada.lovelace-1_", false), Ok(()));
    }

    #[test]
    fn email_rules() {
        assert!(check_email("ada@example.org"));
        assert!(!check_email("ada@example"));
        assert!(!check_email("ada example.org"));
        assert!(!check_email("<a>@example.org"));
        assert!(!check_email("a@b@example.org"));
    }
}
