//! Reading and mapping, on small files.

use std::io::Read;

use chrono::NaiveDate;

use super::count::LineCounter;
use super::reader::OrgElement;
use super::*;
use crate::registry::model::ProjectStatus;

fn read_all(xml: &str) -> Result<Vec<Activity>, ParseError> {
    let mut reader = ActivityReader::new(xml.as_bytes());
    let mut out = Vec::new();
    while let Some(a) = reader.next_activity()? {
        out.push(a);
    }
    Ok(out)
}

const ONE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<iati-activities version="2.03">
 <iati-activity default-currency="EUR" xml:lang="en">
  <iati-identifier>XM-DAC-41110-T1</iati-identifier>
  <reporting-org ref="XM-DAC-41110" type="40"><narrative>UNODC</narrative></reporting-org>
  <title><narrative xml:lang="fr">Refuges</narrative><narrative>Shelters &amp; care &#233;</narrative></title>
  <description type="2"><narrative>Objectives</narrative></description>
  <description type="1"><narrative>General</narrative></description>
  <participating-org ref="GB-CHC-123" role="1" type="60"><narrative>Fund</narrative></participating-org>
  <participating-org role="4"><narrative>Local NGO</narrative></participating-org>
  <activity-status code="2"/>
  <activity-date type="1" iso-date="2024-01-01"/>
  <activity-date type="2" iso-date="2024-02-01"/>
  <activity-date type="3" iso-date="2025-12-31"/>
  <recipient-country code="ng"/>
  <recipient-country code="GH"/>
  <sector code="15190"/>
  <sector vocabulary="8" code="16.2"/>
  <tag vocabulary="3" code="8.7"/>
  <budget type="1"><period-start iso-date="2024-01-01"/><value currency="EUR">100.005</value></budget>
  <budget type="2"><period-start iso-date="2024-01-01"/><value>200</value></budget>
  <budget type="1"><period-start iso-date="2025-01-01"/><value>50.5</value></budget>
 </iati-activity>
</iati-activities>"#;

#[test]
fn reads_the_parts_of_an_activity() {
    let activities = read_all(ONE).expect("parses");
    assert_eq!(activities.len(), 1);
    let a = &activities[0];
    assert_eq!(a.line, 3);
    assert_eq!(a.identifier.as_deref(), Some("XM-DAC-41110-T1"));
    assert_eq!(a.titles[1].text, "Shelters & care é");
    let m = map_activity(a, false).expect("maps");
    assert_eq!(m.title, "Shelters & care é");
    assert_eq!(m.description, "General");
    assert_eq!(m.countries, vec!["NG", "GH"]);
    assert_eq!(
        m.themes,
        vec![
            "prevention.safe-migration",
            "protection",
            "prosecution",
            "prevention"
        ]
    );
    assert_eq!(m.status, ProjectStatus::Active);
    assert_eq!(m.start_on, NaiveDate::from_ymd_opt(2024, 2, 1));
    assert_eq!(m.end_on, NaiveDate::from_ymd_opt(2025, 12, 31));
    // the revised 2024 budget replaces the original; 200 + 50.50
    assert_eq!(m.budget.map(|b| b.to_string()), Some("250.50 EUR".into()));
    assert_eq!(m.participants.len(), 2);
    assert_eq!(m.participants[0].1.org_id(), Some("GB-CHC-123"));
    assert_eq!(m.participants[1].1.org_id(), None);
}

#[test]
fn refuses_a_billion_laughs() {
    let bomb = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
<iati-activities><iati-activity><title><narrative>&lol2;</narrative></title></iati-activity></iati-activities>"#;
    match read_all(bomb) {
        Err(ParseError::Refused { line, reason }) => {
            assert_eq!(line, 2);
            assert!(reason.contains("DOCTYPE"), "{reason}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn refuses_undeclared_entities() {
    let xxe = "<iati-activities>\n<iati-activity>\n<iati-identifier>&xxe;</iati-identifier></iati-activity></iati-activities>";
    assert!(matches!(
        read_all(xxe),
        Err(ParseError::Refused { line: 3, .. })
    ));
    let in_attr = "<iati-activities><iati-activity default-currency=\"&xxe;\"/></iati-activities>";
    assert!(matches!(read_all(in_attr), Err(ParseError::Refused { .. })));
}

#[test]
fn names_the_line_of_malformed_xml() {
    let broken = "<iati-activities>\n<iati-activity>\n<title>\n</titel>\n</iati-activity>\n</iati-activities>";
    match read_all(broken) {
        Err(ParseError::Malformed { line, .. }) => assert_eq!(line, 4),
        other => panic!("{other:?}"),
    }
    let truncated = "<iati-activities>\n<iati-activity>\n<title>";
    assert!(matches!(
        read_all(truncated),
        Err(ParseError::Malformed { line: 3, .. })
    ));
    assert!(matches!(
        read_all("<html/>"),
        Err(ParseError::Malformed { .. })
    ));
    assert!(matches!(read_all(""), Err(ParseError::Malformed { .. })));
    assert!(matches!(
        read_all("<iati-activities version=\"1.05\"/>"),
        Err(ParseError::Malformed { .. })
    ));
}

#[test]
fn refuses_absurd_nesting() {
    let deep = format!(
        "<iati-activities>{}{}</iati-activities>",
        "<a>".repeat(100),
        "</a>".repeat(100)
    );
    assert!(matches!(read_all(&deep), Err(ParseError::Refused { .. })));
}

#[test]
fn says_why_an_activity_is_skipped() {
    let mut a = read_all(ONE).expect("parses").remove(0);
    let reason = |a: &Activity| map_activity(a, false).expect_err("skipped");
    let mut b = a.clone();
    b.identifier = None;
    assert_eq!(reason(&b), "no iati-identifier");
    let mut b = a.clone();
    b.status_code = Some("5".into());
    assert!(reason(&b).contains("cancelled"));
    let mut b = a.clone();
    b.countries.push(Coded::new("QQ"));
    assert!(reason(&b).contains("QQ"));
    let mut b = a.clone();
    b.dates.push(("4".into(), "2023-01-01".into()));
    assert!(reason(&b).contains("before"));
    let mut b = a.clone();
    b.reporting_org = Some(OrgElement {
        reference: Some("35".into()),
        ..OrgElement::default()
    });
    assert!(reason(&b).contains("reporting-org"));
    a.sectors.clear();
    a.tags.clear();
    assert!(
        map_activity(&a, true)
            .expect_err("no theme")
            .contains("theme")
    );
    assert!(map_activity(&a, false).is_ok());
}

const SHARED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<iati-activities version="2.03">
 <iati-activity default-currency="USD">
  <iati-identifier>XM-DAC-41110-T2</iati-identifier>
  <reporting-org ref="XM-DAC-41110" type="40"><narrative>UNODC</narrative></reporting-org>
  <title><narrative>Shared</narrative></title>
  <activity-status code="2"/>
  <recipient-country code="NG" percentage="50"/>
  <recipient-country code="GH" percentage="20"/>
  <recipient-country code="ng" percentage="10"/>
  <recipient-region code="298" percentage="15"/>
  <recipient-region code="1001" vocabulary="2" percentage="5"/>
  <sector code="15190" percentage="40"/>
  <sector code="12220" percentage="60"/>
  <sector vocabulary="8" code="16.2" percentage="100"/>
 </iati-activity>
</iati-activities>"#;

#[test]
fn keeps_the_percentages_of_places_and_sectors() {
    use rust_decimal::Decimal;
    let a = read_all(SHARED).expect("parses").remove(0);
    let m = map_activity(&a, false).expect("maps");
    let pct = |v: &[i64]| v.iter().map(|p| Decimal::from(*p)).collect::<Vec<_>>();
    // a country named twice adds its shares
    assert_eq!(m.countries, vec!["NG", "GH"]);
    assert_eq!(m.split.country_percentages, Some(pct(&[60, 20])));
    let regions: Vec<(String, Option<Decimal>)> = m
        .split
        .regions
        .iter()
        .map(|r| (r.code.clone(), r.percentage))
        .collect();
    assert_eq!(
        regions,
        vec![
            ("298".to_string(), Some(Decimal::from(15))),
            ("2:1001".to_string(), Some(Decimal::from(5)))
        ]
    );
    // the DAC sectors give the shares: 40 % safe migration, the health sector's 60 % is
    // other work; the SDG target's themes get no share of their own
    assert_eq!(
        m.themes,
        vec!["prevention.safe-migration", "protection", "prosecution"]
    );
    assert_eq!(m.split.theme_percentages, Some(pct(&[40, 0, 0])));

    // one place without a percentage: none are used
    let mut b = a.clone();
    b.regions[1].percentage = None;
    let m = map_activity(&b, false).expect("maps");
    assert_eq!(m.split.country_percentages, None);
    assert!(m.split.regions.iter().all(|r| r.percentage.is_none()));
    // percentages summing to 50 are read as weights: each doubles
    let mut c = a.clone();
    c.regions.clear();
    c.countries.truncate(2);
    c.countries[0].percentage = Some("30".into());
    let m = map_activity(&c, false).expect("maps");
    assert_eq!(
        m.split.country_percentages,
        Some(vec![Decimal::from(60), Decimal::from(40)])
    );
    // an unusable region code skips the activity, naming it
    let mut d = a.clone();
    d.regions[0].code = "<298>".into();
    assert!(
        map_activity(&d, false)
            .expect_err("skipped")
            .contains("298")
    );
}

#[test]
fn mixed_currencies_give_no_budget() {
    let mut a = read_all(ONE).expect("parses").remove(0);
    a.budgets[2].currency = Some("USD".into());
    assert_eq!(map_activity(&a, false).expect("maps").budget, None);
}

#[test]
fn line_counter_counts_across_its_ring() {
    let text = "a\n".repeat(100_000);
    let mut counter = LineCounter::new(text.as_bytes());
    let mut sink = Vec::new();
    counter.read_to_end(&mut sink).expect("reads");
    assert_eq!(counter.line_at(200_000), 100_001);
    assert_eq!(counter.line_at(199_999), 100_000);
    assert_eq!(counter.line_at(199_990), 99_996);
}

#[test]
fn imported_text_is_cleaned_to_what_the_service_accepts_as_text() {
    // XML 1.0 allows C1 controls and bidirectional overrides as characters and as
    // references; a title that reads "Shelter" but stores an override must not reach the
    // registry, its search index or the public pages.
    let hostile = ONE
        .replace(
            "<narrative>Shelters &amp; care &#233;</narrative>",
            "<narrative>Shelters\u{202E}gpj.exe &#x9B;care\n\t for all</narrative>",
        )
        .replace(
            "<narrative>General</narrative>",
            "<narrative>Line one\u{2066}\nline two&#x85;</narrative>",
        )
        .replace(
            "<narrative>Local NGO</narrative>",
            "<narrative>Local\u{202D} NGO&#x80;</narrative>",
        );
    let a = read_all(&hostile).expect("parses").remove(0);
    let m = map_activity(&a, false).expect("maps");
    assert_eq!(m.title, "Sheltersgpj.exe care for all");
    assert_eq!(m.description, "Line one\nline two");
    assert_eq!(m.participants[1].1.name.as_deref(), Some("Local NGO"));
    for (text, lines) in [
        (&m.title, crate::platform::Lines::Single),
        (&m.description, crate::platform::Lines::Multi),
    ] {
        assert_eq!(
            crate::platform::text::problem(text, lines),
            None,
            "{text:?}"
        );
    }
}
