"""The Spanish demo organization: a fire-safety inspection company in the Madrid region."""

from __future__ import annotations

from decimal import Decimal

from db.seed.profiles import (
    ActivitySpec,
    City,
    EquipmentSpec,
    FixedClient,
    Person,
    Profile,
    Shift,
    Wording,
    spans,
    words,
)

_RESCHEDULABLE = ("REQUESTED", "PLANNED")

CITIES = (
    City(
        "Madrid",
        "Madrid",
        words("28001, 28004, 28012, 28020, 28028, 28039, 28045"),
        Decimal("40.416800"),
        Decimal("-3.703800"),
        words(
            "Calle de Alcalá, Gran Vía, Calle de Serrano, Paseo de la Castellana, "
            "Calle de Bravo Murillo, Calle de Atocha, Calle de Arturo Soria"
        ),
    ),
    City(
        "Alcalá de Henares",
        "Madrid",
        words("28801, 28805, 28807"),
        Decimal("40.482000"),
        Decimal("-3.363500"),
        words("Calle Mayor, Vía Complutense, Avenida de Guadalajara"),
    ),
    City(
        "Getafe",
        "Madrid",
        words("28901, 28903, 28905"),
        Decimal("40.305700"),
        Decimal("-3.732900"),
        words("Calle Madrid, Avenida de España, Calle Toledo"),
    ),
    City(
        "Móstoles",
        "Madrid",
        words("28931, 28933, 28938"),
        Decimal("40.322300"),
        Decimal("-3.865000"),
        words("Avenida de Portugal, Calle Simón Hernández"),
    ),
    City(
        "Alcobendas",
        "Madrid",
        words("28100, 28108"),
        Decimal("40.547500"),
        Decimal("-3.642000"),
        words("Avenida de España, Calle Marqués de la Valdavia, Paseo de la Chopera"),
    ),
    City(
        "Leganés",
        "Madrid",
        words("28911, 28914"),
        Decimal("40.327200"),
        Decimal("-3.763500"),
        words("Avenida de la Universidad, Calle Juan Muñoz"),
    ),
)

ACTIVITIES = (
    ActivitySpec(
        "Revisión trimestral de extintores",
        "INSPECTION",
        120,
        True,
        False,
        "Revisión de extintores en {site.name}",
        "{technician.first_name} revisará los extintores el {date}.",
        (),
        48,
    ),
    ActivitySpec(
        "Revisión anual de BIE e hidrantes",
        "INSPECTION",
        180,
        True,
        False,
        "Revisión anual BIE/hidrantes - {site.name}",
        "Prueba de presión y caudal el {date}.",
        ("PLANNED",),
        72,
    ),
    ActivitySpec(
        "Mantenimiento de puertas cortafuegos",
        "MAINTENANCE",
        120,
        True,
        True,
        "Puertas cortafuegos en {site.name}",
        "Ajuste de cierrapuertas y selectores el {date}.",
        _RESCHEDULABLE,
        48,
    ),
    ActivitySpec(
        "Revisión del sistema de detección",
        "INSPECTION",
        150,
        True,
        True,
        "Revisión de detección en {site.name}",
        "Prueba de detectores y central el {date}.",
        _RESCHEDULABLE,
        48,
    ),
    ActivitySpec(
        "Reparación correctiva",
        "CORRECTIVE",
        90,
        True,
        True,
        "Reparación en {site.name}",
        "{technician.first_name} acudirá el {date} a reparar la avería.",
        _RESCHEDULABLE,
        24,
    ),
    ActivitySpec(
        "Instalación de equipos",
        "INSTALLATION",
        240,
        True,
        False,
        "Instalación de equipos en {site.name}",
        "Instalación prevista el {date}.",
        (),
        96,
    ),
    ActivitySpec(
        "Visita técnica de evaluación",
        "SURVEY",
        60,
        True,
        True,
        "Visita técnica a {site.name}",
        "Evaluación de riesgos y presupuesto el {date}.",
        _RESCHEDULABLE,
        24,
    ),
    ActivitySpec("Auditoría interna de calidad", "INSPECTION", 60, False, False, "", "", (), 48),
)

EQUIPMENT = (
    EquipmentSpec(
        "Extintor de polvo ABC 6 kg", ("Aerfoc EPA-6", "Cofem PI6", "Mobiak PA6"), (3, 8), "EXT"
    ),
    EquipmentSpec("Extintor de CO2 5 kg", ("Aerfoc CO2-5", "Cofem CO2-5"), (1, 3), "CO2"),
    EquipmentSpec("BIE 25 mm", ("Cofem BIE-25",), (0, 3), "BIE"),
    EquipmentSpec("Hidrante exterior", ("Tyco columna seca",), (0, 1), "HID"),
    EquipmentSpec(
        "Puerta cortafuegos EI2 60", ("Andreu EI2-60", "Tecnimoeller RF60"), (1, 3), "PCF"
    ),
    EquipmentSpec(
        "Detector óptico de humo", ("Notifier NFX-OPT", "Honeywell ECO1003"), (2, 6), "DET"
    ),
    EquipmentSpec("Central de detección", ("Notifier ID3000", "Kilsen KFP-AF4"), (0, 1), "CEN"),
)

SHIFTS = (
    Shift(
        "jornada partida",
        spans(range(4), "08:00-14:00", "15:00-17:30") + spans((4,), "08:00-15:00"),
    ),
    Shift("jornada continua", spans(range(5), "07:00-15:00")),
    Shift("media jornada", spans(range(5), "09:00-13:00")),
)

WORDING = Wording(
    ticket_notes=(
        "Extintor del garaje despresurizado.",
        "La central de detección marca avería en zona 3.",
        "Puerta cortafuegos de la escalera B no cierra sola.",
        "Solicitamos certificado de la última revisión.",
        "Detector de la cocina salta con el vapor.",
        "Falta la placa de señalización de la BIE de planta 1.",
        "Inspección de industria el mes que viene: necesitamos la documentación.",
    ),
    staff_replies=(
        "Recibido, lo gestionamos.",
        "Un técnico pasará esta semana.",
        "¿Nos confirman si la avería persiste?",
        "Reparado y probado, cerramos la incidencia.",
    ),
    internal_comments=(
        "Pedir repuesto al proveedor.",
        "Cliente con inspección oficial próxima: prioridad alta.",
        "Revisar si está cubierto por el contrato de mantenimiento.",
    ),
    client_replies=(
        "Gracias, confirmado.",
        "Sigue fallando desde esta mañana.",
        "De acuerdo, les esperamos.",
    ),
    materials=words(
        "Precinto de seguridad, Manómetro de recambio, Cierrapuertas hidráulico, "
        "Detector óptico, Señal fotoluminiscente"
    ),
    work_done=(
        "{activity} realizada según el RIPCI.",
        "{activity}: equipos revisados y etiquetados.",
        "{activity} completada; se informa al responsable de las deficiencias.",
    ),
    remarks=(
        "Extintor con presión baja, recargado.",
        "Acceso bloqueado por mercancía.",
        "Manguera de BIE con fisura, pendiente de sustitución.",
    ),
    absence_reasons=("Vacaciones", "Baja médica", "Curso de formación", "Asuntos propios"),
    contact_notes=(
        "Prefiere que le llamen por la mañana.",
        "Responsable de mantenimiento del edificio.",
        "Enviar siempre copia de los certificados a administración.",
    ),
    visit_notes=("Recoger llaves en conserjería.", "Acceso por el muelle de carga."),
    activity_long=(
        "El {date} {technician.first_name} acudirá a {site.name} ({site.address}). "
        "Si necesita cambiar la cita, puede hacerlo desde el portal o abrir una incidencia."
    ),
    manual_clock_note="Fichaje introducido a mano por la oficina: sin cobertura en el sótano.",
    revision_notes=("Revisión trimestral según el Reglamento de Instalaciones PCI.",),
    document_titles={
        "CHECKLIST": "Lista de comprobación",
        "INCIDENT_REPORT": "Informe de deficiencias",
        "MAINTENANCE_CERTIFICATE": "Certificado de mantenimiento",
        "WORK_SHEET_PDF": "Parte de trabajo",
        "CONTRACT": "Contrato",
        "QUOTE": "Presupuesto",
        "INVOICE": "Factura",
        "OTHER": "Anexo",
    },
)

SPAIN = Profile(
    slug="ignis",
    name="Ignis Protección Contra Incendios S.L.",
    domain="ignis-pci.example",
    locale="es",
    timezone="Europe/Madrid",
    country="ES",
    vat_percent=Decimal("21.00"),
    phone_prefix="+34",
    portal_info=(
        "Portal de clientes de Ignis: consulte revisiones, certificados de mantenimiento y "
        "próximas visitas de sus instalaciones contra incendios. Urgencias 24 h: 910 55 21 40."
    ),
    cities=CITIES,
    first_names=words(
        "Lucía, Javier, María, Carlos, Carmen, David, Ana, Daniel, Laura, Pablo, Marta, "
        "Alejandro, Elena, Sergio, Paula, Jorge, Cristina, Raúl, Isabel, Álvaro, Sara, Manuel, "
        "Beatriz"
    ),
    last_names=words(
        "García, Fernández, González, Rodríguez, López, Martínez, Sánchez, Pérez, Gómez, "
        "Martín, Jiménez, Ruiz, Hernández, Díaz, Moreno, Muñoz, Álvarez, Romero, Alonso, "
        "Gutiérrez, Navarro, Torres, Domínguez, Vázquez, Ramos, Serrano, Blanco, Molina"
    ),
    client_kinds=words(
        "Hotel, Residencia de Mayores, Colegio, Centro Comercial, Clínica Dental, Gimnasio, "
        "Restaurante, Talleres, Almacenes, Comunidad de Propietarios, Oficinas, Parking"
    ),
    legal_forms=words("S.L., S.A."),
    tax_id_prefix="B",
    site_names=words("Sede central, Almacén, Delegación {city}, Tienda {city}, Nave {street}"),
    departments=(
        ("Atención al cliente", True),
        ("Mantenimiento PCI", True),
        ("Administración", True),
        ("Ingeniería", False),
    ),
    activities=ACTIVITIES,
    routine_activity=None,
    equipment=EQUIPMENT,
    locations=words(
        "Planta baja - entrada, Planta 1 - pasillo, Sótano - garaje, Cocina, Sala de calderas, "
        "Almacén, Escalera B, Recepción"
    ),
    shifts=SHIFTS,
    contract_kinds=(
        "Mantenimiento de sistemas PCI",
        "Revisión de extintores",
        "Mantenimiento de detección de incendios",
    ),
    quote_titles=(
        "Sustitución de extintores caducados",
        "Instalación de BIE en nave",
        "Adecuación de puertas cortafuegos",
        "Ampliación de detección en sótano",
        "Señalización de evacuación",
    ),
    wording=WORDING,
    number_prefixes={"work_sheet": "PT", "quote": "PRE", "invoice": "FAC", "contract": "CON"},
    technicians=7,
    clients=20,
    admin=Person("Lucía", "Navarro", "lucia.navarro@ignis-pci.example"),
    single_client=FixedClient(
        "Residencias Alameda S.L.",
        "residenciasalameda.example",
        3,
        Person("Carmen", "Ortega", "carmen.ortega@residenciasalameda.example"),
    ),
    site_client=FixedClient(
        "Grupo Escolar Valdés S.A.",
        "grupovaldes.example",
        3,
        Person("Jorge", "Peña", "jorge.pena@grupovaldes.example"),
    ),
    group_name="Hoteles Brisamar",
    group_domain="brisamar.example",
    group_contact=Person("Elena", "Castillo", "elena.castillo@brisamar.example"),
)
