//! Finds libmproc for linking and for running.
//!
//! Where from, in order: MPROC_LIB_DIR (a directory holding libmproc.so,
//! e.g. an uninstalled Meson build's `src`), else `pkg-config mproc` (the
//! `pkg-config` program, run as a command: no crate is needed; it honours
//! PKG_CONFIG_PATH for a library installed into a prefix), else the
//! linker's default directories.
//!
//! The directory also becomes an rpath of this package's own tests and
//! examples, and is published to the build scripts of crates that depend
//! on this one as DEP_MPROC_LIBDIR (Cargo passes a `links` crate's
//! metadata on), because Cargo gives a library's link arguments to no one
//! else: a dependent program sets its own rpath from it (see README).

use std::env;
use std::process::Command;

/// The library's directories from `pkg-config --libs-only-L mproc`: empty
/// when it is in the linker's default directories (pkg-config leaves those
/// out). Works for an installed mproc and for a Meson build's
/// meson-uninstalled/mproc-uninstalled.pc alike.
fn pkg_config_dirs() -> Result<Vec<String>, String> {
    let pkg_config = env::var("PKG_CONFIG").unwrap_or_else(|_| "pkg-config".to_string());
    let out = Command::new(&pkg_config)
        .args(["--print-errors", "--libs-only-L", "mproc"])
        .output()
        .map_err(|e| format!("could not run {pkg_config}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{pkg_config} --libs-only-L mproc failed: {}",
            String::from_utf8_lossy(&out.stderr)
                .trim()
                .replace('\n', " ")
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .filter_map(|flag| flag.strip_prefix("-L"))
        .map(str::to_string)
        .collect())
}

fn main() {
    println!("cargo:rerun-if-env-changed=MPROC_LIB_DIR");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG");
    println!("cargo:rerun-if-changed=build.rs");
    let dirs = match env::var("MPROC_LIB_DIR") {
        Ok(dir) if !dir.is_empty() => vec![dir],
        _ => pkg_config_dirs().unwrap_or_else(|why| {
            println!(
                "cargo:warning=mproc: {why}; linking with the linker's default \
                 directories (set PKG_CONFIG_PATH or MPROC_LIB_DIR)"
            );
            Vec::new()
        }),
    };
    for dir in &dirs {
        println!("cargo:rustc-link-search=native={dir}");
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
    }
    // Dependents read it as DEP_MPROC_LIBDIR ("" for a system library).
    println!("cargo:libdir={}", dirs.first().map_or("", String::as_str));
    println!("cargo:rustc-link-lib=dylib=mproc");
}
