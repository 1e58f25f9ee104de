//! The response envelope of the license key API:
//! `{"response":{code,message,…,timestamp},"response_base64":…,"private_key_used":…,"signature":…}`.
//!
//! The JSON is written as PHP's `json_encode` writes it with default flags (`/` escaped
//! as `\/`, non-ASCII as `\uXXXX`), because clients compare and verify those exact bytes:
//! the signature is RSA-2048 PKCS#1 v1.5 over SHA-256 of the string inside `response_base64`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value};

use super::codes::Code;

/// Which key signed a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyUsed {
    Global,
    Product,
}

impl KeyUsed {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Global => "global",
            Self::Product => "product",
        }
    }
}

/// Signs response bytes; `None` means no key is configured ("Private key not set").
pub trait Signer {
    fn sign(&self, message: &[u8]) -> Option<Vec<u8>>;
}

/// The literal the server sends in place of a signature when it has no key.
pub const NO_KEY: &str = "Private key not set";

/// A response under construction: code and message first, then the extras, then the timestamp.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    code: Code,
    fields: Map<String, Value>,
}

impl Response {
    pub fn new(code: Code) -> Self {
        let mut fields = Map::new();
        fields.insert("code".into(), Value::from(code.number()));
        fields.insert("message".into(), Value::from(code.message()));
        Self { code, fields }
    }

    pub fn code(&self) -> Code {
        self.code
    }

    /// Deactivation success is sent with `"code":"400"`, a string, as the original server does.
    pub fn with_string_code(mut self) -> Self {
        if let Some(code) = self.fields.get("code").and_then(Value::as_u64) {
            self.fields.insert("code".into(), Value::from(code.to_string()));
        }
        self
    }

    /// Adds an extra field after the ones already there.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.fields.insert(key.into(), value.into());
        self
    }

    /// The response object with its timestamp, as sent.
    pub fn finish(mut self, timestamp: i64) -> Value {
        self.fields.insert("timestamp".into(), Value::from(timestamp));
        Value::Object(self.fields)
    }
}

/// JSON exactly as PHP `json_encode($value)` writes it.
pub fn php_json(value: &Value) -> String {
    let plain = value.to_string();
    let mut out = String::with_capacity(plain.len() + 16);
    for c in plain.chars() {
        match c {
            // Outside strings JSON has no '/' and no non-ASCII, so escaping every one is safe.
            '/' => out.push_str("\\/"),
            c if c.is_ascii() => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out
}

/// The whole body: the response, its base64, which key signed it, and the signature.
pub fn render(response: Value, key_used: KeyUsed, signer: Option<&dyn Signer>) -> String {
    let json = php_json(&response);
    let signature = signer.and_then(|s| s.sign(json.as_bytes())).map(|sig| STANDARD.encode(sig));
    let mut body = Map::new();
    body.insert("response".into(), response);
    body.insert("response_base64".into(), Value::from(STANDARD.encode(json.as_bytes())));
    body.insert("private_key_used".into(), Value::from(key_used.as_str()));
    body.insert("signature".into(), Value::from(signature.unwrap_or_else(|| NO_KEY.to_owned())));
    php_json(&Value::Object(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_written_as_php_writes_it() {
        let value = Response::new(Code::NoActivation).with("url", "https://a/b").with("name", "Jürgen €").finish(7);
        assert_eq!(
            php_json(&value),
            r#"{"code":202,"message":"No activation found for this license key\/identifier combination","url":"https:\/\/a\/b","name":"J\u00fcrgen \u20ac","timestamp":7}"#
        );
        let emoji = php_json(&Value::from("😀"));
        assert_eq!(emoji, r#""\ud83d\ude00""#);
    }

    #[test]
    fn deactivation_code_is_a_string() {
        let value = Response::new(Code::Deactivated).with_string_code().finish(1);
        assert_eq!(php_json(&value), r#"{"code":"400","message":"License key deactivated","timestamp":1}"#);
    }

    #[test]
    fn unsigned_bodies_say_so_and_base64_decodes_to_the_response() {
        let body = render(Response::new(Code::ValidKey).finish(5), KeyUsed::Global, None);
        let parsed: Value = serde_json::from_str(&body).expect("json");
        assert_eq!(parsed["signature"], NO_KEY);
        assert_eq!(parsed["private_key_used"], "global");
        let decoded = STANDARD.decode(parsed["response_base64"].as_str().expect("b64")).expect("decode");
        assert_eq!(String::from_utf8(decoded).expect("utf8"), php_json(&parsed["response"]));
    }
}
