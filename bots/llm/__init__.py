"""Claude in the loop: the one seam to Anthropic, for reading the lead's texts and phrasing the bot's replies.

Everything that talks to Anthropic lives here (client.py is the only importer of the SDK); the rest of the
bots see an `Engine` (bots.engine) and never know whether Claude or the offline engine answered.
"""
