//! The grey hint inside every text field, by the field's label: one table, so the console
//! speaks one way everywhere and a test can check that no field is a blank box.

/// (label, hint) for every labelled text field of the console.
const HINTS: &[(&str, &str)] = &[
    ("Search users", "name, ali* or *son"),
    ("Search e-mail", "*@example.com"),
    ("CSV file", "/home/you/users.csv"),
    ("Export to", "/home/you/users-export.csv"),
    ("Keys CSV", "/home/you/keys.csv"),
    ("Username", "alice.walker"),
    ("User e-mail", "alice@example.com"),
    ("Language", "en"),
    ("Reference", "order 2026-114"),
    ("New e-mail", "new@example.com"),
    ("New reference", "order 2026-115"),
    ("New language", "de"),
    ("License reference", "PO 4711"),
    ("Owner username", "alice.walker (empty: no owner)"),
    ("Assign to user", "alice.walker"),
    ("Features", "webdav, backup"),
    ("Seats", "1"),
    ("Change features", "webdav, backup"),
    ("Change seats", "10"),
    ("Keep seats", "5"),
    ("Devices", "laptop-7, office-pc"),
    ("Filter", "state:active product:Pro expires:<30d email:*@acme.com"),
    ("Search name", "Pro keys expiring soon"),
    ("Product name", "FTP Synchronizer Pro"),
    ("Description", "What customers buy"),
    ("Charset", "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"),
    ("Prefix", "FTPS-"),
    ("Suffix", "-2026"),
    ("Reseller e-mail", "sales@shop.example"),
    ("Company name", "Shop GmbH"),
    ("Top up by", "100"),
    ("Licenses bought", "500"),
    ("First name", "Ada"),
    ("Last name", "Lovelace"),
    ("Customer e-mail", "ada@customer.example"),
    ("Staff username", "mara"),
    ("Who", "staff name or key"),
    ("What", "license, user, pool…"),
    ("Data group", "crash, usage…"),
    ("Sender", "keys@your-shop.example"),
    ("Database file", "/home/you/keydesk.sqlite"),
    ("Server URL", "https://keys.example.com"),
    ("CA file", "optional: /etc/ssl/your-ca.pem"),
    ("Endpoint URL", "https://tdrs.example.com/pbas/td2api/api/api.htm"),
    ("Distributor code", "ACME"),
];

/// The hint for the field labelled `label` (empty for a label the table lacks, which a test
/// forbids).
pub fn for_label(label: &str) -> &'static str {
    HINTS.iter().find(|(l, _)| *l == label).map_or("", |(_, hint)| hint)
}

#[cfg(test)]
mod tests {
    /// Every `labelled_edit(ui, "…"` in the console's source has a hint.
    #[test]
    fn every_labelled_field_has_a_hint() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/console");
        let mut folders = vec![root];
        let mut missing = Vec::new();
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(folder).expect("folder") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    folders.push(path);
                    continue;
                }
                if path.ends_with("hints.rs") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).expect("source");
                for part in text.split("labelled_edit(ui, \"").skip(1) {
                    let label = part.split('"').next().unwrap_or_default();
                    if super::for_label(label).is_empty() {
                        missing.push(format!("{}: {label}", path.display()));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "fields without a hint (add them to HINTS):\n{}", missing.join("\n"));
    }
}
