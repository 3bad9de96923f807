//! A flat, read-only copy of the parsed DOM. Every pass of the extractor walks this
//! arena with plain indices and explicit stacks: no recursion (10,000 nested elements
//! must not overflow the stack) and no RefCell borrows in the hot loops.

use dom_query::{Document, LocalName, NodeData, NodeId};

/// Hard caps so that hostile input costs bounded time and memory.
pub const MAX_NODES: usize = 400_000;
/// Deeper elements are flattened onto this depth (their content is kept).
pub const MAX_DEPTH: usize = 512;

pub type Ix = usize;

/// Attributes read by metadata, pruning and rendering (html5ever lower-cases names).
const KEPT_ATTRS: &[&str] = &[
    "class",
    "id",
    "role",
    "itemprop",
    "itemtype",
    "style",
    "hidden",
    "aria-hidden",
    "href",
    "src",
    "data-src",
    "data-lazy-src",
    "content",
    "property",
    "name",
    "http-equiv",
    "rel",
    "type",
    "title",
    "lang",
    "xml:lang",
    "datetime",
    "pubdate",
    "alt",
    "poster",
    "charset",
    "colspan",
    "rowspan",
    "srcset",
    "data-srcset",
    "width",
    "height",
];

#[derive(Debug)]
pub enum Kind {
    Element,
    Text,
}

#[derive(Debug)]
pub struct Node {
    pub kind: Kind,
    /// Lower-case local name for elements, empty for text. An interned atom: HTML's
    /// names are static, so copying the tree allocates nothing for them.
    pub tag: LocalName,
    /// Kept attributes (names interned like tags).
    pub attrs: Vec<(LocalName, String)>,
    /// Text content for text nodes (the parser's buffer, shared, not copied).
    pub text: tendril::StrTendril,
    /// Visible length of `text` ([`visible_chars`]), computed once: every pass
    /// weighs text nodes by it.
    pub vis: u32,
    pub parent: Option<Ix>,
    pub children: Vec<Ix>,
}

impl Node {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| &**k == name)
            .map(|(_, v)| v.as_str())
    }
    pub fn is_el(&self, tag: &str) -> bool {
        matches!(self.kind, Kind::Element) && &*self.tag == tag
    }
    pub fn is_element(&self) -> bool {
        matches!(self.kind, Kind::Element)
    }
}

pub struct Arena {
    pub nodes: Vec<Node>,
    /// The source node of each arena node (the root's is the document's), so that a
    /// pass can edit the parsed document before Readability reads it.
    pub dom_ids: Vec<NodeId>,
    /// The deepest nesting seen in the source (before flattening).
    pub max_depth_seen: usize,
}

impl Arena {
    pub fn root(&self) -> Ix {
        0
    }

    pub fn get(&self, ix: Ix) -> Option<&Node> {
        self.nodes.get(ix)
    }

    pub fn tag(&self, ix: Ix) -> &str {
        self.nodes.get(ix).map(|n| n.tag.as_str()).unwrap_or("")
    }

    pub fn children(&self, ix: Ix) -> &[Ix] {
        self.nodes
            .get(ix)
            .map(|n| n.children.as_slice())
            .unwrap_or(&[])
    }

    pub fn parent(&self, ix: Ix) -> Option<Ix> {
        self.nodes.get(ix).and_then(|n| n.parent)
    }

    /// Pre-order walk of `ix`'s subtree (including `ix`).
    pub fn descendants(&self, ix: Ix) -> Descendants<'_> {
        Descendants {
            arena: self,
            stack: vec![ix],
        }
    }

    /// First element with this tag in document order.
    pub fn find_tag(&self, from: Ix, tag: &str) -> Option<Ix> {
        self.descendants(from)
            .find(|&i| self.nodes.get(i).is_some_and(|n| n.is_el(tag)))
    }

    pub fn find_all_tag<'a>(&'a self, from: Ix, tag: &'a str) -> impl Iterator<Item = Ix> + 'a {
        self.descendants(from)
            .filter(move |&i| self.nodes.get(i).is_some_and(|n| n.is_el(tag)))
    }

    /// Concatenated text of a subtree, whitespace collapsed.
    pub fn text(&self, ix: Ix) -> String {
        let mut out = String::new();
        for i in self.descendants(ix) {
            if let Some(n) = self.nodes.get(i)
                && matches!(n.kind, Kind::Text)
            {
                out.push_str(&n.text);
            }
        }
        collapse_ws(&out)
    }

    /// Builds the arena from a parsed document, iteratively.
    pub fn from_document(doc: &Document) -> Arena {
        let tree = &doc.tree;
        let mut nodes: Vec<Node> = Vec::with_capacity(1024);
        nodes.push(Node {
            kind: Kind::Element,
            tag: LocalName::from("#document"),
            attrs: Vec::new(),
            text: tendril::StrTendril::new(),
            vis: 0,
            parent: None,
            children: Vec::new(),
        });
        let mut dom_ids: Vec<NodeId> = Vec::with_capacity(1024);
        let mut max_depth_seen = 0;
        // (dom node, arena parent, source depth)
        let mut stack: Vec<(NodeId, Ix, usize)> = Vec::new();
        let root_id = doc.root().id;
        dom_ids.push(root_id);
        push_children(tree, &root_id, 0, 1, &mut stack);
        while let Some((id, parent, depth)) = stack.pop() {
            if nodes.len() >= MAX_NODES {
                break;
            }
            max_depth_seen = max_depth_seen.max(depth);
            let made = tree.query_node(&id, |tn| match &tn.data {
                NodeData::Element(el) => {
                    // html5ever lower-cases HTML names; only foreign (SVG) ones
                    // keep capitals.
                    let local = &el.name.local;
                    let tag = if local.bytes().any(|b| b.is_ascii_uppercase()) {
                        LocalName::from(local.to_ascii_lowercase())
                    } else {
                        local.clone()
                    };
                    // Only the attributes some pass reads: copying every data-*
                    // attribute of a modern page costs more than the rest of the copy.
                    let attrs = el
                        .attrs
                        .iter()
                        .filter(|a| KEPT_ATTRS.contains(&a.name.local.as_ref()))
                        .map(|a| (a.name.local.clone(), a.value.to_string()))
                        .collect();
                    Some((Kind::Element, tag, attrs, tendril::StrTendril::new()))
                }
                NodeData::Text { contents } => Some((
                    Kind::Text,
                    LocalName::from(""),
                    Vec::new(),
                    contents.clone(),
                )),
                _ => None,
            });
            let Some(Some((kind, tag, attrs, text))) = made else {
                continue;
            };
            let is_el = matches!(kind, Kind::Element);
            // Flatten pathological nesting: beyond MAX_DEPTH an element is not created
            // and its children attach to the last allowed ancestor (content is kept).
            if depth > MAX_DEPTH && is_el {
                push_children(tree, &id, parent, depth + 1, &mut stack);
                continue;
            }
            let ix = nodes.len();
            let vis = visible_chars(&text) as u32;
            nodes.push(Node {
                kind,
                tag,
                attrs,
                text,
                vis,
                parent: Some(parent),
                children: Vec::new(),
            });
            dom_ids.push(id);
            if let Some(p) = nodes.get_mut(parent) {
                p.children.push(ix);
            }
            if is_el {
                push_children(tree, &id, ix, depth + 1, &mut stack);
            }
        }
        Arena {
            nodes,
            dom_ids,
            max_depth_seen,
        }
    }
}

/// Pushes children in reverse so that popping yields document order.
fn push_children(
    tree: &dom_query::Tree,
    id: &NodeId,
    parent: Ix,
    depth: usize,
    stack: &mut Vec<(NodeId, Ix, usize)>,
) {
    let start = stack.len();
    for c in tree.child_ids_of_it(id, false) {
        stack.push((c, parent, depth));
    }
    if let Some(slice) = stack.get_mut(start..) {
        slice.reverse();
    }
}

pub struct Descendants<'a> {
    arena: &'a Arena,
    stack: Vec<Ix>,
}

impl Iterator for Descendants<'_> {
    type Item = Ix;
    fn next(&mut self) -> Option<Ix> {
        let ix = self.stack.pop()?;
        if let Some(n) = self.arena.nodes.get(ix) {
            self.stack.extend(n.children.iter().rev());
        }
        Some(ix)
    }
}

/// Non-space characters plus one per whitespace run: close to the collapsed length.
pub fn visible_chars(s: &str) -> usize {
    let mut n = 0;
    let mut in_ws = true;
    if s.is_ascii() {
        // Same as the general loop below for ASCII (`char::is_whitespace` there is
        // space, \t, \n, \x0B, \x0C, \r), without decoding. Written out twice on
        // purpose: one loop over a `bool` iterator costs 1 % more instructions.
        for &b in s.as_bytes() {
            if matches!(b, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r') {
                if !in_ws {
                    n += 1;
                }
                in_ws = true;
            } else {
                n += 1;
                in_ws = false;
            }
        }
        return n;
    }
    for c in s.chars() {
        if c.is_whitespace() {
            if !in_ws {
                n += 1;
            }
            in_ws = true;
        } else {
            n += 1;
            in_ws = false;
        }
    }
    n
}

/// Collapses runs of whitespace to one space and trims.
pub fn collapse_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending = false;
    for c in s.chars() {
        if c.is_whitespace() || c == '\u{a0}' || c == '\u{200b}' {
            pending = true;
        } else {
            if pending && !out.is_empty() {
                out.push(' ');
            }
            pending = false;
            out.push(c);
        }
    }
    out
}
