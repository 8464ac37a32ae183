//! The public verify page, as plain HTML in the dashboard's style (its stylesheet, no script):
//! a form for a short code, a form to paste a statement file, and for each statement the
//! verdict first, in large words, then what was signed. Everything shown comes from the
//! service's [`VerifyReport`]; every text from a document is escaped.

use shiftlog_model::error::Lang;
use shiftlog_statement::{Statement, Words};

use crate::statements::verify::{VerifyReport, VerifyResult};

/// The page's Content-Security-Policy: the dashboard's stylesheet, no script at all, forms
/// only to itself.
pub(super) const CSP: &str =
    "default-src 'none'; style-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

/// Escapes text for HTML content and attribute values.
fn esc(s: &str) -> String {
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

fn t(lang: Lang, en: &'static str, fr: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::Fr => fr,
    }
}

fn words(w: &Words, lang: Lang) -> String {
    esc(w.get(lang))
}

fn hours(minutes: u64) -> String {
    format!("{}:{:02}", minutes / 60, minutes % 60)
}

fn head(lang: Lang) -> String {
    let code = match lang {
        Lang::En => "en",
        Lang::Fr => "fr",
    };
    format!(
        "<!doctype html>\n<html lang=\"{code}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><link rel=\"stylesheet\" href=\"/dashboard/style.css\"></head>\
         <body><header><strong>shiftlog</strong><span class=\"spacer\"></span><nav>\
         <a href=\"/verify?lang=en\" lang=\"en\">English</a>\
         <a href=\"/verify?lang=fr\" lang=\"fr\">Français</a></nav></header><main>\
         <h1>{title}</h1>",
        title = t(
            lang,
            "Verify a work statement",
            "Vérifier une attestation de travail"
        ),
    )
}

fn forms(lang: Lang, code: Option<&str>) -> String {
    let l = match lang {
        Lang::En => "en",
        Lang::Fr => "fr",
    };
    format!(
        "<section class=\"section\"><h2>{h_code}</h2>\
         <form method=\"get\" action=\"/verify\" class=\"filters\">\
         <input type=\"hidden\" name=\"lang\" value=\"{l}\">\
         <label>{l_code}<input name=\"code\" value=\"{code}\" autocomplete=\"off\" \
         placeholder=\"XXXXX-XXXXX\"></label><button type=\"submit\">{verify}</button></form>\
         </section><section class=\"section\"><h2>{h_file}</h2>\
         <form method=\"post\" action=\"/verify?lang={l}\" class=\"filters\">\
         <label>{l_file}<textarea name=\"document\" rows=\"8\" cols=\"60\"></textarea></label>\
         <button type=\"submit\">{verify}</button></form>\
         <p class=\"note\">{note}</p></section>",
        h_code = t(lang, "By its short code", "Par son code court"),
        l_code = t(lang, "Short code", "Code court"),
        code = esc(code.unwrap_or("")),
        verify = t(lang, "Verify", "Vérifier"),
        h_file = t(lang, "By its file", "Par son fichier"),
        l_file = t(
            lang,
            "Paste the statement file (JSON)",
            "Collez le fichier de l\u{2019}attestation (JSON)"
        ),
        note = t(
            lang,
            "A statement can also be checked without this page: shiftlog verify FILE.",
            "Une attestation peut aussi être vérifiée sans cette page : shiftlog verify FICHIER."
        ),
    )
}

const FOOT: &str = "</main></body></html>\n";

fn row(label: &str, value: &str) -> String {
    format!("<tr><th scope=\"row\">{label}</th><td>{value}</td></tr>")
}

fn statement_tables(s: &Statement, r: &VerifyResult, lang: Lang) -> String {
    let mut out = String::from("<div class=\"table-wrap\"><table class=\"signed\">");
    out += &row(
        t(lang, "Organization", "Organisme"),
        &format!(
            "{} ({})",
            esc(&s.organization.name),
            esc(&s.organization.id)
        ),
    );
    out += &row(
        t(lang, "Worker (pseudonym)", "Travailleur (pseudonyme)"),
        &esc(&s.worker.pseudonym),
    );
    out += &row(
        t(lang, "Period", "Période"),
        &format!("{} – {}", s.period.from, s.period.to),
    );
    out += &row(
        t(lang, "Signed on", "Signée le"),
        &esc(&s.issued_at.format("%Y-%m-%d %H:%M UTC").to_string()),
    );
    out += &row(
        t(lang, "Key", "Clé"),
        &esc(r.key_id.as_deref().unwrap_or("")),
    );
    out += &row(
        t(lang, "Short code", "Code court"),
        &esc(r.short_code.as_deref().unwrap_or("")),
    );
    let register = match &r.registered_at {
        Some(at) => format!("{} {}", t(lang, "Yes, issued", "Oui, émise le"), esc(at)),
        None => t(lang, "No", "Non").to_string(),
    };
    out += &row(
        t(
            lang,
            "In this server\u{2019}s register",
            "Dans le registre de ce serveur",
        ),
        &register,
    );
    out += &row(
        t(lang, "Total hours on shifts", "Heures de quart au total"),
        &hours(s.total_minutes()),
    );
    out += "</table></div>";

    let table = |title: &str, heads: &[&str], rows: Vec<Vec<String>>| -> String {
        if rows.is_empty() {
            return String::new();
        }
        let mut t = format!("<h3>{title}</h3><div class=\"table-wrap\"><table><tr>");
        for h in heads {
            t += &format!("<th scope=\"col\">{h}</th>");
        }
        t += "</tr>";
        for r in rows {
            t += "<tr>";
            for c in r {
                t += &format!("<td>{c}</td>");
            }
            t += "</tr>";
        }
        t + "</table></div>"
    };
    out += &table(
        t(lang, "Hours by pay type", "Heures par type de rémunération"),
        &[
            t(lang, "Pay type", "Type"),
            t(lang, "Shifts", "Quarts"),
            t(lang, "Hours", "Heures"),
        ],
        s.hours
            .iter()
            .map(|h| {
                vec![
                    words(&h.label, lang),
                    h.shifts.to_string(),
                    hours(h.minutes),
                ]
            })
            .collect(),
    );
    out += &table(
        t(lang, "Activities by kind", "Activités par type"),
        &[
            t(lang, "Kind", "Type"),
            t(lang, "Count", "Nombre"),
            t(lang, "Off shift", "Hors quart"),
            t(lang, "Hours", "Heures"),
        ],
        s.activities
            .iter()
            .map(|a| {
                vec![
                    words(&a.label, lang),
                    a.count.to_string(),
                    a.off_shift.to_string(),
                    hours(a.minutes),
                ]
            })
            .collect(),
    );
    out += &table(
        t(lang, "Training received", "Formations suivies"),
        &[
            t(lang, "Topic", "Sujet"),
            t(lang, "Sessions", "Séances"),
            t(lang, "Hours", "Heures"),
        ],
        s.training
            .iter()
            .map(|x| vec![esc(&x.topic), x.count.to_string(), hours(x.minutes)])
            .collect(),
    );
    out += &table(
        t(lang, "Roles held", "Rôles occupés"),
        &[
            t(lang, "Role", "Rôle"),
            t(lang, "What the role is", "Ce que fait ce rôle"),
            t(lang, "Shifts", "Quarts"),
            t(lang, "Hours", "Heures"),
        ],
        s.roles
            .iter()
            .map(|x| {
                vec![
                    words(&x.title, lang),
                    words(&x.description, lang),
                    x.shifts.to_string(),
                    hours(x.minutes),
                ]
            })
            .collect(),
    );
    out
}

/// The verdict in one word or two, read first.
fn verdict_word(code: &str, lang: Lang) -> &'static str {
    match code {
        "verified" => t(lang, "VERIFIED", "VÉRIFIÉE"),
        "altered" => t(lang, "ALTERED", "MODIFIÉE"),
        "unknown_key" => t(lang, "UNKNOWN KEY", "CLÉ INCONNUE"),
        "wrong_organization" => t(lang, "WRONG ORGANIZATION", "MAUVAIS ORGANISME"),
        "revoked_key" => t(lang, "REVOKED KEY", "CLÉ RÉVOQUÉE"),
        "retired_key" => t(lang, "RETIRED KEY", "CLÉ REMPLACÉE"),
        _ => t(lang, "NOT A STATEMENT", "PAS UNE ATTESTATION"),
    }
}

fn result(r: &VerifyResult, lang: Lang) -> String {
    let verdict = if r.verified {
        format!(
            "<p class=\"verdict ok\">\u{2713} {}</p><p>{}</p>",
            verdict_word(r.code, lang),
            esc(&r.message)
        )
    } else {
        format!(
            "<div class=\"error\" role=\"alert\"><p class=\"verdict bad\">\u{2717} {}</p>\
             <p>{}</p></div>",
            verdict_word(r.code, lang),
            esc(&r.message)
        )
    };
    let mut out = format!(
        "<section class=\"code-out\" data-result=\"{}\">{verdict}",
        r.code
    );
    if let Some(s) = &r.statement {
        let title = if r.verified {
            t(lang, "What was signed", "Ce qui a été signé")
        } else {
            t(
                lang,
                "What the document says (NOT verified)",
                "Ce que dit le document (NON vérifié)",
            )
        };
        out += &format!("<h2>{title}</h2>");
        out += &statement_tables(s, r, lang);
    }
    out + "</section>"
}

/// The page: the forms, and the results of `report` when there is one.
pub(super) fn render(lang: Lang, code: Option<&str>, report: Option<&VerifyReport>) -> String {
    let mut out = head(lang);
    if let Some(report) = report {
        for r in &report.results {
            out += &result(r, lang);
        }
    }
    out += &forms(lang, code);
    out + FOOT
}

/// The page for a code this server never issued.
pub(super) fn render_not_found(lang: Lang, code: &str) -> String {
    let mut out = head(lang);
    out +=
        &format!(
        "<section class=\"code-out\" data-result=\"not_found\"><p class=\"error\" role=\"alert\">\
         <strong>{}</strong> {}</p></section>",
        t(lang, "No statement has this code here.", "Aucune attestation n\u{2019}a ce code ici."),
        t(
            lang,
            "Check the code, or paste the statement file below: a statement from another \
             organization is checked on that organization\u{2019}s server.",
            "Vérifiez le code, ou collez le fichier de l\u{2019}attestation ci-dessous : une \
             attestation d\u{2019}un autre organisme se vérifie sur le serveur de cet organisme."
        ),
    );
    out += &forms(lang, Some(code));
    out + FOOT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_from_a_document_is_escaped() {
        assert_eq!(esc("<b a=\"x\">&'"), "&lt;b a=&quot;x&quot;&gt;&amp;&#39;");
        let page = render_not_found(Lang::En, "<script>");
        assert!(!page.contains("<script>"));
        assert!(page.contains("&lt;script&gt;"));
    }
}
