//! The database goes away under load and comes back: a throwaway PostgreSQL cluster of this
//! test's own (initdb into a temporary directory, its own port), so stopping it disturbs no other
//! test. Every save the portal acknowledged must be there afterwards, no request may hang past
//! the pool's acquire timeout, and /readyz must say 503 while the database is down.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use partner_portal::accounts::Role;
use partner_portal::config::Config;
use reqwest::StatusCode;
use uuid::Uuid;

use crate::helpers::*;

/// PostgreSQL's server programs: on PATH, or where Debian's packages put them (`.ci/run`
/// installs the `postgresql` package).
fn pg_program(name: &str) -> PathBuf {
    if Command::new(name)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        return name.into();
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|version| version.path().join("bin").join(name))
        .filter(|path| path.exists())
        .collect();
    found.sort();
    found.pop().unwrap_or_else(|| {
        panic!(
            "the fault test needs PostgreSQL's {name}: apt-get install postgresql (.ci/run does)"
        )
    })
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// A cluster in a temporary directory, stopped and removed when dropped.
struct Cluster {
    dir: PathBuf,
    port: u16,
}

impl Cluster {
    /// PostgreSQL refuses to run as root, so under root its programs run as `postgres`.
    fn run(&self, program: &str, args: &[&str]) -> Output {
        let program = pg_program(program);
        let output = if running_as_root() {
            Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(&program)
                .args(args)
                .output()
        } else {
            Command::new(&program).args(args).output()
        };
        output.unwrap_or_else(|err| panic!("{}: {err}", program.display()))
    }

    fn create() -> Cluster {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = std::env::temp_dir().join(format!("portal-fault-{}", Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let cluster = Cluster { dir, port };
        if running_as_root() {
            let owned = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&cluster.dir)
                .status()
                .unwrap();
            assert!(owned.success());
        }
        let data = cluster.data();
        let made = cluster.run(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        assert!(
            made.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&made.stderr)
        );
        cluster.start();
        cluster
    }

    fn data(&self) -> String {
        self.dir.join("data").display().to_string()
    }

    fn start(&self) {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {} -c fsync=off",
            self.port,
            self.dir.display()
        );
        let log = self.dir.join("log").display().to_string();
        let started = self.run(
            "pg_ctl",
            &[
                "-D",
                &self.data(),
                "-o",
                &options,
                "-l",
                &log,
                "-w",
                "-t",
                "60",
                "start",
            ],
        );
        assert!(
            started.status.success(),
            "pg_ctl start: {} {}",
            String::from_utf8_lossy(&started.stdout),
            std::fs::read_to_string(Path::new(&log)).unwrap_or_default()
        );
    }

    /// As a crash would: no shutdown checkpoint, recovery from the WAL at the next start.
    fn stop_abruptly(&self) {
        let stopped = self.run(
            "pg_ctl",
            &["-D", &self.data(), "-m", "immediate", "-w", "stop"],
        );
        assert!(stopped.status.success(), "pg_ctl stop");
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/portal_fault", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.run("pg_ctl", &["-D", &self.data(), "-m", "immediate", "stop"]);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// What the load saw: each acknowledged save's endpoint name, the slowest answer, failures.
#[derive(Default)]
struct Seen {
    acknowledged: Vec<String>,
    acknowledged_after_restart: usize,
    failed: usize,
    slowest: Duration,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_restart_under_load_loses_no_acknowledged_save() {
    let cluster = Cluster::create();
    let db = partner_portal::db::connect(&cluster.url())
        .await
        .expect("the portal reaches its own cluster");
    partner_portal::db::prepare(&db).await.unwrap();
    let company = create_company(&db, "Acme Loans").await;
    create_user(&db, "neha@acme.example", Role::Partner, Some(company)).await;
    let app = Arc::new(TestApp::spawn_with(db.clone(), Config::default()).await);

    const WORKERS: usize = 4;
    // An integration holds at most 200 endpoints; each worker has its own integration.
    const SAVES_EACH: usize = 150;
    let mut workers = Vec::new();
    for _ in 0..WORKERS {
        let partner = app.signed_in("neha@acme.example", PASSWORD).await;
        let response = partner
            .post_form("/integrations", &[("name", "Load"), ("purpose", "")])
            .await;
        let id = location(&response).rsplit('/').next().unwrap().to_string();
        let token = partner.csrf_token().await;
        workers.push((partner, id, token));
    }
    let seen = Arc::new(Mutex::new(Seen::default()));
    let restarted = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop_at = Arc::new(Mutex::new(Instant::now() + Duration::from_secs(120)));
    let mut load = tokio::task::JoinSet::new();
    for (worker, (partner, id, token)) in workers.into_iter().enumerate() {
        let (seen, restarted, stop_at) = (seen.clone(), restarted.clone(), stop_at.clone());
        load.spawn(async move {
            for n in 0..SAVES_EACH {
                if Instant::now() > *stop_at.lock().unwrap() {
                    return;
                }
                let name = format!("w{worker} save {n}");
                let after_restart = restarted.load(std::sync::atomic::Ordering::SeqCst);
                let started = Instant::now();
                let answer = partner
                    .client
                    .post(partner.url(&format!("/integrations/{id}/endpoints")))
                    .form(&[
                        ("name", name.as_str()),
                        ("method", "POST"),
                        ("path", "/save"),
                        ("csrf_token", token.as_str()),
                    ])
                    .timeout(Duration::from_secs(60))
                    .send()
                    .await;
                let took = started.elapsed();
                {
                    let mut seen = seen.lock().unwrap();
                    seen.slowest = seen.slowest.max(took);
                    match answer.map(|r| r.status()) {
                        Ok(StatusCode::SEE_OTHER) => {
                            seen.acknowledged.push(name);
                            if after_restart {
                                seen.acknowledged_after_restart += 1;
                            }
                        }
                        _ => seen.failed += 1,
                    }
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        });
    }

    let ready = |app: Arc<TestApp>| async move {
        reqwest::Client::new()
            .get(app.browser().url("/readyz"))
            .timeout(Duration::from_secs(30))
            .send()
            .await
            .map(|r| r.status())
    };
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(
        !seen.lock().unwrap().acknowledged.is_empty(),
        "saves work before the fault"
    );
    cluster.stop_abruptly();
    let mut said_unavailable = false;
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if ready(app.clone()).await.ok() == Some(StatusCode::SERVICE_UNAVAILABLE) {
            said_unavailable = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        said_unavailable,
        "/readyz said 503 while the database was down"
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    cluster.start();
    restarted.store(true, std::sync::atomic::Ordering::SeqCst);
    let deadline = Instant::now() + Duration::from_secs(30);
    while ready(app.clone()).await.ok() != Some(StatusCode::OK) {
        assert!(Instant::now() < deadline, "/readyz came back");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    *stop_at.lock().unwrap() = Instant::now();
    load.join_all().await;

    let stored: Vec<String> = sqlx::query_scalar("SELECT spec->>'name' FROM endpoints")
        .fetch_all(&db)
        .await
        .unwrap();
    let seen = seen.lock().unwrap();
    let missing: Vec<&String> = seen
        .acknowledged
        .iter()
        .filter(|name| !stored.contains(name))
        .collect();
    assert!(missing.is_empty(), "acknowledged but lost: {missing:?}");
    assert!(
        seen.failed > 0,
        "the fault was felt: some saves were refused"
    );
    assert!(
        seen.acknowledged_after_restart > 0,
        "saves work again after the restart"
    );
    // The pool gives up on a connection after 5 s; a request may wait that once, plus its work.
    assert!(
        seen.slowest < Duration::from_secs(15),
        "a request hung for {:?}",
        seen.slowest
    );
}
