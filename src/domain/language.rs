//! Language codes accepted for users.
//!
//! The Registration Server documentation says "ISO 3166 codes", but the values its
//! clients send are two-letter language codes (`de`, `en`, `fr`), so keydesk accepts
//! ISO 639-1 codes, optionally with a region (`en-US`, `pt_BR`), and stores them as
//! `xx` or `xx-YY`.

const ISO_639_1: &str = "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr \
cs cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu \
hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo \
lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu \
rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt \
tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu";

/// Normalises a language code, or `None` when it is not one.
pub fn normalize_language(text: &str) -> Option<String> {
    let text = text.trim();
    let (lang, region) = match text.find(['-', '_']) {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    };
    let lang = lang.to_ascii_lowercase();
    let known = lang.len() == 2 && ISO_639_1.split(' ').any(|code| code == lang);
    if !known {
        return None;
    }
    match region {
        None => Some(lang),
        Some(r) if r.len() == 2 && r.bytes().all(|b| b.is_ascii_alphabetic()) => {
            Some(format!("{lang}-{}", r.to_ascii_uppercase()))
        }
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::normalize_language;

    #[test]
    fn accepts_language_codes_with_optional_region() {
        assert_eq!(normalize_language("DE").as_deref(), Some("de"));
        assert_eq!(normalize_language("pt_br").as_deref(), Some("pt-BR"));
        for bad in ["", "english", "xx", "e", "en-USA"] {
            assert_eq!(normalize_language(bad), None, "{bad}");
        }
    }
}
