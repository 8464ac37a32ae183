//! The printable work record: the statements of several organizations on one HTML page with
//! print styles, each with what it says, its short code and a QR code of its organization's
//! verify page. Everything from a server is escaped; the page has no script and loads
//! nothing, so it opens the same in the app, in a browser and as a saved file.

use shiftlog_statement::Statement;

use super::StoredStatement;
use crate::Lang;

/// The page's words: (English, French).
mod words {
    pub(super) const TITLE: (&str, &str) = ("Work record", "Relevé de travail");
    pub(super) const INTRO: (&str, &str) = (
        "Each part below was signed by the organization named in it. It holds counts of work only, nothing about the people served. To check a part, scan its QR code or open the address beside it and type its code; anyone can also check the saved file offline with shiftlog verify.",
        "Chaque partie ci-dessous a été signée par l’organisme qui y est nommé. Elle ne contient que des nombres sur le travail, rien sur les personnes servies. Pour vérifier une partie, lisez son code QR ou ouvrez l’adresse à côté et tapez son code ; on peut aussi vérifier le fichier enregistré hors ligne avec shiftlog verify.",
    );
    pub(super) const NONE: (&str, &str) = (
        "No statement yet. Ask your organizations for one first.",
        "Aucune attestation pour l’instant. Demandez-en une à vos organismes d’abord.",
    );
    pub(super) const PERIOD: (&str, &str) = ("Period", "Période");
    pub(super) const TO: (&str, &str) = ("to", "au");
    pub(super) const KNOWN_AS: (&str, &str) = (
        "Worker, as the organization knows them",
        "Travailleur·euse, tel·le que l’organisme le ou la connaît",
    );
    pub(super) const ISSUED: (&str, &str) = ("Signed on", "Signée le");
    pub(super) const HOURS: (&str, &str) = ("Hours by pay type", "Heures par type de rémunération");
    pub(super) const PAY_TYPE: (&str, &str) = ("Pay type", "Type");
    pub(super) const SHIFTS: (&str, &str) = ("Shifts", "Quarts");
    pub(super) const TIME: (&str, &str) = ("Time", "Durée");
    pub(super) const TOTAL: (&str, &str) = ("Total", "Total");
    pub(super) const ACTIVITIES: (&str, &str) = ("Activities by kind", "Activités par type");
    pub(super) const KIND: (&str, &str) = ("Kind", "Type");
    pub(super) const COUNT: (&str, &str) = ("Number", "Nombre");
    pub(super) const OFF_SHIFT: (&str, &str) = ("Off shift", "Hors quart");
    pub(super) const TRAINING: (&str, &str) = ("Training received", "Formations reçues");
    pub(super) const TOPIC: (&str, &str) = ("Topic", "Sujet");
    pub(super) const SESSIONS: (&str, &str) = ("Sessions", "Séances");
    pub(super) const ROLES: (&str, &str) = ("Roles held", "Rôles occupés");
    pub(super) const ROLE: (&str, &str) = ("Role", "Rôle");
    pub(super) const NOTHING: (&str, &str) =
        ("None in this period.", "Aucun pendant cette période.");
    pub(super) const CODE: (&str, &str) = ("Code", "Code");
    pub(super) const CHECK_AT: (&str, &str) = ("Check it at", "Vérifiez-la sur");
    pub(super) const KEY: (&str, &str) = ("Signing key", "Clé de signature");
    pub(super) const QR: (&str, &str) = (
        "QR code of the verify page",
        "Code QR de la page de vérification",
    );
}

fn w(pair: (&'static str, &'static str), lang: Lang) -> &'static str {
    match lang {
        Lang::En => pair.0,
        Lang::Fr => pair.1,
    }
}

/// ": " in English, " : " (with a no-break space) in French.
fn colon(lang: Lang) -> &'static str {
    match lang {
        Lang::En => ": ",
        Lang::Fr => "\u{a0}: ",
    }
}

/// Text made safe for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Minutes as hours and minutes: `12 h 05 min` (English), `12 h 05` (French).
pub fn hours(minutes: u64, lang: Lang) -> String {
    let (h, m) = (minutes / 60, minutes % 60);
    match lang {
        Lang::En => format!("{h} h {m:02} min"),
        Lang::Fr => format!("{h} h {m:02}"),
    }
}

/// An SVG QR code of `text`, inline (no XML prolog), labelled for screen readers.
pub fn qr_svg(text: &str, label: &str) -> String {
    let Ok(code) = qrcode::QrCode::new(text.as_bytes()) else {
        return String::new();
    };
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(132, 132)
        .quiet_zone(true)
        .build();
    let start = svg.find("<svg").unwrap_or(0);
    svg[start..].replacen(
        "<svg",
        &format!(
            "<svg class=\"qr\" role=\"img\" aria-label=\"{}\"",
            escape(label)
        ),
        1,
    )
}

/// The styles of the page, screen and print (the app keeps its own copy in
/// `ui/src/statement.css`, since its CSP refuses inline styles).
const STYLE: &str = "body{font-family:system-ui,sans-serif;color:#111;max-width:46rem;margin:1rem auto;padding:0 1rem;line-height:1.35}
h1{font-size:1.6rem;margin:0 0 .3rem}h2{font-size:1.25rem;margin:0 0 .2rem}h3{font-size:1rem;margin:.8rem 0 .2rem}
.work-statement{border:1px solid #666;border-radius:6px;padding:.8rem 1rem;margin:1rem 0;break-inside:avoid;page-break-inside:avoid}
.ws-head{display:flex;gap:1rem;justify-content:space-between;flex-wrap:wrap}
.ws-head>div:first-child{flex:1 1 16rem}.ws-check{flex:0 0 12rem;max-width:12rem;text-align:center}.ws-check svg{width:132px;height:132px}
.ws-code{font:700 1.3rem ui-monospace,monospace;letter-spacing:.08em;margin:.2rem 0}
.ws-url{font-size:.8rem;word-break:break-all}.ws-key{font-size:.8rem;color:#333}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #999;padding:2pt 4pt;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.ws-desc{font-size:.85rem;color:#333}
.ws-nowrap{white-space:nowrap}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@page{margin:14mm}@media print{body{margin:0;max-width:none;font-size:10.5pt}}";

/// The whole page.
pub fn work_record_html(statements: &[StoredStatement], lang: Lang) -> String {
    let code = match lang {
        Lang::En => "en",
        Lang::Fr => "fr",
    };
    let mut body = format!(
        "<main><article class=\"work-record\"><h1>{}</h1><p class=\"ws-intro\">{}</p>",
        w(words::TITLE, lang),
        w(words::INTRO, lang)
    );
    if statements.is_empty() {
        body.push_str(&format!("<p>{}</p>", w(words::NONE, lang)));
    }
    for s in statements {
        body.push_str(&statement_section(s, lang));
    }
    body.push_str("</article></main>");
    format!(
        "<!doctype html><html lang=\"{code}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title><style>{STYLE}</style></head><body>{body}</body></html>",
        w(words::TITLE, lang)
    )
}

fn table(head: &[(&str, bool)], rows: &[Vec<String>]) -> String {
    let mut t = String::from("<table><thead><tr>");
    for (h, num) in head {
        let class = if *num { " class=\"n\"" } else { "" };
        t.push_str(&format!("<th scope=\"col\"{class}>{h}</th>"));
    }
    t.push_str("</tr></thead><tbody>");
    for r in rows {
        t.push_str("<tr>");
        for (i, cell) in r.iter().enumerate() {
            let class = if head.get(i).is_some_and(|h| h.1) {
                " class=\"n\""
            } else {
                ""
            };
            t.push_str(&format!("<td{class}>{cell}</td>"));
        }
        t.push_str("</tr>");
    }
    t.push_str("</tbody></table>");
    t
}

fn part(title: &str, rows: Vec<Vec<String>>, head: &[(&str, bool)], lang: Lang) -> String {
    if rows.is_empty() {
        return format!("<h3>{title}</h3><p>{}</p>", w(words::NOTHING, lang));
    }
    format!("<h3>{title}</h3>{}", table(head, &rows))
}

fn statement_section(s: &StoredStatement, lang: Lang) -> String {
    let st: &Statement = &s.signed.statement;
    let l = |p| w(p, lang);
    let mut hours_rows: Vec<Vec<String>> = st
        .hours
        .iter()
        .map(|h| {
            vec![
                escape(h.label.get(lang)),
                h.shifts.to_string(),
                hours(h.minutes, lang),
            ]
        })
        .collect();
    if st.hours.len() > 1 {
        hours_rows.push(vec![
            format!("<strong>{}</strong>", l(words::TOTAL)),
            st.hours.iter().map(|h| h.shifts).sum::<u64>().to_string(),
            hours(st.total_minutes(), lang),
        ]);
    }
    let activity_rows = st
        .activities
        .iter()
        .map(|a| {
            vec![
                escape(a.label.get(lang)),
                a.count.to_string(),
                a.off_shift.to_string(),
                hours(a.minutes, lang),
            ]
        })
        .collect();
    let training_rows = st
        .training
        .iter()
        .map(|t| {
            vec![
                escape(&t.topic),
                t.count.to_string(),
                hours(t.minutes, lang),
            ]
        })
        .collect();
    let role_rows = st
        .roles
        .iter()
        .map(|r| {
            vec![
                format!(
                    "{}<div class=\"ws-desc\">{}</div>",
                    escape(r.title.get(lang)),
                    escape(r.description.get(lang))
                ),
                r.shifts.to_string(),
                hours(r.minutes, lang),
            ]
        })
        .collect();
    let issued = st.issued_at.format("%Y-%m-%d").to_string();
    format!(
        "<section class=\"work-statement\" data-code=\"{code}\">\
         <div class=\"ws-head\"><div><h2>{org}</h2>\
         <p>{period_w}{c}{from} {to_w} {to}<br>{known_w}{c}<span class=\"ws-nowrap\">{pseudo}</span><br>{issued_w}{c}{issued}</p></div>\
         <div class=\"ws-check\">{qr}<p class=\"ws-code\"><span class=\"visually-hidden\">{code_w}{c}</span>{code}</p>\
         <p class=\"ws-url\">{check_w} <a href=\"{url}\">{url}</a></p></div></div>\
         {hours}{activities}{training}{roles}\
         <p class=\"ws-key\">{key_w}{c}{key_id}</p></section>",
        code = escape(&s.short_code),
        org = escape(&st.organization.name),
        period_w = l(words::PERIOD),
        from = st.period.from,
        to_w = l(words::TO),
        to = st.period.to,
        known_w = l(words::KNOWN_AS),
        pseudo = escape(&st.worker.pseudonym),
        issued_w = l(words::ISSUED),
        qr = qr_svg(&s.verify_url, l(words::QR)),
        code_w = l(words::CODE),
        check_w = l(words::CHECK_AT),
        url = escape(&s.verify_url),
        hours = part(
            l(words::HOURS),
            hours_rows,
            &[(l(words::PAY_TYPE), false), (l(words::SHIFTS), true), (l(words::TIME), true)],
            lang
        ),
        activities = part(
            l(words::ACTIVITIES),
            activity_rows,
            &[
                (l(words::KIND), false),
                (l(words::COUNT), true),
                (l(words::OFF_SHIFT), true),
                (l(words::TIME), true)
            ],
            lang
        ),
        training = part(
            l(words::TRAINING),
            training_rows,
            &[(l(words::TOPIC), false), (l(words::SESSIONS), true), (l(words::TIME), true)],
            lang
        ),
        roles = part(
            l(words::ROLES),
            role_rows,
            &[(l(words::ROLE), false), (l(words::SHIFTS), true), (l(words::TIME), true)],
            lang
        ),
        c = colon(lang),
        key_w = l(words::KEY),
        key_id = escape(&s.signed.key_id),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_hours_read_in_each_language() {
        assert_eq!(
            escape("<b a=\"1\">&'"),
            "&lt;b a=&quot;1&quot;&gt;&amp;&#39;"
        );
        assert_eq!(hours(725, Lang::En), "12 h 05 min");
        assert_eq!(hours(725, Lang::Fr), "12 h 05");
    }

    #[test]
    fn a_qr_code_is_inline_svg_with_a_label() {
        let svg = qr_svg("https://org.example/verify?code=7K3QD-M9X2A", "QR \"x\"");
        assert!(svg.starts_with("<svg class=\"qr\" role=\"img\" aria-label=\"QR &quot;x&quot;\""));
        assert!(!svg.contains("<?xml"));
        assert!(svg.contains("<path"));
    }

    #[test]
    fn an_empty_page_says_so_in_its_language() {
        let fr = work_record_html(&[], Lang::Fr);
        assert!(fr.contains("<html lang=\"fr\">") && fr.contains("Aucune attestation"));
        assert!(!fr.contains("<script"));
    }
}
