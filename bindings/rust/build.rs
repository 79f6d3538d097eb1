use std::env;

fn main() {
    println!("cargo:rerun-if-env-changed=MPROC_LIB_DIR");
    println!("cargo:rerun-if-changed=build.rs");
    if let Some(dir) = env::var_os("MPROC_LIB_DIR") {
        let dir = dir.to_string_lossy();
        println!("cargo:rustc-link-search=native={dir}");
        // Test binaries run straight from the target directory, where the
        // loader would not otherwise find an uninstalled libmproc.
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
    }
    println!("cargo:rustc-link-lib=dylib=mproc");
}
