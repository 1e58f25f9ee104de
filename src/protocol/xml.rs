//! A small element tree over quick-xml: enough for the Registration Server's flat
//! documents, with limits so that hostile input cannot exhaust memory or the stack.

use quick_xml::Reader;
use quick_xml::events::Event;

/// One element: its local name, its text, and its child elements.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    pub name: String,
    pub text: String,
    pub children: Vec<Element>,
}

/// Why a document was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    #[error("the body is not well-formed XML: {0}")]
    Malformed(String),
    #[error("the document has no root element")]
    Empty,
    #[error("the document nests deeper than {MAX_DEPTH} levels")]
    TooDeep,
    #[error("the document has more than {MAX_ELEMENTS} elements")]
    TooManyElements,
    #[error("document type declarations are not accepted")]
    DocType,
}

pub const MAX_DEPTH: usize = 16;
pub const MAX_ELEMENTS: usize = 10_000;

impl Element {
    pub fn new(name: &str) -> Self {
        Self { name: name.to_owned(), ..Self::default() }
    }

    /// The first child with this name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The text of the first child with this name.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.as_str())
    }

    /// The children serialised back to XML (for values kept as sent, like a depot file).
    pub fn inner_xml(&self) -> String {
        let mut out = XmlWriter::default();
        for child in &self.children {
            child.write_to(&mut out);
        }
        if self.children.is_empty() {
            out.text(&self.text);
        }
        out.finish()
    }

    fn write_to(&self, out: &mut XmlWriter) {
        if self.children.is_empty() {
            out.leaf(&self.name, &self.text);
        } else {
            out.open(&self.name);
            for child in &self.children {
                child.write_to(out);
            }
            out.close(&self.name);
        }
    }
}

fn malformed(e: impl std::fmt::Display) -> XmlError {
    XmlError::Malformed(e.to_string())
}

fn predefined_entity(name: &str) -> Option<char> {
    match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "apos" => Some('\''),
        "quot" => Some('"'),
        _ => None,
    }
}

/// Parses a document into its root element.
pub fn parse(bytes: &[u8]) -> Result<Element, XmlError> {
    // Leaf text is kept exactly (a password may start or end with a space); the white
    // space that indents child elements is dropped when their parent closes.
    let mut reader = Reader::from_reader(bytes);
    let mut stack: Vec<Element> = Vec::new();
    let mut root = None;
    let mut count = 0usize;
    let mut buf = Vec::new();
    loop {
        let event = reader.read_event_into(&mut buf).map_err(malformed)?;
        match event {
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return Err(XmlError::Malformed("content after the root element".into()));
            }
            Event::Start(start) => {
                count += 1;
                if stack.len() >= MAX_DEPTH {
                    return Err(XmlError::TooDeep);
                }
                if count > MAX_ELEMENTS {
                    return Err(XmlError::TooManyElements);
                }
                let name = AsRef::<str>::as_ref(&start.local_name()).to_owned();
                stack.push(Element { name, ..Element::default() });
            }
            Event::Empty(start) => {
                count += 1;
                if count > MAX_ELEMENTS {
                    return Err(XmlError::TooManyElements);
                }
                let name = AsRef::<str>::as_ref(&start.local_name()).to_owned();
                let element = Element { name, ..Element::default() };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(element),
                    None => root = Some(element),
                }
            }
            Event::End(_) => {
                let mut done = stack.pop().ok_or_else(|| XmlError::Malformed("unbalanced end tag".into()))?;
                if !done.children.is_empty() {
                    done.text = done.text.trim().to_owned();
                }
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => root = Some(done),
                }
            }
            Event::Text(text) => match stack.last_mut() {
                Some(current) => current.text.push_str(&text.xml10_content()),
                None if text.trim().is_empty() => {}
                None => return Err(XmlError::Malformed("text outside the root element".into())),
            },
            Event::CData(data) => {
                let text = data.xml10_content().into_owned();
                match stack.last_mut() {
                    Some(current) => current.text.push_str(&text),
                    None => return Err(XmlError::Malformed("CDATA outside the root element".into())),
                }
            }
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref().map_err(malformed)? {
                    Some(c) => c,
                    None => predefined_entity(&reference)
                        .ok_or_else(|| XmlError::Malformed(format!("unknown entity &{};", &*reference)))?,
                };
                match stack.last_mut() {
                    Some(current) => current.text.push(resolved),
                    None => return Err(XmlError::Malformed("reference outside the root element".into())),
                }
            }
            Event::DocType(_) => return Err(XmlError::DocType),
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
        buf.clear();
    }
    if !stack.is_empty() {
        return Err(XmlError::Malformed("the document ends inside an element".into()));
    }
    root.ok_or(XmlError::Empty)
}

/// Writes compact XML with escaped text.
#[derive(Debug, Default)]
pub struct XmlWriter {
    out: String,
}

impl XmlWriter {
    /// A document with the declaration the Registration Server documentation shows.
    pub fn document() -> Self {
        Self { out: "<?xml version='1.0' encoding='UTF-8' ?>".to_owned() }
    }

    pub fn open(&mut self, tag: &str) -> &mut Self {
        self.out.push('<');
        self.out.push_str(tag);
        self.out.push('>');
        self
    }

    pub fn close(&mut self, tag: &str) -> &mut Self {
        self.out.push_str("</");
        self.out.push_str(tag);
        self.out.push('>');
        self
    }

    pub fn text(&mut self, text: &str) -> &mut Self {
        self.out.push_str(&quick_xml::escape::escape(text));
        self
    }

    /// `<tag>text</tag>`.
    pub fn leaf(&mut self, tag: &str, text: &str) -> &mut Self {
        self.open(tag).text(text).close(tag)
    }

    /// Inserts XML that is already well-formed (a depot file kept as received).
    pub fn raw(&mut self, xml: &str) -> &mut Self {
        self.out.push_str(xml);
        self
    }

    pub fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_text_entities_and_nesting() {
        let root =
            parse(b"<?xml version='1.0'?>\n<a>\n  <b>x &amp; &#65;</b><c/><d><e> 1 </e></d>\n</a>\n").expect("parse");
        assert_eq!(root.child_text("b"), Some("x & A"));
        assert_eq!(root.child_text("c"), Some(""));
        assert_eq!(root.child("d").and_then(|d| d.child_text("e")), Some(" 1 "));
        assert_eq!(root.child("d").map(Element::inner_xml).as_deref(), Some("<e> 1 </e>"));
        assert_eq!(root.text, "");
    }

    #[test]
    fn refuses_broken_and_hostile_documents() {
        assert!(matches!(parse(b"<a><b></a>"), Err(XmlError::Malformed(_))));
        assert!(matches!(parse(b""), Err(XmlError::Empty)));
        assert!(matches!(parse(b"<a>&ext;</a>"), Err(XmlError::Malformed(_))));
        assert_eq!(parse(b"<!DOCTYPE a [<!ENTITY x 'y'>]><a/>"), Err(XmlError::DocType));
        let deep = "<a>".repeat(40) + &"</a>".repeat(40);
        assert_eq!(parse(deep.as_bytes()), Err(XmlError::TooDeep));
        assert!(matches!(parse(b"<a/><b/>"), Err(XmlError::Malformed(_))));
        // Wide rather than deep: the element count is capped, empty and full elements alike.
        let wide = |n: usize, element: &str| format!("<a>{}</a>", element.repeat(n));
        assert!(parse(wide(MAX_ELEMENTS - 1, "<b/>").as_bytes()).is_ok());
        assert_eq!(parse(wide(MAX_ELEMENTS, "<b/>").as_bytes()), Err(XmlError::TooManyElements));
        assert_eq!(parse(wide(MAX_ELEMENTS, "<b>x</b>").as_bytes()), Err(XmlError::TooManyElements));
    }

    #[test]
    fn writer_escapes_text() {
        let mut w = XmlWriter::default();
        w.leaf("m", "a<b & 'c'");
        assert_eq!(w.finish(), "<m>a&lt;b &amp; &apos;c&apos;</m>");
    }
}
