//! Detects CSS rule blocks and JavaScript in text that should be prose. Used as a
//! final guard on output paragraphs and by the WCXB robustness test.

/// True when `s` looks like CSS rules or script code rather than prose.
pub fn looks_like_code(s: &str) -> bool {
    // Both detectors need braces or statement punctuation: most prose has neither.
    if !s.bytes().any(|b| b == b'{' || b == b';') {
        return false;
    }
    css_rules(s) || javascript(s)
}

/// `selector { prop: value; }` blocks, e.g.
/// `.mediaplayer { min-height: 150px; } .jwplayer .jw-controls { display: none; }`.
pub fn css_rules(s: &str) -> bool {
    let mut rules = 0;
    let mut rest = s;
    // Innermost blocks first: the first `}` and the last `{` before it, so rules
    // nested in @media still count.
    while let Some(close) = rest.find('}') {
        let Some(open) = rest.get(..close).and_then(|r| r.rfind('{')) else {
            rest = rest.get(close + 1..).unwrap_or("");
            continue;
        };
        let inner = rest.get(open + 1..close).unwrap_or("");
        let before = rest.get(..open).unwrap_or("");
        let selector = before
            .rsplit(['}', ';', '\n', '{'])
            .next()
            .unwrap_or("")
            .trim();
        let decls: Vec<&str> = inner
            .split(';')
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .collect();
        let decl_ok = !decls.is_empty()
            && decls.iter().all(|d| {
                d.split_once(':').is_some_and(|(p, v)| {
                    let p = p.trim();
                    let v = v.trim();
                    // CSS property names are 3+ letters; values hold no further
                    // `name:` pairs (that is an object literal) except inside url().
                    p.len() >= 3
                        && p.len() <= 40
                        && p.chars().all(|c| c.is_ascii_lowercase() || c == '-')
                        && !v.is_empty()
                        && (!v.contains(':') || v.contains("url(") || v.contains("//"))
                })
            });
        let sel_ok = !selector.is_empty()
            && selector.len() <= 200
            && !selector.ends_with('(')
            && (!selector.contains('=') || selector.contains('['))
            && selector
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || " .#-_>:,*[]=\"'()+~@%".contains(c));
        if decl_ok && sel_ok {
            rules += 1;
        }
        rest = rest.get(close + 1..).unwrap_or("");
    }
    rules >= 1 && (rules >= 2 || s.len() < 400)
}

/// Statements of script code: several JS keywords/operators in a short span.
pub fn javascript(s: &str) -> bool {
    const MARKS: &[&str] = &[
        "function(",
        "function (",
        "=>",
        "var ",
        "let ",
        "const ",
        "document.",
        "window.",
        "});",
        "return ",
        "!==",
        "===",
        "typeof ",
        ".push(",
        "addEventListener",
        "getElementById",
        "querySelector",
        "dataLayer",
        "googletag",
    ];
    let hits: usize = MARKS.iter().map(|m| s.matches(m).count()).sum();
    let punct = s
        .chars()
        .filter(|c| matches!(c, '{' | '}' | ';' | '(' | ')' | '='))
        .count();
    let n = s.chars().count().max(1);
    hits >= 3 && (punct as f32 / n as f32) > 0.04
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catches_the_leak_that_inspired_us() {
        let leak = ".mediaplayer { min-height: 150px; } .jwplayer .jw-controls .jw-controlbar { display: none; }";
        assert!(looks_like_code(leak));
        assert!(css_rules(
            "@media (max-width: 600px) { .a { color: red; } }"
        ));
    }

    #[test]
    fn catches_script() {
        let js = "window.dataLayer = window.dataLayer || []; function gtag(){dataLayer.push(arguments);} gtag('js', new Date());";
        assert!(looks_like_code(js));
        let js2 = "(function() { var s = document.createElement('script'); s.src = 'x.js'; document.body.appendChild(s); })();";
        assert!(looks_like_code(js2));
    }

    #[test]
    fn prose_is_not_code() {
        let prose = "The council met on Tuesday (the first time since May) and agreed: taxes stay; fees rise. \
                     Critics said the plan {as drafted} was vague.";
        assert!(!looks_like_code(prose));
        assert!(!looks_like_code(
            "Let me explain why the function of the heart matters to you."
        ));
    }
}
