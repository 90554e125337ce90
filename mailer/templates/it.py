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
    "visit_reminder.subject": "{org}: promemoria intervento del {date}",
    "visit_reminder.body": (
        "le ricordiamo l'intervento «{activity}» presso {site} previsto per {when}."
    ),
    "visit_reminder.note": (
        "Se la data non va bene, ci contatti o, dove previsto, sposti l'appuntamento "
        "dal portale clienti."
    ),
    "signed_worksheet.subject": "{org}: foglio di intervento n. {number} firmato",
    "signed_worksheet.body": (
        "le inviamo copia del foglio di intervento n. {number} del {date} presso {site}, "
        "firmato da {signed_by}."
    ),
    "signed_worksheet.attached": "Il documento firmato è allegato in PDF.",
    "signed_worksheet.in_portal": "Il documento è consultabile nel portale clienti.",
    "contract_expiry.subject": "Contratto {number} di {client} in scadenza il {date}",
    "contract_expiry.body": (
        "il contratto {number} ({contract_kind}) del cliente {client} scade il {date}."
    ),
    "contract_expiry.note": "Verifichi con il cliente il rinnovo del contratto.",
    "invitation.subject": "{org}: il suo accesso al portale clienti",
    "invitation.body": (
        "{org} ha creato per lei un accesso al portale clienti. Per scegliere la password "
        "apra il link qui sotto: vale una sola volta e scade il {expires}."
    ),
    "invitation.action": "Imposta la password",
    "invitation.ignore": "Se non si aspettava questo messaggio, può ignorarlo.",
    "password_reset.subject": "{org}: reimpostazione della password",
    "password_reset.body": (
        "abbiamo ricevuto una richiesta di reimpostare la password del suo accesso al portale "
        "clienti. Il link qui sotto vale una sola volta e scade il {expires}."
    ),
    "password_reset.action": "Reimposta la password",
    "password_reset.ignore": (
        "Se non è stato lei a chiederlo, ignori questo messaggio: la password resta invariata."
    ),
    "booking_confirmation.subject": "{org}: prenotazione registrata per il {date}",
    "booking_confirmation.body": (
        "abbiamo registrato la sua prenotazione dell'intervento «{activity}» presso {site} "
        "per {when}."
    ),
    "new_ticket.subject": "Nuova segnalazione n. {number} da {client} (urgenza {urgency})",
    "new_ticket.body": "è stata aperta una nuova segnalazione dal portale clienti il {when}.",
}
