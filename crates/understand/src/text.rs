//! Tokenising, stopwords, stemming and term hashing shared by every other module.
//!
//! Two views of a text exist on purpose:
//! - *surface words* (`words`): every alphanumeric run, lower-cased, numbers kept. Used for
//!   fingerprints, where "10 cts" vs "12 cts" must differ.
//! - *content terms* (`Analyzer::terms`): stopwords and numbers dropped, words stemmed per
//!   language. Used for similarity, keywords and topics, where "election"/"elections" must agree.

use std::collections::HashSet;
use std::sync::OnceLock;

use rust_stemmers::{Algorithm, Stemmer};

/// Lower-cased alphanumeric runs of `text`. Apostrophes split words ("Trump's" -> "trump", "s").
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// 64-bit FNV-1a followed by a SplitMix64 finaliser: FNV alone spreads short strings poorly
/// over the high bits, which LSH bands and SimHash read.
pub fn hash_str(s: &str) -> u64 {
    hash_bytes(s.as_bytes(), 0)
}

pub(crate) fn hash_bytes(bytes: &[u8], seed: u64) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    mix64(h)
}

/// SplitMix64 finaliser: a cheap bijective scrambler of 64-bit values.
pub(crate) fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Per-language stopwords and stemmer. Cheap to share: get one with [`Analyzer::for_lang`].
pub struct Analyzer {
    lang: &'static str,
    stemmer: Option<Stemmer>,
    stop: HashSet<&'static str>,
}

impl Analyzer {
    /// The analyzer for an ISO 639-1 code; unknown codes get the English stopwords (news in
    /// unsupported languages still quotes English names) and no stemming.
    pub fn for_lang(code: &str) -> &'static Analyzer {
        static CACHE: OnceLock<Vec<Analyzer>> = OnceLock::new();
        let all = CACHE.get_or_init(|| {
            SUPPORTED
                .iter()
                .map(|(code, algo, stop)| Analyzer {
                    lang: code,
                    stemmer: algo.map(Stemmer::create),
                    stop: stop
                        .split_whitespace()
                        .chain(NEWS_STOP.split_whitespace())
                        .collect(),
                })
                .collect()
        });
        let pick = all.iter().find(|a| a.lang == code);
        // `all` is built from a non-empty constant, so `first()` always exists; fall back to a
        // fresh English analyzer only to avoid a panic path.
        match pick.or_else(|| all.first()) {
            Some(a) => a,
            None => english_fallback(),
        }
    }

    /// ISO 639-1 code this analyzer serves.
    pub fn lang(&self) -> &'static str {
        self.lang
    }

    /// Whether a lower-cased word is a stopword in this language (or a news filler word).
    pub fn is_stop(&self, word: &str) -> bool {
        self.stop.contains(word)
    }

    /// Stem a lower-cased word (identity for languages without a stemmer).
    pub fn stem(&self, word: &str) -> String {
        match &self.stemmer {
            Some(s) => s.stem(word).into_owned(),
            None => word.to_string(),
        }
    }

    /// Content terms of `text` as `(stem, surface word)`: stopwords, 1-letter words and tokens
    /// with digits dropped.
    pub fn terms<'a>(&'a self, text: &'a str) -> impl Iterator<Item = (String, String)> + 'a {
        words(text).filter_map(move |w| {
            if w.chars().count() < 2 || w.chars().any(|c| c.is_numeric()) || self.is_stop(&w) {
                return None;
            }
            let s = self.stem(&w);
            if s.is_empty() || self.is_stop(&s) {
                return None;
            }
            Some((s, w))
        })
    }
}

fn english_fallback() -> &'static Analyzer {
    static EN: OnceLock<Analyzer> = OnceLock::new();
    EN.get_or_init(|| Analyzer {
        lang: "en",
        stemmer: Some(Stemmer::create(Algorithm::English)),
        stop: EN_STOP.split_whitespace().collect(),
    })
}

/// Languages with stopword lists, and their Snowball stemmer.
const SUPPORTED: &[(&str, Option<Algorithm>, &str)] = &[
    ("en", Some(Algorithm::English), EN_STOP),
    ("de", Some(Algorithm::German), DE_STOP),
    ("fr", Some(Algorithm::French), FR_STOP),
    ("es", Some(Algorithm::Spanish), ES_STOP),
    ("it", Some(Algorithm::Italian), IT_STOP),
    ("pt", Some(Algorithm::Portuguese), PT_STOP),
    ("nl", Some(Algorithm::Dutch), NL_STOP),
    ("sv", Some(Algorithm::Swedish), SV_STOP),
    ("da", Some(Algorithm::Danish), DA_STOP),
    ("nb", Some(Algorithm::Norwegian), NB_STOP),
    ("fi", Some(Algorithm::Finnish), ""),
    ("ro", Some(Algorithm::Romanian), ""),
    ("hu", Some(Algorithm::Hungarian), ""),
    ("ru", Some(Algorithm::Russian), ""),
    ("tr", Some(Algorithm::Turkish), ""),
    ("el", Some(Algorithm::Greek), ""),
    ("ar", Some(Algorithm::Arabic), ""),
];

/// Words that fill news copy in any language and never say what a story is about.
/// Hand-written; the Reuters shorthand "mln"/"dlrs"/"pct" is deliberately not here.
const NEWS_STOP: &str = "said says say saying told tell according also would could
    should may might must can will just like one two three new year years last first
    week month day today yesterday tomorrow mr mrs ms dr per cent percent via";

const EN_STOP: &str = "a about above after again against all am an and any are aren as at be
    because been before being below between both but by cannot did didn do does doesn doing don
    down during each few for from further had hadn has hasn have haven having he her here hers
    herself him himself his how i if in into is isn it its itself let me more most mustn my myself
    no nor not of off on once only or other ought our ours ourselves out over own same shan she
    so some such than that the their theirs them themselves then there these they this those
    through to too under until up very was wasn we were weren what when where which while who
    whom why with won wouldn you your yours yourself yourselves s t ll ve re d m
    monday tuesday wednesday thursday friday saturday sunday january february march april june
    july august september october november december jan feb mar apr jun jul aug sep sept oct
    nov dec since however many much now well even still back way get got make made take took
    us u since within without whether another around among told us";

const DE_STOP: &str = "aber alle allem allen aller alles als also am an ander andere anderem
    anderen anderer anderes anderm andern anderr anders auch auf aus bei bin bis bist da damit
    dann der den des dem die das dass daß derselbe derselben denselben desselben demselben
    dieselbe dieselben dasselbe dazu dein deine deinem deinen deiner deines denn derer dessen
    dich dir du dies diese diesem diesen dieser dieses doch dort durch ein eine einem einen einer
    eines einig einige einigem einigen einiger einiges einmal er ihn ihm es etwas euer eure eurem
    euren eurer eures für gegen gewesen hab habe haben hat hatte hatten hier hin hinter ich mich
    mir ihr ihre ihrem ihren ihrer ihres euch im in indem ins ist jede jedem jeden jeder jedes
    jene jenem jenen jener jenes jetzt kann kein keine keinem keinen keiner keines können könnte
    machen man manche manchem manchen mancher manches mein meine meinem meinen meiner meines mit
    muss musste nach nicht nichts noch nun nur ob oder ohne sehr sein seine seinem seinen seiner
    seines selbst sich sie ihnen sind so solche solchem solchen solcher solches soll sollte
    sondern sonst über um und uns unsere unserem unseren unser unseres unter viel vom von vor
    während war waren warst was weg weil weiter welche welchem welchen welcher welches wenn werde
    werden wie wieder will wir wird wirst wo wollen wollte würde würden zu zum zur zwar zwischen
    sagte sagt laut jahr jahren prozent";

const FR_STOP: &str = "au aux avec ce ces dans de des du elle en et eux il ils je la le les
    leur lui ma mais me même mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses
    son sur ta te tes toi ton tu un une vos votre vous c d j l à m n s t y été étée étées étés
    étant suis es est sommes êtes sont serai seras sera serons serez seront serais serait
    serions seriez seraient étais était étions étiez étaient fus fut fûmes fûtes furent sois
    soit soyons soyez soient fusse fusses fût fussions fussiez fussent ayant eu eue eues eus ai
    as avons avez ont aurai auras aura aurons aurez auront aurais aurait aurions auriez auraient
    avais avait avions aviez avaient eut eûmes eûtes eurent aie aies ait ayons ayez aient ceci
    cela celà cet cette ici ils les leurs quel quels quelle quelles sans soi plus aussi selon
    après avant entre contre dont où comme tout tous toute toutes très déjà encore lors depuis
    a dit selon an ans";

const ES_STOP: &str = "de la que el en y a los del se las por un para con no una su al lo
    como más pero sus le ya o este sí porque esta entre cuando muy sin sobre también me hasta hay
    donde quien desde todo nos durante todos uno les ni contra otros ese eso ante ellos e esto mí
    antes algunos qué unos yo otro otras otra él tanto esa estos mucho quienes nada muchos cual
    poco ella estar estas algunas algo nosotros mi mis tú te ti tu tus ellas nosotras vosotros
    vosotras os mío mía míos mías tuyo tuya tuyos tuyas suyo suya suyos suyas nuestro nuestra
    nuestros nuestras vuestro vuestra vuestros vuestras esos esas estoy estás está estamos
    estáis están ha han he has hemos habéis fue fueron era eran ser es son sido será serán dijo
    según año años tras";

const IT_STOP: &str = "ad al allo ai agli all agl alla alle con col coi da dal dallo dai dagli
    dall dagl dalla dalle di del dello dei degli dell degl della delle in nel nello nei negli nell
    negl nella nelle su sul sullo sui sugli sull sugl sulla sulle per tra contro io tu lui lei
    noi voi loro mio mia miei mie tuo tua tuoi tue suo sua suoi sue nostro nostra nostri nostre
    vostro vostra vostri vostre mi ti ci vi lo la li le gli ne il un uno una ma ed se perché
    anche come dov dove che chi cui non più quale quanto quanti quanta quante quello quelli
    quella quelle questo questi questa queste si tutto tutti a c e i l o ho hai ha abbiamo avete
    hanno è sono era erano stato stata essere fa fatto dopo prima già ancora detto secondo anno
    anni";

const PT_STOP: &str = "de a o que e do da em um para é com não uma os no se na por mais as dos
    como mas foi ao ele das tem à seu sua ou ser quando muito há nos já está eu também só pelo
    pela até isso ela entre era depois sem mesmo aos ter seus quem nas me esse eles estão você
    tinha foram essa num nem suas meu às minha têm numa pelos elas havia seja qual será nós
    tenho lhe deles essas esses pelas este fosse dele tu te vocês vos lhes meus minhas teu tua
    teus tuas nosso nossa nossos nossas dela delas esta estes estas aquele aquela aqueles aquelas
    isto aquilo disse segundo ano anos sobre";

const NL_STOP: &str = "de en van ik te dat die in een hij het niet zijn is was op aan met als
    voor had er maar om hem dan zou of wat mijn men dit zo door over ze zich bij ook tot je mij
    uit der daar haar naar heb hoe heeft hebben deze u want nog zal me zij nu ge geen omdat iets
    worden toch al waren veel meer doen toen moet ben zonder kan hun dus alles onder ja eens hier
    wie werd altijd doch wordt wezen kunnen ons zelf tegen na reeds wil kon niets uw iemand geweest
    andere zei volgens jaar procent";

const SV_STOP: &str = "och det att i en jag hon som han på den med var sig för så till är men
    ett om hade de av icke mig du henne då sin nu har inte hans honom skulle hennes där min man
    ej vid kunde något från ut när efter upp vi dem vara vad över än dig kan sina här ha mot alla
    under någon eller allt mycket sedan ju denna själv detta åt utan varit hur ingen mitt ni bli
    blev oss din dessa några deras blir mina samma vilken er sådan vår blivit dess inom mellan
    sådant varför varje vilka ditt vem vilket sitta sådana vart dina vars vårt våra ert era
    vilkas sade enligt år";

const DA_STOP: &str = "og i jeg det at en den til er som på de med han af for ikke der var mig
    sig men et har om vi min havde ham hun nu over da fra du ud sin dem os op man hans hvor eller
    hvad skal selv her alle vil blev kunne ind når være dog noget ville jo deres efter ned skulle
    denne end dette mit også under have dig anden hende mine alt meget sit sine vor mod disse
    hvis din nogle hos blive mange ad bliver hendes været thi jer sådan sagde ifølge år";

const NB_STOP: &str = "og i jeg det at en et den til er som på de med han av ikke der så var
    meg seg men ett har om vi min mitt ha hadde hun nå over da ved fra du ut sin dem oss opp man
    kan hans hvor eller hva skal selv sjøl her alle vil bli ble blitt kunne inn når være kom noen
    noe ville dere som deres kun ja etter ned skulle denne for deg si sine sitt mot å meget hvorfor
    dette disse uten hvordan ingen din ditt blir samme hvilken hvilke sånn inni mellom vår hver
    hvem vors hvis både bare enn fordi før mange også slik vært sa ifølge år";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_lowercase_and_split_on_punctuation() {
        let w: Vec<String> = words("Trump's U.S. plan: 10 cts, Zürich!").collect();
        assert_eq!(w, ["trump", "s", "u", "s", "plan", "10", "cts", "zürich"]);
    }

    #[test]
    fn english_terms_drop_stopwords_and_numbers_and_stem() {
        let a = Analyzer::for_lang("en");
        let t: Vec<String> = a
            .terms("The elections were held in 2016, said officials.")
            .map(|(s, _)| s)
            .collect();
        assert_eq!(t, ["elect", "held", "offici"]);
    }

    #[test]
    fn german_and_unknown_languages() {
        let de = Analyzer::for_lang("de");
        assert_eq!(de.lang(), "de");
        assert!(de.is_stop("und"));
        assert_eq!(de.stem("wahlen"), "wahl");
        // Unknown language: English stopwords, still no panic.
        assert_eq!(Analyzer::for_lang("xx").lang(), "en");
    }

    #[test]
    fn hash_is_stable_and_spreads() {
        assert_eq!(hash_str("abc"), hash_str("abc"));
        assert_ne!(hash_str("abc"), hash_str("abd"));
        // High bits differ for near-identical inputs (bands read them).
        assert_ne!(hash_str("a1") >> 48, hash_str("a2") >> 48);
    }
}
