//! Configuration: built-in defaults, then an optional TOML file, then environment variables
//! (`DATABASE_URL` and `ASISTENTS_*`), validated once at start. Secrets never reach `Debug`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Deserializer, Serialize};

#[derive(Clone, Serialize, Deserialize)]
pub struct Config {
    /// `sqlite://file.db?mode=rwc`, `sqlite::memory:` or `postgres://user@host/db`.
    pub database_url: String,
    /// Connections in the pool (PostgreSQL; SQLite always uses one writer connection).
    pub database_max_connections: u32,
    pub bind: String,
    /// lettre's `smtp://` / `smtps://` URL; unset = mail is written as `.eml` files.
    pub smtp_url: Option<String>,
    pub mail_dir: PathBuf,
    /// The sender of statement mail.
    pub mail_from: String,
    /// How long an undeliverable mail is retried before it is marked `failed`.
    pub mail_retry_hours: i64,
    /// The accountants' mail of a close carries every statement's files while they add up to at
    /// most this many MB (mail servers commonly refuse messages over 25 MB, and attaching adds a
    /// third); a larger close's mail carries its summary and says where the rest are.
    pub mail_digest_max_mb: u64,
    /// How long the stored outcome of a push's mutation is kept once the phone has confirmed it
    /// (pushed past it): a replay after that is still never applied twice, but is answered
    /// without the first outcome.
    pub sync_replay_days: i64,
    /// The day of the month on which the previous month is closed automatically (0 = never).
    pub close_day: u32,
    #[serde(deserialize_with = "string_or_list")]
    pub statement_recipients: Vec<String>,
    /// The first admin's password instead of a generated one.
    pub admin_password: Option<String>,
    /// `text` (for people) or `json` (for log collectors).
    pub log_format: String,
    pub token_ttl_days: i64,
    /// Failed logins per login name before `too_many_attempts`.
    pub login_max_failures: i32,
    /// Failed logins per network address before `too_many_attempts`.
    pub address_max_failures: i32,
    pub login_lockout_minutes: i64,
    pub municipality_name: String,
    pub municipality_address: String,
    /// The social service's phone, shown to clients on the login page; unset = its address.
    pub municipality_phone: Option<String>,
    /// The bearer token `/metrics` asks for; unset = `/metrics` answers only on loopback.
    pub metrics_token: Option<String>,
    /// Connections served at once; one beyond it is closed at once.
    pub max_connections: usize,
    /// A connection silent this long, or sending this long without being answered, is closed.
    pub connection_idle_seconds: u64,
    /// This process's name among those sharing the database, for the mail it has claimed; unset
    /// = `{host name}/{bind}` (two live processes on one host cannot bind one address).
    pub instance: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: "sqlite://asistents.db?mode=rwc".into(),
            database_max_connections: 8,
            bind: "127.0.0.1:8080".into(),
            smtp_url: None,
            mail_dir: PathBuf::from("mail"),
            mail_from: "asistents <noreply@asistents.invalid>".into(),
            mail_retry_hours: 72,
            mail_digest_max_mb: 15,
            sync_replay_days: 30,
            close_day: 10,
            statement_recipients: Vec::new(),
            admin_password: None,
            log_format: "text".into(),
            token_ttl_days: 30,
            login_max_failures: 5,
            address_max_failures: 20,
            login_lockout_minutes: 15,
            municipality_name: "Daugavpils pilsētas Sociālais dienests".into(),
            municipality_address: "Alejas iela 68, Daugavpils, LV-5401".into(),
            municipality_phone: None,
            metrics_token: None,
            max_connections: 1024,
            connection_idle_seconds: 60,
            instance: None,
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &redact_url(&self.database_url))
            .field("database_max_connections", &self.database_max_connections)
            .field("bind", &self.bind)
            .field("smtp_url", &self.smtp_url.as_deref().map(redact_url))
            .field("mail_dir", &self.mail_dir)
            .field("statement_recipients", &self.statement_recipients)
            .field(
                "admin_password",
                &self.admin_password.as_ref().map(|_| "***"),
            )
            .field("log_format", &self.log_format)
            .field("token_ttl_days", &self.token_ttl_days)
            .field("municipality_name", &self.municipality_name)
            .field("metrics_token", &self.metrics_token.as_ref().map(|_| "***"))
            .field("instance", &self.instance_name())
            .finish_non_exhaustive()
    }
}

/// `scheme://user:secret@host/…?password=secret` → `scheme://user:***@host/…?password=***`
pub fn redact_url(url: &str) -> String {
    let url = redact_userinfo(url);
    let Some((base, query)) = url.split_once('?') else {
        return url;
    };
    let query: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
            _ => pair.to_owned(),
        })
        .collect();
    format!("{base}?{}", query.join("&"))
}

fn redact_userinfo(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme_end + 3],
                    &userinfo[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

fn string_or_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        One(String),
        Many(Vec<String>),
    }
    let items = match Either::deserialize(d)? {
        Either::One(s) => s.split(',').map(str::to_owned).collect(),
        Either::Many(v) => v,
    };
    Ok(items
        .into_iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect())
}

#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(String);

impl Config {
    /// This process's name among those sharing the database: `instance`, or the host name and
    /// the bind address. A restarted process has the same name, and so finds its own claims.
    pub fn instance_name(&self) -> String {
        if let Some(name) = self
            .instance
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            return name.chars().take(200).collect();
        }
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .or_else(|| std::env::var("HOSTNAME").ok())
            .or_else(|| std::env::var("COMPUTERNAME").ok())
            .map(|h| h.trim().to_owned())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "localhost".to_owned());
        format!("{host}/{}", self.bind)
    }

    /// Defaults, then `file` (if given, it must exist; otherwise `asistents.toml` if present),
    /// then the environment.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(path) if !path.exists() => {
                return Err(ConfigError(format!(
                    "file {} does not exist",
                    path.display()
                )));
            }
            Some(path) => figment = figment.merge(Toml::file(path)),
            None if Path::new("asistents.toml").exists() => {
                figment = figment.merge(Toml::file("asistents.toml"))
            }
            None => {}
        }
        let config: Config = figment
            .merge(Env::raw().only(&["DATABASE_URL"]))
            .merge(Env::prefixed("ASISTENTS_").ignore(&["CONFIG"]))
            .extract()
            .map_err(|e| ConfigError(e.to_string()))?;
        config.validate()?;
        Ok(config)
    }

    /// Every check names the setting (and its environment variable) that is wrong.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let err = |s: String| Err(ConfigError(s));
        if !(self.database_url.starts_with("sqlite:")
            || self.database_url.starts_with("postgres://")
            || self.database_url.starts_with("postgresql://"))
        {
            return err(format!(
                "DATABASE_URL must start with sqlite: or postgres://, got {}",
                redact_url(&self.database_url)
            ));
        }
        if self.bind.parse::<SocketAddr>().is_err() {
            return err(format!(
                "ASISTENTS_BIND must be an address and port such as 127.0.0.1:8080, got {:?}",
                self.bind
            ));
        }
        if let Some(url) = &self.smtp_url
            && !(url.starts_with("smtp://") || url.starts_with("smtps://"))
        {
            return err(format!(
                "ASISTENTS_SMTP_URL must start with smtp:// or smtps://, got {}",
                redact_url(url)
            ));
        }
        for address in &self.statement_recipients {
            let parts: Vec<&str> = address.split('@').collect();
            if parts.len() != 2 || parts[0].is_empty() || !parts[1].contains('.') {
                return err(format!(
                    "ASISTENTS_STATEMENT_RECIPIENTS: {address:?} is not an e-mail address"
                ));
            }
        }
        if let Some(p) = &self.admin_password
            && p.chars().count() < 10
        {
            return err("ASISTENTS_ADMIN_PASSWORD must be at least 10 characters".into());
        }
        if self.log_format != "text" && self.log_format != "json" {
            return err(format!(
                "ASISTENTS_LOG_FORMAT must be text or json, got {:?}",
                self.log_format
            ));
        }
        if !(1..=365).contains(&self.token_ttl_days) {
            return err("ASISTENTS_TOKEN_TTL_DAYS must be from 1 to 365".into());
        }
        if self.login_max_failures < 1 || self.address_max_failures < 1 {
            return err("login and address failure limits must be at least 1".into());
        }
        if self.max_connections < 1 {
            return err("ASISTENTS_MAX_CONNECTIONS must be at least 1".into());
        }
        // Longer than a request may take (30 s), so a slow answer is not cut off.
        if !(31..=3600).contains(&self.connection_idle_seconds) {
            return err("ASISTENTS_CONNECTION_IDLE_SECONDS must be from 31 to 3600".into());
        }
        if !(1..=3650).contains(&self.sync_replay_days) {
            return err("ASISTENTS_SYNC_REPLAY_DAYS must be from 1 to 3650".into());
        }
        if !(1..=1440).contains(&self.login_lockout_minutes) {
            return err("ASISTENTS_LOGIN_LOCKOUT_MINUTES must be from 1 to 1440".into());
        }
        if !(1..=256).contains(&self.database_max_connections) {
            return err("ASISTENTS_DATABASE_MAX_CONNECTIONS must be from 1 to 256".into());
        }
        if self.close_day > 28 {
            return err(
                "ASISTENTS_CLOSE_DAY must be from 1 to 28, or 0 for no automatic close".into(),
            );
        }
        if self.municipality_name.trim().is_empty() {
            return err("ASISTENTS_MUNICIPALITY_NAME must not be empty".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod redaction {
    use super::redact_url;

    #[test]
    fn passwords_in_urls_are_hidden() {
        assert_eq!(
            redact_url("postgres://asistents:slepens@db.lv/asistents"),
            "postgres://asistents:***@db.lv/asistents"
        );
        assert_eq!(
            redact_url("postgres://asistents@db.lv/a?sslmode=require&password=slepens"),
            "postgres://asistents@db.lv/a?sslmode=require&password=***"
        );
        assert_eq!(
            redact_url("sqlite://asistents.db?mode=rwc"),
            "sqlite://asistents.db?mode=rwc"
        );
    }
}
