//! Registration Server replies: `<intresult>`, the data blocks, or an `<exception>`,
//! inside the `<teamdrive>` envelope. Written by the server, read by the client.

use super::request::API_VERSION;
use crate::protocol::xml::{Element, XmlError, XmlWriter, parse};

/// `<userdata>` as loginuser and getuserdata return it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserRecord {
    pub username: String,
    pub email: String,
    pub language: String,
    pub reference: String,
    pub department: String,
}

/// A device in searchuser's device block.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceRecord {
    pub deviceid: i64,
    pub name: String,
    pub platform: String,
    pub version: String,
    pub created: String,
}

/// One `<user>` of a searchuser reply.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchUserRecord {
    pub userid: i64,
    pub username: String,
    pub email: String,
    pub reference: String,
    pub department: String,
    pub language: String,
    pub distributor: String,
    pub usercreated: String,
    pub status: String,
    /// Present when the request asked for devices (`showdevice`).
    pub devices: Option<Vec<DeviceRecord>>,
}

/// The fields of one license (getlicensedata's field list).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LicenseRecord {
    pub created: String,
    pub productid: u8,
    pub productname: String,
    pub license_type: u8,
    pub number: String,
    pub featurevalue: u32,
    pub featuretext: String,
    pub validuntil: String,
    pub limit: u32,
    pub used: u32,
    pub status: u8,
    pub isdefault: bool,
    pub licensereference: String,
    pub contractnumber: String,
    /// getusedlicense: who uses the license, comma separated.
    pub usernames: Option<String>,
}

/// One depot in `<depotdata>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DepotRecord {
    pub depotid: String,
    pub hosturl: String,
    pub isdefault: bool,
    pub created: String,
}

/// A block of a successful reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    IntResult(i64),
    UserData(UserRecord),
    /// One license, its fields directly in `<licensedata>`.
    License(LicenseRecord),
    /// Several licenses, each a `<license>` inside `<licensedata>`.
    Licenses(Vec<LicenseRecord>),
    /// `<depotdata>` with `<count>` and a `<depot>` each.
    Depots(Vec<DepotRecord>),
    /// `<searchresult>` and, when anything matched, `<userlist>`.
    Search {
        current: u32,
        maximum: u32,
        total: u64,
        users: Vec<SearchUserRecord>,
    },
    HostUrl(String),
}

/// A whole reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    Success(Vec<Block>),
    Exception { primary: i32, secondary: String, message: String },
}

fn bool_text(value: bool) -> &'static str {
    if value { "$true" } else { "$false" }
}

fn write_license(out: &mut XmlWriter, l: &LicenseRecord) {
    out.leaf("created", &l.created)
        .leaf("productid", &l.productid.to_string())
        .leaf("productname", &l.productname)
        .leaf("type", &l.license_type.to_string())
        .leaf("number", &l.number)
        .leaf("featurevalue", &l.featurevalue.to_string())
        .leaf("featuretext", &l.featuretext)
        .leaf("validuntil", &l.validuntil)
        .leaf("limit", &l.limit.to_string())
        .leaf("used", &l.used.to_string())
        .leaf("status", &l.status.to_string())
        .leaf("isdefault", bool_text(l.isdefault))
        .leaf("licensereference", &l.licensereference)
        .leaf("contractnumber", &l.contractnumber);
    if let Some(names) = &l.usernames {
        out.leaf("usernames", names);
    }
}

fn write_block(out: &mut XmlWriter, block: &Block) {
    match block {
        Block::IntResult(value) => {
            out.leaf("intresult", &value.to_string());
        }
        Block::UserData(u) => {
            out.open("userdata")
                .leaf("username", &u.username)
                .leaf("email", &u.email)
                .leaf("language", &u.language)
                .leaf("reference", &u.reference)
                .leaf("department", &u.department)
                .close("userdata");
        }
        Block::License(license) => {
            out.open("licensedata");
            write_license(out, license);
            out.close("licensedata");
        }
        Block::Licenses(licenses) => {
            out.open("licensedata");
            for license in licenses {
                out.open("license");
                write_license(out, license);
                out.close("license");
            }
            out.close("licensedata");
        }
        Block::Depots(depots) => {
            out.open("depotdata").leaf("count", &depots.len().to_string());
            for d in depots {
                out.open("depot")
                    .leaf("depotid", &d.depotid)
                    .leaf("hosturl", &d.hosturl)
                    .leaf("isdefault", bool_text(d.isdefault))
                    .leaf("created", &d.created)
                    .close("depot");
            }
            out.close("depotdata");
        }
        Block::Search { current, maximum, total, users } => {
            out.open("searchresult")
                .leaf("current", &current.to_string())
                .leaf("maximum", &maximum.to_string())
                .leaf("total", &total.to_string())
                .close("searchresult");
            if !users.is_empty() {
                out.open("userlist");
                for u in users {
                    write_search_user(out, u);
                }
                out.close("userlist");
            }
        }
        Block::HostUrl(url) => {
            out.leaf("hosturl", url);
        }
    }
}

fn write_search_user(out: &mut XmlWriter, u: &SearchUserRecord) {
    out.open("user")
        .leaf("userid", &u.userid.to_string())
        .leaf("username", &u.username)
        .leaf("email", &u.email)
        .leaf("reference", &u.reference)
        .leaf("department", &u.department)
        .leaf("language", &u.language)
        .leaf("distributor", &u.distributor)
        .leaf("usercreated", &u.usercreated)
        .leaf("status", &u.status);
    if let Some(devices) = &u.devices {
        out.open("devices").leaf("count", &devices.len().to_string());
        for d in devices {
            out.open("device")
                .leaf("deviceid", &d.deviceid.to_string())
                .leaf("devicename", &d.name)
                .leaf("platform", &d.platform)
                .leaf("version", &d.version)
                .leaf("created", &d.created)
                .close("device");
        }
        out.close("devices");
    }
    out.close("user");
}

fn text(e: &Element, tag: &str) -> String {
    e.child_text(tag).unwrap_or_default().to_owned()
}

fn number<T: std::str::FromStr + Default>(e: &Element, tag: &str) -> T {
    e.child_text(tag).and_then(|t| t.trim().parse().ok()).unwrap_or_default()
}

fn flag(e: &Element, tag: &str) -> bool {
    e.child_text(tag).is_some_and(super::request::parse_bool)
}

fn read_license(e: &Element) -> LicenseRecord {
    LicenseRecord {
        created: text(e, "created"),
        productid: number(e, "productid"),
        productname: text(e, "productname"),
        license_type: number(e, "type"),
        number: e.child_text("number").or(e.child_text("licensekey")).unwrap_or_default().to_owned(),
        featurevalue: number(e, "featurevalue"),
        featuretext: text(e, "featuretext"),
        validuntil: text(e, "validuntil"),
        limit: number(e, "limit"),
        used: number(e, "used"),
        status: number(e, "status"),
        isdefault: flag(e, "isdefault"),
        licensereference: text(e, "licensereference"),
        contractnumber: text(e, "contractnumber"),
        usernames: e.child_text("usernames").map(str::to_owned),
    }
}

fn read_search_user(e: &Element) -> SearchUserRecord {
    SearchUserRecord {
        userid: number(e, "userid"),
        username: text(e, "username"),
        email: text(e, "email"),
        reference: text(e, "reference"),
        department: text(e, "department"),
        language: text(e, "language"),
        distributor: text(e, "distributor"),
        usercreated: text(e, "usercreated"),
        status: text(e, "status"),
        devices: e.child("devices").map(|devices| {
            devices
                .children_named("device")
                .map(|d| DeviceRecord {
                    deviceid: number(d, "deviceid"),
                    name: text(d, "devicename"),
                    platform: text(d, "platform"),
                    version: text(d, "version"),
                    created: text(d, "created"),
                })
                .collect()
        }),
    }
}

impl Reply {
    /// The simple success: `<intresult>0</intresult>`.
    pub fn ok() -> Self {
        Self::Success(vec![Block::IntResult(0)])
    }

    pub fn exception(primary: i32, message: impl Into<String>) -> Self {
        Self::Exception { primary, secondary: String::new(), message: message.into() }
    }

    pub fn to_xml(&self) -> String {
        let mut out = XmlWriter::document();
        out.open("teamdrive").leaf("apiversion", API_VERSION);
        match self {
            Self::Success(blocks) => blocks.iter().for_each(|b| write_block(&mut out, b)),
            Self::Exception { primary, secondary, message } => {
                out.open("exception")
                    .leaf("primarycode", &primary.to_string())
                    .leaf("secondarycode", secondary)
                    .leaf("message", message)
                    .close("exception");
            }
        }
        out.close("teamdrive");
        out.finish()
    }

    /// Reads a reply by element names, accepting licenses with or without `<license>` wrappers.
    pub fn parse(body: &[u8]) -> Result<Self, XmlError> {
        let root = parse(body)?;
        if let Some(e) = root.child("exception") {
            return Ok(Self::Exception {
                primary: number(e, "primarycode"),
                secondary: text(e, "secondarycode"),
                message: text(e, "message"),
            });
        }
        let mut blocks = Vec::new();
        for child in &root.children {
            let block = match child.name.as_str() {
                "intresult" => Block::IntResult(child.text.trim().parse().unwrap_or_default()),
                "userdata" => Block::UserData(UserRecord {
                    username: text(child, "username"),
                    email: text(child, "email"),
                    language: text(child, "language"),
                    reference: text(child, "reference"),
                    department: text(child, "department"),
                }),
                "licensedata" if child.child("license").is_some() || child.children.is_empty() => {
                    Block::Licenses(child.children_named("license").map(read_license).collect())
                }
                "licensedata" => Block::License(read_license(child)),
                "depotdata" => Block::Depots(
                    child
                        .children_named("depot")
                        .map(|d| DepotRecord {
                            depotid: text(d, "depotid"),
                            hosturl: text(d, "hosturl"),
                            isdefault: flag(d, "isdefault"),
                            created: text(d, "created"),
                        })
                        .collect(),
                ),
                "searchresult" => Block::Search {
                    current: number(child, "current"),
                    maximum: number(child, "maximum"),
                    total: number(child, "total"),
                    users: root
                        .child("userlist")
                        .map(|l| l.children_named("user").map(read_search_user).collect())
                        .unwrap_or_default(),
                },
                "hosturl" => Block::HostUrl(child.text.clone()),
                _ => continue,
            };
            blocks.push(block);
        }
        Ok(Self::Success(blocks))
    }

    /// All licenses the reply carries, in either shape.
    pub fn licenses(&self) -> Vec<&LicenseRecord> {
        let Self::Success(blocks) = self else { return Vec::new() };
        blocks
            .iter()
            .flat_map(|b| match b {
                Block::License(l) => vec![l],
                Block::Licenses(ls) => ls.iter().collect(),
                _ => Vec::new(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_round_trip() {
        let reply = Reply::Success(vec![
            Block::IntResult(0),
            Block::Licenses(vec![LicenseRecord {
                number: "N1".into(),
                limit: 5,
                usernames: Some("a,b".into()),
                ..Default::default()
            }]),
            Block::Search {
                current: 1,
                maximum: 50,
                total: 1,
                users: vec![SearchUserRecord { userid: 3, devices: Some(vec![]), ..Default::default() }],
            },
            Block::Depots(vec![DepotRecord { depotid: "1".into(), isdefault: true, ..Default::default() }]),
            Block::HostUrl("https://h".into()),
        ]);
        assert_eq!(Reply::parse(reply.to_xml().as_bytes()), Ok(reply));
        let exception = Reply::exception(-30100, "Username does not exists");
        assert_eq!(Reply::parse(exception.to_xml().as_bytes()), Ok(exception));
    }

    #[test]
    fn the_exception_has_the_documented_shape() {
        let xml = Reply::exception(-30100, "Username does not exists").to_xml();
        assert_eq!(
            xml,
            "<?xml version='1.0' encoding='UTF-8' ?><teamdrive><apiversion>1.0.005</apiversion><exception>\
             <primarycode>-30100</primarycode><secondarycode></secondarycode><message>Username does not exists</message>\
             </exception></teamdrive>"
        );
    }
}
