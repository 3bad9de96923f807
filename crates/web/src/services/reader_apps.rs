//! Reader apps (the Google Reader and Fever APIs, `crate::apps`): how an
//! app signs in, and articles with the body their source's display policy
//! allows, the same body the JSON API and the article page serve. The
//! reading rules themselves (follows, streams, read state, privacy) are
//! `services::reader`'s and the store's.
//!
//! Credentials: an app signs in with the account's username and its
//! password (the login form's rules: per-address budget, backoff, lockout)
//! or one of its personal API tokens (`tdg_…`). A password login issues a
//! new personal API token named [`APP_TOKEN_NAME`], which the reader sees
//! and can revoke on their account page like any other; the
//! [`APP_TOKENS_KEPT`] most recently used stay live (apps that sign in on
//! every sync would otherwise pile them up). Fever clients send
//! `md5("username:password")`; since the site keeps no password in a form
//! that could answer that, a reader creates an app password for Fever on
//! their account page, stored as a token whose secret is that digest.

use crate::services::accounts::{LoginRefused, authenticate, digest, issue_token, random_token};
use crate::services::accounts::{Viewer, same_secret};
use crate::services::articles;
use crate::{AppState, WebError};
use tidings_core::{ArticleId, Timestamp, UserId};
use tidings_store::{ReaderItem, User};

/// The name of the token a password login from an app issues.
pub const APP_TOKEN_NAME: &str = "Reader app (Google Reader API)";
/// Live app-login tokens kept per reader (the most recently used).
pub const APP_TOKENS_KEPT: i64 = 10;
/// The name of a Fever app password's token.
pub const FEVER_TOKEN_NAME: &str = "Reader app (Fever API)";

/// The outcome of an app's sign-in.
pub enum AppLogin {
    /// Signed in: the account and the token the app is to send from now on.
    Ok { user: User, token: String },
    /// Too many attempts from this client; try again after this many seconds.
    Throttled { retry_after_secs: u64 },
    /// Unknown name, wrong password or token, or an account backing off.
    Failed,
}

/// Sign an app in with a username and a password or personal API token.
/// A live token of the named account is accepted as it is; anything else
/// goes through the login form's rules (so wrong tokens count as failed
/// attempts too) and, when it is the password, a new token is issued.
pub async fn login(
    state: &AppState,
    viewer: &Viewer,
    username: &str,
    password: &str,
) -> Result<AppLogin, WebError> {
    let name = username.trim();
    let secret = password.trim();
    if secret.starts_with("tdg_")
        && let Some(user) = user_for_token(state, secret).await?
        && user.username.eq_ignore_ascii_case(name)
    {
        return Ok(AppLogin::Ok {
            user,
            token: secret.to_string(),
        });
    }
    match authenticate(state, viewer, name, password).await? {
        Ok(user) => {
            let (token, _) = issue_token(state, &user, APP_TOKEN_NAME).await?;
            // Some apps sign in again on every sync: the oldest app logins
            // go once there are more than anyone has devices.
            state
                .store()
                .revoke_api_tokens_beyond(user.id, APP_TOKEN_NAME, APP_TOKENS_KEPT)
                .await?;
            Ok(AppLogin::Ok { user, token })
        }
        Err(LoginRefused::Throttled { retry_after_secs }) => {
            Ok(AppLogin::Throttled { retry_after_secs })
        }
        Err(LoginRefused::Failed) => Ok(AppLogin::Failed),
    }
}

/// The account behind a live personal API token (`tdg_…`), if any.
pub async fn user_for_token(state: &AppState, token: &str) -> Result<Option<User>, WebError> {
    if !token.starts_with("tdg_") || token.len() > 200 {
        return Ok(None);
    }
    Ok(state
        .store()
        .api_token_user(&digest(token), Timestamp::now())
        .await?)
}

/// The write token (Google Reader's `T`) that goes with an app's token:
/// derived from it, so nothing more is stored, and useless without it.
pub fn write_token(token: &str) -> String {
    digest(&format!("tidings greader T\n{token}"))
        .chars()
        .take(40)
        .collect()
}

/// Whether `t` is the write token of `token`.
pub fn is_write_token(token: &str, t: &str) -> bool {
    same_secret(&write_token(token), t.trim())
}

/// A Fever API key: `md5("username:password")`, lower-case hex.
pub fn fever_key(username: &str, password: &str) -> String {
    use md5::Digest;
    let sum = md5::Md5::digest(format!("{username}:{password}").as_bytes());
    sum.iter().fold(String::with_capacity(32), |mut s, b| {
        use std::fmt::Write;
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// A new Fever app password for `user` (shown once): random, so the weak
/// digest Fever sends reveals nothing of the account's real password. Its
/// key is stored hashed like any token and revoked like one.
pub async fn create_fever_password(state: &AppState, user: &User) -> Result<String, WebError> {
    let password: String = random_token()?.chars().take(24).collect();
    let key = fever_key(&user.username, &password);
    state
        .store()
        .create_api_token(user.id, FEVER_TOKEN_NAME, &digest(&format!("fever:{key}")))
        .await?;
    Ok(password)
}

/// The account behind a Fever API key, if any.
pub async fn user_for_fever_key(state: &AppState, key: &str) -> Result<Option<User>, WebError> {
    let key = key.trim().to_ascii_lowercase();
    if key.len() != 32 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    Ok(state
        .store()
        .api_token_user(&digest(&format!("fever:{key}")), Timestamp::now())
        .await?)
}

/// An article as an app gets it: the reader's state, the body the source's
/// display policy allows, and where it comes from.
#[derive(Debug, Clone)]
pub struct AppItem {
    pub item: ReaderItem,
    /// Safe HTML: the whole article, or only its opening for excerpt-only
    /// sources. Images point at this site's copies (`/media/…`).
    pub html: String,
    pub authors: Vec<String>,
    pub modified_at: Option<Timestamp>,
    pub source_url: String,
    pub source_site_url: Option<String>,
}

/// Articles by id for a reader, in the order given, with their bodies;
/// what the reader may not see (another reader's private feed) or what
/// does not exist is left out.
pub async fn items(
    state: &AppState,
    user: UserId,
    ids: &[ArticleId],
) -> Result<Vec<AppItem>, WebError> {
    let store = state.store();
    let visible = store.reader_items(user, ids).await?;
    let ids: Vec<ArticleId> = visible.iter().map(|i| i.card.id).collect();
    let mut rows: std::collections::HashMap<i64, tidings_store::AppArticle> = store
        .app_articles(&ids)
        .await?
        .into_iter()
        .map(|a| (a.row.id.0, a))
        .collect();
    let mut out = Vec::with_capacity(visible.len());
    for item in visible {
        let Some(a) = rows.remove(&item.card.id.0) else {
            continue;
        };
        let body = articles::body(&a.row);
        let html = if body.excerpt {
            body.html
        } else {
            articles::resolve_images(state, &body.html).await?
        };
        out.push(AppItem {
            item,
            html,
            authors: a.row.authors,
            modified_at: a.row.modified_at,
            source_url: a.source_url,
            source_site_url: a.source_site_url,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fever_keys_are_md5_of_name_and_password() {
        // md5("kevin:kevin"), as a Fever client computes it.
        assert_eq!(
            fever_key("kevin", "kevin"),
            "ba193291f94ebcec423be1f204fa4c1a"
        );
        assert_eq!(fever_key("", ""), "853ae90f0351324bd73ea615e6487517");
    }

    #[test]
    fn write_tokens_belong_to_one_token() {
        let t = write_token("tdg_abc");
        assert_eq!(t.len(), 40);
        assert!(is_write_token("tdg_abc", &t));
        assert!(!is_write_token("tdg_abd", &t));
        assert!(!is_write_token("tdg_abc", ""));
    }
}
