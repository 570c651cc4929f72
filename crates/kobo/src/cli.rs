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
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "KOBO_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
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
