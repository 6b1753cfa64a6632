//! Statement e-mail: rendered from the templates in `templates/mail/`, delivered by lettre, over
//! SMTP (TLS and authentication as `ASISTENTS_SMTP_URL` says) or, with no SMTP configured, as
//! `.eml` files in `ASISTENTS_MAIL_DIR`.

use std::path::PathBuf;
use std::sync::OnceLock;

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use minijinja::Environment;

use crate::config::Config;

pub enum Mailer {
    /// Writes each message to `<dir>/<message-id>.eml`.
    Files(PathBuf),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

/// Why a message was not delivered: `transient` ones are retried with backoff.
#[derive(Debug)]
pub struct SendError {
    pub transient: bool,
    pub text: String,
}

impl Mailer {
    pub fn from_config(config: &Config) -> Result<Mailer, String> {
        match &config.smtp_url {
            Some(url) => AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                .map(|b| Mailer::Smtp(b.timeout(Some(std::time::Duration::from_secs(20))).build()))
                .map_err(|e| format!("ASISTENTS_SMTP_URL is not usable: {e}")),
            None => Ok(Mailer::Files(config.mail_dir.clone())),
        }
    }

    pub async fn send(&self, message: &Message, file_name: &str) -> Result<(), SendError> {
        match self {
            Mailer::Files(dir) => {
                let write = async {
                    tokio::fs::create_dir_all(dir).await?;
                    tokio::fs::write(dir.join(format!("{file_name}.eml")), message.formatted())
                        .await
                };
                write.await.map_err(|e| SendError {
                    transient: true,
                    text: e.to_string(),
                })
            }
            Mailer::Smtp(transport) => {
                transport
                    .send(message.clone())
                    .await
                    .map(|_| ())
                    .map_err(|e| SendError {
                        // A permanent SMTP answer (5xx, e.g. no such mailbox) will not get better by retrying.
                        transient: !e.is_permanent(),
                        text: e.to_string(),
                    })
            }
        }
    }
}

/// What a statement mail says and carries.
pub struct StatementMail<'a> {
    pub message_id: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    pub kind_label: &'a str,
    pub subject_of: &'a str,
    pub month: &'a str,
    pub version: i32,
    pub is_correction: bool,
    /// A correction that replaces what was sent (a client's timesheet) rather than carrying the
    /// difference to pay on top (pay statements and the summary).
    pub replaces: bool,
    /// It carries corrections of statements sent before (differences to pay on top).
    pub carries: bool,
    pub facts: Vec<String>,
    pub municipality: &'a str,
    pub address: &'a str,
    pub files: Vec<(String, String, Vec<u8>)>,
}

fn templates() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        for (name, source) in [
            (
                "subject.txt",
                include_str!("../templates/mail/statement/subject.txt"),
            ),
            (
                "body.txt",
                include_str!("../templates/mail/statement/body.txt"),
            ),
            (
                "body.html",
                include_str!("../templates/mail/statement/body.html"),
            ),
        ] {
            if let Err(e) = env.add_template(name, source) {
                tracing::error!(template = name, error = %e, "mail template does not compile");
            }
        }
        env
    })
}

/// Renders subject, text and HTML of a statement mail.
pub fn render(m: &StatementMail<'_>) -> Result<(String, String, String), String> {
    let ctx = minijinja::context! {
        kind_label => m.kind_label, subject_of => m.subject_of, month => m.month,
        version => m.version, is_correction => m.is_correction, replaces => m.replaces, carries => m.carries, facts => m.facts.clone(),
        municipality => m.municipality, address => m.address,
        files => m.files.iter().map(|(n, _, _)| n.clone()).collect::<Vec<_>>(),
    };
    let get = |name: &str| {
        templates()
            .get_template(name)
            .and_then(|t| t.render(&ctx))
            .map_err(|e| e.to_string())
    };
    Ok((
        get("subject.txt")?.trim().to_owned(),
        get("body.txt")?,
        get("body.html")?,
    ))
}

pub fn build(m: &StatementMail<'_>) -> Result<Message, String> {
    let (subject, text, html) = render(m)?;
    let from: Mailbox = m.from.parse().map_err(|e| format!("sender address: {e}"))?;
    let to: Mailbox =
        m.to.parse()
            .map_err(|e| format!("recipient address {}: {e}", m.to))?;
    let mut mixed = MultiPart::mixed().multipart(
        MultiPart::alternative()
            .singlepart(SinglePart::plain(text))
            .singlepart(SinglePart::html(html)),
    );
    for (name, mime, content) in &m.files {
        let ct = ContentType::parse(mime).unwrap_or(ContentType::TEXT_PLAIN);
        mixed = mixed.singlepart(Attachment::new(name.clone()).body(content.clone(), ct));
    }
    Message::builder()
        .message_id(Some(m.message_id.to_owned()))
        .from(from)
        .to(to)
        .subject(subject)
        .multipart(mixed)
        .map_err(|e| e.to_string())
}
