//! The `asistents` command: serve the API, seed a demo, run migrations, check configuration.

use std::path::PathBuf;
use std::process::ExitCode;

use asistents::{App, Clock, Config, app, demo, telemetry};
use clap::{Parser, Subcommand};

/// mimalloc: less CPU per allocation than glibc's malloc under the push load, and no per-thread
/// arenas holding freed memory; version 2 (Cargo.toml), which gives freed pages back sooner
/// (see docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "asistents",
    version,
    about = "Timesheets, rules and monthly statements for the assistant service"
)]
struct Cli {
    /// A TOML configuration file (default: ./asistents.toml when present).
    #[arg(long, global = true, env = "ASISTENTS_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP service (the default).
    Serve {
        /// Seed the demo municipality first when the database has no clients.
        #[arg(long)]
        demo: bool,
    },
    /// Seed the demo municipality into the configured database and print its logins.
    Demo,
    /// Apply database migrations and exit.
    Migrate,
    /// Load and validate the configuration, print it without secrets, and exit.
    CheckConfig,
    /// Close a month: generate the statements of its approved client-months and queue their mail.
    Close {
        /// `YYYY-MM`
        #[arg(long)]
        month: String,
    },
    /// Check the audit log's hash chain (`audit verify`); names the first broken record.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Lift the lock that failed logins put on a login name (for the admin, who has no one
    /// above to turn to), and forget its failures; audited.
    Unlock {
        /// The login name.
        #[arg(long)]
        login: String,
    },
    /// Print the OpenAPI document of the API (as committed in mobile-api/openapi.json).
    Openapi,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the chain from the first record; exit 1 at the first broken link.
    Verify,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Openapi) = cli.command {
        print!("{}", asistents::http::openapi::document());
        return ExitCode::SUCCESS;
    }
    let config = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("asistents: {e}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(&config.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("asistents: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(Command::Audit {
        command: AuditCommand::Verify,
    }) = cli.command
    {
        return runtime.block_on(audit_verify(&config));
    }
    match runtime.block_on(run(
        cli.command.unwrap_or(Command::Serve { demo: false }),
        config,
    )) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("asistents: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, config: Config) -> Result<(), Box<dyn std::error::Error>> {
    match command {
        Command::Openapi | Command::Audit { .. } => Ok(()),
        Command::Close { month } => {
            let month =
                asistents::domain::time::Month::parse(&month).ok_or("--month must be YYYY-MM")?;
            let app = App::build(config, Clock::system()).await?;
            let state = app.state();
            // The same job the API starts, run here and waited for; a close of the month
            // already running in a service process is waited for instead.
            use asistents::service::close_jobs;
            let job = close_jobs::enqueue(&state, month, None)
                .await
                .map_err(|e| e.to_string())?;
            let ended = loop {
                if let Some(ended) = close_jobs::run(&state, job.id).await? {
                    break ended;
                }
                let seen = asistents::db::jobs::job(&state.db, job.id).await?;
                match seen {
                    Some(j) if j.finished_at.is_some() => break j,
                    _ => tokio::time::sleep(std::time::Duration::from_secs(1)).await,
                }
            };
            let ended = close_jobs::view(ended, mobile_api::Locale::En);
            if let Some(e) = ended.error {
                return Err(e.message.into());
            }
            println!(
                "{month}: {} statements generated, {} mails queued; delivering mail",
                ended.statements, ended.mails_queued
            );
            let sent = asistents::jobs::deliver_outbox(&state).await?;
            println!("{sent} messages delivered now; the rest is retried by the running service");
            Ok(())
        }
        Command::CheckConfig => {
            println!("{config:#?}");
            Ok(())
        }
        Command::Unlock { login } => {
            let login = login.trim().to_lowercase();
            let lifted =
                asistents::service::maintenance::unlock(&config.database_url, &login).await?;
            if lifted {
                println!("{login}: unlocked; its failed logins are forgotten");
            } else {
                println!("{login}: was not locked and had no failed logins");
            }
            Ok(())
        }
        Command::Migrate => {
            asistents::service::maintenance::migrate(&config.database_url).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Demo => {
            let app = App::build(config, Clock::system()).await?;
            show_admin(&app);
            seed_demo(&app).await
        }
        Command::Serve { demo } => {
            let app = App::build(config, Clock::system()).await?;
            show_admin(&app);
            if demo {
                seed_demo(&app).await?;
            }
            tracing::info!(address = %app.local_addr(), "listening");
            println!("asistents listening on http://{}", app.local_addr());
            app.run(app::shutdown_signal()).await?;
            Ok(())
        }
    }
}

/// Shows the generated first admin password once; it is never logged.
fn show_admin(app: &App) {
    if let Some(password) = &app.first_admin_password {
        println!("\nFirst start: created the administrator.");
        println!("  login:    admin");
        println!("  password: {password}");
        println!("This password is shown only now. Change it: POST /api/v1/me/password\n");
    }
}

async fn seed_demo(app: &App) -> Result<(), Box<dyn std::error::Error>> {
    let state = app.state();
    if !demo::is_empty(&state.db).await? {
        println!("demo: the database already has clients; nothing seeded");
        return Ok(());
    }
    let settings = asistents::service::close::CloseSettings {
        recipients: &state.config.statement_recipients,
        municipality: &state.config.municipality_name,
        wage_override: None,
    };
    let logins = demo::seed(&state.db, state.clock.now(), &settings).await?;
    println!(
        "demo: seeded a municipality; every demo login's password is {}",
        demo::DEMO_PASSWORD
    );
    for l in &logins {
        println!("  {:<14} {:<15} {}", l.login, l.role.as_str(), l.who);
    }
    Ok(())
}

async fn audit_verify(config: &Config) -> ExitCode {
    use asistents::service::maintenance::{self, Verdict};
    match maintenance::verify_audit(&config.database_url).await {
        Err(maintenance::Failed::Open(e)) => {
            eprintln!("asistents: cannot open the database: {e}");
            ExitCode::FAILURE
        }
        Ok(Verdict::Intact { records }) => {
            println!("audit log intact: {records} records");
            ExitCode::SUCCESS
        }
        Ok(Verdict::Broken {
            id,
            records_before,
            why,
        }) => {
            println!(
                "audit log BROKEN at record {id}: {why} ({records_before} records before it are intact)"
            );
            ExitCode::from(1)
        }
        Err(maintenance::Failed::Read(e)) => {
            eprintln!("asistents: cannot read the audit log: {e}");
            ExitCode::FAILURE
        }
    }
}
