//! The widget's own sentences, in English, German and French, chosen by locale.

use replyby_core::FirstReply;

/// A language the widget speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English (the default).
    En,
    /// German.
    De,
    /// French.
    Fr,
}

impl Lang {
    /// The language for a BCP 47 locale (`de-AT` → German); English otherwise.
    pub fn for_locale(locale: &str) -> Lang {
        match locale.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase().as_str() {
            "de" => Lang::De,
            "fr" => Lang::Fr,
            _ => Lang::En,
        }
    }

    /// The text in this language.
    pub fn pick(self, en: &'static str, de: &'static str, fr: &'static str) -> &'static str {
        match self {
            Lang::En => en,
            Lang::De => de,
            Lang::Fr => fr,
        }
    }

    /// "Open now".
    pub fn open_now(self) -> &'static str {
        self.pick("Open now", "Jetzt erreichbar", "Ouvert maintenant")
    }
    /// "Closed".
    pub fn closed(self) -> &'static str {
        self.pick("Closed", "Geschlossen", "Fermé")
    }
    /// "Closed for Presidents' Day".
    pub fn closed_for(self, name: &str) -> String {
        match self {
            Lang::En => format!("Closed for {name}"),
            Lang::De => format!("Geschlossen ({name})"),
            Lang::Fr => format!("Fermé ({name})"),
        }
    }
    /// "back Tue 09:00".
    pub fn back(self, when: &str) -> String {
        match self {
            Lang::En => format!("back {when}"),
            Lang::De => format!("wieder da {when}"),
            Lang::Fr => format!("de retour {when}"),
        }
    }
    /// "until 17:00".
    pub fn until(self, when: &str) -> String {
        match self {
            Lang::En => format!("until {when}"),
            Lang::De => format!("bis {when}"),
            Lang::Fr => format!("jusqu'à {when}"),
        }
    }
    /// "15:00 your time".
    pub fn your_time(self, when: &str) -> String {
        match self {
            Lang::En => format!("{when} your time"),
            Lang::De => format!("{when} Ihre Zeit"),
            Lang::Fr => format!("{when} chez vous"),
        }
    }
    /// "replies within 4 business hours".
    pub fn replies_within(self, target: FirstReply) -> String {
        match self {
            Lang::En => format!("replies within {}", self.target(target)),
            Lang::De => format!("Antwort innerhalb von {}", self.target(target)),
            Lang::Fr => format!("réponse sous {}", self.target(target)),
        }
    }
    /// A first-reply target in words: "4 business hours".
    pub fn target(self, target: FirstReply) -> String {
        let (n, unit) = match target {
            FirstReply::Hours(n) => (n, self.pick("hour|hours", "Stunde|Stunden", "heure|heures")),
            FirstReply::Minutes(n) => (n, self.pick("minute|minutes", "Minute|Minuten", "minute|minutes")),
            FirstReply::BusinessHours(n) => (
                n,
                self.pick(
                    "business hour|business hours",
                    "Geschäftsstunde|Geschäftsstunden",
                    "heure ouvrée|heures ouvrées",
                ),
            ),
            FirstReply::BusinessMinutes(n) => (
                n,
                self.pick(
                    "business minute|business minutes",
                    "Geschäftsminute|Geschäftsminuten",
                    "minute ouvrée|minutes ouvrées",
                ),
            ),
            FirstReply::BusinessDays(n) => {
                (n, self.pick("business day|business days", "Werktag|Werktagen", "jour ouvré|jours ouvrés"))
            }
        };
        let (one, many) = unit.split_once('|').unwrap_or((unit, unit));
        let word = if n == 1 { one } else { many };
        // German dative singular after "innerhalb von": "1 Werktag", plural "2 Werktagen".
        format!("{n} {word}")
    }
    /// "Write now and hear back by …".
    pub fn hear_back_by(self, when: &str) -> String {
        match self {
            Lang::En => format!("Write now and hear back by {when}"),
            Lang::De => format!("Schreiben Sie jetzt – Antwort bis {when}"),
            Lang::Fr => format!("Écrivez maintenant : réponse d'ici {when}"),
        }
    }
    /// "Your request reaches the team …".
    pub fn reaches_team(self, when: &str) -> String {
        match self {
            Lang::En => format!("Your request reaches the team {when}"),
            Lang::De => format!("Ihre Anfrage erreicht das Team {when}"),
            Lang::Fr => format!("Votre demande parviendra à l'équipe {when}"),
        }
    }
    /// Heading of the week list.
    pub fn hours_this_week(self) -> &'static str {
        self.pick(
            "Hours this week (your time)",
            "Zeiten diese Woche (Ihre Zeit)",
            "Horaires de la semaine (votre heure)",
        )
    }
    /// A day with no open time.
    pub fn closed_day(self) -> &'static str {
        self.pick("closed", "geschlossen", "fermé")
    }
    /// Heading of the closed-days list.
    pub fn upcoming_closed(self) -> &'static str {
        self.pick("Upcoming closed days", "Kommende Schließtage", "Prochains jours de fermeture")
    }
    /// No closed days ahead.
    pub fn none_upcoming(self, days: u32) -> String {
        match self {
            Lang::En => format!("None in the next {days} days"),
            Lang::De => format!("Keine in den nächsten {days} Tagen"),
            Lang::Fr => format!("Aucun dans les {days} prochains jours"),
        }
    }
    /// Reduced hours on a closed day.
    pub fn reduced_hours(self, hours: &str) -> String {
        match self {
            Lang::En => format!("reduced hours {hours}"),
            Lang::De => format!("verkürzt {hours}"),
            Lang::Fr => format!("horaires réduits {hours}"),
        }
    }
    /// The neutral message for a widget that cannot show its data.
    pub fn unavailable(self) -> &'static str {
        self.pick(
            "Support hours are unavailable right now.",
            "Die Supportzeiten sind gerade nicht verfügbar.",
            "Les horaires du support sont momentanément indisponibles.",
        )
    }
    /// Shown while the config loads.
    pub fn loading(self) -> &'static str {
        self.pick("Loading support hours…", "Supportzeiten werden geladen …", "Chargement des horaires…")
    }
    /// Compare table labels.
    pub fn coverage(self) -> &'static str {
        self.pick("Coverage", "Abdeckung", "Couverture")
    }
    /// Compare table labels.
    pub fn first_reply(self) -> &'static str {
        self.pick("First reply", "Erste Antwort", "Première réponse")
    }
    /// Compare table labels.
    pub fn write_now_arrow(self) -> &'static str {
        self.pick("Write now → hear back by", "Jetzt schreiben → Antwort bis", "Écrivez maintenant → réponse d'ici")
    }
    /// Compare table labels.
    pub fn week_chart(self) -> &'static str {
        self.pick(
            "Open hours this week (your time)",
            "Erreichbar diese Woche (Ihre Zeit)",
            "Heures d'ouverture cette semaine (votre heure)",
        )
    }
    /// Compare table labels.
    pub fn closed_next_year(self, n: usize) -> String {
        match self {
            Lang::En => format!("{n} closed days in the next 12 months"),
            Lang::De => format!("{n} Schließtage in den nächsten 12 Monaten"),
            Lang::Fr => format!("{n} jours de fermeture dans les 12 prochains mois"),
        }
    }
    /// 24/7.
    pub fn always_open(self) -> &'static str {
        self.pick("Always open", "Rund um die Uhr", "24 h/24, 7 j/7")
    }
    /// Chart's accessible summary: "Open 40 hours a week".
    pub fn open_hours_a_week(self, hours: u32) -> String {
        match self {
            Lang::En => format!("Open {hours} hours this week"),
            Lang::De => format!("{hours} Stunden erreichbar diese Woche"),
            Lang::Fr => format!("Ouvert {hours} heures cette semaine"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_language_by_locale_and_pluralises() {
        assert_eq!(Lang::for_locale("de-AT"), Lang::De);
        assert_eq!(Lang::for_locale("fr"), Lang::Fr);
        assert_eq!(Lang::for_locale("ja-JP"), Lang::En);
        assert_eq!(Lang::En.replies_within(FirstReply::BusinessHours(4)), "replies within 4 business hours");
        assert_eq!(Lang::En.target(FirstReply::BusinessDays(1)), "1 business day");
        assert_eq!(Lang::De.target(FirstReply::Hours(1)), "1 Stunde");
        assert_eq!(Lang::Fr.target(FirstReply::BusinessDays(2)), "2 jours ouvrés");
    }
}
