//! Language detection: whatlang's trigram model, reported as ISO 639-1 codes.

use serde::{Deserialize, Serialize};
use whatlang::Lang;

/// A detected language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LanguageGuess {
    /// ISO 639-1 code, e.g. `"en"`; `"nb"` for Norwegian Bokmål, `"zh"` for Mandarin.
    pub code: String,
    /// whatlang's confidence in `[0, 1]`: how far the best language is ahead of the second.
    pub confidence: f32,
    /// whatlang's own judgement that the guess can be trusted (enough text, clear margin).
    pub reliable: bool,
}

/// How much text is read: the trigram vote settles long before this, and news bodies can be
/// long; reading a prefix keeps detection at a constant cost per article.
const MAX_CHARS: usize = 2_000;

/// Detect the language of `text` (title + body works best). `None` for empty text or text
/// with no letters. Never panics.
pub fn detect_language(text: &str) -> Option<LanguageGuess> {
    let end = text
        .char_indices()
        .nth(MAX_CHARS)
        .map_or(text.len(), |(i, _)| i);
    let prefix = text.get(..end).unwrap_or(text);
    let info = whatlang::detect(prefix)?;
    Some(LanguageGuess {
        code: iso639_1(info.lang()).to_string(),
        confidence: info.confidence() as f32,
        reliable: info.is_reliable(),
    })
}

/// ISO 639-1 for every language whatlang 0.18 knows.
pub fn iso639_1(lang: Lang) -> &'static str {
    match lang {
        Lang::Epo => "eo",
        Lang::Eng => "en",
        Lang::Rus => "ru",
        Lang::Cmn => "zh",
        Lang::Spa => "es",
        Lang::Por => "pt",
        Lang::Ita => "it",
        Lang::Ben => "bn",
        Lang::Fra => "fr",
        Lang::Deu => "de",
        Lang::Ukr => "uk",
        Lang::Kat => "ka",
        Lang::Ara => "ar",
        Lang::Hin => "hi",
        Lang::Jpn => "ja",
        Lang::Heb => "he",
        Lang::Yid => "yi",
        Lang::Pol => "pl",
        Lang::Amh => "am",
        Lang::Jav => "jv",
        Lang::Kor => "ko",
        Lang::Nob => "nb",
        Lang::Dan => "da",
        Lang::Swe => "sv",
        Lang::Fin => "fi",
        Lang::Tur => "tr",
        Lang::Nld => "nl",
        Lang::Hun => "hu",
        Lang::Ces => "cs",
        Lang::Ell => "el",
        Lang::Bul => "bg",
        Lang::Bel => "be",
        Lang::Mar => "mr",
        Lang::Kan => "kn",
        Lang::Ron => "ro",
        Lang::Slv => "sl",
        Lang::Hrv => "hr",
        Lang::Srp => "sr",
        Lang::Mkd => "mk",
        Lang::Lit => "lt",
        Lang::Lav => "lv",
        Lang::Est => "et",
        Lang::Tam => "ta",
        Lang::Vie => "vi",
        Lang::Urd => "ur",
        Lang::Tha => "th",
        Lang::Guj => "gu",
        Lang::Uzb => "uz",
        Lang::Pan => "pa",
        Lang::Aze => "az",
        Lang::Ind => "id",
        Lang::Tel => "te",
        Lang::Pes => "fa",
        Lang::Mal => "ml",
        Lang::Ori => "or",
        Lang::Mya => "my",
        Lang::Nep => "ne",
        Lang::Sin => "si",
        Lang::Khm => "km",
        Lang::Tuk => "tk",
        Lang::Aka => "ak",
        Lang::Zul => "zu",
        Lang::Sna => "sn",
        Lang::Afr => "af",
        Lang::Lat => "la",
        Lang::Slk => "sk",
        Lang::Cat => "ca",
        Lang::Tgl => "tl",
        Lang::Hye => "hy",
        Lang::Cym => "cy",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_major_european_languages() {
        let cases = [
            (
                "en",
                "The government announced on Tuesday that it would raise interest rates to fight inflation.",
            ),
            (
                "de",
                "Die Bundesregierung hat am Dienstag angekündigt, die Zinsen zu erhöhen, um die Inflation zu bekämpfen.",
            ),
            (
                "fr",
                "Le gouvernement a annoncé mardi qu'il allait relever les taux d'intérêt pour lutter contre l'inflation.",
            ),
            (
                "es",
                "El gobierno anunció el martes que subiría los tipos de interés para combatir la inflación.",
            ),
            (
                "it",
                "Il governo ha annunciato martedì che alzerà i tassi di interesse per combattere l'inflazione.",
            ),
        ];
        for (code, text) in cases {
            let g = detect_language(text);
            assert_eq!(g.as_ref().map(|g| g.code.as_str()), Some(code), "{text}");
            assert!(g.is_some_and(|g| g.confidence > 0.0 && g.confidence <= 1.0));
        }
    }

    #[test]
    fn empty_and_symbol_text() {
        assert_eq!(detect_language(""), None);
        assert_eq!(detect_language("1234 !!! ..."), None);
    }
}
