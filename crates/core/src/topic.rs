use serde::{Deserialize, Serialize};

/// The sections every article is sorted into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Topic {
    World,
    Politics,
    Business,
    Technology,
    Science,
    Health,
    Sports,
    Entertainment,
}

impl Topic {
    pub const ALL: [Topic; 8] = [
        Topic::World,
        Topic::Politics,
        Topic::Business,
        Topic::Technology,
        Topic::Science,
        Topic::Health,
        Topic::Sports,
        Topic::Entertainment,
    ];

    /// The stable slug used in URLs, the database and the API.
    pub fn slug(self) -> &'static str {
        match self {
            Topic::World => "world",
            Topic::Politics => "politics",
            Topic::Business => "business",
            Topic::Technology => "technology",
            Topic::Science => "science",
            Topic::Health => "health",
            Topic::Sports => "sports",
            Topic::Entertainment => "entertainment",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Topic::World => "World",
            Topic::Politics => "Politics",
            Topic::Business => "Business",
            Topic::Technology => "Technology",
            Topic::Science => "Science",
            Topic::Health => "Health",
            Topic::Sports => "Sports",
            Topic::Entertainment => "Entertainment",
        }
    }

    pub fn from_slug(s: &str) -> Option<Topic> {
        Topic::ALL.into_iter().find(|t| t.slug() == s)
    }
}

impl std::fmt::Display for Topic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.slug())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_round_trip() {
        for t in Topic::ALL {
            assert_eq!(Topic::from_slug(t.slug()), Some(t));
        }
        assert_eq!(Topic::from_slug("weather"), None);
    }
}
