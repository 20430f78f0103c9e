"""Which language the lead writes in, so the bot answers in it (BOTS.md: answer in Spanish to Spanish)."""
from __future__ import annotations

import re

from bots.nlu.types import Language

# Words that are common in one language and rare in the other; words both use ("no", "me", "a", "ok") are left out,
# and so is "mil": English speakers write "1.2 mil" for a million (BOTS.md: never switch on one such token).
_SPANISH = frozenset("""
hola quiero queremos quisiera vender vendo comprar compro casa casas mi mis tu su sus que de del la las el los por
para con es esta estoy estamos tengo tenemos gracias si pero cuanto cuanta donde cuando necesito necesitamos busco
buscamos somos usted ustedes millones recamaras habitaciones banos muy mas bueno buenos buenas tambien porque
como una un y nos lo le les se en al son hay puede puedo vivir mudar mudamos trabajo dinero precio barrio zona
escuelas claro tal vez quizas ahora despues manana hoy semana mes ano meses dias llamar llamame hablar ayuda favor
senor senora nada nuestra nuestro este esto eso esa ese soy eres estas tiene tienen quiere vale hijos esposa esposo
familia cancelar alto listo lista pronto todavia aun ya interesa interesado interesada escribir mensajes manden
llamen vuelvan tiempo cocina nueva nuevo buscar gustaria esperamos dolares alla aqui bien mucho poco grande pequena
""".split())
_ENGLISH = frozenset("""
the i i'm im to and my is it you we for of in want house home sell buy yes yeah looking need have what how this that
are be can will would just not thanks thank hi hello hey our your with about am do don't dont get like
selling buying moving please call so but if at on or an sure maybe when where who why there they he she out up all
some any good great thinking bedroom bedrooms bath baths price budget soon month months year years work works
""".split())
# Accents and inverted marks only Spanish uses; checked on the original text, before folding.
_SPANISH_MARKS = re.compile(r"[ñáéíóúü¿¡]", re.IGNORECASE)
_WORD = re.compile(r"[a-z']+")


def detect_language(text: str, original: str, default: str) -> Language:
    """"es" or "en" from the words used; a message that says too little ("no", "ok", "650k") keeps `default`."""
    words = _WORD.findall(text)
    spanish = sum(word in _SPANISH for word in words)
    english = sum(word in _ENGLISH for word in words)
    if _SPANISH_MARKS.search(original):
        spanish += 1
    if spanish > english:
        return "es"
    if english > spanish:
        return "en"
    return "es" if default == "es" else "en"
