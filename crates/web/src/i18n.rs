//! Every user-visible string of the website, in one place, ready for
//! translation: a translation is another `Strings` value.

pub struct Strings {
    pub just_now: &'static str,
    pub minute_ago: &'static str,
    pub minutes_ago: &'static str,
    pub hour_ago: &'static str,
    pub hours_ago: &'static str,
    pub day_ago: &'static str,
    pub days_ago: &'static str,
    pub latest: &'static str,
    pub empty_title: &'static str,
    pub empty_body: &'static str,
    pub empty_hint: &'static str,
    pub older: &'static str,
    pub skip_to_content: &'static str,
    pub home: &'static str,
    pub footer: &'static str,
}

pub const EN: Strings = Strings {
    just_now: "just now",
    minute_ago: "1 minute ago",
    minutes_ago: "{n} minutes ago",
    hour_ago: "1 hour ago",
    hours_ago: "{n} hours ago",
    day_ago: "1 day ago",
    days_ago: "{n} days ago",
    latest: "Latest news",
    empty_title: "No news yet",
    empty_body: "This site has no sources yet, or they have not been fetched. Add a news feed and Tidings will start collecting articles.",
    empty_hint: "tidings source add https://example.com/feed.xml",
    older: "Older articles",
    skip_to_content: "Skip to content",
    home: "Home",
    footer: "Powered by Tidings, self-hosted news.",
};
