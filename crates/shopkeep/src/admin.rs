//! `serve` and the admin commands (`user`, `site`).

use std::io::BufRead;
use std::sync::Arc;

use clap::Subcommand;
use shopkeep_core::staff::Role;
use shopkeep_core::text::DisplayName;
use shopkeep_server::auth::password::{check_strength, hash_blocking};
use shopkeep_server::sites::{self, DEMO_SLUG, NewSite};
use shopkeep_server::tokens;
use shopkeep_store::sqlite::{SqliteStore, now};
use shopkeep_store::{NewStaff, Store};
use tokio::net::TcpListener;

use crate::settings::Settings;

/// How long the first-admin link printed at start stays valid.
const SETUP_LINK_HOURS: i64 = 24;

#[derive(Subcommand)]
pub enum UserCommand {
    /// Add a member of staff. The password is asked for, or read from stdin.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "operator", value_parser = ["operator", "supervisor", "admin"])]
        role: String,
        /// Read the password from the first line of stdin instead of prompting.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a new password; ends all of that person's sessions.
    Passwd {
        #[arg(long)]
        email: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// List staff.
    List,
}

#[derive(Subcommand)]
pub enum SiteCommand {
    /// Print the site's identity secret, for the shop's backend to sign
    /// customer ids with (see docs/identity.md).
    Secret {
        slug: String,
        /// Replace the secret with a new one first; signatures made with the old
        /// one stop verifying at once.
        #[arg(long)]
        rotate: bool,
    },
    /// Add a site. Its widget works only on pages of the given origins.
    Add {
        /// Short name, e.g. `main-shop` (a-z, 0-9, '-').
        slug: String,
        /// Name visitors see in the chat header.
        #[arg(long)]
        name: String,
        /// Shop origin allowed to embed the widget, e.g. https://shop.example (repeatable).
        #[arg(long = "origin", required = true)]
        origins: Vec<String>,
        /// Widget colour.
        #[arg(long, default_value = "#1a73e8")]
        color: String,
    },
    /// List sites with their public keys.
    List,
    /// Print the one-line embed snippet for a site.
    Snippet { slug: String },
}

fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    let password = if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    } else {
        let first = rpassword::prompt_password("Password: ")?;
        let again = rpassword::prompt_password("Password again: ")?;
        anyhow::ensure!(first == again, "the passwords differ");
        first
    };
    check_strength(&password).map_err(anyhow::Error::msg)?;
    Ok(password)
}

pub async fn user(store: &dyn Store, command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Add {
            email,
            name,
            role,
            password_stdin,
        } => {
            let email = shopkeep_server::auth::routes::parse_email(&email)
                .map_err(|e| anyhow::anyhow!(e.message))?;
            let name = DisplayName::parse(&name)?;
            let role = Role::parse(&role).ok_or_else(|| anyhow::anyhow!("unknown role {role}"))?;
            let password = read_password(password_stdin)?;
            let password_hash = hash_blocking(&password)?;
            let staff = store
                .create_staff(NewStaff {
                    email,
                    name: name.as_str().to_owned(),
                    role,
                    password_hash,
                    lang: "en".into(),
                    max_chats: None,
                })
                .await?;
            println!(
                "added {} <{}> as {}",
                staff.name,
                staff.email,
                staff.role.as_str()
            );
        }
        UserCommand::Passwd {
            email,
            password_stdin,
        } => {
            let staff = store
                .staff_by_email(&email)
                .await?
                .ok_or_else(|| anyhow::anyhow!("no staff with email {email}"))?;
            let password = read_password(password_stdin)?;
            store
                .set_password(staff.id, hash_blocking(&password)?)
                .await?;
            println!(
                "password changed for {}; their sessions have ended",
                staff.email
            );
        }
        UserCommand::List => {
            for staff in store.list_staff().await? {
                println!(
                    "{}\t{}\t{}\t{}",
                    staff.email,
                    staff.name,
                    staff.role.as_str(),
                    staff.status.as_str()
                );
            }
        }
    }
    Ok(())
}

pub async fn site(
    store: &dyn Store,
    settings: &Settings,
    command: SiteCommand,
) -> anyhow::Result<()> {
    match command {
        SiteCommand::Add {
            slug,
            name,
            origins,
            color,
        } => {
            let site = sites::create(
                store,
                NewSite {
                    slug,
                    name,
                    origins,
                    color,
                },
            )
            .await?;
            println!(
                "added site {} with public key {}",
                site.slug, site.public_key
            );
            println!(
                "embed it with:\n{}",
                sites::snippet(&site, &settings.public_base(settings.listen))
            );
        }
        SiteCommand::List => {
            for site in store.list_sites().await? {
                println!(
                    "{}\t{}\t{}\t{}",
                    site.slug,
                    site.public_key,
                    site.name,
                    site.allowed_origins.join(" ")
                );
            }
        }
        SiteCommand::Secret { slug, rotate } => {
            let mut site = store
                .site_by_slug(&slug)
                .await?
                .ok_or_else(|| anyhow::anyhow!("no site named {slug}; see `shopkeep site list`"))?;
            if rotate {
                site = store
                    .set_site_secret(site.id, shopkeep_server::tokens::new_token())
                    .await?;
            }
            println!("{}", site.hmac_secret);
        }
        SiteCommand::Snippet { slug } => {
            let site = store
                .site_by_slug(&slug)
                .await?
                .ok_or_else(|| anyhow::anyhow!("no site named {slug}; see `shopkeep site list`"))?;
            println!(
                "{}",
                sites::snippet(&site, &settings.public_base(settings.listen))
            );
        }
    }
    Ok(())
}

/// Creates the demo site on first use; it allows the origins the demo page is served from.
async fn ensure_demo_site(store: &dyn Store, base: &str, port: u16) -> anyhow::Result<()> {
    if store.site_by_slug(DEMO_SLUG).await?.is_some() {
        return Ok(());
    }
    let mut origins = vec![
        base.to_owned(),
        format!("http://127.0.0.1:{port}"),
        format!("http://localhost:{port}"),
    ];
    origins.dedup();
    let demo = NewSite {
        slug: DEMO_SLUG.into(),
        name: "Northwind Outfitters".into(),
        origins,
        color: "#0b6e4f".into(),
    };
    sites::create(store, demo).await?;
    Ok(())
}

/// Resolves on SIGTERM or Ctrl-C. On Unix the handlers are installed when this
/// is called, not when the future is first polled: a signal that arrives after
/// the server has announced itself must shut it down gracefully, not kill it.
fn shutdown_signal() -> std::io::Result<impl Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate = signal(SignalKind::terminate())?;
        let mut interrupt = signal(SignalKind::interrupt())?;
        Ok(async move {
            tokio::select! {
                _ = terminate.recv() => {},
                _ = interrupt.recv() => {},
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}

pub async fn serve(settings: Settings, store: Arc<SqliteStore>, demo: bool) -> anyhow::Result<()> {
    let shutdown = shutdown_signal()?;
    let listener = TcpListener::bind(settings.listen).await?;
    let bound = listener.local_addr()?;
    let base = settings.public_base(bound);
    if demo {
        ensure_demo_site(store.as_ref(), &base, bound.port()).await?;
    }
    println!("Shopkeep is listening on {bound}");
    if demo {
        println!("  Demo shop:  {base}/demo/");
    }
    println!("  Console:    {base}/console/");
    if store.count_staff().await? == 0 {
        let token = tokens::new_token();
        let expires = now() + SETUP_LINK_HOURS * 3600 * 1000;
        store
            .create_setup_token(tokens::hash(&token), expires)
            .await?;
        println!(
            "  Create the first admin (link valid {SETUP_LINK_HOURS} h, once): {base}/console/setup?token={token}"
        );
    }
    let store: Arc<dyn Store> = store;
    shopkeep_server::launch(settings.server, store, listener, shutdown).await
}
