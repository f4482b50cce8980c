//! The generated Rust bindings of acme.greeter/1, compiled as a module of a crate that depends on `nplug-abi` (as a
//! plugin does), so that `cargo clippy -D warnings` and `cargo fmt --check` run over them.

#[path = "../../generated/rust/greeter.rs"]
pub mod greeter;

#[cfg(test)]
mod tests {
    use super::greeter::*;

    fn text(s: nplug_abi::np_str_t) -> String {
        // SAFETY: the report's names point at 'static string literals of the generated file.
        unsafe { String::from_utf8(std::slice::from_raw_parts(s.ptr, s.len as usize).to_vec()).unwrap() }
    }

    /// The canonical type of each field, in order, as in the layout manifest (layout/greeter.layout.g.json).
    const CANONICAL: [&str; 7] = [
        "uint32_t",
        "uint32_t",
        "int32_t (*)(const np_host_t *, np_str_t, acme_greeter_t **, np_error_t *)",
        "void (*)(acme_greeter_t *)",
        "int32_t (*)(acme_greeter_t *, np_str_t, np_out_bytes_t *, np_error_t *)",
        "int32_t (*)(acme_greeter_t *, int64_t, int64_t, int64_t *, np_error_t *)",
        "uint64_t (*)(const acme_greeter_t *)",
    ];
    /// The minor that added each field (count is `@since 1.1`).
    const SINCE: [u32; 7] = [0, 0, 0, 0, 0, 0, 1];

    /// The interface fingerprint of `minor` recomputed from this compiler's layout report.
    fn fingerprint_from_report(minor: u32) -> u64 {
        let report = acme_greeter_v1_layout_report();
        // SAFETY: the report and its arrays are static data of the generated file.
        let structs = unsafe { std::slice::from_raw_parts(report.structs, report.struct_count as usize) };
        assert_eq!(structs.len(), 1);
        let fields = unsafe { std::slice::from_raw_parts(structs[0].fields, structs[0].field_count as usize) };
        let mut canonical = format!("struct {}\n", text(structs[0].name));
        for (i, f) in fields.iter().enumerate() {
            if SINCE[i] <= minor {
                canonical.push_str(&format!("{}:{}@{}+{}\n", text(f.name), CANONICAL[i], f.offset, f.size));
            }
        }
        canonical.bytes().fold(0xcbf29ce484222325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100000001b3))
    }

    #[test]
    fn fingerprints_match_this_compilers_layout() {
        assert_eq!(fingerprint_from_report(0), ACME_GREETER_V1_LAYOUT_FINGERPRINT_1_0);
        assert_eq!(fingerprint_from_report(1), ACME_GREETER_V1_LAYOUT_FINGERPRINT_1_1);
        assert_eq!(ACME_GREETER_V1_LAYOUT_FINGERPRINT, ACME_GREETER_V1_LAYOUT_FINGERPRINT_1_1);
    }

    #[test]
    fn interface_layout_points_at_the_report() {
        let layout = acme_greeter_v1_interface_layout();
        assert_eq!(layout.fingerprint, ACME_GREETER_V1_LAYOUT_FINGERPRINT);
        assert!(std::ptr::eq(layout.report, acme_greeter_v1_layout_report()));
        let report = acme_greeter_v1_layout_report();
        assert_eq!(report.struct_size as usize, size_of::<nplug_abi::np_layout_report_t>());
        assert_eq!(ACME_GREETER_V1_MIN_SIZE, 40);
        assert_eq!(ACME_GREETER_ID, "acme.greeter/1");
    }
}
