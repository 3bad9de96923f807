use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map($name)
            }
        }
    };
}

id_type!(/// A feed or sitemap Tidings polls.
    SourceId);
id_type!(/// A stored article (one per canonical URL).
    ArticleId);
id_type!(/// A cluster of articles about the same event.
    StoryId);
id_type!(/// A reader account.
    UserId);
id_type!(/// A comment on an article or story.
    CommentId);
id_type!(/// A persisted background job.
    JobId);
