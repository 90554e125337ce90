"""The Italian demo organization: a cleaning company in the Milan area."""

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
        "Milano",
        "MI",
        words("20121, 20124, 20127, 20135, 20141, 20146, 20156"),
        Decimal("45.464200"),
        Decimal("9.190000"),
        words(
            "Via Torino, Corso Buenos Aires, Via Padova, Viale Monza, Via Marghera, Corso Lodi, "
            "Via Washington, Viale Certosa, Via Ripamonti"
        ),
    ),
    City(
        "Monza",
        "MB",
        ("20900",),
        Decimal("45.584500"),
        Decimal("9.274400"),
        words("Via Italia, Corso Milano, Via Borgazzi, Viale Libertà"),
    ),
    City(
        "Sesto San Giovanni",
        "MI",
        ("20099",),
        Decimal("45.535300"),
        Decimal("9.233900"),
        words("Viale Casiraghi, Via Cavallotti, Viale Marelli"),
    ),
    City(
        "Rho",
        "MI",
        ("20017",),
        Decimal("45.528000"),
        Decimal("9.040000"),
        words("Corso Europa, Via Magenta, Via Madonna"),
    ),
    City(
        "Bergamo",
        "BG",
        words("24121, 24122, 24125"),
        Decimal("45.698300"),
        Decimal("9.677300"),
        words("Via XX Settembre, Viale Papa Giovanni XXIII, Via Borgo Palazzo"),
    ),
    City(
        "Legnano",
        "MI",
        ("20025",),
        Decimal("45.596000"),
        Decimal("8.916000"),
        words("Corso Italia, Corso Garibaldi, Via Micca"),
    ),
)

ACTIVITIES = (
    ActivitySpec(
        "Pulizia ordinaria",
        "CLEANING",
        120,
        True,
        False,
        "Pulizia ordinaria presso {site.name}",
        "Il {date} {technician.first_name} esegue la pulizia ordinaria.",
        (),
        48,
    ),
    ActivitySpec(
        "Pulizia straordinaria",
        "CLEANING",
        240,
        True,
        True,
        "Pulizia straordinaria a {site.name}",
        "Intervento straordinario del {date} con {technician.first_name}.",
        _RESCHEDULABLE,
        48,
    ),
    ActivitySpec(
        "Sanificazione ambienti",
        "CLEANING",
        180,
        True,
        True,
        "Sanificazione di {site.name}",
        "Sanificazione con prodotti certificati il {date}.",
        _RESCHEDULABLE,
        72,
    ),
    ActivitySpec(
        "Lavaggio vetrate",
        "CLEANING",
        180,
        True,
        True,
        "Lavaggio vetrate - {site.name}",
        "{technician.first_name} laverà le vetrate il {date}.",
        ("PLANNED",),
        24,
    ),
    ActivitySpec(
        "Manutenzione macchinari",
        "MAINTENANCE",
        90,
        True,
        False,
        "Manutenzione macchine presso {site.name}",
        "Controllo e manutenzione delle macchine il {date}.",
        (),
        48,
    ),
    ActivitySpec(
        "Sopralluogo",
        "SURVEY",
        60,
        True,
        True,
        "Sopralluogo a {site.name}",
        "Sopralluogo per preventivo il {date}.",
        _RESCHEDULABLE,
        24,
    ),
    ActivitySpec(
        "Verifica qualità",
        "INSPECTION",
        60,
        True,
        False,
        "Verifica qualità del servizio a {site.name}",
        "Verifica periodica del servizio il {date}.",
        (),
        48,
    ),
    ActivitySpec("Formazione in cantiere", "SURVEY", 120, False, False, "", "", (), 48),
)

EQUIPMENT = (
    EquipmentSpec("Lavasciuga pavimenti", ("Comac Vispa 35B", "Nilfisk SC450"), (0, 2), "LS"),
    EquipmentSpec("Monospazzola", ("Numatic NuSpeed", "Ghibli SB 143"), (0, 1), "MS"),
    EquipmentSpec("Aspiratore industriale", ("Nilfisk VP300", "Kärcher NT 30/1"), (1, 2), "AI"),
    EquipmentSpec("Area di pulizia", (None,), (2, 4), None),
)

SHIFTS = (
    Shift("giornata", spans(range(5), "08:00-12:00", "13:00-17:00")),
    Shift("mattino presto", spans(range(5), "06:00-10:00", "10:30-14:30")),
    Shift("part time con sabato", spans(range(6), "07:00-11:00")),
)

WORDING = Wording(
    ticket_notes=(
        "Bagni del primo piano non puliti stamattina.",
        "Richiesta pulizia straordinaria dopo evento aziendale.",
        "La lavasciuga perde acqua dal serbatoio.",
        "Cestini degli uffici non svuotati da due giorni.",
        "Macchia sulla moquette della sala riunioni.",
        "Manca il sapone nei dispenser dei servizi.",
        "Vetrate dell'ingresso con aloni dopo il lavaggio.",
    ),
    staff_replies=(
        "Abbiamo preso in carico la segnalazione.",
        "Il tecnico passerà domani in mattinata.",
        "Ci confermate che il problema è risolto?",
        "Intervento eseguito, chiudiamo la segnalazione.",
    ),
    internal_comments=(
        "Verificare il turno del tecnico assegnato.",
        "Cliente sensibile: rispondere entro oggi.",
        "Ordinare ricambio per la lavasciuga.",
    ),
    client_replies=(
        "Grazie, confermiamo.",
        "Il problema si è ripresentato oggi.",
        "Va bene, attendiamo il tecnico.",
    ),
    materials=words(
        "Detergente neutro 5 l, Disinfettante PMC, Sacchi 70x110, Panni microfibra, "
        "Cera metallizzata"
    ),
    work_done=(
        "Eseguito intervento di {activity} come da programma.",
        "{activity}: completata in tutte le aree concordate.",
        "{activity} eseguita; segnalate al referente le aree non accessibili.",
    ),
    remarks=(
        "Area ingombra, pulita parzialmente.",
        "Macchina da sostituire a breve.",
        "Accesso negato dal personale di sala.",
    ),
    absence_reasons=("Ferie", "Malattia", "Formazione sicurezza", "Permesso"),
    contact_notes=(
        "Preferisce essere contattata via email.",
        "Referente per la sede di produzione.",
        "Chiedere sempre conferma prima degli interventi straordinari.",
    ),
    visit_notes=("Ritirare le chiavi in portineria.", "Accesso dal cortile interno."),
    activity_long=(
        "Il giorno {date} {technician.first_name} sarà presso {site.name} "
        "({site.address}). In caso di imprevisti potete contattarci dal portale aprendo "
        "una segnalazione."
    ),
    manual_clock_note="Timbratura inserita a mano dall'ufficio: badge dimenticato.",
    revision_notes=("Verifica trimestrale della qualità del servizio.",),
    document_titles={
        "CHECKLIST": "Checklist verifica qualità",
        "INCIDENT_REPORT": "Rapporto di non conformità",
        "MAINTENANCE_CERTIFICATE": "Attestato di verifica",
        "WORK_SHEET_PDF": "Foglio di intervento",
        "CONTRACT": "Contratto",
        "QUOTE": "Preventivo",
        "INVOICE": "Fattura",
        "OTHER": "Allegato",
    },
)

ITALY = Profile(
    slug="brillanti",
    name="Brillanti Servizi di Pulizia S.r.l.",
    domain="brillanti.example",
    locale="it",
    timezone="Europe/Rome",
    country="IT",
    vat_percent=Decimal("22.00"),
    phone_prefix="+39",
    portal_info=(
        "Benvenuti nel portale clienti di Brillanti. Qui trovate interventi, fogli di lavoro "
        "firmati e verifiche di qualità delle vostre sedi. Per urgenze: 02 4851 2290."
    ),
    cities=CITIES,
    first_names=words(
        "Giulia, Marco, Francesca, Luca, Alessandro, Chiara, Matteo, Sara, Andrea, Elena, "
        "Davide, Valentina, Simone, Martina, Federico, Paola, Roberto, Silvia, Stefano, Laura, "
        "Giorgio, Anna, Elisa"
    ),
    last_names=words(
        "Rossi, Russo, Ferrari, Esposito, Bianchi, Romano, Colombo, Ricci, Marino, Greco, "
        "Bruno, Gallo, Conti, De Luca, Mancini, Costa, Giordano, Rizzo, Lombardi, Moretti, "
        "Barbieri, Fontana, Santoro, Mariani, Rinaldi, Caruso, Galli, Martini, Leone"
    ),
    client_kinds=words(
        "Farmacia, Hotel, Studio Legale, Palestra, Supermercato, Ristorante, Officina, "
        "Clinica Veterinaria, Autosalone, Studio Dentistico, Scuola Paritaria, Assicurazioni"
    ),
    legal_forms=words("S.r.l., S.p.A., S.n.c., S.a.s."),
    tax_id_prefix="IT",
    site_names=words(
        "Sede legale, Magazzino, Filiale di {city}, Punto vendita {city}, Uffici {street}"
    ),
    departments=(
        ("Servizio clienti", True),
        ("Operativo pulizie", True),
        ("Amministrazione", True),
        ("Qualità e sicurezza", False),
    ),
    activities=ACTIVITIES,
    routine_activity="Pulizia ordinaria",
    equipment=EQUIPMENT,
    locations=words(
        "Piano terra - reception, Servizi igienici piano 1, Uffici open space, Mensa aziendale, "
        "Spogliatoi, Magazzino, Sala riunioni, Scale e ascensori"
    ),
    shifts=SHIFTS,
    contract_kinds=(
        "Servizio di pulizia ordinaria",
        "Sanificazione periodica",
        "Pulizia vetrate trimestrale",
    ),
    quote_titles=(
        "Pulizia straordinaria post cantiere",
        "Trattamento pavimenti in cotto",
        "Sanificazione annuale",
        "Lavaggio tende e moquette",
        "Pulizia canne fumarie",
    ),
    wording=WORDING,
    number_prefixes={"work_sheet": "FI", "quote": "PRV", "invoice": "FT", "contract": "CTR"},
    technicians=10,
    clients=24,
    admin=Person("Giulia", "Ferri", "giulia.ferri@brillanti.example"),
    single_client=FixedClient(
        "Farmacie Colombo S.r.l.",
        "farmaciecolombo.example",
        3,
        Person("Laura", "Colombo", "laura.colombo@farmaciecolombo.example"),
    ),
    site_client=FixedClient(
        "Hotel Moretti S.p.A.",
        "hotelmoretti.example",
        3,
        Person("Davide", "Greco", "davide.greco@hotelmoretti.example"),
    ),
    group_name="Sartori Retail",
    group_domain="sartoriretail.example",
    group_contact=Person("Marco", "Sartori", "marco.sartori@sartoriretail.example"),
)
