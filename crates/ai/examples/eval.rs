//! Evaluation harness for tidings-ai (see BENCHMARKS.md for the protocol and figures).
//!
//! ```text
//! cargo run --release -p tidings-ai --example eval -- all
//! cargo run --release -p tidings-ai --example eval -- summary [--show]
//! cargo run --release -p tidings-ai --example eval -- ask [--show] [--sweep]
//! cargo run --release -p tidings-ai --example eval -- story [--show]
//! cargo run --release -p tidings-ai --example eval -- latency
//! cargo run --release -p tidings-ai --example eval -- dump N     # article N of the sample, numbered
//! ```
//! Data: `news/newsarticles.jsonl.gz` of `TIDINGS_TEST_DATA` (default `../shared/data`
//! beside the repository; research use), the question set
//! `crates/ai/eval/questions.jsonl` and the labelled story pairs of tidings-understand.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use tidings_ai::text::{self, Analyzer};
use tidings_ai::{
    AiError, ArticleText, Builtin, OpenAiCompatible, OpenAiConfig, Provider, collect_stream,
};
use tidings_core::ArticleId;

struct Art {
    id: String,
    num: i64,
    title: String,
    body: String,
    source: String,
}

impl Art {
    fn view(&self) -> ArticleText<'_> {
        ArticleText {
            id: ArticleId(self.num),
            title: &self.title,
            text: &self.body,
            lang: "en",
            source: &self.source,
            published_ms: None,
        }
    }
}

fn load() -> Vec<Art> {
    let path = tidings_testdata::tool_data_dir().join("news/newsarticles.jsonl.gz");
    assert!(path.is_file(), "{} is required", path.display());
    tidings_testdata::jsonl_lines(&path)
        .iter()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let id = v["id"].as_str().unwrap().to_string();
            Art {
                num: id.rsplit(':').next().unwrap().parse().unwrap(),
                id,
                title: v["title"].as_str().unwrap_or("").to_string(),
                body: v["body"].as_str().unwrap_or("").to_string(),
                source: v["source"].as_str().unwrap_or("").to_string(),
            }
        })
        .collect()
}

/// The 50-article sample: bodies of at least 1,500 characters and 10 sentences, taken at
/// even steps through the corpus order (which mixes sources and dates).
fn sample(all: &[Art]) -> Vec<&Art> {
    let ok: Vec<&Art> = all
        .iter()
        .filter(|a| a.body.len() >= 1500 && text::sentences(&a.body).len() >= 10)
        .collect();
    (0..50).map(|i| ok[i * ok.len() / 50]).collect()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cmd = args.first().map(String::as_str).unwrap_or("all");
    let show = args.iter().any(|a| a == "--show");
    let all = load();
    let s = sample(&all);
    match cmd {
        "summary" => summary_eval(&s, show),
        "ask" => ask_eval(&all, show, args.iter().any(|a| a == "--sweep")),
        "story" => story_eval(&all, show, args.iter().any(|a| a == "--sweep")),
        "latency" => latency(&all, &s),
        // The exact chat prompts of the summary and ask evaluations, as JSON
        // [[system, user], …]: input for measuring other back ends (see BENCHMARKS.md).
        "prompts" => {
            let mut out: Vec<(String, String)> = Vec::new();
            if args.get(1).map(String::as_str) == Some("ask") {
                let by_id: HashMap<&str, &Art> = all.iter().map(|a| (a.id.as_str(), a)).collect();
                for q in questions() {
                    let a = by_id[q.article.as_str()];
                    let p =
                        tidings_ai::chat_prompt(tidings_ai::Feature::Ask, &[a.view()], &q.question)
                            .unwrap();
                    out.push((p.system, p.user));
                }
            } else {
                for a in &s {
                    let p = tidings_ai::chat_prompt(tidings_ai::Feature::Summary, &[a.view()], "")
                        .unwrap();
                    out.push((p.system, p.user));
                }
            }
            println!("{}", serde_json::to_string(&out).unwrap());
        }
        "dump" => {
            let n: usize = args.get(1).and_then(|x| x.parse().ok()).unwrap_or(0);
            let a = s[n];
            println!("{} | {} | {}", a.id, a.source, a.title);
            for se in text::sentences(&a.body) {
                println!("[{}] {}", se.index + 1, se.text);
            }
        }
        "all" => {
            summary_eval(&s, false);
            ask_eval(&all, false, true);
            story_eval(&all, false, true);
            latency(&all, &s);
        }
        other => panic!("unknown command {other}"),
    }
}

/// Lead facts of an article: named entities (by `text::entities` over the whole article,
/// kept when they occur in the first two sentences) and numbers written in those sentences.
fn lead_facts(a: &Art) -> Vec<String> {
    let sents = text::sentences(&a.body);
    let lead: String = sents
        .iter()
        .take(2)
        .map(|s| s.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let mut facts: Vec<String> = text::entities(&sents, Analyzer::for_lang("en"))
        .into_iter()
        .filter(|e| lead.contains(&e.name))
        .map(|e| e.name)
        .collect();
    facts.extend(text::numbers(&lead));
    facts
}

fn fact_kept(fact: &str, summary: &str, summary_numbers: &HashSet<String>) -> bool {
    if text::is_number(fact) {
        summary_numbers.contains(fact)
    } else {
        summary.to_lowercase().contains(&fact.to_lowercase())
    }
}

struct Scores {
    sentences: f64,
    words: f64,
    lead: (f64, usize),
    title: f64,
    top_entities: (f64, usize),
}

fn score(a: &Art, summary: &[String]) -> Scores {
    let joined = summary.join(" ");
    let nums: HashSet<String> = text::numbers(&joined).into_iter().collect();
    let facts = lead_facts(a);
    let lead = if facts.is_empty() {
        (0.0, 0)
    } else {
        let k = facts
            .iter()
            .filter(|f| fact_kept(f, &joined, &nums))
            .count();
        (k as f64 / facts.len() as f64, 1)
    };
    let an = Analyzer::for_lang("en");
    let title_terms: HashSet<String> = an.terms(&a.title).into_iter().collect();
    let sum_terms: HashSet<String> = an.terms(&joined).into_iter().collect();
    let title = if title_terms.is_empty() {
        0.0
    } else {
        title_terms
            .iter()
            .filter(|t| sum_terms.contains(*t))
            .count() as f64
            / title_terms.len() as f64
    };
    let ents = text::entities(&text::sentences(&a.body), an);
    let top: Vec<&str> = ents
        .iter()
        .filter(|e| e.count >= 2)
        .take(5)
        .map(|e| e.name.as_str())
        .collect();
    let top_entities = if top.is_empty() {
        (0.0, 0)
    } else {
        let k = top.iter().filter(|e| joined.contains(*e)).count();
        (k as f64 / top.len() as f64, 1)
    };
    Scores {
        sentences: summary.len() as f64,
        words: joined.split_whitespace().count() as f64,
        lead,
        title,
        top_entities,
    }
}

fn summary_eval(s: &[&Art], show: bool) {
    let b = Builtin::default();
    let mut rows: HashMap<&str, Vec<Scores>> = HashMap::new();
    let mut words_in = 0usize;
    for (k, a) in s.iter().enumerate() {
        let sents: Vec<String> = text::sentences(&a.body)
            .into_iter()
            .map(|s| s.text)
            .collect();
        words_in += a.body.split_whitespace().count();
        let ours: Vec<String> = b
            .summarize(&a.view())
            .unwrap()
            .sentences
            .into_iter()
            .map(|p| p.into_string())
            .collect();
        let lead3: Vec<String> = sents.iter().take(3).cloned().collect();
        // Random 3 (fixed seed per article) as a floor.
        let mut x = (k as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let mut pick: Vec<usize> = Vec::new();
        while pick.len() < 3.min(sents.len()) {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            let i = (x.wrapping_mul(0x2545_F491_4F6C_DD1D) % sents.len() as u64) as usize;
            if !pick.contains(&i) {
                pick.push(i);
            }
        }
        pick.sort_unstable();
        let rand3: Vec<String> = pick.iter().map(|&i| sents[i].clone()).collect();
        if show {
            println!("== {} {} ({} sentences)", a.id, a.title, sents.len());
            for t in &ours {
                let pos = sents.iter().position(|s| s == t).map_or(0, |p| p + 1);
                println!("  [{pos}] {t}");
            }
            println!("  lead facts: {:?}", lead_facts(a));
        }
        let lead_k: Vec<String> = sents.iter().take(ours.len()).cloned().collect();
        rows.entry("builtin").or_default().push(score(a, &ours));
        rows.entry("lead-k (same count as builtin)")
            .or_default()
            .push(score(a, &lead_k));
        rows.entry("lead-3").or_default().push(score(a, &lead3));
        rows.entry("random-3").or_default().push(score(a, &rand3));
    }
    println!(
        "\n## Summary: {} articles, {} words on average",
        s.len(),
        words_in / s.len()
    );
    println!("| method | sentences | words | lead facts kept | headline terms | top-5 entities |");
    println!("|---|---|---|---|---|---|");
    for m in [
        "builtin",
        "lead-3",
        "lead-k (same count as builtin)",
        "random-3",
    ] {
        let r = &rows[m];
        let n = r.len() as f64;
        let lead_n = r.iter().map(|x| x.lead.1).sum::<usize>().max(1) as f64;
        let ent_n = r.iter().map(|x| x.top_entities.1).sum::<usize>().max(1) as f64;
        println!(
            "| {m} | {:.2} | {:.0} | {:.1}% | {:.1}% | {:.1}% |",
            r.iter().map(|x| x.sentences).sum::<f64>() / n,
            r.iter().map(|x| x.words).sum::<f64>() / n,
            100.0 * r.iter().map(|x| x.lead.0).sum::<f64>() / lead_n,
            100.0 * r.iter().map(|x| x.title).sum::<f64>() / n,
            100.0 * r.iter().map(|x| x.top_entities.0).sum::<f64>() / ent_n,
        );
    }
    let facts: usize = s.iter().map(|a| lead_facts(a).len()).sum();
    println!(
        "(lead facts: {facts} in total, {:.1} per article)",
        facts as f64 / s.len() as f64
    );
}

#[derive(serde::Deserialize)]
struct Question {
    split: String,
    article: String,
    question: String,
    answerable: bool,
    #[serde(default)]
    expect: Vec<String>,
}

fn questions() -> Vec<Question> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("eval/questions.jsonl");
    std::fs::read_to_string(&p)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

#[derive(Default, Debug)]
struct AskCounts {
    answered_ok: usize,
    answered_wrong: usize,
    missed: usize,
    refused_ok: usize,
    false_answer: usize,
}

fn ask_run(all: &[Art], qs: &[Question], b: &Builtin, show: bool) -> AskCounts {
    let by_id: HashMap<&str, &Art> = all.iter().map(|a| (a.id.as_str(), a)).collect();
    let mut c = AskCounts::default();
    for q in qs {
        let a = by_id[q.article.as_str()];
        let ans = b.answer(&a.view(), &q.question).unwrap();
        let quoted = ans
            .quotes
            .iter()
            .map(|q| q.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        let verdict = match (q.answerable, ans.answered) {
            (true, true) if q.expect.iter().any(|e| quoted.contains(&e.to_lowercase())) => {
                c.answered_ok += 1;
                "ok"
            }
            (true, true) => {
                c.answered_wrong += 1;
                "WRONG"
            }
            (true, false) => {
                c.missed += 1;
                "missed"
            }
            (false, false) => {
                c.refused_ok += 1;
                "refused"
            }
            (false, true) => {
                c.false_answer += 1;
                "FALSE"
            }
        };
        if show {
            println!("{verdict:7} {} | {} -> {}", q.article, q.question, ans.text);
        }
    }
    c
}

fn ask_eval(all: &[Art], show: bool, sweep: bool) {
    for split in ["dev", "heldout"] {
        let qs: Vec<Question> = questions()
            .into_iter()
            .filter(|q| q.split == split)
            .collect();
        ask_split(all, &qs, split, show, sweep);
    }
}

fn ask_split(all: &[Art], qs: &[Question], split: &str, show: bool, sweep: bool) {
    let n_ans = qs.iter().filter(|q| q.answerable).count();
    let n_un = qs.len() - n_ans;
    let arts: HashSet<&str> = qs.iter().map(|q| q.article.as_str()).collect();
    println!(
        "\n## Ask, {split} set: {} questions ({n_ans} answerable, {n_un} not) on {} articles",
        qs.len(),
        arts.len()
    );
    let thresholds: Vec<f64> = if sweep {
        vec![0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8]
    } else {
        vec![Builtin::default().answer_threshold]
    };
    println!(
        "| threshold | answered correctly | answered with wrong passage | refused (answerable) | refused correctly | false answers |"
    );
    println!("|---|---|---|---|---|---|");
    for t in thresholds {
        let b = Builtin {
            answer_threshold: t,
            ..Builtin::default()
        };
        let c = ask_run(
            all,
            qs,
            &b,
            show && (t - Builtin::default().answer_threshold).abs() < 1e-9,
        );
        println!(
            "| {t:.2}{} | {}/{n_ans} | {}/{n_ans} | {}/{n_ans} | {}/{n_un} | {}/{n_un} |",
            if (t - Builtin::default().answer_threshold).abs() < 1e-9 {
                " (default)"
            } else {
                ""
            },
            c.answered_ok,
            c.answered_wrong,
            c.missed,
            c.refused_ok,
            c.false_answer
        );
    }
}

fn story_pairs() -> Vec<(String, String, bool)> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../understand/eval/story_pairs.jsonl");
    std::fs::read_to_string(&p)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["a"].as_str().unwrap().to_string(),
                v["b"].as_str().unwrap().to_string(),
                v["same_story"].as_bool().unwrap(),
            )
        })
        .collect()
}

fn story_eval(all: &[Art], show: bool, sweep: bool) {
    let sims: Vec<f64> = if sweep {
        vec![0.3, 0.35, 0.4, 0.45, 0.5]
    } else {
        vec![Builtin::default().agree_similarity]
    };
    println!("\n## Story summary on the labelled pairs of tidings-understand");
    println!(
        "| agree similarity | pairs | count | with ≥1 agreed claim | agreed claims / pair | differences / pair |"
    );
    println!("|---|---|---|---|---|---|");
    for sim in sims {
        story_run(all, show, sim);
    }
}

fn story_run(all: &[Art], show: bool, sim: f64) {
    let by_id: HashMap<&str, &Art> = all.iter().map(|a| (a.id.as_str(), a)).collect();
    let b = Builtin {
        agree_similarity: sim,
        ..Builtin::default()
    };
    let show = show && (sim - Builtin::default().agree_similarity).abs() < 1e-9;
    let mut stats: HashMap<bool, (usize, usize, usize, usize)> = HashMap::new(); // pairs, with agreement, agreed claims, differences
    for (x, y, same) in story_pairs() {
        let (Some(a), Some(c)) = (by_id.get(x.as_str()), by_id.get(y.as_str())) else {
            continue;
        };
        let s = b.story_summary(&[a.view(), c.view()]).unwrap();
        let e = stats.entry(same).or_default();
        e.0 += 1;
        e.1 += usize::from(!s.agreed.is_empty());
        e.2 += s.agreed.len();
        e.3 += s.differences.len();
        if show && same {
            println!("== {} ({}) + {} ({})", a.title, a.source, c.title, c.source);
            for cl in &s.agreed {
                println!("  AGREE {:?}: {}", cl.sources, cl.text);
            }
            for d in &s.differences {
                for cl in &d.claims {
                    println!("  {:?} {:?}: {}", d.kind, cl.sources, cl.text);
                }
            }
        }
    }
    for same in [true, false] {
        let (n, with, ag, diff) = stats.get(&same).copied().unwrap_or_default();
        let nf = n.max(1) as f64;
        println!(
            "| {sim:.2} | {} | {n} | {:.1}% | {:.2} | {:.2} |",
            if same {
                "same story"
            } else {
                "different stories"
            },
            100.0 * with as f64 / nf,
            ag as f64 / nf,
            diff as f64 / nf
        );
    }
}

fn stats(mut v: Vec<Duration>) -> String {
    v.sort_unstable();
    let p = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    format!(
        "{:.2} | {:.2} | {:.2}",
        p(0.5).as_secs_f64() * 1e3,
        p(0.95).as_secs_f64() * 1e3,
        v.last().unwrap().as_secs_f64() * 1e3
    )
}

fn latency(all: &[Art], s: &[&Art]) {
    let b = Builtin::default();
    let qs = questions();
    let by_id: HashMap<&str, &Art> = all.iter().map(|a| (a.id.as_str(), a)).collect();
    println!("\n## Latency (ms per call: median | p95 | max)");
    println!("| provider | feature | calls | median | p95 | max |");
    println!("|---|---|---|---|---|---|");
    let time = |f: &dyn Fn(&Art)| -> Vec<Duration> {
        s.iter()
            .map(|a| {
                let t = Instant::now();
                f(a);
                t.elapsed()
            })
            .collect()
    };
    // Warm-up (stemmer tables, allocator).
    for a in s.iter().take(5) {
        let _ = b.summarize(&a.view());
    }
    println!(
        "| builtin | summary | {} | {} |",
        s.len(),
        stats(time(&|a| drop(b.summarize(&a.view()))))
    );
    println!(
        "| builtin | key_points | {} | {} |",
        s.len(),
        stats(time(&|a| drop(b.key_points(&a.view()))))
    );
    let ask_times: Vec<Duration> = qs
        .iter()
        .map(|q| {
            let a = by_id[q.article.as_str()];
            let t = Instant::now();
            let _ = b.answer(&a.view(), &q.question);
            t.elapsed()
        })
        .collect();
    println!(
        "| builtin | ask | {} | {} |",
        ask_times.len(),
        stats(ask_times)
    );
    let pairs: Vec<(&Art, &Art)> = story_pairs()
        .into_iter()
        .filter(|p| p.2)
        .filter_map(|(x, y, _)| Some((*by_id.get(x.as_str())?, *by_id.get(y.as_str())?)))
        .take(50)
        .collect();
    let st: Vec<Duration> = pairs
        .iter()
        .map(|(x, y)| {
            let t = Instant::now();
            let _ = b.story_summary(&[x.view(), y.view()]);
            t.elapsed()
        })
        .collect();
    println!(
        "| builtin | story_summary (2 sources) | {} | {} |",
        st.len(),
        stats(st)
    );
    let longest = all.iter().max_by_key(|a| a.body.len()).unwrap();
    let t = Instant::now();
    let _ = b.summarize(&longest.view());
    println!(
        "| builtin | summary, longest article ({} KB, capped at 24 KB) | 1 | {:.2} | | |",
        longest.body.len() / 1024,
        t.elapsed().as_secs_f64() * 1e3
    );

    // The OpenAI-compatible path against a local mock that answers at once: the client's
    // own overhead (prompt building, HTTP on loopback, JSON and SSE parsing).
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let base = mock_server().await;
        let p = OpenAiCompatible::new(OpenAiConfig::new(base, "mock")).unwrap();
        let mut sum = Vec::new();
        let mut ask = Vec::new();
        let mut first = Vec::new();
        let mut streamed = Vec::new();
        for a in s {
            let t = Instant::now();
            Provider::summary(&p, &a.view()).await.unwrap();
            sum.push(t.elapsed());
            let t = Instant::now();
            Provider::ask(&p, &a.view(), "What happened?")
                .await
                .unwrap();
            ask.push(t.elapsed());
            let t = Instant::now();
            let mut st = p.answer_stream(&a.view(), "What happened?").await.unwrap();
            use futures_util::StreamExt;
            let _ = st.next().await;
            first.push(t.elapsed());
            let rest = collect_stream(st).await;
            assert!(rest.error.is_none(), "{:?}", rest.error);
            streamed.push(t.elapsed());
        }
        println!(
            "| openai (local mock) | summary | {} | {} |",
            sum.len(),
            stats(sum)
        );
        println!(
            "| openai (local mock) | ask | {} | {} |",
            ask.len(),
            stats(ask)
        );
        println!(
            "| openai (local mock) | ask_stream, first delta | {} | {} |",
            first.len(),
            stats(first)
        );
        println!(
            "| openai (local mock) | ask_stream, 40 deltas to [DONE] | {} | {} |",
            streamed.len(),
            stats(streamed)
        );
    });
    let _ = AiError::Timeout; // keep the import honest when features change
}

/// A minimal OpenAI-compatible server on 127.0.0.1: fixed replies, streams of 40 deltas.
async fn mock_server() -> String {
    use axum::{Json, Router, response::IntoResponse, routing::post};
    async fn chat(Json(req): Json<serde_json::Value>) -> axum::response::Response {
        if req["stream"].as_bool() == Some(true) {
            let mut body = String::new();
            for i in 0..40 {
                body.push_str(&format!(
                    "data: {{\"choices\":[{{\"delta\":{{\"content\":\"word{i} \"}}}}]}}\n\n"
                ));
            }
            body.push_str("data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");
            ([("content-type", "text/event-stream")], body).into_response()
        } else {
            Json(serde_json::json!({
                "choices": [{"message": {"role": "assistant", "content":
                    "The council approved the budget [1]. It funds bridges [2]. Work starts in May [3]."},
                    "finish_reason": "stop"}]
            }))
            .into_response()
        }
    }
    let app = Router::new().route("/v1/chat/completions", post(chat));
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
    format!("http://{addr}/v1")
}
