//! This repository's `cargo xtask`: `cargo xtask dist` ships crossdock itself with the
//! workspace's targets.toml, through the same engine any other project uses.

fn main() {
    crossdock::cli::xtask_main()
}
