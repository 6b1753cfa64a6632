//! Building and running the service: connect, migrate, seed, bind, serve, stop gracefully.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::config::Config;
use crate::db::{self};
use crate::service::{self, AppState};
use crate::telemetry::Metrics;
use crate::{Clock, http, jobs};

pub struct App {
    listener: TcpListener,
    state: AppState,
    /// The generated password of the admin created on this start, to be shown once.
    pub first_admin_password: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot open the database {url}: {source}")]
    Database {
        url: String,
        source: crate::db::DbErr,
    },
    #[error("cannot prepare the database: {0}")]
    Setup(crate::db::DbErr),
    #[error("{0}")]
    Mail(String),
    #[error("cannot listen on {bind}: {source}")]
    Bind {
        bind: String,
        source: std::io::Error,
    },
}

impl App {
    /// Opens and migrates the database, seeds policy and the first admin, and binds the listener
    /// (port 0 picks a free port; see [`App::local_addr`]).
    pub async fn build(config: Config, clock: Clock) -> Result<App, StartError> {
        let db = db::connect(&config.database_url, config.database_max_connections)
            .await
            .map_err(|source| StartError::Database {
                url: crate::config::redact_url(&config.database_url),
                source,
            })?;
        db::migrate(&db).await.map_err(StartError::Setup)?;
        let now = clock.now();
        db::policy::seed_missing(&db, now)
            .await
            .map_err(StartError::Setup)?;
        // A rate that pays below the minimum wage is said loudly at every start.
        let month = crate::domain::time::Month::of(crate::domain::time::riga_date(now));
        if let Ok(below) = service::statements::below_minimum_wage(&db, month).await
            && let Some(b) = below.last()
        {
            let details = service::statements::below_details(b);
            let code = mobile_api::ErrorCode::RateBelowMinimumWage;
            tracing::warn!(
                code = code.as_str(),
                "{}",
                crate::i18n::message(code, mobile_api::Locale::En, &details)
            );
        }
        let first_admin_password = service::auth::ensure_first_admin(&db, &config, now)
            .await
            .map_err(StartError::Setup)?;
        let released = service::background::release_own_claims(&db, &config, now)
            .await
            .map_err(StartError::Setup)?;
        if released > 0 {
            tracing::info!(mails = released, instance = %config.instance_name(), "mail this process claimed before it stopped is due again");
        }
        let mailer = crate::mail::Mailer::from_config(&config).map_err(StartError::Mail)?;
        let listener =
            TcpListener::bind(&config.bind)
                .await
                .map_err(|source| StartError::Bind {
                    bind: config.bind.clone(),
                    source,
                })?;
        // One group at a time on SQLite (its one connection serializes writes anyway); on
        // PostgreSQL a group per two connections, leaving the rest to reads and other writes.
        let groups = if db::is_postgres(&db) {
            (config.database_max_connections as usize / 2).max(1)
        } else {
            1
        };
        let metrics = Metrics::new();
        let pushes = service::sync::Pushes::start(
            db.clone(),
            clock.clone(),
            groups,
            metrics.push_groups.clone(),
        );
        let reads = db::connect_reads(&config.database_url, &db)
            .await
            .map_err(|source| StartError::Database {
                url: crate::config::redact_url(&config.database_url),
                source,
            })?;
        let state = AppState {
            pushes,
            db,
            reads,
            config: Arc::new(config),
            clock,
            metrics,
            mailer: Arc::new(mailer),
            passwords: crate::secrets::Passwords::for_this_machine(),
        };
        Ok(App {
            listener,
            state,
            first_admin_password,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    pub fn state(&self) -> AppState {
        self.state.clone()
    }

    /// Serves until `shutdown` completes, then finishes in-flight requests and stops the worker.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let (stop_tx, stop_rx) = watch::channel(false);
        let checkpoints = {
            let (url, stop) = (self.state.config.database_url.clone(), stop_rx.clone());
            tokio::spawn(async move { db::checkpoints(&url, stop).await })
        };
        let sequencer = tokio::spawn(jobs::sequencer(
            self.state.clone(),
            stop_rx.clone(),
            Duration::from_secs(1),
        ));
        let worker = tokio::spawn(jobs::run(
            self.state.clone(),
            stop_rx,
            Duration::from_secs(10),
        ));
        let router = http::router(self.state.clone());
        use axum::serve::ListenerExt;
        let config = &self.state.config;
        let listener = crate::net::Guarded::new(
            self.listener,
            config.max_connections,
            Duration::from_secs(config.connection_idle_seconds),
        )
        .tap_io(|_| {});
        let served = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await;
        let _ = stop_tx.send(true);
        let _ = worker.await;
        let _ = sequencer.await;
        let _ = checkpoints.await;
        self.state.db.clone().close().await.ok();
        self.state.reads.clone().close().await.ok();
        served
    }
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
    tracing::info!("shutting down: finishing requests in flight");
}
