//! `cargo-crossdock`: runs as `cargo crossdock <cmd>` or `cargo-crossdock <cmd>`.

fn main() {
    crossdock::cli::main()
}
