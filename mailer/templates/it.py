"""Italian wording of every message. Placeholders in braces are filled (and escaped for HTML)."""

from __future__ import annotations

MONTHS = (
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
)
WEEKDAYS = ("lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica")
# The first of the month is written "1°" and read "primo": "il 1° dicembre", "domenica 1°
# dicembre" (the usual form in letters; "l'1 dicembre", read "uno", is used too, less often).
DAYS = {1: "1°"}
# A date after an article or an articled preposition, written "{date:il}", "{date:del}", ...:
# the form before a consonant, and the elided one for the days read with a vowel first.
ARTICLES = {
    "il": ("il ", "l'"),
    "del": ("del ", "dell'"),
    "dal": ("dal ", "dall'"),
    "al": ("al ", "all'"),
}
# "otto" and "undici": l'8 dicembre, dell'11 novembre, dall'8 al 12 dicembre.
ELIDING_DAYS = frozenset({8, 11})

STRINGS = {
    "format.date": "{day} {month} {year}",
    "format.datetime": "{weekday} {date}, ore {time}",
    "greeting": "Gentile {name},",
    "greeting.staff": "Buongiorno,",
    "closing": "Cordiali saluti,",
    "footer": "Messaggio automatico di {org}, inviato tramite il portale clienti.",
    "link_hint": "Se il pulsante non funziona, copi questo indirizzo nel browser:",
    "label.activity": "Attività",
    "label.site": "Sede",
    "label.address": "Indirizzo",
    "label.when": "Data e ora",
    "label.previously": "Data precedente",
    "label.technician": "Tecnico",
    "label.work_done": "Lavori eseguiti",
    "label.client": "Cliente",
    "label.contract": "Contratto",
    "label.expires_on": "Scadenza",
    "label.days_left": "Giorni alla scadenza",
    "label.department": "Reparto",
    "label.urgency": "Urgenza",
    "label.reference_person": "Referente",
    "label.phone": "Telefono",
    "label.equipment": "Apparecchiatura",
    "label.notes": "Note",
    "label.opened_by": "Aperta da",
    "urgency.LOW": "bassa",
    "urgency.NORMAL": "normale",
    "urgency.HIGH": "alta",
    "urgency.CRITICAL": "critica",
    "visit_reminder.subject": "{org}: promemoria intervento {date:del}",
    "visit_reminder.body": "le ricordiamo l'intervento «{activity}» previsto per {when}.",
    "visit_reminder.note": (
        "Se la data non va bene, ci contatti o, dove previsto, sposti l'appuntamento "
        "dal portale clienti."
    ),
    "signed_worksheet.subject": "{org}: foglio di intervento n. {number} firmato",
    "signed_worksheet.body": (
        "le inviamo copia del foglio di intervento n. {number} {date:del} presso {site}, "
        "firmato da {signed_by}."
    ),
    "signed_worksheet.attached": "Il documento firmato è allegato in PDF.",
    "signed_worksheet.in_portal": "Il documento è consultabile nel portale clienti.",
    "contract_expiry.subject": "Contratto {number} di {client} in scadenza {date:il}",
    "contract_expiry.body": (
        "il contratto {number} ({contract_kind}) del cliente {client} scade {date:il}."
    ),
    "contract_expiry.note": "Verifichi con il cliente il rinnovo del contratto.",
    "invitation.subject": "{org}: il suo accesso al portale clienti",
    "invitation.body": (
        "{org} ha creato per lei un accesso al portale clienti. Per scegliere la password "
        "apra il link qui sotto: vale una sola volta e scade {expires}."
    ),
    "invitation.action": "Imposta la password",
    "invitation.ignore": "Se non si aspettava questo messaggio, può ignorarlo.",
    "password_reset.subject": "{org}: reimpostazione della password",
    "password_reset.body": (
        "abbiamo ricevuto una richiesta di reimpostare la password del suo accesso al portale "
        "clienti. Il link qui sotto vale una sola volta e scade {expires}."
    ),
    "password_reset.action": "Reimposta la password",
    "password_reset.ignore": (
        "Se non è stato lei a chiederlo, ignori questo messaggio: la password resta invariata."
    ),
    "booking_confirmation.subject": "{org}: prenotazione registrata per {date:il}",
    "booking_confirmation.body": (
        "abbiamo registrato la sua prenotazione dell'intervento «{activity}» per {when}."
    ),
    "appointment_cancelled.subject": "{org}: intervento {date:del} annullato",
    "appointment_cancelled.body": (
        "l'intervento «{activity}», previsto per {when}, è stato annullato."
    ),
    "appointment_cancelled.note": (
        "Per fissare un nuovo appuntamento ci contatti o, dove previsto, prenoti dal portale "
        "clienti."
    ),
    "appointment_moved.subject": "{org}: intervento spostato {date:al}",
    "appointment_moved.body": (
        "l'intervento «{activity}», previsto per {previous}, è stato spostato a {when}."
    ),
    "new_ticket.subject": "Nuova segnalazione n. {number} da {client} (urgenza {urgency})",
    "new_ticket.body": "è stata aperta una nuova segnalazione dal portale clienti {when}.",
}
