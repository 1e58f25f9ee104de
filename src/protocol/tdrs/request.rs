//! Registration Server requests: the `<teamdrive>` envelope and the 44 commands of
//! API 1.0.005, with the tags each command reads. The first tag of each field is the
//! one keydesk's client sends; the others are accepted alternatives (see
//! docs/protocols/tdrs.md for why each exists).

use crate::protocol::xml::{Element, XmlError, XmlWriter, parse};

/// The API version keydesk speaks and answers with.
pub const API_VERSION: &str = "1.0.005";

/// Why a body is not a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    #[error(transparent)]
    Xml(#[from] XmlError),
    #[error("the root element is <{0}>, not <teamdrive>")]
    NotTeamdrive(String),
    #[error("the request has no <command>")]
    NoCommand,
    #[error("unknown command {0:?}")]
    UnknownCommand(String),
}

/// A boolean as the API writes it: `$true`/`$false`; `true`/`false`, `1`/`0` and
/// `yes`/`no` are accepted too. Absent means false.
pub fn parse_bool(text: &str) -> bool {
    matches!(text.trim().to_ascii_lowercase().as_str(), "$true" | "true" | "1" | "yes")
}

/// A depot named by a request: the host's depot file in `<depot>`, or `<depotid>` and `<hosturl>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DepotField {
    pub depot_id: String,
    pub host_url: String,
    pub raw: String,
}

const DEPOT_ID_TAGS: [&str; 3] = ["depotid", "id", "depot_id"];
const HOST_URL_TAGS: [&str; 4] = ["hosturl", "host", "url", "serverurl"];

fn first_text<'a>(element: &'a Element, tags: &[&str]) -> Option<&'a str> {
    tags.iter().find_map(|tag| element.child_text(tag))
}

/// How one field of a command is read from and written to the envelope.
pub trait WireField: Sized {
    fn read(root: &Element, tags: &[&str]) -> Self;
    fn write(&self, out: &mut XmlWriter, tag: &str);
}

impl WireField for String {
    fn read(root: &Element, tags: &[&str]) -> Self {
        first_text(root, tags).unwrap_or_default().to_owned()
    }

    fn write(&self, out: &mut XmlWriter, tag: &str) {
        if !self.is_empty() {
            out.leaf(tag, self);
        }
    }
}

impl WireField for Option<String> {
    fn read(root: &Element, tags: &[&str]) -> Self {
        first_text(root, tags).map(str::to_owned)
    }

    fn write(&self, out: &mut XmlWriter, tag: &str) {
        if let Some(value) = self {
            out.leaf(tag, value);
        }
    }
}

impl WireField for bool {
    fn read(root: &Element, tags: &[&str]) -> Self {
        first_text(root, tags).is_some_and(parse_bool)
    }

    fn write(&self, out: &mut XmlWriter, tag: &str) {
        out.leaf(tag, if *self { "$true" } else { "$false" });
    }
}

/// Lists are comma separated, as the API's other lists are; repeated child elements
/// (`<devices><device>1</device>…</devices>`) are accepted too.
impl WireField for Vec<String> {
    fn read(root: &Element, tags: &[&str]) -> Self {
        let Some(element) = tags.iter().find_map(|tag| root.child(tag)) else {
            return Vec::new();
        };
        let texts: Vec<&str> = if element.children.is_empty() {
            element.text.split(',').collect()
        } else {
            element.children.iter().map(|c| c.text.as_str()).collect()
        };
        texts.into_iter().map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned).collect()
    }

    fn write(&self, out: &mut XmlWriter, tag: &str) {
        if !self.is_empty() {
            out.leaf(tag, &self.join(","));
        }
    }
}

impl WireField for Option<DepotField> {
    fn read(root: &Element, tags: &[&str]) -> Self {
        if let Some(depot) = tags.iter().find_map(|tag| root.child(tag)) {
            // The depot file may arrive as child elements or as escaped XML text.
            let parsed = if depot.children.is_empty() { parse(depot.text.as_bytes()).ok() } else { None };
            if let Some(file) = if depot.children.is_empty() { parsed.as_ref() } else { Some(depot) } {
                return Some(DepotField {
                    depot_id: first_text(file, &DEPOT_ID_TAGS).unwrap_or_default().trim().to_owned(),
                    host_url: first_text(file, &HOST_URL_TAGS).unwrap_or_default().trim().to_owned(),
                    raw: depot.inner_xml(),
                });
            }
        }
        let depot_id = first_text(root, &DEPOT_ID_TAGS[..1])?;
        let host_url = first_text(root, &HOST_URL_TAGS[..1]).unwrap_or_default();
        Some(DepotField {
            depot_id: depot_id.trim().to_owned(),
            host_url: host_url.trim().to_owned(),
            raw: String::new(),
        })
    }

    fn write(&self, out: &mut XmlWriter, tag: &str) {
        if let Some(depot) = self {
            out.open(tag).leaf("depotid", &depot.depot_id).leaf("hosturl", &depot.host_url).close(tag);
        }
    }
}

/// The terms createlicense and createlicensewithoutuser share. It reads and writes its
/// own tags, so the tag a command table gives it is not used.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LicenseFields {
    pub productname: String,
    pub licensetype: String,
    pub featurevalue: String,
    pub limit: Option<String>,
    pub licensereference: String,
    /// Sent as `contractnumber`; the `contactnumber` spelling of one client is accepted.
    pub contractnumber: String,
    pub validuntil: Option<String>,
    pub changeid: String,
}

impl WireField for LicenseFields {
    fn read(root: &Element, _tags: &[&str]) -> Self {
        Self {
            productname: WireField::read(root, &["productname"]),
            licensetype: WireField::read(root, &["type"]),
            featurevalue: WireField::read(root, &["featurevalue"]),
            limit: WireField::read(root, &["limit"]),
            licensereference: WireField::read(root, &["licensereference", "reference"]),
            contractnumber: WireField::read(root, &["contractnumber", "contactnumber"]),
            validuntil: WireField::read(root, &["validuntil"]),
            changeid: WireField::read(root, &["changeid"]),
        }
    }

    fn write(&self, out: &mut XmlWriter, _tag: &str) {
        self.productname.write(out, "productname");
        self.licensetype.write(out, "type");
        self.featurevalue.write(out, "featurevalue");
        self.limit.write(out, "limit");
        self.licensereference.write(out, "licensereference");
        self.contractnumber.write(out, "contractnumber");
        self.validuntil.write(out, "validuntil");
        self.changeid.write(out, "changeid");
    }
}

macro_rules! commands {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal { $( $field:ident : $ty:ty = [$first:literal $(, $alt:literal)*] ),* $(,)? } )*) => {
        /// One command with its parameters.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum Request {
            $( $(#[$doc])* $variant { $( $field: $ty ),* }, )*
        }

        /// Every command name, in the order of the documentation.
        pub const COMMANDS: &[&str] = &[$( $name ),*];

        impl Request {
            /// The `<command>` value.
            pub fn command(&self) -> &'static str {
                match self {
                    $( Self::$variant { .. } => $name, )*
                }
            }

            fn read(command: &str, root: &Element) -> Result<Self, RequestError> {
                match command {
                    $( $name => Ok(Self::$variant { $( $field: <$ty as WireField>::read(root, &[$first $(, $alt)*]) ),* }), )*
                    other => Err(RequestError::UnknownCommand(other.to_owned())),
                }
            }

            fn write_params(&self, out: &mut XmlWriter) {
                match self {
                    $( Self::$variant { $( $field ),* } => { $( WireField::write($field, out, $first); )* } )*
                }
            }
        }
    };
}

impl Request {
    /// Whether the command hashes or checks a password (Argon2id): such requests take one of
    /// the server's password slots, so they cannot crowd out the rest.
    pub fn runs_argon2(&self) -> bool {
        matches!(
            self,
            Self::LoginUser { .. }
                | Self::RegisterUser { .. }
                | Self::SendPassword { .. }
                | Self::ResetPassword { .. }
                | Self::ChangePassword { .. }
                | Self::UpdatePassword { .. }
                | Self::ConfirmUserDelete { .. }
        )
    }
}

commands! {
    LoginUser = "loginuser" { username: Option<String> = ["username"], useroremail: Option<String> = ["useroremail"], password: String = ["password"] }
    SearchUser = "searchuser" {
        username: String = ["username"], email: String = ["email", "useremail"], startid: String = ["startid"],
        showdevice: bool = ["showdevice", "showdevices"], onlyownusers: bool = ["onlyownusers"],
    }
    GetUserData = "getuserdata" { username: String = ["username"] }
    RegisterUser = "registeruser" {
        username: String = ["username"], useremail: String = ["useremail", "email"], password: String = ["password"],
        language: Option<String> = ["language"], reference: String = ["reference"], department: String = ["department"],
    }
    ResendActivation = "resendactivation" { username: String = ["username"] }
    ActivateUser = "activateuser" { username: String = ["username"], activationcode: String = ["activationcode", "code"] }
    ActivateClient = "activateclient" { activationcode: String = ["activationcode", "code"] }
    SendPassword = "sendpassword" { username: String = ["username"] }
    ResetPassword = "resetpassword" { username: String = ["username"] }
    ChangePassword = "changepassword" {
        username: String = ["username"], password: String = ["password", "tmppassword", "temppassword"],
        newpassword: String = ["newpassword"],
    }
    UpdatePassword = "updatepassword" { username: String = ["username"], newpassword: String = ["newpassword", "password"] }
    SetReference = "setreference" { username: String = ["username"], reference: String = ["reference"] }
    SetEmail = "setemail" { username: String = ["username"], newemail: String = ["newemail", "email", "useremail"] }
    ChangeEmail = "changeemail" { username: String = ["username"], newemail: String = ["newemail", "email", "useremail"] }
    ConfirmNewEmail = "confirmnewemail" { username: String = ["username"], activationcode: String = ["activationcode", "code"] }
    ChangeLanguage = "changelanguage" { username: String = ["username"], language: String = ["language", "newlanguage"] }
    RemoveUser = "removeuser" {
        username: String = ["username"], deletelicense: bool = ["deletelicense", "deletelicenses"], deletedepot: bool = ["deletedepot"],
    }
    RemoveDevice = "removedevice" { username: String = ["username"], deviceid: String = ["deviceid", "device"] }
    DeleteUser = "deleteuser" { username: String = ["username"] }
    ConfirmUserDelete = "confirmuserdelete" {
        username: String = ["username"], password: String = ["password"], activationcode: String = ["activationcode", "code"],
        deletedepot: bool = ["deletedepot"], deletelicense: bool = ["deletelicense", "deletelicenses"],
    }
    GetLicenseData = "getlicensedata" { username: String = ["username"] }
    GetDefaultLicense = "getdefaultlicense" { username: String = ["username"] }
    GetDefaultDepotData = "getdefaultdepotdata" { username: String = ["username"] }
    GetHostForDepot = "gethostfordepot" {}
    SetDepotForUser = "setdepotforuser" {
        username: String = ["username"], depot: Option<DepotField> = ["depot", "depotfile"],
        sendinvitation: bool = ["sendinvitation", "invitation"],
    }
    RemoveDepotFromUser = "removedepotfromuser" {
        username: String = ["username"], depot: Option<DepotField> = ["depot", "depotfile"],
        sendinvitation: bool = ["sendinvitation", "invitation"],
    }
    SendInvitation = "sendinvitation" {
        username: String = ["username"], invitationtype: String = ["type", "invitationtype"],
        depot: Option<DepotField> = ["depot", "depotfile"],
    }
    SetInvitedUser = "setinviteduser" { username: String = ["username"], inviteduser: String = ["inviteduser", "invitedusername", "invited"] }
    CreateLicense = "createlicense" { username: String = ["username"], terms: LicenseFields = ["productname"] }
    CreateLicenseWithoutUser = "createlicensewithoutuser" { terms: LicenseFields = ["productname"] }
    AssignUserToLicense = "assignusertolicense" { username: String = ["username"], number: String = ["number", "licensenumber", "licensekey"] }
    AssignLicenseToClient = "assignlicensetoclient" {
        username: String = ["username"], number: String = ["number", "licensenumber", "licensekey"],
        devices: Vec<String> = ["devices", "deviceid", "device"],
    }
    RemoveUserFromLicense = "removeuserfromlicense" { username: String = ["username"], number: String = ["number", "licensenumber", "licensekey"] }
    DeactivateLicense = "deactivatelicense" { number: String = ["number", "licensenumber", "licensekey"] }
    ActivateLicense = "activatelicense" { number: String = ["number", "licensenumber", "licensekey"] }
    UpgradeLicense = "upgradelicense" {
        username: String = ["username"], number: String = ["number", "licensenumber", "licensekey"],
        featurevalue: Option<String> = ["featurevalue"], limit: Option<String> = ["limit"],
    }
    UpgradeDefaultLicense = "upgradedefaultlicense" {
        username: String = ["username"], featurevalue: Option<String> = ["featurevalue"], limit: Option<String> = ["limit"],
    }
    DowngradeLicense = "downgradelicense" {
        username: String = ["username"], number: String = ["number", "licensenumber", "licensekey"],
        featurevalue: Option<String> = ["featurevalue"], limit: Option<String> = ["limit"],
    }
    DowngradeDefaultLicense = "downgradedefaultlicense" {
        username: String = ["username"], featurevalue: Option<String> = ["featurevalue"], limit: Option<String> = ["limit"],
    }
    GetUsedLicense = "getusedlicense" { username: String = ["username"], number: Option<String> = ["number", "licensenumber", "licensekey"] }
    SetLicenseReference = "setlicensereference" {
        number: String = ["number", "licensenumber", "licensekey"], licensereference: String = ["licensereference", "reference"],
    }
    RemoveLicense = "removelicense" {
        number: String = ["number", "licensenumber", "licensekey"], usernames: Vec<String> = ["username", "usernames"],
        devices: Vec<String> = ["devices", "deviceid", "device"],
    }
    CancelLicense = "cancellicense" {
        username: Option<String> = ["username"], number: String = ["number", "licensenumber", "licensekey"],
        limit: Option<String> = ["limit"],
    }
    SetDistributor = "setdistributor" { username: String = ["username"], newdistributor: String = ["newdistributor", "targetdistributor", "todistributor"] }
}

/// A request with its envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub request: Request,
    /// `<requesttime>`: Unix seconds; `None` when absent or not a number.
    pub request_time: Option<i64>,
    /// `<distributor>`: the distributor code the caller acts for, when given.
    pub distributor: Option<String>,
}

impl Envelope {
    /// Reads a request body.
    pub fn parse(body: &[u8]) -> Result<Self, RequestError> {
        let root = parse(body)?;
        if root.name != "teamdrive" {
            return Err(RequestError::NotTeamdrive(root.name));
        }
        let command =
            root.child_text("command").map(str::trim).filter(|c| !c.is_empty()).ok_or(RequestError::NoCommand)?;
        let request = Request::read(&command.to_ascii_lowercase(), &root)?;
        Ok(Self {
            request,
            request_time: root.child_text("requesttime").and_then(|t| t.trim().parse().ok()),
            distributor: root.child_text("distributor").map(str::trim).filter(|d| !d.is_empty()).map(str::to_owned),
        })
    }

    /// The exact body a client sends (the checksum is taken over these bytes).
    pub fn to_xml(&self) -> String {
        let mut out = XmlWriter::document();
        out.open("teamdrive").leaf("apiversion", API_VERSION).leaf("command", self.request.command());
        out.leaf("requesttime", &self.request_time.unwrap_or_default().to_string());
        self.request.write_params(&mut out);
        if let Some(distributor) = &self.distributor {
            out.leaf("distributor", distributor);
        }
        out.close("teamdrive");
        out.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_are_44_commands() {
        assert_eq!(COMMANDS.len(), 44);
    }

    #[test]
    fn requests_round_trip_through_xml() {
        let envelope = Envelope {
            request: Request::AssignLicenseToClient {
                username: "a&b".into(),
                number: "TMDR-1".into(),
                devices: vec!["1".into(), "2".into()],
            },
            request_time: Some(1_700_000_000),
            distributor: Some("TMDR".into()),
        };
        assert_eq!(Envelope::parse(envelope.to_xml().as_bytes()), Ok(envelope));
    }

    #[test]
    fn alternative_tags_and_boolean_spellings_are_read() {
        let body = b"<teamdrive><command>removeuser</command><username>x</username><deletelicenses>true</deletelicenses></teamdrive>";
        let parsed = Envelope::parse(body).expect("parse").request;
        assert_eq!(parsed, Request::RemoveUser { username: "x".into(), deletelicense: true, deletedepot: false });
        let body = b"<teamdrive><command>deactivatelicense</command><licensekey>K</licensekey></teamdrive>";
        assert_eq!(Envelope::parse(body).expect("parse").request, Request::DeactivateLicense { number: "K".into() });
    }

    #[test]
    fn depot_file_may_be_elements_or_escaped_text() {
        let body = b"<teamdrive><command>setdepotforuser</command><username>u</username>\
            <depot>&lt;depot&gt;&lt;depotid&gt;7&lt;/depotid&gt;&lt;hosturl&gt;https://h&lt;/hosturl&gt;&lt;/depot&gt;</depot></teamdrive>";
        let Request::SetDepotForUser { depot: Some(depot), .. } = Envelope::parse(body).expect("parse").request else {
            panic!("not a setdepotforuser with a depot");
        };
        assert_eq!((depot.depot_id.as_str(), depot.host_url.as_str()), ("7", "https://h"));
    }

    #[test]
    fn refuses_other_documents() {
        assert!(matches!(Envelope::parse(b"<other/>"), Err(RequestError::NotTeamdrive(_))));
        assert_eq!(Envelope::parse(b"<teamdrive/>"), Err(RequestError::NoCommand));
        assert!(matches!(
            Envelope::parse(b"<teamdrive><command>dance</command></teamdrive>"),
            Err(RequestError::UnknownCommand(_))
        ));
    }
}
