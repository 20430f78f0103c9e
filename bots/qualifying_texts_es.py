"""The qualifying texts of bots.qualifying_texts in Spanish, by the same keys (read as `<key>_es`): usted, the
same voice rules, the same placeholders."""
from __future__ import annotations

SPANISH: dict[str, list[str]] = {
    "opt_out_confirmation": [
        "Ya no recibirá mensajes de nosotros. Responda START para volver a suscribirse.",
    ],
    "ask_intent": [
        "Gracias por escribir. ¿Busca comprar, vender o ambos?",
        "Con gusto le ayudo. ¿Está pensando en comprar, vender o ambos?",
    ],
    "ask_intent_plain": ["¿Busca comprar, vender o ambos?", "¿Quiere comprar, vender o las dos cosas?"],
    "reask_intent": [
        "¿Se inclina más por comprar o por vender?",
        "¿Tiene en mente una mudanza, ya sea comprar o vender?",
    ],
    "ask_lead_timeline": [
        "¿Cuándo cree que podría hacer un cambio?",
        "¿Más o menos cuándo podría mudarse?",
    ],
    "reask_lead_timeline": [
        "¿Sería este año o más adelante?",
        "¿Faltan meses, o más bien un año o dos?",
    ],
    "ask_lead_area": [
        "¿Qué zona le interesa más?",
        "¿En qué parte de la ciudad está pensando?",
    ],
    "reask_lead_area": [
        "¿Hay alguna ciudad o vecindario que le guste?",
        "¿Tiene alguna ciudad en mente?",
    ],
    "lead_wrap_up": [
        "Gracias, eso ayuda. Cuando quiera comprar o vender, escríbame aquí y {agent} le ayudará.",
    ],
    "lead_done": [
        "Gracias por avisar. Escríbame aquí cuando esté listo para comprar o vender.",
        "Anotado, gracias. {agent} está disponible cuando quiera hablar de comprar o vender.",
    ],
    "ask_property_address": [
        "Con gusto le ayudo con la venta. ¿Cuál es la dirección de la casa?",
        "Perfecto. ¿Cuál es la dirección de la propiedad?",
    ],
    "ask_property_address_plain": ["¿Cuál es la dirección de la casa?", "¿Qué dirección vendería?"],
    "reask_property_address": [
        "¿Cuál es la dirección de la casa, con el número?",
        "¿En qué calle está la casa?",
    ],
    "ask_motivation": [
        "¿Por qué está pensando en vender, y a dónde se mudaría?",
        "¿Qué le hace pensar en vender, y a dónde iría después?",
    ],
    "reask_motivation": [
        "¿Es por un trabajo nuevo, por más espacio o por otra razón?",
        "¿Es una mudanza, un cambio en la familia o algo más?",
    ],
    "ask_timeline": [
        "¿Le funcionaría vender en 30 a 45 días?",
        "¿Podría funcionar una venta en los próximos 30 a 45 días?",
    ],
    "reask_timeline": [
        "¿Le funcionan 30 a 45 días, o necesitaría más tiempo?",
        "¿Son posibles 30 a 45 días, o es muy pronto?",
    ],
    "ask_property_condition": [
        "¿La casa está lista para vivir, o necesita trabajo?",
        "¿Diría que la casa está lista para mudarse, o necesita arreglos?",
    ],
    "reask_property_condition": [
        "¿Está en buen estado, o necesita reparaciones?",
        "¿Un comprador podría mudarse de inmediato, o tendría que arreglar cosas?",
    ],
    "ask_price_expectation": [
        "¿Qué precio le haría sentir bien al vender?",
        "¿Qué cantidad haría que la venta valga la pena para usted?",
    ],
    "reask_price_expectation": [
        "Una idea aproximada basta. ¿Más o menos cuánto esperaría?",
        "¿Qué rango de precio le gustaría?",
    ],
    "seller_wrap_up": [
        "Gracias, con eso {agent} tiene una idea clara. Le contactará cuando se acerque su fecha.",
    ],
    "seller_done": [
        "Gracias por avisar, ya se lo pasé a {agent}.",
        "Anotado, gracias. {agent} tiene sus datos y le contactará.",
    ],
    "ask_area": [
        "Perfecto, vamos a encontrarle casa. ¿En qué zona o vecindario está buscando?",
        "Con gusto le ayudo a comprar. ¿En qué parte de la ciudad le gustaría vivir?",
    ],
    "ask_area_plain": ["¿En qué zona o vecindario está buscando?", "¿Dónde le gustaría comprar?"],
    "reask_area": [
        "¿Hay alguna ciudad o vecindario que le guste?",
        "¿Qué ciudades consideraría?",
    ],
    "ask_bedrooms": [
        "¿Cuántas recámaras necesita, y hay algo indispensable?",
        "¿Cuántas recámaras busca, y qué no puede faltar?",
    ],
    "reask_bedrooms": [
        "¿Más o menos cuántas recámaras le funcionarían?",
        "¿Le bastan 3 recámaras, o necesita más?",
    ],
    "ask_budget": [
        "¿Qué rango de precio le resulta cómodo?",
        "¿Con qué presupuesto está trabajando?",
    ],
    "reask_budget": [
        "Una idea aproximada basta. ¿Cuánto es lo máximo que gastaría?",
        "¿Qué presupuesto le parece razonable?",
    ],
    "ask_preapproval": [
        "¿Ya tiene una preaprobación de un prestamista, o pagaría en efectivo?",
        "¿Tiene preaprobación, o es una compra en efectivo?",
    ],
    "reask_preapproval": [
        "¿Ya habló con algún prestamista?",
        "¿Ya tiene resuelto el financiamiento, o falta?",
    ],
    "ask_buyer_timeline": [
        "¿Cuándo espera mudarse?",
        "¿Qué tan pronto le gustaría estar en la casa nueva?",
    ],
    "reask_buyer_timeline": [
        "¿Sería en los próximos meses, o más adelante?",
        "¿Dentro de 3 meses, o más tarde?",
    ],
    "buyer_wrap_up": [
        "Gracias, con eso {agent} tiene una idea clara. Le enviará casas que encajen cuando salgan.",
    ],
    "buyer_done": [
        "Gracias por avisar, ya se lo pasé a {agent}.",
        "Anotado, gracias. {agent} tiene sus datos y le contactará.",
    ],
    "matches_one": [
        "Encontré una casa que encaja: {address} en {city} por {price}, {reasons}.",
    ],
    "matches_many": [
        "Encontré {count} casas que encajan. La más cercana es {address} en {city} por {price}, {reasons}.",
    ],
    "market_below": [
        "Ahora mismo no hay nada {wish} cerca de {budget}. La más económica que tenemos cuesta {price}.",
    ],
    "market_above": [
        "Las casas {wish} que tenemos llegan hasta {price} por ahora.",
    ],
    "market_empty": [
        "Por ahora no veo casas {wish}.",
    ],
    "reason_under_budget": ["dentro de su presupuesto"],
    "reason_over_budget": ["{over} arriba de su presupuesto"],
    "reason_outside_area": ["fuera de la zona de {area} que pidió"],
    "reason_in_area": ["en {area}"],
    "reason_bedrooms": ["{bedrooms} recámaras como quería"],
    "reason_more_bedrooms": ["{beds} recámaras, más de las {bedrooms} que quería"],
    "wish_bedrooms": ["con {bedrooms} o más recámaras"],
    "wish_area": ["en {area}"],
    "faq_answer": ["{answer}"],
    "answer_value": [
        "No puedo darle una cifra por mensaje sin ver la casa, pero {agent} puede hacerle un análisis de mercado "
        "gratis en una llamada.",
    ],
    "answer_small_talk": ["Bien, gracias por preguntar."],
    "answer_schools": ["Sobre escuelas, el sitio web del distrito escolar tiene los límites y los reportes públicos."],
    "answer_rates": ["Las tasas cambian a diario y dependen del préstamo, así que el prestamista que usted elija se "
                     "las puede cotizar."],
    "answer_fees": ["{agent} le explica los costos en una llamada, antes de firmar nada."],
    "answer_fees_buyer": ["{agent} le explica en una llamada lo que cuesta comprar con el equipo, antes de firmar "
                          "nada."],
    "answer_process": ["{agent} conoce sus planes y luego le explica sus opciones en una llamada corta, sin "
                       "compromiso."],
    "answer_next_steps": ["Después, {agent} revisa lo que me contó y le llama para ver opciones. Nada se decide sin "
                          "usted."],
    "answer_preapproval": ["Una preaprobación es una carta del prestamista que dice cuánto le puede prestar, y los "
                           "vendedores toman más en serio una oferta con ella."],
    "answer_fast_sale": ["{agent} le puede explicar en una llamada una venta rápida y una venta normal, y lo que "
                         "significa cada una."],
    "answer_how_reached": ["Su número llegó al equipo de {agent} con una consulta sobre comprar o vender casa."],
    "question_for_agent": ["Buena pregunta, se la paso a {agent} para que le responda."],
    "feeling_grief": ["Lo siento mucho por su pérdida. No hay ninguna prisa. Cuando esté listo, {agent} puede "
                      "hablarlo con usted."],
    "feeling_distress": ["Suena muy estresante, y lamento que esté pasando por eso. {agent} le contactará para "
                         "explicarle sus opciones, sin presión."],
    "feeling_anger": ["Lamento que esto le haya molestado. Me hago a un lado, y {agent} puede contactarle "
                      "personalmente."],
    "feeling_frustration": ["Perdón por eso, tiene razón. Le pasé lo que me dijo a {agent}, que le contactará "
                            "personalmente."],
    "feeling_heard": ["Lamento escuchar eso."],
    "feeling_grief_short": ["Lo siento mucho por su pérdida."],
    "feeling_distress_short": ["Lamento que esté pasando por eso."],
    "close_not_interested": ["Entendido, ya no le escribiré. Si algo cambia, puede escribirle a {agent} aquí cuando "
                             "quiera."],
    "close_back_off": ["Perdón por la molestia. Ya no le escribiré. Si necesita a {agent}, este número funciona "
                       "siempre."],
    "close_already_sold": ["Felicidades, qué buena noticia. Cierro su expediente, y puede escribirle a {agent} aquí "
                           "cuando quiera."],
    "complaint_apology": ["Perdón por la molestia. Responda STOP cuando quiera y no recibirá más mensajes."],
    "not_a_lead_agent": ["Gracias por escribir. {agent} atiende personalmente las preguntas de otros agentes."],
    "not_a_lead_wholesaler": ["Gracias, por ahora no buscamos propiedades ni socios."],
    "not_a_lead_vendor": ["Gracias, por ahora no buscamos nuevos servicios."],
    "not_a_lead_wrong_number": ["Perdón por la molestia, quitaremos este número de nuestra lista."],
    "got_it": ["Gracias.", "Entendido.", "Bueno saberlo.", "Tiene sentido."],
    "no_worries": ["Entiendo.", "Está bien.", "De acuerdo."],
    "move_on": [
        "No se preocupe, podemos volver a eso después.",
        "Está bien, lo dejamos para después.",
    ],
    "ai_identity": [
        "Buena pregunta. Soy un asistente de inteligencia artificial del equipo de {agent}.",
        "Soy un asistente de inteligencia artificial que trabaja con el equipo de {agent}.",
    ],
    "handoff_to_seller": ["Con gusto le ayudo también a vender."],
    "handoff_to_buyer": ["Con gusto le ayudo también a encontrar casa."],
    "stall_thinking": ["Claro, tómese el tiempo que necesite.", "Es una decisión grande, lo entiendo."],
    "stall_get_back_later": ["No hay problema, sé que está ocupado.", "Entendido, sin prisa."],
    "stall_online_estimate": [
        "Los estimados en línea no ven el interior de la casa ni sus mejoras.",
    ],
    "stall_has_agent": ["Qué bueno que ya tiene quien le ayude."],
    "stall_just_looking": ["Tiene sentido ver opciones primero."],
    "objection_price": ["Es una preocupación válida, el precio tiene que funcionarle."],
    "objection_timing": ["Le entiendo, el momento importa mucho."],
    "objection_competition": ["Tiene sentido comparar opciones."],
    "objection_trust": ["Buena pregunta. Somos el equipo de bienes raíces de {agent}, respondiendo a su consulta."],
    "objection_decision_authority": ["Claro, una decisión así debe incluir a todos."],
    "objection_value": ["Buena pregunta. {agent} se encarga del precio, la publicidad y la negociación por usted."],
    "objection_data": ["{agent} puede mostrarle las ventas recientes cerca de usted, con números reales."],
    "objection_social_proof": ["Muchos propietarios con los que hablamos empiezan con las mismas dudas."],
    "objection_market_test": [
        "Una opción sin compromiso: {agent} le muestra cuánto pagarían los compradores y usted decide.",
    ],
    "human_requested": [
        "Claro. {agent} se comunicará con usted muy pronto.",
        "Por supuesto. Ya le avisé a {agent} y le contactará pronto.",
    ],
    "exhausted": [
        "Gracias por su tiempo. {agent} le dará seguimiento personalmente.",
    ],
    "offer_slots": [
        "Gracias, con eso {agent} tiene una idea clara. Puede llamarle {slot_list}. ¿Cuál le funciona? "
        "Responda {choices}.",
    ],
    "repeat_slots": [
        "No hay problema. Responda {choices} para elegir: {slot_list}.",
        "Perdón, no entendí. Responda {choices} para {slot_list}.",
    ],
    "booking_confirmed": [
        "Listo, quedó agendado para el {slot}. {agent} le llamará a esa hora.",
    ],
    "manual_scheduling": [
        "No hay problema, el equipo le contactará para encontrar un horario que le funcione.",
    ],
    "booking_done": ["Ya está agendado para el {slot}. {agent} le llamará a esa hora."],
    "manual_done": ["El equipo le contactará para acordar un horario."],
}
