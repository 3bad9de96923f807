//! Topics (site sections) for every article, by a transparent cascade:
//! 1. the publisher's own labels: feed categories, then URL path sections (`/sport/`,
//!    `/politics/`); publishers know their sections better than any model;
//! 2. otherwise a hand-written keyword lexicon (ours, written for this crate; no corpus-derived
//!    weights are shipped);
//! 3. otherwise `World`, the general news section, so every article has one.
//!
//! [`LinearModel`] is a small one-vs-rest linear classifier (averaged passive-aggressive) over
//! term vectors. It is what the Reuters-21578 benchmark trains at run time; the product ships
//! no trained weights. A deployment may train it on its own articles labelled by step 1.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use tidings_core::Topic;

use crate::text::{Analyzer, hash_str};
use crate::vector::TermVector;

/// Where a topic came from, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TopicSource {
    Feed,
    Url,
    Lexicon,
    Default,
}

/// At most this many topics per article: a section page should not list everything twice.
pub const MAX_TOPICS: usize = 2;

/// Map one section word (a feed category or URL path segment) to a topic.
pub fn topic_for_section(section: &str) -> Option<Topic> {
    let s = section.trim().to_lowercase().replace(['_', ' '], "-");
    let s = s.as_str();
    let t = match s {
        "sport" | "sports" | "football" | "soccer" | "tennis" | "cricket" | "golf" | "rugby"
        | "nba" | "nfl" | "nhl" | "mlb" | "formula1" | "f1" | "cycling" | "athletics"
        | "olympics" | "boxing" | "motorsport" | "baseball" | "basketball" | "hockey"
        | "sport-news" | "deporte" | "deportes" | "sportif" | "calcio" => Topic::Sports,
        "politics" | "politik" | "politique" | "politica" | "política" | "elections"
        | "election" | "us-politics" | "uk-politics" | "government" | "congress"
        | "white-house" | "brexit" => Topic::Politics,
        "business" | "economy" | "economics" | "money" | "markets" | "market" | "finance"
        | "companies" | "wirtschaft" | "economie" | "économie" | "economia" | "economía"
        | "business-news" | "personal-finance" | "industry" | "trade" | "biz" | "energy" => {
            Topic::Business
        }
        "tech" | "technology" | "technik" | "digital" | "internet" | "gadgets" | "cyber"
        | "innovation" | "techno" | "tecnologia" | "tecnología" | "it" | "science-tech"
        | "sci-tech" | "scitech" => Topic::Technology,
        "science"
        | "environment"
        | "space"
        | "climate"
        | "wissenschaft"
        | "sciences"
        | "ciencia"
        | "scienza"
        | "nature"
        | "science-environment"
        | "earth" => Topic::Science,
        "health" | "wellness" | "medicine" | "gesundheit" | "sante" | "santé" | "salud"
        | "salute" | "healthcare" | "fitness" | "coronavirus" | "nutrition" => Topic::Health,
        "entertainment" | "arts" | "culture" | "showbiz" | "movies" | "film" | "films"
        | "music" | "celebrity" | "celebrities" | "tv" | "television" | "books" | "kultur"
        | "lifestyle" | "life" | "style" | "fashion" | "entertainment-arts" | "media"
        | "theatre" | "gaming" => Topic::Entertainment,
        "world" | "international" | "europe" | "asia" | "africa" | "americas" | "middle-east"
        | "middleeast" | "asia-pacific" | "latin-america" | "world-news" | "welt" | "monde"
        | "mundo" | "esteri" | "global" | "foreign" | "australia" | "china" | "india" => {
            Topic::World
        }
        _ => return None,
    };
    Some(t)
}

/// Topics named by feed categories (`<category>` in RSS/Atom). Multi-word categories are read
/// word by word ("US Politics" -> politics).
pub fn topics_from_categories(categories: &[String]) -> Vec<Topic> {
    let mut out = Vec::new();
    for c in categories {
        let hit = topic_for_section(c).or_else(|| {
            c.split(|ch: char| !ch.is_alphanumeric())
                .find_map(topic_for_section)
        });
        if let Some(t) = hit
            && !out.contains(&t)
        {
            out.push(t);
        }
    }
    out.truncate(MAX_TOPICS);
    out
}

/// Topics named by URL path sections: `https://www.bbc.co.uk/sport/football/123` -> Sports.
/// Only the path is read (never the host), and only segments that look like section names
/// (no digits, no long slugs), so an article slug mentioning "sport" does not count.
pub fn topics_from_url(url: &str) -> Vec<Topic> {
    let after_scheme = url.split_once("://").map_or(url, |(_, r)| r);
    let path = after_scheme.split_once('/').map_or("", |(_, p)| p);
    let path = path.split(['?', '#']).next().unwrap_or("");
    let mut out = Vec::new();
    // A section is one of the first segments; deep segments are article slugs.
    for seg in path.split('/').filter(|s| !s.is_empty()).take(3) {
        if seg.chars().any(|c| c.is_ascii_digit()) || seg.len() > 24 {
            continue;
        }
        // bbc.co.uk/news/business-12345 style: the slug prefix before the id is the section.
        let t = topic_for_section(seg).or_else(|| {
            seg.split_once('-')
                .and_then(|(head, _)| topic_for_section(head))
        });
        if let Some(t) = t
            && !out.contains(&t)
        {
            out.push(t);
        }
    }
    // "bbc.co.uk/news/business-38976420": the digits rule above skipped it; read its prefix.
    if out.is_empty() {
        for seg in path.split('/').filter(|s| !s.is_empty()).take(3) {
            if let Some((head, tail)) = seg.split_once('-')
                && tail.chars().all(|c| c.is_ascii_digit())
                && let Some(t) = topic_for_section(head)
                && !out.contains(&t)
            {
                out.push(t);
            }
        }
    }
    out.truncate(MAX_TOPICS);
    out
}

/// Hand-written lexicon: English words that signal each section. Stemmed at first use.
const LEXICON: &[(Topic, &str)] = &[
    (
        Topic::Sports,
        "match matches goal goals league cup championship championships tournament coach
        player players team teams season striker midfielder defender goalkeeper football soccer
        tennis golf cricket rugby basketball baseball hockey olympic olympics medal athlete
        athletes stadium fifa uefa nba nfl nhl premiership wicket innings quarterback touchdown
        grand slam racing race formula squad fixture scored score victory defeat draw semi
        final finals champion champions playoff playoffs transfer manager club clubs wimbledon
        marathon sprint boxing fight knockout title",
    ),
    (
        Topic::Politics,
        "election elections vote votes voters voting ballot campaign candidate candidates
        parliament parliamentary senate senator congress congressional lawmakers legislation
        bill party parties democrat democrats democratic republican republicans conservative
        labour liberal opposition coalition minister ministers cabinet president presidential
        prime government governor mayor referendum policy policies administration white house
        impeachment nominee nomination confirmation poll polls electoral constituency mp mps
        legislature lawmaker politics political politician politicians veto",
    ),
    (
        Topic::Business,
        "company companies shares share stock stocks market markets investors investor profit
        profits revenue revenues earnings quarter quarterly sales economy economic economist
        inflation interest rates bank banks banking central growth gdp trade tariff tariffs
        exports imports oil prices price billion million dividend merger acquisition takeover
        deal firm firms ceo chief executive retail retailer industry industrial manufacturing
        unemployment jobs employment wage wages budget deficit debt bonds bond currency dollar
        euro yen yuan crude opec brent exchange nasdaq dow index loan loans mortgage
        consumer consumers tax taxes",
    ),
    (
        Topic::Technology,
        "technology tech software hardware internet online app apps smartphone smartphones
        iphone android apple google microsoft facebook amazon twitter computer computers digital
        data cyber hacker hackers hacking hacked encryption artificial intelligence robot robots
        robotics algorithm startup startups silicon valley chip chips semiconductor cloud
        platform users user device devices gadget wireless broadband network networks website
        websites email social media electric autonomous self-driving tesla uber samsung",
    ),
    (
        Topic::Science,
        "scientists scientist research researchers study studies species space nasa planet
        planets telescope astronomers galaxy orbit satellite rocket launch mars moon earth
        climate warming carbon emissions environment environmental fossil dinosaur fossils
        evolution genome genetic gene genes physics physicist particle laboratory experiment
        biology ocean oceans ice glacier arctic antarctic wildlife conservation extinct
        extinction ecosystem biodiversity discovery asteroid comet solar",
    ),
    (
        Topic::Health,
        "health hospital hospitals patients patient doctor doctors nurse nurses disease
        diseases virus outbreak epidemic vaccine vaccines vaccination cancer treatment treatments
        drug drugs medical medicine clinical trial infection infections flu influenza zika ebola
        hiv aids diabetes obesity heart stroke surgery mental illness symptoms diagnosis
        healthcare pharmaceutical therapy pandemic malaria tuberculosis who nhs medicaid
        medicare insurance births pregnancy dementia alzheimer",
    ),
    (
        Topic::Entertainment,
        "film films movie movies actor actress actors director hollywood oscar oscars award
        awards music singer song songs album band concert festival tour star stars celebrity
        celebrities television tv show shows series episode netflix theatre theater comedy
        drama novel author book books fashion designer grammy grammys emmy cinema box office
        premiere rapper pop rock musical broadway dance artist artists painting museum
        exhibition",
    ),
    (
        Topic::World,
        "war military troops soldiers army forces attack attacks bombing killed militants
        rebels refugees refugee migrants migration border embassy ambassador diplomatic
        diplomats diplomacy united nations un nato sanctions foreign ceasefire conflict
        peace talks treaty humanitarian crisis civilians airstrike airstrikes missile missiles
        nuclear terrorism terrorist islamic isil isis taliban coup protest protesters
        international countries country regime",
    ),
];

fn lexicon() -> &'static HashMap<u64, Vec<Topic>> {
    static LEX: OnceLock<HashMap<u64, Vec<Topic>>> = OnceLock::new();
    LEX.get_or_init(|| {
        let en = Analyzer::for_lang("en");
        let mut m: HashMap<u64, Vec<Topic>> = HashMap::new();
        for (topic, words) in LEXICON {
            for w in words.split_whitespace() {
                // Stem without the stopword filter: "who" (the agency) and "un" are wanted here.
                let id = hash_str(&en.stem(w));
                let e = m.entry(id).or_default();
                if !e.contains(topic) {
                    e.push(*topic);
                }
            }
        }
        m
    })
}

/// Lexicon scores per topic: the weight of the article's term vector on each topic's words
/// (a dot product with a 0/1 topic vector). Titles are in the vector already, boosted.
pub fn lexicon_scores(vector: &TermVector) -> Vec<(Topic, f32)> {
    let lex = lexicon();
    let mut scores: HashMap<Topic, f32> = HashMap::new();
    for (t, w) in &vector.terms {
        if let Some(topics) = lex.get(t) {
            for topic in topics {
                *scores.entry(*topic).or_default() += w;
            }
        }
    }
    let mut v: Vec<(Topic, f32)> = scores.into_iter().collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

/// A second lexicon topic is kept when its score is at least this share of the first.
pub const SECOND_TOPIC_RATIO: f32 = 0.7;

/// Minimum lexicon score to trust: about a tenth of a normalised vector's mass on the topic.
pub const LEXICON_MIN: f32 = 0.12;

/// Assign topics: publisher labels first, then the lexicon, then `World`. Never empty.
pub fn assign_topics(
    url: Option<&str>,
    categories: &[String],
    vector: &TermVector,
) -> (Vec<Topic>, TopicSource) {
    let from_feed = topics_from_categories(categories);
    if !from_feed.is_empty() {
        return (from_feed, TopicSource::Feed);
    }
    let from_url = url.map(topics_from_url).unwrap_or_default();
    if !from_url.is_empty() {
        return (from_url, TopicSource::Url);
    }
    let scores = lexicon_scores(vector);
    let mut out = Vec::new();
    if let Some(&(best, top)) = scores.first()
        && top >= LEXICON_MIN
    {
        out.push(best);
        // A second section only when it is nearly as strong (a tech company's earnings).
        if let Some(&(second, s)) = scores.get(1)
            && s >= LEXICON_MIN
            && s >= SECOND_TOPIC_RATIO * top
        {
            out.push(second);
        }
        return (out, TopicSource::Lexicon);
    }
    (vec![Topic::World], TopicSource::Default)
}

/// One-vs-rest linear classifier over hashed term vectors, trained with averaged
/// passive-aggressive updates (PA-I). Labels are strings so the same code serves `Topic`
/// and benchmark label sets.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LinearModel {
    pub labels: Vec<String>,
    dim: u32,
    /// `labels.len() * dim` weights, label-major.
    weights: Vec<f32>,
    bias: Vec<f32>,
}

/// Training knobs for [`LinearModel::train`].
#[derive(Debug, Clone, Copy)]
pub struct TrainParams {
    pub epochs: usize,
    /// PA-I aggressiveness cap.
    pub c: f32,
    /// Hashed feature space size (power of two is not required).
    pub dim: u32,
    /// Seed of the deterministic shuffle.
    pub seed: u64,
}

impl Default for TrainParams {
    fn default() -> Self {
        TrainParams {
            epochs: 10,
            c: 1.0,
            dim: 1 << 18,
            seed: 7,
        }
    }
}

impl LinearModel {
    /// Train on `(vector, label indices)` examples; `labels` names the indices.
    pub fn train(
        labels: Vec<String>,
        examples: &[(&TermVector, Vec<usize>)],
        p: TrainParams,
    ) -> Self {
        let n_labels = labels.len();
        let dim = p.dim.max(1) as usize;
        let mut w = vec![0.0f32; n_labels * dim];
        let mut u = vec![0.0f32; n_labels * dim]; // sum of step * update, for averaging
        let mut b = vec![0.0f32; n_labels];
        let mut ub = vec![0.0f32; n_labels];
        let mut order: Vec<usize> = (0..examples.len()).collect();
        let mut rng = p.seed | 1;
        let mut step = 1.0f32;
        for _ in 0..p.epochs {
            // Fisher-Yates with xorshift: reproducible without a rand dependency.
            for i in (1..order.len()).rev() {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                order.swap(i, (rng % (i as u64 + 1)) as usize);
            }
            for &ix in &order {
                let Some((x, ys)) = examples.get(ix) else {
                    continue;
                };
                let sq = x.terms.iter().map(|(_, v)| v * v).sum::<f32>() + 1.0;
                for l in 0..n_labels {
                    let y = if ys.contains(&l) { 1.0 } else { -1.0 };
                    let off = l * dim;
                    let mut s = b.get(l).copied().unwrap_or(0.0);
                    for (t, v) in &x.terms {
                        s += w
                            .get(off + (*t % dim as u64) as usize)
                            .copied()
                            .unwrap_or(0.0)
                            * v;
                    }
                    let loss = (1.0 - y * s).max(0.0);
                    if loss > 0.0 {
                        let tau = (loss / sq).min(p.c) * y;
                        for (t, v) in &x.terms {
                            let k = off + (*t % dim as u64) as usize;
                            if let Some(wk) = w.get_mut(k) {
                                *wk += tau * v;
                            }
                            if let Some(uk) = u.get_mut(k) {
                                *uk += step * tau * v;
                            }
                        }
                        if let Some(bl) = b.get_mut(l) {
                            *bl += tau;
                        }
                        if let Some(ubl) = ub.get_mut(l) {
                            *ubl += step * tau;
                        }
                    }
                }
                step += 1.0;
            }
        }
        // Averaged weights: w - u / step (the standard lazy-averaging identity).
        for (wk, uk) in w.iter_mut().zip(&u) {
            *wk -= uk / step;
        }
        for (bk, uk) in b.iter_mut().zip(&ub) {
            *bk -= uk / step;
        }
        LinearModel {
            labels,
            dim: dim as u32,
            weights: w,
            bias: b,
        }
    }

    /// Decision value per label (positive = predicted).
    pub fn scores(&self, x: &TermVector) -> Vec<f32> {
        let dim = self.dim.max(1) as usize;
        (0..self.labels.len())
            .map(|l| {
                let off = l * dim;
                let mut s = self.bias.get(l).copied().unwrap_or(0.0);
                for (t, v) in &x.terms {
                    s += self
                        .weights
                        .get(off + (*t % dim as u64) as usize)
                        .copied()
                        .unwrap_or(0.0)
                        * v;
                }
                s
            })
            .collect()
    }

    /// Indices of predicted labels (decision value > 0).
    pub fn predict(&self, x: &TermVector) -> Vec<usize> {
        self.scores(x)
            .iter()
            .enumerate()
            .filter(|(_, s)| **s > 0.0)
            .map(|(i, _)| i)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_sections_map_to_topics() {
        assert_eq!(
            topics_from_url("https://www.bbc.co.uk/sport/football/39001234"),
            [Topic::Sports]
        );
        assert_eq!(
            topics_from_url(
                "http://abcnews.go.com/Politics/pence-break-tie-betsy-devos/story?id=45310061"
            ),
            [Topic::Politics]
        );
        assert_eq!(
            topics_from_url("http://www.bbc.co.uk/news/business-38976420"),
            [Topic::Business]
        );
        assert_eq!(
            topics_from_url(
                "http://www.rte.ie/news/world/2017/0315/859844-the-netherlands-politics-election/"
            ),
            [Topic::World]
        );
        // A slug that mentions a section word is not a section.
        assert!(topics_from_url("http://tass.com/society/929909").is_empty());
        assert!(
            topics_from_url(
                "https://example.com/2017/03/sport-stars-visit-hospital-for-charity-event"
            )
            .is_empty()
        );
        assert!(topics_from_url("not a url").is_empty());
    }

    #[test]
    fn feed_categories_win_over_url() {
        let (t, src) = assign_topics(
            Some("https://example.com/sport/x"),
            &["US Politics".to_string()],
            &TermVector::default(),
        );
        assert_eq!((t, src), (vec![Topic::Politics], TopicSource::Feed));
    }

    #[test]
    fn lexicon_and_default() {
        let en = Analyzer::for_lang("en");
        let text = "The striker scored two goals as the team won the league cup final against \
            their rivals; the coach praised the players after the match.";
        let v = TermVector::from_weights(
            en.terms(text).map(|(s, _)| (hash_str(&s), 1.0)).collect(),
            100,
        );
        let (t, src) = assign_topics(None, &[], &v);
        assert_eq!(src, TopicSource::Lexicon);
        assert_eq!(t.first(), Some(&Topic::Sports));
        let (t, src) = assign_topics(None, &[], &TermVector::default());
        assert_eq!((t, src), (vec![Topic::World], TopicSource::Default));
    }

    #[test]
    fn linear_model_learns_separable_labels() {
        let mk =
            |ids: &[u64]| TermVector::from_weights(ids.iter().map(|i| (*i, 1.0)).collect(), 10);
        let a1 = mk(&[1, 2, 3]);
        let a2 = mk(&[1, 2, 4]);
        let b1 = mk(&[7, 8, 9]);
        let b2 = mk(&[7, 8, 5]);
        let ex = vec![
            (&a1, vec![0]),
            (&a2, vec![0]),
            (&b1, vec![1]),
            (&b2, vec![1]),
        ];
        let m = LinearModel::train(
            vec!["a".into(), "b".into()],
            &ex,
            TrainParams {
                dim: 64,
                ..Default::default()
            },
        );
        assert_eq!(m.predict(&mk(&[1, 2, 6])), [0]);
        assert_eq!(m.predict(&mk(&[7, 8, 6])), [1]);
    }
}
