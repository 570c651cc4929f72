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
    /// Database URL: `sqlite://PATH` (default: sqlite://<data-dir>/kobo.db).
    #[arg(long = "database", env = "KOBO_DATABASE_URL", global = true)]
    pub database: Option<String>,
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
