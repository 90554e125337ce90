"""Spanish wording of every message. Placeholders in braces are filled (and escaped for HTML)."""

from __future__ import annotations

MONTHS = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)
WEEKDAYS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")

STRINGS = {
    "format.date": "{day} de {month} de {year}",
    "format.datetime": "{weekday}, {date}, a las {time}",
    "greeting": "Hola, {name}:",
    "greeting.staff": "Hola:",
    "closing": "Un cordial saludo,",
    "footer": "Mensaje automático de {org}, enviado a través del portal de clientes.",
    "link_hint": "Si el botón no funciona, copie esta dirección en el navegador:",
    "label.activity": "Actividad",
    "label.site": "Sede",
    "label.address": "Dirección",
    "label.when": "Fecha y hora",
    "label.previously": "Fecha anterior",
    "label.technician": "Técnico",
    "label.work_done": "Trabajos realizados",
    "label.client": "Cliente",
    "label.contract": "Contrato",
    "label.expires_on": "Vencimiento",
    "label.days_left": "Días hasta el vencimiento",
    "label.department": "Departamento",
    "label.urgency": "Urgencia",
    "label.reference_person": "Persona de contacto",
    "label.phone": "Teléfono",
    "label.equipment": "Equipo",
    "label.notes": "Notas",
    "label.opened_by": "Abierta por",
    "urgency.LOW": "baja",
    "urgency.NORMAL": "normal",
    "urgency.HIGH": "alta",
    "urgency.CRITICAL": "crítica",
    "visit_reminder.subject": "{org}: recordatorio de la visita del {date}",
    "visit_reminder.body": "Le recordamos la visita «{activity}», prevista para el {when}.",
    "visit_reminder.note": (
        "Si la fecha no le viene bien, contáctenos o, si está permitido, cambie la cita "
        "desde el portal de clientes."
    ),
    "signed_worksheet.subject": "{org}: parte de trabajo n.º {number} firmado",
    "signed_worksheet.body": (
        "Le enviamos copia del parte de trabajo n.º {number} del {date} en {site}, "
        "firmado por {signed_by}."
    ),
    "signed_worksheet.attached": "El documento firmado se adjunta en PDF.",
    "signed_worksheet.in_portal": "Puede consultar el documento en el portal de clientes.",
    "contract_expiry.subject": "El contrato {number} de {client} vence el {date}",
    "contract_expiry.body": (
        "El contrato {number} ({contract_kind}) del cliente {client} vence el {date}."
    ),
    "contract_expiry.note": "Revise con el cliente la renovación del contrato.",
    "invitation.subject": "{org}: su acceso al portal de clientes",
    "invitation.body": (
        "{org} ha creado para usted un acceso al portal de clientes. Para elegir su contraseña "
        "abra el enlace siguiente: solo se puede usar una vez y caduca el {expires}."
    ),
    "invitation.action": "Elegir la contraseña",
    "invitation.ignore": "Si no esperaba este mensaje, puede ignorarlo.",
    "password_reset.subject": "{org}: restablecimiento de la contraseña",
    "password_reset.body": (
        "Hemos recibido una solicitud para restablecer la contraseña de su acceso al portal de "
        "clientes. El enlace siguiente solo se puede usar una vez y caduca el {expires}."
    ),
    "password_reset.action": "Restablecer la contraseña",
    "password_reset.ignore": (
        "Si no lo ha solicitado usted, ignore este mensaje: su contraseña no cambia."
    ),
    "booking_confirmation.subject": "{org}: reserva registrada para el {date}",
    "booking_confirmation.body": (
        "Hemos registrado su reserva de la visita «{activity}» para el {when}."
    ),
    "appointment_cancelled.subject": "{org}: visita del {date} cancelada",
    "appointment_cancelled.body": (
        "La visita «{activity}», prevista para el {when}, ha sido cancelada."
    ),
    "appointment_cancelled.note": (
        "Para fijar una nueva cita, contáctenos o, si está permitido, resérvela desde el portal "
        "de clientes."
    ),
    "appointment_moved.subject": "{org}: visita trasladada al {date}",
    "appointment_moved.body": (
        "La visita «{activity}», prevista para el {previous}, se ha trasladado al {when}."
    ),
    "new_ticket.subject": "Nueva incidencia n.º {number} de {client} (urgencia {urgency})",
    "new_ticket.body": "Se ha abierto una nueva incidencia desde el portal de clientes el {when}.",
}
