"""What the bots say for compliance and the conversation's lifecycle: safe lines, refusals, acknowledgements,
follow-ups. English and Spanish (`<key>_es`), overridable per location like every text.

Each must pass the compliance gate's own phrase lists (tests/safety checks it): a refusal explains what we do,
it never repeats the words it refuses.
"""
from __future__ import annotations

_ENGLISH: dict[str, list[str]] = {
    # A text that failed the gate is replaced by its bot's safe line.
    "safe_line_lead": [
        "Thanks for your message. {agent} will follow up with you directly.",
        "Good question for {agent}, who will get back to you personally.",
    ],
    "safe_line_seller": [
        "Thanks. {agent} will follow up with you on that personally, along with next steps for your home.",
        "Good question for {agent}, who will get back to you on it along with next steps for the sale.",
    ],
    "safe_line_buyer": [
        "Thanks. {agent} will follow up with you on that personally, along with homes that fit your search.",
        "Good question for {agent}, who will get back to you on it along with homes that fit your search.",
    ],
    # The inbound screen's answers (bots.screening, bots/data/inbound_screen.toml), reviewed by the brokerage's lawyer.
    "fair_housing_refusal": [
        "Fair housing law means we do not describe an area by who lives there, its safety or its schools, and we "
        "treat every buyer the same. I can match homes on price, size and location.",
        "We follow fair housing law, so we never rank areas by who lives there, safety or schools, and every buyer "
        "gets the same help. Price, size and location are what I can go by.",
    ],
    "fair_housing_refusal_seller": [
        "Fair housing law means every qualified buyer gets the same chance at your home, so we never choose or turn "
        "away buyers by who they are.",
    ],
    "respa_answer": [
        "You are free to choose any lender, title or escrow company you like, and nobody here gets paid for "
        "pointing you to one.",
    ],
    "deletion_acknowledgement": [
        "Got it. We will delete your personal information within 45 days as required by law, and these automated "
        "texts will stop.",
    ],
    # Where the lead came from (the contact's source and first contact date), and the way out.
    "screen_consent_answer": [
        "This is {agent}'s real estate team. Your number reached us through {source} on {date}, as an inquiry about "
        "a home. Reply STOP and we will not text you again.",
    ],
    "screen_consent_answer_no_source": [
        "This is {agent}'s real estate team. Your number reached us on {date} as an inquiry about buying or selling a "
        "home. Reply STOP and we will not text you again.",
    ],
    "screen_complaint_answer": [
        "Sorry about that, we do not want our texts to be a bother. Reply STOP and you will get no more texts from us.",
    ],
    # Follow-ups (bots.followups): the bot starts these itself, so quiet hours apply.
    "follow_up_seller": [
        "Checking back in on your home. Is selling still on your mind?",
        "Quick check in. Would it help to see what similar homes near you sold for recently?",
        "Following up on your home. Has anything changed with your plans to sell?",
    ],
    "follow_up_lead": [
        "Checking in. Are you still thinking about buying or selling?",
        "Following up on your message. Is a move on your mind this year?",
        "Quick check in. Is there anything I can answer about buying or selling?",
    ],
    "follow_up_lead_final": [
        "Last check in from us. Whenever you want help buying or selling, text here and {agent} will take it from "
        "there.",
    ],
}

_SPANISH: dict[str, list[str]] = {
    "safe_line_lead": ["Gracias por su mensaje. {agent} le contactará directamente."],
    "safe_line_seller": ["Gracias. {agent} le contactará sobre eso, junto con los siguientes pasos para su casa."],
    "safe_line_buyer": ["Gracias. {agent} le contactará sobre eso, junto con casas que encajan con su búsqueda."],
    "fair_housing_refusal": [
        "Por la ley de vivienda justa no describimos una zona por quién vive ahí, su seguridad o sus escuelas, y "
        "tratamos a todos por igual. Puedo buscar casas por precio, tamaño y ubicación.",
    ],
    "fair_housing_refusal_seller": [
        "Por la ley de vivienda justa todo comprador calificado tiene la misma oportunidad con su casa, así que nunca "
        "elegimos ni rechazamos compradores por quiénes son.",
    ],
    "respa_answer": [
        "Usted puede elegir cualquier prestamista, compañía de título o escrow, y nadie aquí cobra por "
        "recomendarle uno.",
    ],
    "deletion_acknowledgement": [
        "Entendido. Borraremos su información personal dentro de 45 días como exige la ley, y estos mensajes "
        "automáticos se detendrán.",
    ],
    "screen_consent_answer": [
        "Somos el equipo de bienes raíces de {agent}. Su número nos llegó por {source} el {date}, como una consulta "
        "sobre una casa. Responda STOP y no le volveremos a escribir.",
    ],
    "screen_consent_answer_no_source": [
        "Somos el equipo de bienes raíces de {agent}. Su número nos llegó el {date} como una consulta sobre comprar o "
        "vender una casa. Responda STOP y no le volveremos a escribir.",
    ],
    "screen_complaint_answer": [
        "Disculpe la molestia, no queremos que nuestros mensajes le incomoden. Responda STOP y no recibirá más "
        "mensajes de nosotros.",
    ],
    "follow_up_seller": [
        "Le escribo para saber de su casa. ¿Sigue pensando en vender?",
        "¿Ha cambiado algo en sus planes de vender su casa?",
    ],
    "follow_up_lead": [
        "¿Sigue pensando en comprar o vender?",
        "¿Hay algo que pueda responderle sobre comprar o vender?",
    ],
    "follow_up_lead_final": [
        "Es nuestro último mensaje. Cuando quiera ayuda para comprar o vender, escriba aquí y {agent} le ayudará.",
    ],
}

SAFETY_TEXTS: dict[str, list[str]] = {
    **_ENGLISH,
    **{f"{key}_es": variants for key, variants in _SPANISH.items()},
}
