//! A real headless Chromium driven through chromedriver (Debian's `chromium` and
//! `chromium-driver`) with fantoccini, for the console's end-to-end tests. A machine without
//! chromedriver fails these tests loudly: they never skip. Screenshots go to
//! `target/tmp/console-screenshots/`.

#![allow(dead_code)]

use crate::serving::DEADLINE;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A program on `PATH`.
fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

fn chromedriver() -> PathBuf {
    std::env::var_os("SOP_CHROMEDRIVER")
        .map(PathBuf::from)
        .or_else(|| on_path("chromedriver"))
        .unwrap_or_else(|| {
            panic!(
                "chromedriver was not found: the console's browser tests need Debian's `chromium` and `chromium-driver` \
                 (`apt-get install -y chromium chromium-driver`), or SOP_CHROMEDRIVER naming the driver"
            )
        })
}

fn chromium() -> PathBuf {
    std::env::var_os("SOP_CHROMIUM")
        .map(PathBuf::from)
        .or_else(|| {
            ["chromium", "chromium-browser", "google-chrome"]
                .iter()
                .find_map(|n| on_path(n))
        })
        .unwrap_or_else(|| {
            panic!("chromium was not found: `apt-get install -y chromium chromium-driver`, or SOP_CHROMIUM")
        })
}

/// The chromedriver process; killed when dropped.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One browser session on one console.
pub struct Browser {
    pub client: Client,
    base: String,
    shots: PathBuf,
    prefix: String,
    _driver: Driver,
}

/// A runtime for one test's browser calls.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

impl Browser {
    /// Starts chromedriver and a headless Chromium for the console at `base`; screenshots are
    /// named `PREFIX-NAME.png`. `profile` is a fresh directory for the browser's profile.
    pub async fn start(base: &str, prefix: &str, profile: &Path) -> Browser {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(chromedriver())
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("chromedriver did not start: {e}"));
        let driver = Driver(child);
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < DEADLINE,
                "chromedriver never listened on {port}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": chromium(),
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                    "--window-size=1280,1000", "--no-first-run",
                    format!("--user-data-dir={}", profile.display()),
                ],
            }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .unwrap_or_else(|e| panic!("chromium did not start under chromedriver: {e}"));
        let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("console-screenshots");
        std::fs::create_dir_all(&shots).unwrap();
        Browser {
            client,
            base: base.trim_end_matches('/').to_string(),
            shots,
            prefix: prefix.to_string(),
            _driver: driver,
        }
    }

    pub async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
    }

    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.unwrap();
        url.path().to_string()
    }

    /// Waits for an element matching `css`.
    pub async fn wait(&self, css: &str) -> fantoccini::elements::Element {
        match self
            .client
            .wait()
            .at_most(DEADLINE)
            .every(Duration::from_millis(25))
            .for_element(Locator::Css(css))
            .await
        {
            Ok(e) => e,
            Err(e) => panic!(
                "`{css}` never appeared ({e}); the page was:\n{}",
                self.client.source().await.unwrap_or_default()
            ),
        }
    }

    /// Every element matching `css` now.
    pub async fn all(&self, css: &str) -> Vec<fantoccini::elements::Element> {
        self.client.find_all(Locator::Css(css)).await.unwrap()
    }

    /// The text of `css` (hidden text included).
    pub async fn text(&self, css: &str) -> String {
        self.wait(css)
            .await
            .prop("textContent")
            .await
            .unwrap()
            .unwrap_or_default()
    }

    /// Waits until the text of `css` contains `needle`.
    pub async fn wait_text(&self, css: &str, needle: &str) {
        let started = Instant::now();
        loop {
            let found = match self.client.find(Locator::Css(css)).await {
                Ok(e) => e.prop("textContent").await.ok().flatten(),
                Err(_) => None,
            };
            if found.as_deref().is_some_and(|t| t.contains(needle)) {
                return;
            }
            assert!(
                started.elapsed() < DEADLINE,
                "`{css}` never contained {needle:?}; it was {found:?}"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Clicks `css`; live updates may replace the element between finding and clicking it, so
    /// a stale element is found again.
    pub async fn click(&self, css: &str) {
        let started = Instant::now();
        loop {
            match self.wait(css).await.click().await {
                Ok(()) => return,
                Err(e) => assert!(started.elapsed() < DEADLINE, "cannot click `{css}`: {e}"),
            }
        }
    }

    /// Types `text` into `css` until the field holds it (a live update may replace the field).
    pub async fn fill(&self, css: &str, text: &str) {
        let started = Instant::now();
        loop {
            let field = self.wait(css).await;
            let typed = async {
                field.clear().await?;
                field.send_keys(text).await?;
                field.prop("value").await
            };
            match typed.await {
                Ok(Some(v)) if v == text => return,
                other => assert!(
                    started.elapsed() < DEADLINE,
                    "cannot fill `{css}`: {other:?}"
                ),
            }
        }
    }

    pub async fn script(&self, js: &str) -> Value {
        self.client.execute(js, Vec::new()).await.unwrap()
    }

    /// Saves a screenshot of the page as `PREFIX-NAME.png`.
    pub async fn shot(&self, name: &str) {
        let png = self.client.screenshot().await.unwrap();
        assert!(png.starts_with(b"\x89PNG"), "the screenshot is not a PNG");
        std::fs::write(self.shots.join(format!("{}-{name}.png", self.prefix)), png).unwrap();
    }

    /// Signs in with `token` from the sign-in page a protected page sends to.
    pub async fn sign_in(&self, token: &str) {
        self.goto("/ui/runs").await;
        self.fill("#token", token).await;
        self.click("form.signin button[type=submit]").await;
        self.wait_text("main h1", "Runs").await;
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}
