//! The `trustfund` command as an operator runs it: layered configuration, masked secrets,
//! migrations that apply once.

use std::process::Command;

fn trustfund(dir: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_trustfund"));
    command.current_dir(dir).env_remove("RUST_LOG");
    for (key, _) in std::env::vars() {
        if key.starts_with("TRUSTFUND__") {
            command.env_remove(key);
        }
    }
    command
}

#[test]
fn check_config_layers_file_and_environment_and_masks_secrets() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("site.toml");
    std::fs::write(
        &file,
        "[server]\naddress = \"0.0.0.0:9999\"\n[log]\nformat = \"json\"\n",
    )
    .expect("write");
    let output = trustfund(dir.path())
        .args([
            "--config",
            file.to_str().expect("utf-8 path"),
            "check-config",
        ])
        .env(
            "TRUSTFUND__DATABASE__URL",
            "postgres://fund:s3cret-pw@db.internal/trustfund",
        )
        .env("TRUSTFUND__DATA_DIR", "/srv/trustfund")
        .env(
            "TRUSTFUND__AUTH__JWT_SECRET",
            "site-signing-key-0123456789-abcdefghij",
        )
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(text.contains("0.0.0.0:9999"), "file layer applied: {text}");
    assert!(text.contains("format = \"json\""), "{text}");
    assert!(
        text.contains("/srv/trustfund"),
        "environment layer applied: {text}"
    );
    assert!(
        text.contains("postgres://fund:***@db.internal/trustfund"),
        "{text}"
    );
    assert!(
        !text.contains("s3cret-pw"),
        "database password masked: {text}"
    );
    assert!(
        !text.contains("site-signing-key"),
        "signing key masked: {text}"
    );
}

#[test]
fn a_bad_setting_is_refused_with_its_name() {
    let dir = tempfile::tempdir().expect("dir");
    let output = trustfund(dir.path())
        .arg("check-config")
        .env("TRUSTFUND__DATABASE__URL", "mysql://nope")
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("database.url"), "{stderr}");
}

#[test]
fn migrate_applies_once_then_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let run = || {
        let output = trustfund(dir.path()).arg("migrate").output().expect("runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).to_string()
    };
    let first = run();
    assert!(
        !first.starts_with("0 "),
        "the first run applies the migrations: {first}"
    );
    assert!(
        dir.path().join("data/trustfund.db").exists(),
        "default SQLite file under data/"
    );
    assert_eq!(run().trim(), "0 migration(s) applied");
}

#[test]
fn create_admin_reads_the_password_from_stdin_and_refuses_a_weak_one() {
    use std::io::Write;
    let dir = tempfile::tempdir().expect("dir");
    let create = |password: &str| {
        let mut child = trustfund(dir.path())
            .args([
                "create-admin",
                "--email",
                "Head@Fund.org",
                "--name",
                "Head of secretariat",
            ])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawns");
        writeln!(child.stdin.take().expect("stdin"), "{password}").expect("write password");
        child.wait_with_output().expect("finishes")
    };
    let weak = create("password1234");
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("password"));
    let ok = create("harbour lantern meadow 7");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("head@fund.org"));
    let again = create("harbour lantern meadow 7");
    assert!(
        !again.status.success(),
        "the same email in any case is refused"
    );
}

#[test]
fn the_published_development_key_is_refused_off_loopback() {
    let dir = tempfile::tempdir().expect("dir");
    let output = trustfund(dir.path())
        .arg("check-config")
        .env("TRUSTFUND__SERVER__ADDRESS", "0.0.0.0:8080")
        .output()
        .expect("runs");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("auth.jwt_secret"));
}

#[test]
fn serve_demo_prints_one_account_per_role_and_production_refuses_it() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().expect("dir");
    let mut child = trustfund(dir.path())
        .args(["serve", "--demo"])
        .env("TRUSTFUND__SERVER__ADDRESS", "127.0.0.1:0")
        .env("TRUSTFUND__LOG__LEVEL", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawns");
    let stdout = child.stdout.take().expect("stdout");
    // Read in a thread, so that a server that never prints fails the test instead of hanging it.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut lines = Vec::new();
    while let Ok(line) = rx.recv_timeout(std::time::Duration::from_secs(60)) {
        let last = trustfund::demo::DEMO_ACCOUNTS
            .last()
            .is_some_and(|account| line.contains(account.password));
        lines.push(line);
        if last {
            break;
        }
    }
    child.kill().expect("stops");
    let _ = child.wait();
    let printed = lines.join("\n");
    for account in trustfund::demo::DEMO_ACCOUNTS {
        assert!(
            printed.contains(account.email) && printed.contains(account.password),
            "{} missing from:\n{printed}",
            account.email
        );
    }

    let output = trustfund(dir.path())
        .args(["serve", "--demo"])
        .env("TRUSTFUND__ENVIRONMENT", "production")
        .env(
            "TRUSTFUND__AUTH__JWT_SECRET",
            "0123456789abcdef0123456789abcdef-production",
        )
        .env("TRUSTFUND__SERVER__ADDRESS", "127.0.0.1:0")
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--demo") && stderr.contains("production"),
        "{stderr}"
    );
    assert!(!String::from_utf8_lossy(&output.stdout).contains("amber harbour lantern"));
}
