"""What the seller, buyer and lead bots say while they qualify a lead, in English and Spanish (`<key>_es`).

Voice (BOTS.md): one question per message, short sentences, no emojis, no hyphens, no softeners, never
"Hey", never a claim we cannot back. A reply is built from lines: at most one lead in (an acknowledgement,
an answer) and then the question, so lead ins never ask anything. Every key is overridable per location
(`Location.bot_settings["texts"]`), and each has a few variants so a lead never gets the same text twice.
"""
from __future__ import annotations

_ENGLISH: dict[str, list[str]] = {
    # -- lead bot: light qualification of a lead who is neither a buyer nor a seller yet -----------------
    "ask_intent_plain": [
        "Are you looking to buy, sell, or both?",
        "Is this about buying a home, selling one, or both?",
    ],
    "reask_intent": [
        "Is a move on your mind at all, whether buying or selling?",
        "Would you say you lean more toward buying or selling?",
    ],
    "ask_lead_timeline": [
        "When do you think you might make a move?",
        "Roughly when could a move happen for you?",
    ],
    "reask_lead_timeline": [
        "Is it more like this year, or further out?",
        "Would you say months away, or more like a year or two?",
    ],
    "ask_lead_area": [
        "Which area are you most interested in?",
        "Which part of town are you thinking about?",
    ],
    "reask_lead_area": [
        "Is there a city or neighborhood you keep coming back to?",
        "Any town you have your eye on?",
    ],
    "lead_wrap_up": [
        "Thanks, that helps. When buying or selling is on your mind, text me here and {agent} will take it from there.",
        "Got it, thank you. Whenever you are ready to buy or sell, text me here and {agent} will help.",
    ],
    "lead_done": [
        "Thanks for the update. Text me here whenever you are ready to buy or sell.",
        "Noted, thank you. {agent} is around whenever you want to talk buying or selling.",
    ],
    # -- seller bot ----------------------------------------------------------------------------------------
    "ask_property_address_plain": ["What is the address of the home?", "Which address would you be selling?"],
    "reask_property_address": [
        "What is the street address of the home, with the house number?",
        "Which street address is the home on?",
    ],
    "ask_motivation": [
        "What has you thinking about selling, and where would you move next?",
        "What is making you think about selling, and where would you go?",
        "What is behind the idea of selling, and where would you head next?",
    ],
    "reask_motivation": [
        "Is it a new job, more space, or something else that has you thinking about it?",
        "Is it a move, a change in the family, or something else?",
    ],
    "ask_timeline": [
        "Would a sale within 30 to 45 days work for you?",
        "Could a sale in the next 30 to 45 days work?",
        "If the right buyer came along, would closing in 30 to 45 days work?",
    ],
    "reask_timeline": [
        "Would 30 to 45 days work, or would you need longer?",
        "Is 30 to 45 days doable, or is that too fast?",
    ],
    "ask_property_condition": [
        "Is the home move in ready, or does it need some work?",
        "Would you call the home move in ready, or does it need work?",
        "How is the condition, move in ready or in need of some updates?",
    ],
    "reask_property_condition": [
        "Roughly, is it in good shape, or are there repairs it needs?",
        "Would a buyer move right in, or would they want to fix things first?",
    ],
    "ask_price_expectation": [
        "What price would make you feel good about selling?",
        "What number would make the sale worth it for you?",
        "What price would you be happy to walk away with?",
    ],
    "reask_price_expectation": [
        "Even a ballpark helps. Roughly what number would make it worth selling?",
        "What range would make you happy?",
    ],
    "seller_wrap_up": [
        "Thanks, that gives {agent} a clear picture. {agent} will check in closer to your timeline.",
        "Got it, thank you. {agent} has what is needed and will reach out when the timing fits.",
    ],
    "seller_done": [
        "Thanks for the update, I passed it along to {agent}.",
        "Noted, thank you. {agent} has your details and will be in touch.",
    ],
    # -- buyer bot -----------------------------------------------------------------------------------------
    "ask_area_plain": ["Which area or neighborhoods are you looking in?", "Where would you like to buy?"],
    "reask_area": [
        "Is there a city or neighborhood you keep coming back to?",
        "Which towns would you be open to?",
    ],
    "ask_bedrooms": [
        "How many bedrooms do you need, and any must haves?",
        "How many bedrooms, and anything you cannot live without?",
        "How many bedrooms are you after, and anything on your wish list?",
    ],
    "reask_bedrooms": [
        "Roughly how many bedrooms would work?",
        "Would 3 bedrooms do, or do you need more?",
    ],
    "ask_budget": [
        "What price range feels comfortable?",
        "What budget are you working with?",
        "What price range are you shopping in?",
    ],
    "reask_budget": [
        "Even a ballpark helps. What price range feels right?",
        "What is the most you would want to spend?",
    ],
    "ask_preapproval": [
        "Are you preapproved with a lender yet, or paying cash?",
        "Do you have a preapproval, or is this a cash purchase?",
        "Have you talked with a lender yet, or will you pay cash?",
    ],
    "reask_preapproval": [
        "Have you spoken with a lender at all yet?",
        "Is financing sorted out, or still to do?",
    ],
    "ask_buyer_timeline": [
        "When are you hoping to move?",
        "How soon would you like to be in the new place?",
        "When would you ideally move in?",
    ],
    "reask_buyer_timeline": [
        "Is it more like the next few months, or later?",
        "Would you say within 3 months, or further out?",
    ],
    "buyer_wrap_up": [
        "Thanks, that gives {agent} a clear picture. {agent} will send you homes that fit as they come up.",
        "Got it, thank you. {agent} will keep an eye out and text you homes that fit.",
    ],
    "buyer_done": [
        "Thanks for the update, I passed it along to {agent}.",
        "Noted, thank you. {agent} has your details and will be in touch.",
    ],
    # Listings we actually have, and honest market education when none fit.
    "matches_one": [
        "I found one home that fits: {address} in {city} at {price}, {reasons}.",
        "One home fits right now: {address} in {city} at {price}, {reasons}.",
    ],
    "matches_many": [
        "I found {count} homes that fit. The closest is {address} in {city} at {price}, {reasons}.",
        "{count} homes fit what you asked for. The best match is {address} in {city} at {price}, {reasons}.",
    ],
    "market_below": [
        "Nothing {wish} lists near {budget} right now. The lowest priced one we have is {price}.",
        "Right now the homes {wish} that we have start at {price}, above {budget}.",
    ],
    "market_above": [
        "The homes {wish} that we have top out at {price} right now.",
        "Right now our listings {wish} go up to {price}.",
    ],
    "market_empty": [
        "I do not see any listings {wish} right now.",
        "We have no listings {wish} at the moment.",
    ],
    "reason_under_budget": ["under your budget"],
    "reason_over_budget": ["{over} over your budget"],
    "reason_outside_area": ["outside the {area} area you asked about"],
    "reason_in_area": ["in {area}"],
    "reason_bedrooms": ["{bedrooms} bedrooms as you wanted"],
    "reason_more_bedrooms": ["{beds} bedrooms, more than the {bedrooms} you wanted"],
    "wish_bedrooms": ["with {bedrooms} or more bedrooms"],
    "wish_area": ["in {area}"],
    # -- when the lead says something other than an answer (bots.workflows.acts) ------------------------------
    # Questions: the location's facts (bots.faq) first; these are the honest defaults, never a number.
    "faq_answer": ["{answer}"],
    "answer_value": [
        "I cannot put a number on it by text without seeing the home, but {agent} can do a free market analysis "
        "with you on a call.",
        "An honest number needs someone to look at the home and the recent sales, and {agent} can do that free on "
        "a call.",
    ],
    "answer_small_talk": ["Good, thanks for asking.", "All good here, thanks."],
    "answer_schools": [
        "For schools, the school district's own website has the boundaries and the public reports.",
        "The school district's website is the best source on schools, boundaries and reports.",
    ],
    "answer_rates": [
        "Rates change daily and depend on the loan, so a lender of your choice is the one to quote them.",
        "Any lender you choose can quote today's rate, since it depends on the loan and changes daily.",
    ],
    "answer_fees": [
        "{agent} goes over the fees with you on a call, before anything is signed.",
    ],
    "answer_fees_buyer": [
        "{agent} explains what buying with the team costs on a call, before you sign anything.",
    ],
    "answer_process": [
        "{agent} learns about your plans, then walks you through your options on a short call, with no obligation.",
    ],
    "answer_next_steps": [
        "Next, {agent} reviews what you shared and calls you to talk options. Nothing is decided until you say so.",
    ],
    "answer_preapproval": [
        "A preapproval is a lender's letter saying how much you can borrow, and sellers take offers with one more "
        "seriously.",
    ],
    "answer_fast_sale": [
        "{agent} can talk you through a quick sale and a regular listing on a call, and what each would mean "
        "for you.",
    ],
    "answer_how_reached": [
        "Your number came to {agent}'s team with an inquiry about buying or selling a home.",
    ],
    "question_for_agent": [
        "Good question, I will pass it to {agent} to answer.",
        "Good question. I am passing it to {agent}.",
    ],
    # Feelings: heard first, and the bot steps back.
    "feeling_grief": [
        "I am so sorry for your loss. There is no rush on any of this. Whenever you are ready, {agent} can talk "
        "it through with you.",
    ],
    "feeling_distress": [
        "That sounds really stressful, and I am sorry you are dealing with it. {agent} will reach out to walk you "
        "through your options, with no pressure.",
    ],
    "feeling_anger": [
        "I am sorry this came across badly. I will step back, and {agent} can reach out to you personally.",
    ],
    "feeling_frustration": [
        "Sorry about that, you deserve better. I passed what you told me to {agent}, who will reach out to you "
        "personally.",
    ],
    "feeling_heard": ["I am sorry to hear that."],
    "feeling_grief_short": ["I am so sorry for your loss.", "I am very sorry for your loss."],
    "feeling_distress_short": ["I am sorry you are going through that.", "That sounds like a lot to carry."],
    # Disinterest: a graceful close.
    "close_not_interested": [
        "Understood, I will stop reaching out. If anything changes, you can text {agent} here anytime.",
    ],
    "close_back_off": [
        "Sorry for the bother. I will stop texting you. If you ever need {agent}, this number works anytime.",
    ],
    "close_already_sold": [
        "Congratulations, that is great news. I will close out your file, and you can text {agent} here anytime.",
    ],
    "complaint_apology": [
        "I am sorry about that. Reply STOP anytime and you will get no more texts from us.",
        "Sorry for the trouble. If you would rather not hear from us, reply STOP and the texts end.",
    ],
    # Not leads: brief, polite, no qualification.
    "not_a_lead_agent": [
        "Thanks for reaching out. {agent} handles questions from agents personally and will get back to you.",
    ],
    "not_a_lead_wholesaler": [
        "Thanks, we are not looking for deals or partners right now.",
    ],
    "not_a_lead_vendor": [
        "Thanks, we are not looking for new services right now.",
    ],
    "not_a_lead_wrong_number": [
        "Sorry about that, we will take this number off our list.",
    ],
    # -- lead ins: acknowledge, then the question steers back ------------------------------------------------
    "got_it": ["Thanks.", "Got it.", "Good to know.", "Makes sense.", "Thanks for sharing that."],
    # "No problem" only answers a request (BOTS.md): a text that answered nothing gets a neutral lead in.
    "no_worries": ["Understood.", "Okay.", "All right."],
    "move_on": [
        "No worries, we can come back to that.",
        "That is fine, we can skip that for now.",
    ],
    "ai_identity": [
        "Good question. I am an AI assistant for {agent}'s team.",
        "I am an AI assistant working with {agent}'s team.",
    ],
    "handoff_to_seller": [
        "Happy to help with selling too.",
        "Sure, we can talk about selling.",
    ],
    "handoff_to_buyer": [
        "Happy to help you find a home too.",
        "Sure, we can look at buying.",
    ],
    "stall_thinking": [
        "Of course, take the time you need.",
        "Totally fair, it is a big decision.",
    ],
    "stall_get_back_later": [
        "No problem, I know you are busy.",
        "Understood, no rush on my end.",
    ],
    "stall_online_estimate": [
        "Online estimates can miss a lot, like upgrades and the condition inside.",
        "Those online numbers are a starting point, but they never see the inside of the home.",
    ],
    "stall_has_agent": [
        "Good to hear you have someone in your corner.",
        "Glad you have help already.",
    ],
    "stall_just_looking": [
        "Looking around first makes a lot of sense.",
        "Nothing wrong with getting a feel for things first.",
    ],
    "objection_price": [
        "That is a fair concern, the number has to work for you.",
        "I hear you, the price has to feel right.",
    ],
    "objection_timing": [
        "I hear you, timing matters a lot.",
        "Fair point, the timing has to fit your life.",
    ],
    "objection_competition": [
        "Makes sense to compare your options.",
        "Smart to look at more than one option.",
    ],
    "objection_trust": [
        "Fair question. This is {agent}'s real estate team following up on your inquiry.",
        "Good question. I work with {agent}'s local real estate team.",
    ],
    "objection_decision_authority": [
        "Of course, a decision like this should include everyone involved.",
        "Makes sense to talk it over together first.",
    ],
    "objection_value": [
        "Fair question. {agent}'s job is to handle the hard parts and get you a result you are happy with.",
        "Good question. {agent} takes care of pricing, marketing and negotiating, so you do not have to.",
    ],
    "objection_data": [
        "{agent} can pull the recent sales near you, so you can see real numbers.",
        "{agent} can show you what similar homes nearby actually sold for.",
    ],
    "objection_social_proof": [
        "A lot of homeowners we talk with start out with the same doubts.",
        "You are not the first to feel that way, and that is fine.",
    ],
    "objection_market_test": [
        "One low pressure option: {agent} shows you what buyers would pay, and you decide from there.",
        "You could test the market with no commitment and decide once you see real interest.",
    ],
    # -- closings: the bot's last text before a person takes over ----------------------------------------
    "human_requested": [
        "Of course. {agent} will reach out to you shortly.",
        "Sure thing. I let {agent} know, and you will hear back soon.",
    ],
    "exhausted": [
        "Thanks for your time. {agent} will follow up with you personally.",
        "I appreciate you chatting with me. {agent} will reach out to you directly.",
    ],
    # -- booking a call ---------------------------------------------------------------------------------------
    "offer_slots": [
        "Thanks, that is everything I need. {agent} can call you {slot_list}. Which works best? Reply {choices}.",
        "{agent} would like to talk next steps and is free {slot_list}. Which time suits you? Reply {choices}.",
    ],
    "repeat_slots": [
        "Okay. Reply {choices} to pick a time: {slot_list}.",
        "Sorry, I did not catch that. Reply {choices} for {slot_list}.",
    ],
    "booking_confirmed": [
        "You are booked for {slot}. {agent} will call you then.",
        "Done. {agent} will call you {slot}.",
    ],
    "manual_scheduling": [
        "No problem, the team will reach out to find a time that works for you.",
        "Understood. Someone from the team will reach out to set up a time with you.",
    ],
    "booking_done": [
        "You are all set for {slot}. {agent} will call you then.",
        "Your call with {agent} is set for {slot}.",
    ],
    "manual_done": [
        "The team will reach out to you to set up a time.",
        "Someone from the team will be in touch to find a time.",
    ],
}

_SPANISH: dict[str, list[str]] = {
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

QUALIFYING_TEXTS: dict[str, list[str]] = {
    **_ENGLISH,
    **{f"{key}_es": variants for key, variants in _SPANISH.items()},
}
