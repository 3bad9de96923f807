//! News article pages with the chrome that leaks into extracted text on real news
//! sites, each with the article text a reader would call the article: the
//! regression set for article extraction (`crates/extract/tests/news_pages.rs`).
//!
//! Short items (2-5 paragraphs) sit inside headline rails with timestamps
//! ("11/20/2019 01:14 PM"), "More from X" rails of cards, video playlists with
//! durations and relative times ("01:01:43", "32M ago"), login / newsletter /
//! conference link bars, share-icon images, link-spam blocks, footers with a street
//! address and a copyright line, and comment threads under a "Comments" heading.
//! Long articles go through the same layouts, so recall is checked as well as
//! precision. Some pages declare themselves articles (OpenGraph, JSON-LD,
//! microdata), some declare nothing.
//!
//! All prose here is synthetic, written for this set: no publisher's text.
//! Served by the origin at `/newsroom/{slug}` (and `/newsroom/` lists them).

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// One page of the set.
#[derive(Debug, Clone)]
pub struct NewsPage {
    /// Unique name, also the path under `/newsroom/`.
    pub slug: String,
    /// The page's address on its (fictional) publisher's site.
    pub url: String,
    pub html: String,
    pub title: String,
    /// The article text: paragraphs and subheadings, separated by blank lines.
    /// Not the headline, byline, dateline or captions.
    pub expected: String,
    /// The page declares itself an article (OpenGraph, JSON-LD or microdata).
    pub declared: bool,
    /// Which publisher layout wraps the story.
    pub layout: &'static str,
    /// 2-5 paragraphs.
    pub short: bool,
}

struct Story {
    slug: &'static str,
    title: &'static str,
    section: &'static str,
    author: &'static str,
    /// Date and time, local to the publisher (UTC offset in `published`).
    published: &'static str,
    /// Paragraphs; a paragraph starting with "## " is a subheading.
    body: &'static [&'static str],
}

const STORIES: &[Story] = &[
    Story {
        slug: "bridge-closed-after-barge-strike",
        title: "River bridge closed after barge strikes pier",
        section: "Local",
        author: "Marta Ilves",
        published: "2026-03-02T08:14:00-05:00",
        body: &[
            "The Harlow Street bridge was closed to traffic early on Monday after a loaded gravel barge drifted into one of its river piers, the county harbour office said.",
            "Nobody was hurt. Engineers from the state transport department spent the morning inspecting the concrete from a survey boat and found cracks along the upstream face of the pier, according to a statement released shortly before noon.",
            "Drivers are being sent over the Quarry Lane crossing, four miles to the north, and the bridge will stay shut at least until Wednesday while divers check the foundations below the waterline.",
        ],
    },
    Story {
        slug: "storm-cuts-power-to-coast",
        title: "Storm cuts power to 40,000 homes along the coast",
        section: "Weather",
        author: "Deon Farrow",
        published: "2026-01-19T06:40:00-05:00",
        body: &[
            "Gusts of up to 70 miles an hour brought down trees and power lines across the eastern shore overnight, leaving about 40,000 homes and businesses without electricity on Sunday morning.",
            "Crews from three neighbouring utilities were called in to help, and the coastal grid operator said most customers should be reconnected by Monday evening, though outlying farms could wait longer.",
            "Schools in Bramley and Fenwick will open two hours late. The ferry to Gull Island, cancelled on Saturday afternoon, is expected to resume its timetable with the first crossing at nine.",
            "The weather service lifted its high wind warning at dawn but kept a flood watch in place for low-lying streets near the harbour until the evening high tide has passed.",
        ],
    },
    Story {
        slug: "council-delays-bus-fare-vote",
        title: "City council delays vote on bus fare increase",
        section: "Politics",
        author: "Priya Menon",
        published: "2026-02-11T19:05:00-05:00",
        body: &[
            "The city council postponed a vote on raising bus fares by 25 cents on Tuesday night after members asked the transit authority for a breakdown of how the extra money would be spent.",
            "The proposal will return to the agenda on March 3. Council president Ana Whitlock said she wanted riders to have another chance to speak at a public hearing before any decision is made.",
        ],
    },
    Story {
        slug: "airline-adds-winter-routes",
        title: "Regional airline adds winter routes to three mountain towns",
        section: "Business",
        author: "Tomas Reyes",
        published: "2025-10-28T10:30:00-06:00",
        body: &[
            "Northpass Air will start daily flights to Elkridge, Silver Fork and Cobb Valley in December, adding about 600 seats a week during the ski season, the carrier announced on Tuesday.",
            "The turboprop service will run from the regional hub at Dunmore through the end of March. Tourism officials in the three towns have spent two years lobbying for the routes, which they say will ease the winter traffic on the single highway into the valley.",
            "Fares start at 89 dollars each way. Tickets go on sale on Friday.",
        ],
    },
    Story {
        slug: "hit-and-run-mill-road",
        title: "Police search for driver after hit-and-run on Mill Road",
        section: "Crime",
        author: "Staff reporter",
        published: "2025-11-20T13:14:00-05:00",
        body: &[
            "Police are looking for the driver of a dark pickup truck that struck a cyclist on Mill Road near the grain elevator at about 6:30 on Wednesday evening and drove away without stopping.",
            "The cyclist, a 34-year-old man from Eastfield, was taken to County General with a broken leg and is in stable condition. Anyone who saw the collision or has dashboard camera footage from the area is asked to call the traffic unit.",
        ],
    },
    Story {
        slug: "boil-water-notice-lifted",
        title: "Water company lifts boil notice for northern districts",
        section: "Local",
        author: "Ruth Okafor",
        published: "2025-08-07T16:45:00-04:00",
        body: &[
            "Residents of Northgate, Millbrook and the Tanner estate no longer need to boil their tap water, the regional water company said on Thursday afternoon, five days after a main burst under Station Road.",
            "Two rounds of samples taken from hydrants across the three districts came back clean, the company said. It advised customers to run their cold taps for two minutes before drinking.",
            "Households affected by the notice will receive a credit of 30 dollars on their next bill, and the company has promised to publish the results of an inquiry into why the repair took four days.",
        ],
    },
    Story {
        slug: "museum-returns-bronze-figures",
        title: "Museum returns bronze figures to their village of origin",
        section: "Culture",
        author: "Hana Lindqvist",
        published: "2026-04-15T11:00:00+02:00",
        body: &[
            "Twelve bronze figures that stood in the city museum's east gallery for more than a century were handed back on Wednesday to elders from the village where they were cast.",
            "The figures were taken by a trading company agent in 1898 and sold to the museum's founders two years later. A review of the collection that began in 2021 traced their route through shipping ledgers and letters kept in the company archive.",
            "At a short ceremony in the museum courtyard, the director said the return was overdue and thanked the village council for its patience during the long negotiations over transport and insurance.",
            "The figures will travel by sea next month and are due to go on display in a new community hall that the village built with help from a regional arts fund.",
        ],
    },
    Story {
        slug: "port-workers-tentative-deal",
        title: "Striking port workers reach tentative deal",
        section: "Business",
        author: "Carl Benning",
        published: "2026-05-22T21:50:00-04:00",
        body: &[
            "Dock workers at the three container terminals in Westhaven reached a tentative agreement with the port employers' association late on Thursday, ending an eleven-day strike that had left more than 40 ships waiting offshore.",
            "The union said the deal raises wages by 14 percent over four years and limits the use of automated cranes at the oldest terminal until 2030. Members will vote on it next week.",
            "Employers said in a statement that cargo handling would resume with the morning shift. Shipping agents warned that clearing the backlog could take three weeks.",
            "Retailers had warned that the stoppage was delaying deliveries of furniture and electronics ahead of the summer sales, and two car plants inland had cut shifts because parts were stuck on the water.",
            "The strike was the longest at the port since 1996.",
        ],
    },
    Story {
        slug: "wildfire-pine-hollow-evacuation",
        title: "Wildfire near Pine Hollow forces evacuation of 200 homes",
        section: "Local",
        author: "Lena Park",
        published: "2025-07-14T15:20:00-07:00",
        body: &[
            "About 200 homes on the western edge of Pine Hollow were ordered to evacuate on Monday afternoon as a grass fire driven by dry winds spread across more than 900 acres of ranch land.",
            "Fire crews from four counties and two air tankers were working to keep the flames south of the county road. No buildings had been damaged by early evening, the fire district said.",
            "An evacuation centre has opened at the Pine Hollow high school gym, and the fairgrounds are taking in horses and other livestock.",
        ],
    },
    Story {
        slug: "central-bank-holds-rates",
        title: "Central bank holds rates, signals cut later in year",
        section: "Economy",
        author: "Jonas Weller",
        published: "2026-06-18T14:05:00+01:00",
        body: &[
            "The central bank kept its main interest rate at 4.25 percent on Thursday but said it expected to lower borrowing costs before the end of the year if inflation keeps easing.",
            "Seven of the nine members of the rate-setting committee voted to hold. The other two wanted an immediate cut of a quarter point, citing weaker hiring in manufacturing and construction.",
            "Inflation fell to 2.6 percent in May, its lowest level in three years, helped by cheaper fuel and food. The bank now expects it to reach its 2 percent target in the second half of next year.",
            "Government bond yields fell after the announcement and the currency slipped against the dollar.",
        ],
    },
    Story {
        slug: "weekend-trains-cancelled",
        title: "Rail operator cancels weekend trains for signal work",
        section: "Transport",
        author: "Staff reporter",
        published: "2026-03-27T09:10:00+00:00",
        body: &[
            "No trains will run between Ashby Junction and the coast on Saturday and Sunday while engineers replace signalling equipment installed in the 1970s, the rail operator said.",
            "Replacement buses will leave from outside each station every half hour and add about 40 minutes to the journey. Tickets for the weekend will be accepted on the buses and on the coastal express coach.",
        ],
    },
    Story {
        slug: "hospital-maternity-ward-opens",
        title: "Hospital opens new maternity ward after two-year delay",
        section: "Health",
        author: "Grace Adeyemi",
        published: "2025-09-30T12:00:00-04:00",
        body: &[
            "St. Brennan's Hospital opened its new maternity ward on Tuesday, two years later than planned, after disputes with the builder over ventilation and the cost of a steel shortage.",
            "The ward has 24 private rooms, two birthing pools and a neonatal unit with space for ten incubators, replacing a wing from the 1960s that staff had long complained was cramped and cold in winter.",
            "The first baby delivered in the new ward, a girl weighing just under seven pounds, was born at 4:12 in the morning, a hospital spokeswoman said.",
        ],
    },
    Story {
        slug: "town-rebuilt-flooded-library",
        title: "How a small town rebuilt its flooded library",
        section: "Features",
        author: "Eliza Marsh",
        published: "2026-02-01T07:00:00-05:00",
        body: &[
            "When the river came over the levee in Carrow two springs ago, the public library was the first building on Front Street to flood. By the time the water went down, it had reached the second shelf of every stack on the ground floor, and almost nine thousand books were pulp.",
            "Librarian Odette Braun remembers wading in with rubber boots and a flashlight the morning after. The card catalogue, a wooden cabinet that predated the building, had floated across the reading room and come to rest against the circulation desk, drawers open.",
            "## A town without its reading room",
            "For the first months the library ran from a borrowed classroom at the elementary school. Children's story hour moved to the fire hall. Residents who had used the library's computers to file benefit claims and job applications drove forty minutes to the county seat instead, or did without.",
            "The town's insurance covered the building but not its contents, and the first estimate for replacing the collection, shelving and equipment came to more than a million dollars, roughly twice the library's annual budget for a decade.",
            "A volunteer committee formed in the summer. Its members sorted donated books in a church basement, held a pancake breakfast every month, and wrote to publishers, foundations and every former resident they could find an address for.",
            "## Building higher",
            "The architects hired by the town proposed lifting the reading room onto a raised floor, with the ground level left open for parking and a covered market on Saturdays. Some residents objected that the library would lose its place on the street, and the plan was redrawn twice.",
            "The final design kept a small entrance lobby at street level, with a lift and a wide staircase up to the collection. Shelving, wiring and the boiler all sit above the height of the last flood, plus three feet.",
            "Work began in the autumn and ran through a wet winter. Contractors from the next county donated the labour for the roof, and high school students built the children's reading nook as a woodworking project.",
            "## Open again",
            "The library reopened in January with a collection of about eleven thousand books, more than it had before the flood, and a bank of new computers donated by a regional credit union. On the first Saturday, the line to sign up for library cards stretched past the hardware store.",
            "Braun says the building is not quite finished. The committee is still raising money for an elevator upgrade and a local history room, and it has kept the old card catalogue, dried and restored, by the front door.",
        ],
    },
    Story {
        slug: "race-to-map-ocean-floor",
        title: "Inside the race to map the ocean floor",
        section: "Science",
        author: "Kofi Mensah",
        published: "2026-04-03T09:30:00+00:00",
        body: &[
            "Less than a third of the ocean floor has been mapped in high resolution, a figure that surprises people who assume satellites have long since charted every ridge and trench. Satellites measure the shape of the sea surface, which hints at the mountains below, but the detail they give is coarse.",
            "To see the seabed clearly, a ship has to pass over it with a multibeam echo sounder, sending fans of sound down and timing the echoes. It is slow work. A research vessel might map an area the size of a small country in a month at sea.",
            "An international project launched in 2017 set the goal of a complete high-resolution map by 2030. Progress has been faster than its founders expected, largely because of data that was already sitting on hard drives.",
            "Fishing fleets, cable layers, navies and oil companies had collected millions of soundings over decades for their own purposes. Persuading them to share it, often stripped of locations they consider sensitive, added large areas to the map without a single new voyage.",
            "Crewless survey boats are the other reason for optimism. Powered by wind and sunlight, they can run survey lines for months without a crew, sending their data home by satellite, at a fraction of the daily cost of a research ship.",
            "The gaps that remain are the hardest. The Southern Ocean is remote and stormy, and parts of the central Pacific are far from any port. Scientists say those regions matter for understanding currents that carry heat around the planet, and for predicting where tsunamis will run highest.",
            "There are practical stakes too. New cables carrying internet traffic between continents need routes that avoid steep slopes and active faults, and shipping lanes in the Arctic are opening faster than the charts are being updated.",
            "Some researchers worry that a detailed map will also open the deep seabed to mining before anyone understands the life that lives there. The project's leaders answer that good maps are needed to decide what to protect, as well as what to exploit.",
            "For now, the map grows by a few percent a year. The team in charge of compiling it publishes a new version every June, and each one shows a little more of a landscape that no one has ever seen.",
            "Whether the 2030 target will be met is an open question, the project's director said. But the map, he added, will be better than anyone had a right to expect when the effort began.",
        ],
    },
    Story {
        slug: "farmers-wetter-spring",
        title: "Farmers weigh the cost of a wetter spring",
        section: "Business",
        author: "Ines Carvalho",
        published: "2026-05-05T06:15:00-05:00",
        body: &[
            "For the third year running, heavy rain in April has kept tractors out of the fields across the river counties, and farmers are deciding whether to plant late, switch crops or leave ground unplanted and claim insurance.",
            "Corn planted after the middle of May usually yields less, agronomists say, and each week of delay costs a few bushels an acre. Soybeans tolerate a late start better, which is why many growers are changing their plans.",
            "Hal Jessup, who farms eleven hundred acres outside Linton, said he had managed to plant only a fifth of his corn by the first of May. He has ordered extra soybean seed in case the rain continues into next week.",
            "Seed dealers report a run on early-maturing varieties. Some have already sold out of the most popular soybean lines and are taking orders for varieties shipped from other states.",
            "The wet spring has knock-on effects further down the supply chain. Fertiliser applied before the rain has washed into ditches and streams, and farmers who need to apply it again face prices that remain high after last year's spike.",
            "Crop insurance allows farmers who cannot plant by a final date to claim a payment for the idle acres. Economists at the state university say that option may pay better than a late crop this year, though it leaves the land earning nothing.",
            "Lenders are watching closely. A county extension officer said banks had so far been willing to extend operating loans, but a second poor harvest in a row would strain smaller farms.",
            "Longer term, many growers are investing in drainage tile to shed water faster, a project that can cost several hundred dollars an acre. Others are experimenting with cover crops that help soil absorb heavy rain.",
            "Jessup says he will wait until the end of the month before deciding about the rest of his corn. \"You can't farm the calendar,\" he said. \"You farm the weather you get.\"",
        ],
    },
    Story {
        slug: "long-road-cheaper-bus-ticket",
        title: "The long road to a cheaper bus ticket",
        section: "Analysis",
        author: "Priya Menon",
        published: "2026-03-09T07:30:00-05:00",
        body: &[
            "When the transit authority proposed raising fares this winter, it set off an argument the city has been having, in one form or another, for thirty years: who should pay for the buses, and how much.",
            "Fares cover about a fifth of what it costs to run the network. The rest comes from a sales tax approved by voters in 1994, state grants and a slice of parking revenue. Every few years, one of those sources falls short and the authority looks at the fare box.",
            "## Who rides",
            "Surveys by the authority show that most riders earn less than the city's median income and that a third have no car in the household. For them, a quarter more per trip adds up to a noticeable share of a monthly budget.",
            "Advocates for riders argue that raising fares drives people away and leaves the system with fewer passengers and the same costs. They point to the last increase, in 2015, after which ridership fell for two years.",
            "The authority says other factors were at work then, including cheap fuel and the arrival of ride-hailing services, and that its own forecast shows only a small drop in trips this time.",
            "## Other options",
            "Several council members have floated alternatives. One would expand a discount pass for low-income riders that now reaches only a few thousand people. Another would raise parking meter rates downtown and send the money to the buses.",
            "A third idea, free fares on a handful of crosstown routes, has been tried in other cities with mixed results. Ridership tends to rise, but so do complaints about crowding, and the lost revenue has to be found somewhere else.",
            "The authority's board says it is open to a mix of measures but has warned that without new money it will have to cut service on evenings and weekends by next summer.",
            "The council is due to take up the question again in March, after a public hearing that is expected to draw a large crowd.",
        ],
    },
];

/// Other headlines for rails, lists and playlists (synthetic too).
const HEADLINES: &[&str] = &[
    "School board approves new start times for the fall",
    "Two injured in apartment fire on Orchard Street",
    "Farmers market moves to the old rail depot for the summer",
    "Council names new fire chief after national search",
    "Heat advisory issued for the valley through Thursday",
    "High school robotics team heads to national finals",
    "Road resurfacing to close Elm Avenue for two weeks",
    "Library extends weekend hours at three branches",
    "Zoo welcomes twin snow leopard cubs",
    "State audit faults county over late payments to contractors",
    "Ferry fares to rise by 50 cents in April",
    "Local bakery wins regional bread competition",
    "Police warn of phone scam targeting older residents",
    "New bike lanes planned for the harbour district",
    "Factory to add 120 jobs after winning defence contract",
    "Storm damage estimates top 3 million dollars",
    "University opens research centre on coastal erosion",
    "Tenants rally for repairs at Riverside towers",
    "Soccer club unveils plans for a new stadium",
    "Volunteers plant 5,000 trees along the river trail",
    "Hospital parking garage to close for repairs",
    "County fair announces headline acts",
    "Drought restrictions eased after wet winter",
    "Former mayor to run for state senate",
];

const DURATIONS: &[&str] = &["01:01:43", "2:15", "03:48", "12:07", "0:58", "45:10"];
const AGO: &[&str] = &[
    "32M ago",
    "1H ago",
    "3 hours ago",
    "5 min ago",
    "2 days ago",
    "Yesterday",
];

fn esc(s: &str) -> String {
    crate::escape(s)
}

fn headline(i: usize) -> &'static str {
    HEADLINES
        .get(i % HEADLINES.len())
        .copied()
        .unwrap_or("More news")
}

fn headline_slug(i: usize) -> String {
    headline(i)
        .to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// The story's paragraphs as HTML, `<p>` and `<h2>`.
fn body_html(s: &Story) -> Vec<String> {
    s.body
        .iter()
        .map(|p| match p.strip_prefix("## ") {
            Some(h) => format!("<h2>{}</h2>", esc(h)),
            None => format!("<p>{}</p>", esc(p)),
        })
        .collect()
}

fn expected(s: &Story) -> String {
    s.body
        .iter()
        .map(|p| p.strip_prefix("## ").unwrap_or(p))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// "11/20/2019 01:14 PM" style stamps.
fn us_stamp(i: usize) -> String {
    format!(
        "{:02}/{:02}/2025 {:02}:{:02} {}",
        (i % 12) + 1,
        (i * 7 % 28) + 1,
        (i * 5 % 12) + 1,
        i * 13 % 60,
        if i.is_multiple_of(2) { "AM" } else { "PM" }
    )
}

/// A site-wide menu: sections with their subsections, as real news sites ship in
/// every page (a `<div>` of lists, not always a `<nav>`).
fn mega_menu() -> String {
    const SECTIONS: &[(&str, &[&str])] = &[
        (
            "News",
            &[
                "Local",
                "State",
                "National",
                "World",
                "Politics",
                "Education",
                "Crime",
            ],
        ),
        (
            "Business",
            &["Economy", "Markets", "Real estate", "Jobs", "Technology"],
        ),
        (
            "Sports",
            &[
                "High school",
                "College",
                "Pro football",
                "Baseball",
                "Soccer",
            ],
        ),
        (
            "Life",
            &[
                "Food", "Travel", "Health", "Arts", "Books", "Music", "Movies",
            ],
        ),
        ("Opinion", &["Editorials", "Columns", "Letters", "Cartoons"]),
        (
            "Services",
            &[
                "Obituaries",
                "Classifieds",
                "Public notices",
                "E-edition",
                "Archives",
            ],
        ),
    ];
    let cols: String = SECTIONS
        .iter()
        .map(|(head, subs)| {
            let items: String = subs
                .iter()
                .map(|s| format!(r#"<li><a href="/{0}">{s}</a></li>"#, s.to_lowercase().replace(' ', "-")))
                .collect();
            format!(r#"<div class="mm-col"><a class="mm-head" href="/{0}">{head}</a><ul>{items}</ul></div>"#, head.to_lowercase())
        })
        .collect();
    format!(r#"<div class="mega-menu">{cols}</div>"#)
}

/// A footer's link columns ("About us", "Advertise", "Careers", ...).
fn footer_columns() -> String {
    const LINKS: &[&str] = &[
        "About us",
        "Contact us",
        "Advertise with us",
        "Careers",
        "Newsroom staff",
        "Ethics policy",
        "Corrections",
        "Submit a news tip",
        "Subscriber services",
        "Manage your account",
        "Help center",
        "Site map",
        "Accessibility",
        "Privacy policy",
        "Terms of service",
        "Cookie settings",
        "Do not sell my personal information",
        "RSS feeds",
        "Mobile apps",
        "Newsletters",
    ];
    let items: String = LINKS
        .iter()
        .map(|l| {
            format!(
                r#"<li><a href="/{0}">{l}</a></li>"#,
                l.to_lowercase().replace(' ', "-")
            )
        })
        .collect();
    format!(r#"<div class="ft-links"><ul>{items}</ul></div>"#)
}

fn share_icons() -> String {
    ["facebook", "x", "whatsapp", "email", "print"]
        .iter()
        .map(|n| {
            format!(
                r#"<a href="https://share.example/{n}"><img src="/static/icons/{n}.svg" width="24" height="24" alt="Share on {n}"></a>"#
            )
        })
        .collect()
}

fn json_ld(s: &Story, site: &str, ty: &str) -> String {
    let v = serde_json::json!({
        "@context": "https://schema.org",
        "@type": ty,
        "headline": s.title,
        "datePublished": s.published,
        "articleSection": s.section,
        "author": [{"@type": "Person", "name": s.author}],
        "publisher": {"@type": "NewsMediaOrganization", "name": site},
    });
    format!(r#"<script type="application/ld+json">{v}</script>"#)
}

fn og(s: &Story, site: &str, published_time: bool) -> String {
    let mut m = format!(
        r#"<meta property="og:type" content="article"><meta property="og:title" content="{}"><meta property="og:site_name" content="{}">"#,
        esc(s.title),
        esc(site)
    );
    if published_time {
        m.push_str(&format!(
            r#"<meta property="article:published_time" content="{}">"#,
            s.published
        ));
    }
    m
}

fn head(title: &str, site: &str, meta: &str) -> String {
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{} | {}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">{meta}
<link rel="stylesheet" href="/static/site.css"><script src="/static/analytics.js" async></script></head>"#,
        esc(title),
        esc(site)
    )
}

fn comments(n: usize) -> String {
    const REPLIES: &[(&str, &str)] = &[
        (
            "riverwatcher",
            "I drive over that bridge every day and have been saying for years that the piers needed work.",
        ),
        (
            "J. Dalton",
            "Good reporting. Would be nice to know who pays for the repairs, though.",
        ),
        (
            "maplegrove55",
            "Same thing happened in 2009 and it took them six months to reopen. Don't hold your breath.",
        ),
        (
            "Sue K",
            "Thank you to the crews working out there in this weather.",
        ),
        (
            "Observer",
            "The real story is the lack of maintenance funding, which nobody at city hall wants to talk about.",
        ),
    ];
    REPLIES
        .iter()
        .cycle()
        .take(n)
        .enumerate()
        .map(|(i, (who, text))| {
            format!(
                r##"<div class="reply" id="r{i}"><div class="who"><strong>{who}</strong> <span class="when">{}</span></div><p>{text}</p><a href="#reply-{i}">Reply</a> <a href="#flag-{i}">Report</a></div>"##,
                AGO.get(i % AGO.len()).copied().unwrap_or("")
            )
        })
        .collect()
}

/// A wire-style site: CMS body class, "Latest headlines" list with US timestamps,
/// "More from {section}" cards, a newsletter bar, a footer with an address.
fn wire(s: &Story, meta: bool) -> String {
    let site = "The Daily Courier";
    let latest: String = (0..12)
        .map(|i| {
            format!(
                r#"<li><a href="/news/{}">{}</a> <span class="stamp">{}</span></li>"#,
                headline_slug(i),
                esc(headline(i)),
                us_stamp(i)
            )
        })
        .collect();
    let cards: String = (12..18)
        .map(|i| {
            format!(
                r#"<div class="c-card"><a href="/news/{slug}"><img src="/img/{slug}.jpg" alt=""></a><h3><a href="/news/{slug}">{h}</a></h3><p>{dek}</p></div>"#,
                slug = headline_slug(i),
                h = esc(headline(i)),
                dek = esc(&format!(
                    "Officials said more details on {} would follow later this week.",
                    headline(i).to_lowercase()
                ))
            )
        })
        .collect();
    let meta_html = if meta {
        format!("{}{}", og(s, site, true), json_ld(s, site, "NewsArticle"))
    } else {
        String::new()
    };
    format!(
        r#"{head}<body>
<div class="top-bar"><a href="/login">Log in</a> | <a href="/subscribe">Subscribe</a> | <a href="/newsletters">Newsletters</a></div>
<header class="site-header"><a href="/" class="logo">{site}</a><nav><a href="/local">Local</a> <a href="/business">Business</a> <a href="/sports">Sports</a> <a href="/opinion">Opinion</a></nav></header>
{menu}
<div class="container"><div class="row"><div class="col-main">
<div class="breadcrumb"><a href="/">Home</a> / <a href="/{sec_l}">{sec}</a></div>
<h1 class="headline">{title}</h1>
<div class="byline">By {author} | {stamp}</div>
<div class="share-tools">{icons}</div>
<div class="article-body">
{body}
</div>
<div class="signup"><a href="/newsletters/morning">Sign up for the Morning Briefing newsletter</a> <a href="/events/summit">Register now for the Courier Business Summit 2026</a></div>
<h2 class="rail-title">More from {sec}</h2>
<div class="rail">{cards}</div>
</div>
<div class="col-side"><h2>Latest headlines</h2><ul class="headline-list">{latest}</ul></div>
</div></div>
{foot}<div class="site-info"><p>The Daily Courier, 410 Commerce Street, Suite 200, Harlow, OH 44102</p><p>Copyright © 2026 Courier Media Group. All rights reserved.</p><p><a href="/privacy">Privacy</a> <a href="/terms">Terms of use</a> <a href="/contact">Contact us</a></p></div>
</body></html>"#,
        head = head(s.title, site, &meta_html),
        menu = mega_menu(),
        foot = footer_columns(),
        title = esc(s.title),
        author = esc(s.author),
        sec = esc(s.section),
        sec_l = s.section.to_lowercase(),
        stamp = s.published.get(..10).unwrap_or(""),
        icons = share_icons(),
        body = body_html(s).join("\n"),
    )
}

/// A TV station's page: no body class the extractor knows, a video playlist with
/// durations and relative times, a promo bar, share icons, comments.
fn tv(s: &Story, meta: bool) -> String {
    let site = "KTVN 8 News";
    let playlist: String = (3..11)
        .map(|i| {
            format!(
                r#"<li class="pl-item"><a href="/video/{slug}"><img src="/thumbs/{slug}.jpg" alt=""><span class="dur">{d}</span></a><div class="pl-meta"><a href="/video/{slug}">{h}</a><span class="ago">{ago}</span></div></li>"#,
                slug = headline_slug(i),
                h = esc(headline(i)),
                d = DURATIONS.get(i % DURATIONS.len()).copied().unwrap_or(""),
                ago = AGO.get(i % AGO.len()).copied().unwrap_or("")
            )
        })
        .collect();
    let meta_html = if meta {
        og(s, site, false)
    } else {
        String::new()
    };
    format!(
        r#"{head}<body>
<div id="app"><div class="masthead"><a href="/">KTVN 8</a> <a href="/weather">Weather</a> <a href="/watch-live">Watch live</a></div>{menu}
<div class="wrap">
<div class="col-md-8 main-col">
<h1>{title}</h1>
<div class="meta-line"><span>{author}</span> <span>{ago}</span></div>
<div class="icons">{icons}</div>
<div class="col-md-12 txt">
{body}
</div>
<div class="promo-bar"><a href="/account/login">Log in</a> <a href="/account/register">Create a free account</a> <a href="/newsletter">Get breaking news alerts in your inbox</a> <a href="/events/energy">Register for the Energy Futures Conference</a></div>
<div class="comments-area"><h3>Comments (7)</h3>{replies}</div>
</div>
<div class="col-md-4"><h2>Watch: latest videos</h2><ul class="playlist">{playlist}</ul></div>
</div>
{foot}<div class="bottom">KTVN 8 News, 2200 Broadcast Way, Dunmore, CO 80112. © 2026 KTVN Television LLC.</div>
</div></body></html>"#,
        head = head(s.title, site, &meta_html),
        menu = mega_menu(),
        foot = footer_columns(),
        title = esc(s.title),
        author = esc(s.author),
        ago = AGO.first().copied().unwrap_or(""),
        icons = share_icons(),
        body = body_html(s).join("\n"),
        replies = comments(7),
    )
}

/// A small paper with no metadata at all: the story in an `<article>` that also
/// holds share icons, a link-spam block and the comment thread.
fn gazette(s: &Story, meta: bool) -> String {
    let site = "Ellen Valley Gazette";
    let spam: String = [
        "cheap flights",
        "best payday loans",
        "casino bonus codes",
        "buy followers",
        "replica watches",
        "crypto signals",
        "online pharmacy",
        "seo services",
    ]
    .iter()
    .map(|w| {
        format!(
            r#"<a href="https://spam.example/{}">{w}</a>"#,
            w.replace(' ', "-")
        )
    })
    .collect::<Vec<_>>()
    .join(" | ");
    let related: String = (6..10)
        .map(|i| {
            format!(
                r#"<p class="rel"><a href="/story/{}">{}</a> ({})</p>"#,
                headline_slug(i),
                esc(headline(i)),
                us_stamp(i)
            )
        })
        .collect();
    let meta_html = if meta {
        json_ld(s, site, "NewsArticle")
    } else {
        String::new()
    };
    format!(
        r#"{head}<body>
<table width="100%"><tr><td><a href="/"><img src="/logo.gif" alt="{site}"></a></td><td><a href="/login.php">Member login</a></td></tr></table>
{menu}<div id="page">
<article>
<h1>{title}</h1>
<p class="info">Posted {date} by {author}</p>
<p>{icons}</p>
{body}
<h4>Related stories</h4>
{related}
<p class="tags">Sponsored links: {spam}</p>
<h3>23 Comments</h3>
{replies}
<h3>Leave a Reply</h3><form><textarea></textarea><button>Post comment</button></form>
</article>
</div>
<div id="foot">{foot}<p>Ellen Valley Gazette, 17 Mill Street, Port Ellen, PA 17011 · (717) 555-0142</p><p>© 2026 Ellen Valley Publishing Co. All rights reserved.</p></div>
</body></html>"#,
        head = head(s.title, site, &meta_html),
        menu = mega_menu(),
        foot = footer_columns(),
        title = esc(s.title),
        author = esc(s.author),
        date = s.published.get(..10).unwrap_or(""),
        icons = share_icons(),
        body = body_html(s).join("\n"),
        replies = comments(5),
    )
}

/// A portal: the story is the first `<article>` of a `<main>` that continues with
/// one `<article>` card per other story (headline, dek, time), plus a "Most read"
/// list.
fn portal(s: &Story, meta: bool) -> String {
    let site = "Metro Now";
    let cards: String = (14..22)
        .map(|i| {
            format!(
                r#"<article class="story"><h2><a href="/a/{slug}">{h}</a></h2><p>{dek}</p><time>{ago}</time></article>"#,
                slug = headline_slug(i),
                h = esc(headline(i)),
                dek = esc(&format!(
                    "The latest on {}, with reaction from residents and officials.",
                    headline(i).to_lowercase()
                )),
                ago = AGO.get(i % AGO.len()).copied().unwrap_or("")
            )
        })
        .collect();
    let most: String = (0..5)
        .map(|i| {
            format!(
                r#"<li><a href="/a/{}">{}</a></li>"#,
                headline_slug(i + 7),
                esc(headline(i + 7))
            )
        })
        .collect();
    let meta_html = if meta {
        json_ld(s, site, "ReportageNewsArticle")
    } else {
        String::new()
    };
    format!(
        r#"{head}<body>
<div class="shell"><div class="brand">{site}</div>{menu}
<main>
<article class="story">
<h1>{title}</h1>
<div class="author">{author}</div>
{body}
<figure><img src="/img/lead.jpg" alt=""><figcaption>Photo: {site} staff</figcaption></figure>
</article>
{cards}
</main>
<section class="most"><h2>Most read</h2><ol>{most}</ol></section>
{foot}<div class="legal">© 2026 Metro Now Media. All rights reserved. 88 Canal Road, Floor 4, Westhaven, NJ 07030</div>
</div></body></html>"#,
        head = head(s.title, site, &meta_html),
        menu = mega_menu(),
        foot = footer_columns(),
        title = esc(s.title),
        author = esc(s.author),
        body = body_html(s).join("\n"),
    )
}

/// A blog: microdata BlogPosting with `itemprop=articleBody`, "You might also like"
/// cards inside the post, a sidebar of recent posts with dates, replies.
fn blog(s: &Story, meta: bool) -> String {
    let site = "Field Notes";
    let like: String = (18..21)
        .map(|i| {
            format!(
                r#"<div class="yarpp-thumb"><a href="/p/{slug}"><img src="/img/{slug}.jpg" alt=""><span>{h}</span></a></div>"#,
                slug = headline_slug(i),
                h = esc(headline(i))
            )
        })
        .collect();
    let recent: String = (20..25)
        .map(|i| {
            format!(
                r#"<li><a href="/p/{}">{}</a><br><span class="post-date">{}</span></li>"#,
                headline_slug(i),
                esc(headline(i)),
                us_stamp(i)
            )
        })
        .collect();
    let (scope, prop) = if meta {
        (
            r#" itemscope itemtype="https://schema.org/BlogPosting""#,
            r#" itemprop="articleBody""#,
        )
    } else {
        ("", "")
    };
    format!(
        r#"{head}<body>
<div id="wrapper"><div id="header"><a href="/">{site}</a><p>Notes from the river counties</p></div>{menu}
<div id="content"><div class="post"{scope}>
<h1 itemprop="headline">{title}</h1>
<div class="postmeta">{date} · {author}</div>
<div class="entry"{prop}>
{body}
<p>{icons}</p>
<h3>You might also like</h3>
<div class="yarpp">{like}</div>
</div>
</div>
<div id="respond"><h3>Comments</h3>{replies}<h3>Leave a comment</h3><form><textarea></textarea></form></div>
</div>
<div id="sidebar"><h3>Recent posts</h3><ul>{recent}</ul><h3>Subscribe</h3><p><a href="/feed">RSS</a> <a href="/newsletter">Email newsletter</a></p></div>
{foot}<div id="credits">Field Notes · 5 Orchard Lane, Linton, IA 52240 · Copyright 2026</div>
</div></body></html>"#,
        head = head(s.title, site, ""),
        menu = mega_menu(),
        foot = footer_columns(),
        title = esc(s.title),
        author = esc(s.author),
        date = s.published.get(..10).unwrap_or(""),
        body = body_html(s).join("\n"),
        icons = share_icons(),
        replies = comments(3),
    )
}

/// A paper whose body is split into two `rich-text` slices around an ad, followed,
/// inside the same container, by "More from {section}" headlines with relative
/// times written as paragraphs.
fn paper(s: &Story, meta: bool) -> String {
    let site = "The Westhaven Standard";
    let html = body_html(s);
    let half = html.len().div_ceil(2);
    let (a, b) = html.split_at(half);
    let more: String = (8..14)
        .map(|i| {
            format!(
                r#"<p class="more-item"><a href="/{}">{}</a> <span>{}</span></p>"#,
                headline_slug(i),
                esc(headline(i)),
                AGO.get(i % AGO.len()).copied().unwrap_or("")
            )
        })
        .collect();
    let meta_html = if meta {
        format!("{}{}", og(s, site, true), json_ld(s, site, "NewsArticle"))
    } else {
        String::new()
    };
    format!(
        r#"{head}<body>
<div class="page"><div class="nav-wrap"><a href="/">{site}</a> <a href="/signin">Sign in</a> <a href="/subscribe">Subscribe for $1</a></div>{menu}
<div class="story-wrap">
<h1>{title}</h1>
<p class="dek-author">By {author}</p>
<div class="rich-text">{a}</div>
<div class="ad-container">Advertisement</div>
<div class="rich-text">{b}</div>
<div class="story-extras">
<h3>More from {sec}</h3>
{more}
<p><a href="/newsletters">Get the Standard's free daily newsletter</a></p>
</div>
</div>
<div class="site-bottom">{foot}<p>The Westhaven Standard · 1 Harbour Plaza, Westhaven, NJ 07030</p><p>© 2026 Standard Publishing. All rights reserved.</p></div>
</div></body></html>"#,
        head = head(s.title, site, &meta_html),
        menu = mega_menu(),
        foot = footer_columns(),
        title = esc(s.title),
        author = esc(s.author),
        sec = esc(s.section),
        a = a.join("\n"),
        b = b.join("\n"),
    )
}

type Layout = fn(&Story, bool) -> String;

const LAYOUTS: &[(&str, Layout)] = &[
    ("wire", wire),
    ("tv", tv),
    ("gazette", gazette),
    ("portal", portal),
    ("blog", blog),
    ("paper", paper),
];

/// Every page of the set, in a fixed order: each story in one layout (story i in
/// layout i mod 6, with metadata on every other page), the long stories also in
/// two more layouts, and a few short stories again without metadata.
pub fn pages() -> Vec<NewsPage> {
    let mut out = Vec::new();
    let mut add = |si: usize, li: usize, meta: bool| {
        let (Some(s), Some(&(layout, f))) = (STORIES.get(si), LAYOUTS.get(li % LAYOUTS.len()))
        else {
            return;
        };
        let html = f(s, meta);
        // The blog's microdata is its only declaration.
        let declared = meta;
        let paras = s.body.iter().filter(|p| !p.starts_with("## ")).count();
        out.push(NewsPage {
            slug: format!("{layout}-{}{}", s.slug, if meta { "" } else { "-plain" }),
            url: format!(
                "https://{layout}.news.example/{}/{}/{}",
                s.section.to_lowercase(),
                s.published.get(..10).unwrap_or("2026").replace('-', "/"),
                s.slug
            ),
            html,
            title: s.title.to_string(),
            expected: expected(s),
            declared,
            layout,
            short: paras <= 5,
        });
    };
    for si in 0..STORIES.len() {
        add(si, si, si.is_multiple_of(2));
    }
    // Long stories in two more layouts.
    for si in 12..STORIES.len() {
        add(si, si + 2, true);
        add(si, si + 4, false);
    }
    // Short stories again, the other way round.
    for si in [0, 3, 4, 7, 9, 10] {
        add(si, si + 3, !si.is_multiple_of(2));
    }
    out
}

/// `/newsroom/`: the list of pages.
pub async fn index() -> Response {
    let links: String = pages()
        .iter()
        .map(|p| format!("<li><a href=\"/newsroom/{0}\">{0}</a></li>", p.slug))
        .collect();
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        format!("<!doctype html><html><body><ul>{links}</ul></body></html>"),
    )
        .into_response()
}

/// `/newsroom/{slug}`: one page.
pub async fn serve(Path(slug): Path<String>) -> Response {
    match pages().into_iter().find(|p| p.slug == slug) {
        Some(p) => ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], p.html).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn slugs_are_unique_and_every_page_has_its_story() {
        let pages = super::pages();
        let mut seen = std::collections::HashSet::new();
        for p in &pages {
            assert!(seen.insert(p.slug.clone()), "{}", p.slug);
            let first = p.expected.split("\n\n").next().unwrap_or("");
            assert!(p.html.contains(&crate::escape(first)), "{}", p.slug);
        }
        assert!(pages.len() >= 24, "{}", pages.len());
        assert!(pages.iter().any(|p| !p.declared) && pages.iter().any(|p| p.declared));
        assert!(pages.iter().any(|p| !p.short) && pages.iter().any(|p| p.short));
    }
}
