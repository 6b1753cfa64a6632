//! A real SMTP server for tests and the close bench: speaks enough of the protocol over TCP for
//! lettre, keeps every message it accepts (or, for the bench, only counts them). Not a mock of
//! our mailer: the service talks to it over a socket.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone)]
pub struct Received {
    pub to: Vec<String>,
    pub data: String,
}

pub struct SmtpSink {
    pub port: u16,
    messages: Arc<Mutex<Vec<Received>>>,
    tally: Arc<Tally>,
}

/// What the sink counts: connections opened, messages accepted.
#[derive(Default)]
struct Tally {
    keep: bool,
    connections: AtomicUsize,
    messages: AtomicUsize,
}

impl SmtpSink {
    pub fn start() -> SmtpSink {
        Self::start_on(0)
    }

    pub fn start_on(port: u16) -> SmtpSink {
        Self::listen(port, true)
    }

    /// A sink that counts the messages and forgets them (a month's mail is gigabytes).
    #[allow(
        dead_code,
        reason = "the close bench's sink; the tests read what they receive"
    )]
    pub fn start_counting() -> SmtpSink {
        Self::listen(0, false)
    }

    fn listen(port: u16, keep: bool) -> SmtpSink {
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind the SMTP sink");
        let port = listener.local_addr().unwrap().port();
        let messages = Arc::new(Mutex::new(Vec::new()));
        let tally = Arc::new(Tally {
            keep,
            ..Default::default()
        });
        let (store, counts) = (messages.clone(), tally.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (store, counts) = (store.clone(), counts.clone());
                counts.connections.fetch_add(1, Ordering::Relaxed);
                std::thread::spawn(move || {
                    let _ = serve(stream, &store, &counts);
                });
            }
        });
        SmtpSink {
            port,
            messages,
            tally,
        }
    }

    /// How many connections were opened and how many messages accepted, so far.
    pub fn counts(&self) -> (usize, usize) {
        (
            self.tally.connections.load(Ordering::Relaxed),
            self.tally.messages.load(Ordering::Relaxed),
        )
    }

    /// A port where nothing listens (yet).
    pub fn free_port() -> u16 {
        TcpListener::bind(("127.0.0.1", 0))
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    }

    pub fn url(port: u16) -> String {
        format!("smtp://127.0.0.1:{port}")
    }

    pub fn messages(&self) -> Vec<Received> {
        self.messages.lock().unwrap().clone()
    }
}

fn serve(stream: TcpStream, store: &Mutex<Vec<Received>>, tally: &Tally) -> std::io::Result<()> {
    let mut out = stream.try_clone()?;
    let mut lines = BufReader::new(stream);
    out.write_all(b"220 sink ESMTP\r\n")?;
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let upper = line.to_ascii_uppercase();
        if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            out.write_all(b"250-sink\r\n250 8BITMIME\r\n")?;
        } else if upper.starts_with("MAIL FROM") {
            to.clear();
            out.write_all(b"250 OK\r\n")?;
        } else if upper.starts_with("RCPT TO") {
            to.push(
                line[8..]
                    .trim()
                    .trim_start_matches(':')
                    .trim()
                    .trim_matches(['<', '>'])
                    .to_owned(),
            );
            out.write_all(b"250 OK\r\n")?;
        } else if upper.starts_with("DATA") {
            out.write_all(b"354 go ahead\r\n")?;
            let mut data = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line)? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                if tally.keep {
                    data.push_str(&line);
                }
            }
            tally.messages.fetch_add(1, Ordering::Relaxed);
            if tally.keep {
                store.lock().unwrap().push(Received {
                    to: to.clone(),
                    data,
                });
            }
            out.write_all(b"250 queued\r\n")?;
        } else if upper.starts_with("QUIT") {
            out.write_all(b"221 bye\r\n")?;
            return Ok(());
        } else {
            out.write_all(b"250 OK\r\n")?;
        }
    }
}
