//! `tidings user add|list|role|unlock|unban`: accounts from the command line, for
//! the first admin and for operators.

use crate::cli::UserCommand;
use crate::config::Config;
use anyhow::{Context, Result, bail};
use std::io::{BufRead, IsTerminal};
use tidings_store::{NewUser, Role, StoreError};
use tidings_web::services::password;

pub async fn run(cmd: UserCommand, config: &Config) -> Result<()> {
    match cmd {
        UserCommand::Add {
            name,
            admin,
            moderator,
            email,
        } => {
            let name = name.trim().to_string();
            if let Err(p) = password::check_username(&name, true) {
                bail!(
                    "the username `{name}` is unusable: {p:?} (3-32 of A-Z a-z 0-9 _ - ., starting with a letter or digit)"
                );
            }
            if let Some(e) = &email
                && !password::check_email(e)
            {
                bail!("`{e}` is not a usable email address");
            }
            let pw = read_password()?;
            let min = usize::try_from(config.accounts.password_min_length).unwrap_or(10);
            if let Err(p) = password::check_new_password(&pw, &pw, &name, min) {
                bail!(
                    "the password is unusable: {p:?} (at least {min} characters, not a common password, not the username)"
                );
            }
            let hash = tokio::task::spawn_blocking(move || password::hash_password(&pw))
                .await
                .context("password hashing")??;
            let role = if admin {
                Role::Admin
            } else if moderator {
                Role::Moderator
            } else {
                Role::Member
            };
            let store = super::open_store(config).await?;
            let res = store
                .create_user(&NewUser {
                    username: &name,
                    email: email.as_deref(),
                    password_hash: &hash,
                    role,
                })
                .await;
            store.close().await;
            match res {
                Ok(u) => {
                    println!("added user {} ({}, {})", u.id, u.username, u.role.as_str());
                    Ok(())
                }
                Err(StoreError::Duplicate(_)) => bail!("the username `{name}` is taken"),
                Err(e) => Err(e.into()),
            }
        }
        UserCommand::List { json } => {
            let store = super::open_store(config).await?;
            let users = store.list_users(None, i64::MAX).await;
            store.close().await;
            let users = users?;
            if json {
                println!("{}", serde_json::to_string_pretty(&users)?);
            } else {
                println!("    ID  ROLE        CREATED                   NAME");
                for u in users {
                    println!(
                        "{:>6}  {:<10}  {:<24}  {}",
                        u.id,
                        u.role.as_str(),
                        u.created_at.to_rfc3339(),
                        u.username
                    );
                }
            }
            Ok(())
        }
        UserCommand::Role { name, role } => {
            let role = Role::parse(&role).context("role is member, moderator or admin")?;
            let store = super::open_store(config).await?;
            let res = async {
                let u = store
                    .user_by_name(&name)
                    .await?
                    .with_context(|| format!("no user `{name}`"))?;
                store.set_role(u.id, role).await?;
                anyhow::Ok(u)
            }
            .await;
            store.close().await;
            let u = res?;
            println!("{} is now {}", u.username, role.as_str());
            Ok(())
        }
        UserCommand::Unlock { name } => {
            let store = super::open_store(config).await?;
            let res = async {
                let u = store
                    .user_by_name(&name)
                    .await?
                    .with_context(|| format!("no user `{name}`"))?;
                store.clear_lockout(u.id).await?;
                anyhow::Ok(u)
            }
            .await;
            store.close().await;
            println!("{} may log in again", res?.username);
            Ok(())
        }
        UserCommand::Unban { name, reason } => {
            let store = super::open_store(config).await?;
            let res = async {
                let u = store
                    .user_by_name(&name)
                    .await?
                    .with_context(|| format!("no user `{name}`"))?;
                let lifted = store.unban_user(u.id, None, reason.as_deref()).await?;
                anyhow::Ok((u, lifted))
            }
            .await;
            store.close().await;
            let (u, lifted) = res?;
            if lifted {
                println!("{} is no longer banned", u.username);
            } else {
                println!("{} was not banned", u.username);
            }
            Ok(())
        }
    }
}

/// From a terminal: asked twice without echo. Otherwise: the first line of stdin.
fn read_password() -> Result<String> {
    if std::io::stdin().is_terminal() {
        let a = rpassword::prompt_password("Password: ").context("cannot read the password")?;
        let b = rpassword::prompt_password("Repeat: ").context("cannot read the password")?;
        if a != b {
            bail!("the two passwords differ");
        }
        Ok(a)
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        let pw = line.trim_end_matches(['\n', '\r']).to_string();
        if pw.is_empty() {
            bail!("no password on standard input");
        }
        Ok(pw)
    }
}
