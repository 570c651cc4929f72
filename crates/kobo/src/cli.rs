//! Command-line shape. Every flag has a `KOBO_*` variable.

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "kobo",
    version,
    about = "Self-hostable customer wallets with Dotapay-compatible APIs"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    /// Log format on stderr.
    #[arg(
        long,
        env = "KOBO_LOG_FORMAT",
        value_enum,
        default_value = "text",
        global = true
    )]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug, Clone)]
pub struct Global {
    /// Database URL: `sqlite://PATH` (default: sqlite://<data-dir>/kobo.db) or
    /// `postgres://USER:PASS@HOST:PORT/DB` (TLS with `?sslmode=require`, or
    /// `verify-full` and `sslrootcert=PATH`).
    #[arg(long = "database", env = "KOBO_DATABASE_URL", global = true)]
    pub database: Option<String>,
    /// PostgreSQL: most connections this node opens.
    #[arg(
        long,
        env = "KOBO_DB_MAX_CONNECTIONS",
        default_value_t = 10,
        global = true
    )]
    pub db_max_connections: u32,
    /// PostgreSQL: a statement running longer than this is cancelled (0: no limit).
    #[arg(
        long,
        env = "KOBO_DB_STATEMENT_TIMEOUT_MS",
        default_value_t = 5000,
        global = true
    )]
    pub db_statement_timeout_ms: u64,
    /// Folder for the embedded database, the key file and the sandbox keys.
    #[arg(
        long,
        env = "KOBO_DATA_DIR",
        default_value = "kobo-data",
        global = true
    )]
    pub data_dir: std::path::PathBuf,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the HTTP API.
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate,
    /// Manage businesses and their keys.
    #[command(subcommand)]
    Business(BusinessCommand),
    /// Ledger tools.
    #[command(subcommand)]
    Ledger(LedgerCommand),
    /// Configuration tools.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Write a consistent copy of the SQLite database to PATH while kobo runs.
    Backup {
        /// Where to write the copy (must not exist).
        path: std::path::PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum ConfigCommand {
    /// Print the effective configuration (flags > KOBO_* variables > KOBO_CONFIG file > defaults), secrets redacted.
    Check {
        #[command(flatten)]
        serve: ServeArgs,
    },
}

#[derive(Subcommand, Debug)]
pub enum LedgerCommand {
    /// Check every ledger invariant; exits non-zero with a report if one fails.
    Verify {
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "KOBO_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Secret the partner bank signs provider calls with (hex HMAC-SHA512 in
    /// `X-Provider-Signature`). Unset: the provider door answers 401.
    #[arg(long, env = "KOBO_PROVIDER_SECRET", hide_env_values = true)]
    pub provider_secret: Option<String>,
    /// Name of the bank the virtual accounts are held at.
    #[arg(long, env = "KOBO_BANK_NAME", default_value = "Kobo Sandbox Bank")]
    pub bank_name: String,
    /// That bank's 3- or 6-digit institution code (the NUBAN check digit uses it).
    #[arg(long, env = "KOBO_BANK_CODE", default_value = "999999")]
    pub bank_code: String,
    /// The account provider's name, shown as `service_provider`.
    #[arg(long, env = "KOBO_PROVIDER_NAME", default_value = "kobo")]
    pub provider_name: String,
    /// Most permanent virtual accounts per customer.
    #[arg(long, env = "KOBO_VIRTUAL_ACCOUNT_CAP", default_value_t = 5)]
    pub virtual_account_cap: u32,
    /// A request still running after this many milliseconds is answered 504.
    #[arg(long, env = "KOBO_REQUEST_TIMEOUT_MS", default_value_t = 30_000)]
    pub request_timeout_ms: u64,
    /// Requests in flight at once; past it, 503 with Retry-After.
    #[arg(long, env = "KOBO_MAX_IN_FLIGHT", default_value_t = 2048)]
    pub max_in_flight: usize,
    /// Requests per second per API key (token bucket); 0 turns the limit off.
    #[arg(long, env = "KOBO_RATE_LIMIT_PER_SECOND", default_value_t = 0)]
    pub rate_limit_per_second: u32,
    /// Burst allowed above the rate (at least the rate).
    #[arg(long, env = "KOBO_RATE_LIMIT_BURST", default_value_t = 0)]
    pub rate_limit_burst: u32,
    /// Let webhooks reach private, loopback and link-local addresses.
    #[arg(long, env = "KOBO_WEBHOOKS_ALLOW_PRIVATE", default_value_t = false)]
    pub webhooks_allow_private: bool,
    /// Delays between webhook retries, e.g. `1s,2s,5s` (default: 3m four
    /// times, then hourly until 72 hours).
    #[arg(long, env = "KOBO_WEBHOOKS_RETRY_SCHEDULE")]
    pub webhooks_retry_schedule: Option<String>,
    /// Seconds a webhook being sent stays leased to its worker (at least the
    /// 10 s timeout plus 5 s); after a crash mid-send it goes out again then.
    #[arg(long, env = "KOBO_WEBHOOKS_LEASE_SECS", default_value_t = 60)]
    pub webhooks_lease_secs: u64,
    /// How often the sweeper expires one-time accounts, in seconds.
    #[arg(long, env = "KOBO_SWEEP_INTERVAL_SECS", default_value_t = 15)]
    pub sweep_interval_secs: u64,
}

#[derive(Subcommand, Debug)]
pub enum BusinessCommand {
    /// Create a business with a test and a live key pair (printed once).
    Create {
        #[arg(long)]
        name: String,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Replace the key pair of one mode (the old keys stop working at once).
    RotateKeys {
        #[arg(long)]
        business: i64,
        #[arg(long, value_enum)]
        mode: ModeArg,
        #[arg(long)]
        json: bool,
    },
    /// List businesses.
    List,
    /// Set the webhook URL of one mode (live: webhook_url, test: webhook_sandbox_url).
    SetWebhook {
        #[arg(long)]
        business: i64,
        #[arg(long, value_enum)]
        mode: ModeArg,
        /// The URL; an empty string clears it.
        #[arg(long)]
        url: String,
    },
    /// Set the fee on a business's inflows in one mode (VAT at 7.5% is added on top of the fee).
    SetFee {
        #[arg(long)]
        business: i64,
        #[arg(long, value_enum)]
        mode: ModeArg,
        /// Percentage part in basis points (100 = 1%).
        #[arg(long, default_value_t = 0)]
        basis_points: u32,
        /// Flat part in kobo.
        #[arg(long, default_value_t = 0)]
        flat_kobo: i64,
        /// Most the fee may be, in kobo (omit for no cap).
        #[arg(long)]
        cap_kobo: Option<i64>,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ModeArg {
    Test,
    Live,
}

impl From<ModeArg> for kobo_core::Mode {
    fn from(m: ModeArg) -> Self {
        match m {
            ModeArg::Test => kobo_core::Mode::Test,
            ModeArg::Live => kobo_core::Mode::Live,
        }
    }
}
