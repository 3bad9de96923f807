//! Realistic syndication perturbations: the same article as a different site's page would
//! yield after extraction (navigation text, a different lead-in, bylines, wire credits,
//! share/footer lines, light copy edits, truncation). Deterministic by `k`.
#![allow(dead_code, clippy::indexing_slicing)]

pub const SITE_NAMES: &[&str] = &[
    "Daily Courier",
    "The Evening Herald",
    "NewsNow 24",
    "Metro Wire",
    "Global Times Online",
];

const NAVS: &[&str] = &[
    "Home | News | World | UK | Business | Politics | Tech | Science | Health | Sport | Entertainment | Video | Live",
    "Menu Search Sign in Subscribe News Sport Weather Opinion Culture Lifestyle More",
    "Skip to main content Accessibility help Home News Sport Reel Worklife Travel Future Culture Music TV",
];
const LEADS: &[&str] = &[
    "By Jane Smith, Reuters",
    "WASHINGTON (Reuters) -",
    "Staff and agencies",
    "From our correspondent in Brussels. Updated 14:32 GMT",
    "(AP) -",
];
const FOOTERS: &[&str] = &[
    "Reporting by John Doe; Additional reporting by Ann Lee; Editing by Mark Potter",
    "Share this article: Facebook Twitter WhatsApp Email Copy link",
    "Read more: Markets close higher as investors weigh central bank outlook",
    "Copyright 2017 The Associated Press. All rights reserved. This material may not be published, broadcast, rewritten or redistributed.",
    "Follow us on Twitter and Instagram for the latest updates. Sign up for our daily newsletter.",
];

/// Word-level copy edits a syndicating desk makes: "said" -> "says", curly quotes, one
/// sentence dropped in the middle.
fn light_edits(body: &str) -> String {
    let mut s = body.replace(" said ", " says ").replace('"', "\u{201c}");
    let sentences: Vec<&str> = s.split_inclusive(". ").collect();
    if sentences.len() > 6 {
        let mid = sentences.len() / 2;
        s = sentences
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != mid)
            .map(|(_, x)| *x)
            .collect();
    }
    s
}

/// The first ~75% of the sentences, then a "continue reading" teaser link.
fn truncate(body: &str) -> String {
    let sentences: Vec<&str> = body.split_inclusive(". ").collect();
    let keep = (sentences.len() * 3 / 4).max(1);
    let mut s: String = sentences.iter().take(keep).copied().collect();
    s.push_str("\n\nContinue reading the full story on our partner site.");
    s
}

/// Names of the perturbation kinds, in the order `syndicate` cycles through them.
pub const KINDS: &[&str] = &[
    "nav+footer",
    "lead-in+byline",
    "wire credits+share",
    "light edits",
    "truncated 75%",
    "all combined",
];

/// A syndicated copy of `body`, perturbation kind `k % KINDS.len()`.
pub fn syndicate(body: &str, k: usize) -> String {
    let nav = NAVS[k % NAVS.len()];
    let lead = LEADS[k % LEADS.len()];
    let foot = FOOTERS[k % FOOTERS.len()];
    let foot2 = FOOTERS[(k + 2) % FOOTERS.len()];
    match k % KINDS.len() {
        0 => format!("{nav}\n\n{body}\n\n{foot}\n\n{foot2}"),
        1 => format!("{lead}\n\n{lead} {body}"),
        2 => format!("{body}\n\n{foot}\n\n{foot2}"),
        3 => light_edits(body),
        4 => truncate(body),
        _ => format!(
            "{nav}\n\n{lead}\n\n{}\n\n{foot}\n\n{foot2}",
            light_edits(body)
        ),
    }
}
