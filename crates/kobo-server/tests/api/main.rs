//! kobo-server's one integration-test binary: every test starts the real
//! server on 127.0.0.1:0 with a fresh SQLite file and talks HTTP to it.

mod helpers;
mod smoke;
mod transport;
