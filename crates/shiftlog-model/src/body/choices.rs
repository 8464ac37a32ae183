//! The fixed choices of built-in bodies. Each is defined once, with its stable id and its words
//! in English and French, so forms, the command line, validation and summaries agree.

use serde::{Deserialize, Serialize};

/// One choice as forms show it: stable id and words in English and French.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChoiceInfo {
    /// Stable id, as stored in bodies.
    pub id: &'static str,
    /// English words.
    pub en: &'static str,
    /// French words.
    pub fr: &'static str,
}

macro_rules! choices {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $id:literal, $en:literal, $fr:literal;)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vdoc])* $variant,)+
        }

        impl $name {
            /// Every choice, in the order forms show them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable id.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $id,)+
                }
            }

            /// Parses the stable id.
            pub fn parse(s: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|c| c.as_str() == s)
            }

            /// Ids and words of every choice.
            pub fn infos() -> Vec<ChoiceInfo> {
                vec![$(ChoiceInfo { id: $id, en: $en, fr: $fr }),+]
            }
        }
    };
}

choices! {
    /// Yes, no, or not known.
    YesNoUnknown {
        /// Yes.
        Yes = "yes", "Yes", "Oui";
        /// No.
        No = "no", "No", "Non";
        /// Not known.
        Unknown = "unknown", "Don\u{2019}t know", "Je ne sais pas";
    }
}

choices! {
    /// How naloxone was given.
    NaloxoneRoute {
        /// Nasal spray.
        Intranasal = "intranasal", "Nasal spray", "Vaporisateur nasal";
        /// Injection.
        Intramuscular = "intramuscular", "Injection", "Injection";
    }
}

choices! {
    /// How an overdose response ended.
    OverdoseOutcome {
        /// Survived.
        Survived = "survived", "Survived", "A survécu";
        /// Taken to hospital.
        Transported = "transported", "Taken to hospital", "Emmené·e à l\u{2019}hôpital";
        /// Died.
        Died = "died", "Died", "Décédé·e";
        /// Not known.
        Unknown = "unknown", "Don\u{2019}t know", "Je ne sais pas";
    }
}

choices! {
    /// A systems navigation task.
    NavTask {
        /// ID replacement.
        Id = "id", "ID", "Pièce d\u{2019}identité";
        /// Income assistance.
        IncomeAssistance = "income_assistance", "Income assistance", "Aide sociale";
        /// Disability assistance.
        DisabilityAssistance = "disability_assistance", "Disability assistance", "Aide pour invalidité";
        /// Housing.
        Housing = "housing", "Housing", "Logement";
        /// Bank account.
        BankAccount = "bank_account", "Bank account", "Compte bancaire";
        /// Health appointment.
        HealthAppointment = "health_appointment", "Health appointment", "Rendez-vous de santé";
        /// Pharmacy.
        Pharmacy = "pharmacy", "Pharmacy", "Pharmacie";
        /// Legal.
        Legal = "legal", "Legal or court", "Justice ou tribunal";
        /// Other.
        Other = "other", "Other", "Autre";
    }
}

choices! {
    /// How a navigation contact happened.
    ContactType {
        /// Phone.
        Phone = "phone", "Phone", "Téléphone";
        /// In person.
        InPerson = "in_person", "In person", "En personne";
        /// Went with the person.
        Accompaniment = "accompaniment", "Went with them", "Accompagnement";
    }
}

choices! {
    /// The kind of a referral.
    ReferralType {
        /// Information given.
        Passive = "passive", "Gave the information", "Information donnée";
        /// Contacted the service for the person.
        Active = "active", "Contacted them", "J\u{2019}ai contacté le service";
        /// Introduced in person.
        WarmHandoff = "warm_handoff", "Introduced in person", "Présentation en personne";
    }
}

choices! {
    /// How a navigation task ended.
    NavOutcome {
        /// Done.
        Completed = "completed", "Done", "Fait";
        /// Still open.
        Pending = "pending", "Still open", "En cours";
        /// Declined.
        Declined = "declined", "Declined", "Refusé";
    }
}

choices! {
    /// How a shift is paid.
    PayType {
        /// Paid.
        Paid = "paid", "Paid", "Payé";
        /// Unpaid.
        Unpaid = "unpaid", "Unpaid", "Non payé";
        /// Volunteer.
        Volunteer = "volunteer", "Volunteer", "Bénévole";
        /// On call.
        OnCall = "on_call", "On call", "Sur appel";
        /// Honorarium.
        Honorarium = "honorarium", "Honorarium", "Honoraires";
    }
}

impl PayType {
    /// True for the pay types counted as unpaid work in summaries.
    pub fn is_unpaid(self) -> bool {
        matches!(self, PayType::Unpaid | PayType::Volunteer)
    }
}

choices! {
    /// Training received or wanted.
    TrainingStatus {
        /// Received.
        Received = "received", "I took it", "Je l\u{2019}ai suivie";
        /// Wanted.
        Wanted = "wanted", "I would like it", "J\u{2019}aimerais la suivre";
    }
}

choices! {
    /// Why a naloxone kit handed out replaces one the person had (plain words: no blame).
    ReplacementReason {
        /// Their kit was used on someone.
        Used = "used", "Used on someone", "Utilisée pour quelqu\u{2019}un";
        /// Their kit was lost or taken.
        Lost = "lost", "Lost or taken", "Perdue ou prise";
        /// Their kit expired.
        Expired = "expired", "Expired", "Expirée";
        /// Another reason.
        Other = "other", "Another reason", "Autre raison";
    }
}

choices! {
    /// Whether a naloxone supply item is a full kit or a single dose.
    NaloxoneForm {
        /// A kit (several doses and what goes with them).
        Kit = "kit", "Kit", "Trousse";
        /// A single dose.
        Dose = "dose", "Single dose", "Dose unique";
    }
}

choices! {
    /// How a naloxone supply item is given.
    SupplyRoute {
        /// Nasal spray.
        Nasal = "nasal", "Nasal spray", "Vaporisateur nasal";
        /// Injection.
        Injectable = "injectable", "Injection", "Injection";
    }
}

choices! {
    /// How the worker was paid (their pay ledger, docs/pay.md).
    PayMethod {
        /// Cash.
        Cash = "cash", "Cash", "Argent comptant";
        /// A cheque.
        Cheque = "cheque", "Cheque", "Chèque";
        /// An e-transfer.
        ETransfer = "e_transfer", "E-transfer", "Virement électronique";
        /// A gift card.
        GiftCard = "gift_card", "Gift card", "Carte-cadeau";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_match_serde_and_parse_back() {
        for c in NavTask::ALL {
            let json = serde_json::to_value(c).expect("ser");
            assert_eq!(json, c.as_str());
            assert_eq!(NavTask::parse(c.as_str()), Some(*c));
        }
        assert_eq!(PayType::infos().len(), PayType::ALL.len());
        assert_eq!(YesNoUnknown::parse("maybe"), None);
    }
}
