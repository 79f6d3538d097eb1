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

fn pkg_config_libdir() -> Result<String, String> {
    let pkg_config = env::var("PKG_CONFIG").unwrap_or_else(|_| "pkg-config".to_string());
    let out = Command::new(&pkg_config)
        .args(["--print-errors", "--variable=libdir", "mproc"])
        .output()
        .map_err(|e| format!("could not run {pkg_config}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{pkg_config} --variable=libdir mproc failed: {}",
            String::from_utf8_lossy(&out.stderr).trim().replace('\n', " ")
        ));
    }
    let dir = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if dir.is_empty() {
        return Err(format!("{pkg_config} gave mproc no libdir"));
    }
    Ok(dir)
}

fn main() {
    println!("cargo:rerun-if-env-changed=MPROC_LIB_DIR");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG");
    println!("cargo:rerun-if-changed=build.rs");
    let dir = match env::var("MPROC_LIB_DIR") {
        Ok(dir) if !dir.is_empty() => Some(dir),
        _ => match pkg_config_libdir() {
            Ok(dir) => Some(dir),
            Err(why) => {
                println!(
                    "cargo:warning=mproc: {why}; linking with the linker's default \
                     directories (set PKG_CONFIG_PATH or MPROC_LIB_DIR)"
                );
                None
            }
        },
    };
    if let Some(dir) = dir {
        println!("cargo:rustc-link-search=native={dir}");
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
        println!("cargo:libdir={dir}");
    }
    println!("cargo:rustc-link-lib=dylib=mproc");
}
