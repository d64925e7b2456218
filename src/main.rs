//! The `trustfund` command: serve the API, apply migrations, check the configuration.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use trustfund::config::Settings;

/// mimalloc instead of glibc's allocator: a request allocates and frees dozens of small
/// buffers, and glibc's `malloc` and `free` were a tenth of a cached public read (`perf`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "trustfund",
    version,
    about = "Back office of a voluntary trust fund for victims of trafficking"
)]
struct Cli {
    /// A settings file layered over the built-in defaults.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Apply pending migrations, then serve the API.
    Serve {
        /// Load demo data modelled on the fund's public record (idempotent).
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending migrations and exit.
    Migrate,
    /// Print the effective settings, secrets masked.
    CheckConfig,
    /// Create the first admin account; the password is read from a prompt or stdin.
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
    },
    /// Remove a user's second factor (a lost phone): they set up a new one at their next
    /// sign-in on the pages.
    ResetSecondFactor {
        /// The user's email.
        email: String,
    },
    /// Seed the deadline-rush load test (not in production): a fund, an open call closing
    /// soon and NGO members with access tokens, written as JSON to stdout.
    SeedLoadTest {
        /// How many NGOs (one member each).
        #[arg(long, default_value_t = 1000)]
        ngos: usize,
        /// Minutes until the call's deadline.
        #[arg(long, default_value_t = 10)]
        closes_in_minutes: i64,
    },
    /// Write a fund's open data to a file, for scheduled publication (e.g. from cron):
    /// `trustfund export iati --fund UNVTF --out /var/www/open/unvtf-iati.xml`.
    Export {
        /// iati (IATI 2.03 activities XML) or 360giving (a 360Giving JSON data package).
        format: ExportFormat,
        /// The fund's code.
        #[arg(long)]
        fund: String,
        /// The file to write; replaced atomically when the export is complete.
        #[arg(long)]
        out: PathBuf,
    },
    /// Write a fund's yearly report (money in and out, grants, people reached, cleared
    /// narratives) to a file: `trustfund annual-report --fund UNVTF --year 2025 --format pdf
    /// --lang fr --out unvtf-2025-fr.pdf`. PDF needs a headless browser (annual_report.browser).
    AnnualReport {
        /// The fund's code.
        #[arg(long)]
        fund: String,
        /// The calendar year.
        #[arg(long)]
        year: String,
        /// json, html or pdf.
        #[arg(long, default_value = "pdf")]
        format: ReportFormat,
        /// en, fr or es (HTML and PDF).
        #[arg(long, default_value = "en")]
        lang: String,
        /// The file to write; replaced atomically when the report is complete.
        #[arg(long)]
        out: PathBuf,
    },
    /// Copy the database (SQLite) and every document into a new folder while the service
    /// runs, with a manifest of SHA-256 checksums. PostgreSQL: use pg_dump (see README).
    Backup {
        /// The folder to write; it must be absent or empty.
        #[arg(long)]
        out: PathBuf,
    },
    /// Bring a backup back into an empty data folder (and an empty document store),
    /// after checking every file against the manifest.
    Restore {
        /// The backup folder written by `trustfund backup`.
        #[arg(long)]
        from: PathBuf,
    },
    /// Import a data file.
    Import {
        #[command(subcommand)]
        what: ImportCommand,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ExportFormat {
    Iati,
    #[value(name = "360giving")]
    Giving,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ReportFormat {
    Json,
    Html,
    Pdf,
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Import an IATI 2.x activities file into the project registry: projects are created
    /// or updated by iati-identifier; importing the same file again changes nothing.
    Iati {
        /// The activities XML file.
        file: PathBuf,
        /// Skip activities with no anti-trafficking sector (DAC 15190, 15180, 15160) or SDG
        /// target (5.2, 8.7, 16.2).
        #[arg(long)]
        themed_only: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    // held to the end of main: dropping it writes out the lines still queued
    let _log_writer = trustfund::telemetry::init(&settings.log);
    let result = match cli.command {
        Command::CheckConfig => {
            print!("{}", settings.masked_toml());
            Ok(())
        }
        Command::Migrate => trustfund::open_database(&settings)
            .map(|(_, applied)| println!("{applied} migration(s) applied"))
            .map_err(|e| e.to_string()),
        Command::Serve { demo } => serve(settings, demo),
        Command::CreateAdmin { email, name } => create_admin(&settings, &email, &name),
        Command::ResetSecondFactor { email } => reset_second_factor(&settings, &email),
        Command::SeedLoadTest {
            ngos,
            closes_in_minutes,
        } => seed_load_test(&settings, ngos, closes_in_minutes),
        Command::Import {
            what: ImportCommand::Iati { file, themed_only },
        } => import_iati(&settings, &file, themed_only),
        Command::Export { format, fund, out } => export(&settings, format, &fund, &out),
        Command::AnnualReport {
            fund,
            year,
            format,
            lang,
            out,
        } => annual_report(&settings, &fund, &year, format, &lang, &out),
        Command::Backup { out } => trustfund::backup::backup(&settings, &out)
            .map(|s| {
                println!(
                    "backup written to {}: database {} bytes, {} document(s)",
                    out.display(),
                    s.database_bytes,
                    s.documents
                )
            })
            .map_err(|e| e.to_string()),
        Command::Restore { from } => trustfund::backup::restore(&settings, &from)
            .map(|s| {
                println!(
                    "restored from {}: database {} bytes, {} document(s), every SHA-256 checked",
                    from.display(),
                    s.database_bytes,
                    s.documents
                )
            })
            .map_err(|e| e.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn serve(settings: Settings, demo: bool) -> Result<(), String> {
    let address = settings.server.address.clone();
    actix_web::rt::System::new().block_on(async move {
        let app = trustfund::Application::build(settings, demo).map_err(|e| e.to_string())?;
        print_demo_accounts(app.demo_accounts());
        tracing::info!(%address, port = app.port(), "trustfund listening; API docs at /docs");
        app.run_until_stopped().await.map_err(|e| e.to_string())
    })
}

/// `serve --demo` only (refused in production): the demo accounts and their passwords.
fn print_demo_accounts(accounts: &[trustfund::demo::DemoAccount]) {
    if accounts.is_empty() {
        return;
    }
    println!("Demo accounts (sign in with POST /api/v1/auth/login):");
    for a in accounts {
        println!(
            "  {:<9} {:<28} {:<26} {}",
            a.role.as_str(),
            a.email,
            a.password,
            a.note
        );
    }
}

fn reset_second_factor(settings: &Settings, email: &str) -> Result<(), String> {
    let (pool, _) = trustfund::open_database(settings).map_err(|e| e.to_string())?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let email = trustfund::auth::store::normalise_email(email);
    let user = trustfund::auth::store::find_by_email(&mut conn, &email)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no account {email}"))?;
    let removed = trustfund::auth::second_factor::reset(
        &mut conn,
        &trustfund::auth::Actor::system(),
        &user.id,
    )
    .map_err(|e| e.detail.clone())?;
    if removed {
        println!("{email}: second factor removed; they set up a new one at their next sign-in");
    } else {
        println!("{email} had no second factor");
    }
    Ok(())
}

fn create_admin(settings: &Settings, email: &str, name: &str) -> Result<(), String> {
    use std::io::IsTerminal;
    let password = if std::io::stdin().is_terminal() {
        rpassword::prompt_password("Password: ").map_err(|e| e.to_string())?
    } else {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        line.trim_end_matches(['\r', '\n']).to_string()
    };
    let (pool, _) = trustfund::open_database(settings).map_err(|e| e.to_string())?;
    let id = trustfund::auth::create_admin(&pool, email, name, &password).map_err(|e| {
        let fields: Vec<String> = e
            .errors
            .iter()
            .map(|f| format!("{} {}", f.field, f.message))
            .collect();
        if fields.is_empty() {
            e.detail.clone()
        } else {
            fields.join("; ")
        }
    })?;
    println!(
        "admin {} created ({id})",
        trustfund::auth::store::normalise_email(email)
    );
    Ok(())
}

fn seed_load_test(settings: &Settings, ngos: usize, closes_in_minutes: i64) -> Result<(), String> {
    let (pool, _) = trustfund::open_database(settings).map_err(|e| e.to_string())?;
    let seed = trustfund::loadtest::seed_deadline_rush(
        &pool,
        settings,
        ngos,
        chrono::Duration::minutes(closes_in_minutes),
    )
    .map_err(|e| e.detail.clone())?;
    println!(
        "{}",
        serde_json::to_string(&seed).map_err(|e| e.to_string())?
    );
    Ok(())
}

fn export(
    settings: &Settings,
    format: ExportFormat,
    fund: &str,
    out: &std::path::Path,
) -> Result<(), String> {
    use trustfund::opendata::{self, Format};
    let (pool, _) = trustfund::open_database(settings).map_err(|e| e.to_string())?;
    let format = match format {
        ExportFormat::Iati => Format::Iati,
        ExportFormat::Giving => Format::Giving,
    };
    let bytes = opendata::export_to_file(&pool, fund, format, out).map_err(|e| {
        let fields: Vec<String> = e.errors.iter().map(|f| f.message.clone()).collect();
        if fields.is_empty() {
            e.detail.clone()
        } else {
            fields.join("; ")
        }
    })?;
    println!("{} written ({bytes} bytes)", out.display());
    Ok(())
}

fn annual_report(
    settings: &Settings,
    fund: &str,
    year: &str,
    format: ReportFormat,
    lang: &str,
    out: &std::path::Path,
) -> Result<(), String> {
    use trustfund::annual::{self, Output};
    let lang = trustfund::web::i18n::Lang::from_code(lang)
        .ok_or_else(|| format!("--lang {lang:?}: use en, fr or es"))?;
    let output = match format {
        ReportFormat::Json => Output::Json,
        ReportFormat::Html => Output::Html,
        ReportFormat::Pdf => Output::Pdf,
    };
    let (pool, _) = trustfund::open_database(settings).map_err(|e| e.to_string())?;
    let bytes = annual::write_to_file(settings, &pool, fund, year, output, lang, out).map_err(
        |e| match e.errors.first() {
            Some(field) => format!("{}: {}", field.field, field.message),
            None => e.detail.clone(),
        },
    )?;
    println!("{} written ({bytes} bytes)", out.display());
    Ok(())
}

fn import_iati(
    settings: &Settings,
    file: &std::path::Path,
    themed_only: bool,
) -> Result<(), String> {
    use trustfund::registry::iati;
    let (pool, _) = trustfund::open_database(settings).map_err(|e| e.to_string())?;
    let options = iati::ImportOptions { themed_only };
    let report = iati::import_path(&pool, file, options).map_err(|e| {
        let fields: Vec<String> = e.errors.iter().map(|f| f.message.clone()).collect();
        if fields.is_empty() {
            e.detail.clone()
        } else {
            format!("{}: {}", file.display(), fields.join("; "))
        }
    })?;
    println!(
        "{} activities: {} created, {} updated, {} unchanged, {} skipped; {} organisations created",
        report.activities,
        report.created,
        report.updated,
        report.unchanged,
        report.skipped,
        report.organisations_created
    );
    for skip in report.skips.iter().take(20) {
        println!(
            "  skipped line {} {}: {}",
            skip.line,
            skip.iati_identifier.as_deref().unwrap_or("(no identifier)"),
            skip.reason
        );
    }
    if report.skipped > 20 {
        println!("  ... and {} more skipped", report.skipped - 20);
    }
    Ok(())
}
